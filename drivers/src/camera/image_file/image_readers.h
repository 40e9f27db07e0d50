// The readers behind load_image_bytes() (image_file.h), one per format, and what they share.
// Internal to drivers.
//
// Each reader takes the whole file, already checked against limits::image_file_bytes_max and
// sniffed as its format, and returns the image as 8-bit greyscale or an error whose message is the
// reason alone ("corrupt PNG image (libpng: IDAT: CRC error)"); load_image_bytes() puts the file's
// name in front. None of them aborts, exits or throws on any input: the libraries' errors
// (libpng's png_error, libjpeg's error_exit) come back by longjmp into a frame that holds no C++
// object, and become an Error.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers::detail {

// ok when a width x height image is within limits::image_side_pixels_max on each side and
// limits::image_pixels_max in all; otherwise limit_exceeded ("5000x4000 is 20000000 pixels; the
// limit is 16777216", "20000x10 is wider or taller than the limit of 16384 pixels"), or
// parse_error ("corrupt PNG image (no width or height)") for a side of 0. `kind` names the format.
Status check_image_size(std::uint64_t width, std::uint64_t height, std::string_view kind);

// "corrupt <kind> image (<reason>)", ErrorCode::parse_error.
Error corrupt_image(std::string_view kind, std::string_view reason);

// Luma of an 8-bit RGB pixel, ITU-R BT.601 weights: (77 R + 150 G + 29 B + 128) >> 8.
inline std::uint8_t luma_of(unsigned red, unsigned green, unsigned blue) {
  return static_cast<std::uint8_t>((77u * red + 150u * green + 29u * blue + 128u) >> 8);
}

// A grey level seen through `alpha` (0 transparent, 255 opaque) over white paper.
inline std::uint8_t over_white(unsigned grey, unsigned alpha) {
  return static_cast<std::uint8_t>((grey * alpha + 255u * (255u - alpha) + 127u) / 255u);
}

Result<GreyImage> read_png(std::span<const std::uint8_t> bytes);   // libpng
Result<GreyImage> read_jpeg(std::span<const std::uint8_t> bytes);  // libjpeg-turbo
Result<GreyImage> read_webp(std::span<const std::uint8_t> bytes);  // libwebp
Result<GreyImage> read_pnm(std::span<const std::uint8_t> bytes);   // binary PGM/PPM, our own
Result<GreyImage> read_bmp(std::span<const std::uint8_t> bytes);   // BMP, our own

}  // namespace loyalty::drivers::detail
