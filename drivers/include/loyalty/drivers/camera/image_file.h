// Image files for the camera path and `loyaltyctl scan --image`: PNG, JPEG, binary PGM/PPM (P5,
// P6) and BMP, loaded to 8-bit greyscale with stb_image (Debian libstb).
//
// Image files are untrusted input. Before stb_image sees a byte, the file must be at most
// limits::image_file_bytes_max and start with the signature of one of the formats above (stb's
// other formats, GIF, PSD, HDR, TGA, PIC, are refused: less decoder to attack); its header must
// declare at most limits::image_pixels_max pixels before the pixels are decoded. Colour is
// converted to luma (stb: (77 R + 150 G + 29 B) >> 8), 16-bit samples to 8 bits, and a
// transparent pixel is laid over white, as a barcode printed on paper would be.
//
// Thread-safety: the functions keep no state (stb's failure reason is thread-local); safe from
// any thread. GreyImage is a plain value that owns its pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::drivers {

// An 8-bit greyscale image, rows top to bottom, packed (the row stride is the width).
struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height bytes, 0 black to 255 white
};

// Loads the file at `path`. Errors name the path ("<path>: <reason>"):
//   "<path>: cannot open: No such file or directory"             ErrorCode::io_error
//   "<path>: larger than the limit of 33554432 bytes"             ErrorCode::limit_exceeded
//   "<path>: not a PNG, JPEG, PGM/PPM (P5/P6) or BMP image"        ErrorCode::parse_error
//   "<path>: corrupt PNG image", with " (stb_image: <reason>)" when stb_image gives one, or
//   " (fewer pixel bytes than the header says)" for a short PGM/PPM     ErrorCode::parse_error
//   "<path>: 5000x4000 is 20000000 pixels; the limit is 16777216"  ErrorCode::limit_exceeded
Result<GreyImage> load_image_file(const std::string& path);

// The same from bytes already in memory; `name` stands for the path in messages. Refuses more
// than limits::image_file_bytes_max bytes.
Result<GreyImage> load_image_bytes(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace loyalty::drivers
