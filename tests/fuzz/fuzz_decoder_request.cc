// libFuzzer target for the requests the decoder child reads (loyaltyd's
// sandbox/decoder_protocol.h): the child parses them before anything else, in a process whose only
// way out is its replies. Properties:
//   - a refusal is a parse_error whose message starts "decoder request: ";
//   - a parsed frame has a geometry ImageDecoder takes (1 to limits::image_side_pixels_max per
//   side,
//     at most limits::image_pixels_max pixels, a stride of at least a row) and exactly the pixel
//     bytes it covers; a parsed file is 1 to limits::image_file_bytes_max bytes;
//   - canonical: encoding the parsed request again gives back exactly the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "sandbox/decoder_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loyalty::daemon;
  const std::span<const std::uint8_t> bytes(data, size);
  const auto request = parse_request(bytes);
  if (!request.ok()) {
    LOYALTY_ASSERT(request.error().code == loyalty::ErrorCode::parse_error);
    LOYALTY_ASSERT(request.error().message.starts_with("decoder request: "));
    return 0;
  }
  loyalty::Result<std::vector<std::uint8_t>> again = std::vector<std::uint8_t>{};
  if (request->kind == DecoderRequestKind::frame) {
    const auto& frame = request->frame;
    LOYALTY_ASSERT(frame.width >= 1 && frame.height >= 1);
    LOYALTY_ASSERT(static_cast<std::size_t>(frame.width) <= loyalty::limits::image_side_pixels_max);
    LOYALTY_ASSERT(static_cast<std::size_t>(frame.height) <=
                   loyalty::limits::image_side_pixels_max);
    LOYALTY_ASSERT(static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height) <=
                   loyalty::limits::image_pixels_max);
    LOYALTY_ASSERT(frame.row_stride >= frame.width);
    LOYALTY_ASSERT(frame.pixels.size() ==
                   static_cast<std::size_t>(frame.row_stride) * (frame.height - 1) + frame.width);
    again = encode_frame_request(request->id, frame);
  } else {
    LOYALTY_ASSERT(!request->file_bytes.empty());
    LOYALTY_ASSERT(request->file_bytes.size() <= loyalty::limits::image_file_bytes_max);
    again = encode_image_request(request->id, request->file_bytes, request->file_name);
  }
  LOYALTY_ASSERT(again.ok());
  LOYALTY_ASSERT(again->size() == decoder_header_bytes + size);
  LOYALTY_ASSERT(std::equal(bytes.begin(), bytes.end(), again->begin() + decoder_header_bytes));
  return 0;
}
