// read_webp (image_readers.h) over libwebp: the features (size, alpha, animation) first, the
// size checked against the limits, then one decode into a buffer of ours of exactly that size.
#include <webp/decode.h>

#include <string>
#include <vector>

#include "camera/image_file/image_readers.h"

namespace loyalty::drivers::detail {

namespace {

constexpr char kKind[] = "WebP";

std::string status_text(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OK:
      return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
      return "suspended";
    case VP8_STATUS_USER_ABORT:
      return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "the file ends before the image data does";
  }
  return "status " + std::to_string(static_cast<int>(status));
}

Error libwebp_error(VP8StatusCode status) {
  return corrupt_image(kKind, "libwebp: " + status_text(status));
}

}  // namespace

Result<GreyImage> read_webp(std::span<const std::uint8_t> bytes) {
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) {
    return make_error(ErrorCode::internal, "libwebp: the library does not match its header");
  }
  const VP8StatusCode features = WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
  if (features != VP8_STATUS_OK) return libwebp_error(features);
  if (config.input.has_animation != 0) {
    return make_error(ErrorCode::parse_error,
                      "animated WebP images are not supported; save one frame as a still image");
  }
  const int width = config.input.width;
  const int height = config.input.height;
  TRY(check_image_size(static_cast<std::uint64_t>(width < 0 ? 0 : width),
                       static_cast<std::uint64_t>(height < 0 ? 0 : height), kKind));
  const bool alpha = config.input.has_alpha != 0;
  const int channels = alpha ? 4 : 3;
  const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::vector<std::uint8_t> rgba(count * static_cast<std::size_t>(channels));
  config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = rgba.data();
  config.output.u.RGBA.stride = width * channels;
  config.output.u.RGBA.size = rgba.size();
  const VP8StatusCode decoded = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // external memory: frees nothing of ours
  if (decoded != VP8_STATUS_OK) return libwebp_error(decoded);

  GreyImage image;
  image.width = width;
  image.height = height;
  image.pixels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = rgba.data() + i * static_cast<std::size_t>(channels);
    const std::uint8_t grey = luma_of(p[0], p[1], p[2]);
    image.pixels[i] = alpha ? over_white(grey, p[3]) : grey;
  }
  return image;
}

}  // namespace loyalty::drivers::detail
