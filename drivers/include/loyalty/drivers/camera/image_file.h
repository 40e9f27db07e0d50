// Image files for the camera path and `loyaltyctl scan --image`: PNG (libpng), JPEG
// (libjpeg-turbo), WebP (libwebp), binary PGM/PPM (P5, P6) and uncompressed BMP (small readers
// of our own), loaded to 8-bit greyscale.
//
// Image files are untrusted input. A file must be at most limits::image_file_bytes_max and start
// with the signature of one of the formats above; its header must declare at most
// limits::image_side_pixels_max per side and limits::image_pixels_max in all before a pixel is
// decoded. The libraries run with their own bounds set (libpng's user and chunk limits, libjpeg's
// memory limit and a cap on progressive scans), and their errors come back as Errors, never as an
// abort or exit. A file with more image data than its header declares (a PNG whose data inflates
// past its rows), or less (a truncated file of any format), is refused. Colour is converted to
// BT.601 luma ((77 R + 150 G + 29 B + 128) >> 8; a JPEG gives its Y channel as it is), 16-bit
// samples to 8 bits, and a transparent pixel is laid over white, as a barcode printed on paper
// would be.
//
// Thread-safety: the functions keep no state; safe from any thread. GreyImage is a plain value
// that owns its pixels.
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
//   "<path>: cannot open: No such file or directory"                 ErrorCode::io_error
//   "<path>: larger than the limit of 33554432 bytes"                 ErrorCode::limit_exceeded
//   "<path>: not a PNG, JPEG, WebP, PGM/PPM (P5/P6) or BMP image"      ErrorCode::parse_error
//   "<path>: corrupt PNG image (libpng: <reason>)", likewise "(libjpeg: <reason>)" and
//   "(libwebp: <reason>)", or the reason our own reader found ("corrupt PGM/PPM image (fewer
//   pixel bytes than the header says)")                                ErrorCode::parse_error
//   "<path>: compressed BMP images (RLE, JPEG, PNG) are not supported; ...",
//   "<path>: animated WebP images are not supported; ..."             ErrorCode::parse_error
//   "<path>: 5000x4000 is 20000000 pixels; the limit is 16777216"     ErrorCode::limit_exceeded
//   "<path>: 20000x10 is wider or taller than the limit of 16384 pixels"  ErrorCode::limit_exceeded
Result<GreyImage> load_image_file(const std::string& path);

// The same from bytes already in memory; `name` stands for the path in messages. Refuses more
// than limits::image_file_bytes_max bytes.
Result<GreyImage> load_image_bytes(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace loyalty::drivers
