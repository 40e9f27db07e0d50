// libFuzzer target for image files (loyalty::drivers image_file.h) and, for small images, the
// barcode decoder behind them (image_decoder.h): image files are untrusted input.
//
// The bytes go to load_image_bytes(); nothing may crash, read out of bounds or leak. Properties:
//   - a loaded image has a width and height above 0, at most limits::image_pixels_max pixels, and
//     exactly width * height bytes;
//   - a refusal has a message that starts with the name given;
//   - an image of at most 256 x 256 pixels decodes without error, and every symbol has a type in
//     the decoder's set, an AIM id, and a label within limits::scan_label_bytes_max (UPC/EAN: a
//     13- or 8-digit canonical label with a valid check digit).
// The same bytes as text go to parse_scan_formats().
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/image_file.h"
#include "loyalty/drivers/scan/upc.h"

namespace {

using namespace loyalty::drivers;

constexpr std::size_t kDecodePixelsMax = 256 * 256;

void check_symbol(const DecodedSymbol& symbol, const ImageDecoder& decoder) {
  const auto& formats = decoder.options().formats();
  LOYALTY_ASSERT(std::find(formats.begin(), formats.end(), symbol.type) != formats.end());
  LOYALTY_ASSERT(!symbol.aim_id.empty());
  LOYALTY_ASSERT(symbol.label.size() <= loyalty::limits::scan_label_bytes_max);
  if (is_upc_ean(symbol.type)) {
    LOYALTY_ASSERT(symbol.label.size() == 13 || symbol.label.size() == 8);
    LOYALTY_ASSERT(loyalty::gs1_check_digit_valid(symbol.label));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ImageDecoder decoder = ImageDecoder::create().value();
  const std::span<const std::uint8_t> bytes(data, size);

  const auto image = load_image_bytes(bytes, "fuzz");
  if (!image.ok()) {
    LOYALTY_ASSERT(image.error().message.starts_with("fuzz: "));
  } else {
    LOYALTY_ASSERT(image->width > 0 && image->height > 0);
    const auto pixels =
        static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height);
    LOYALTY_ASSERT(pixels <= loyalty::limits::image_pixels_max);
    LOYALTY_ASSERT(image->pixels.size() == pixels);
    if (pixels <= kDecodePixelsMax) {
      const auto scan = decoder.decode(grey_frame(*image));
      LOYALTY_ASSERT(scan.ok());
      for (const DecodedSymbol& symbol : scan->symbols) check_symbol(symbol, decoder);
      for (const loyalty::Error& rejected : scan->rejected) {
        LOYALTY_ASSERT(!rejected.message.empty());
      }
    }
  }

  const std::string_view text(reinterpret_cast<const char*>(data), std::min<size_t>(size, 256));
  const auto formats = parse_scan_formats(text);
  if (formats.ok()) {
    LOYALTY_ASSERT(!formats->empty());
    LOYALTY_ASSERT(ImageDecoder::create(ImageDecodeOptions().set_formats(*formats)).ok());
  }
  return 0;
}
