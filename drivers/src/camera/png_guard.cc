// check_png_inflated_size (camera/png_guard.h): PNG chunks (ISO/IEC 15948) and a bounded inflate.
#include "camera/png_guard.h"

#include <zlib.h>

#include <array>
#include <cstring>
#include <string>

namespace loyalty::drivers::detail {

namespace {

constexpr std::size_t kSignatureBytes = 8;
constexpr std::size_t kIhdrBytes = 13;

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

Error corrupt(const std::string& reason) {
  return make_error(ErrorCode::parse_error, "corrupt PNG image (" + reason + ")");
}

// Samples per pixel of a PNG colour type; 0 for a type PNG does not define.
std::uint64_t samples_per_pixel(std::uint8_t colour_type) {
  switch (colour_type) {
    case 0:
      return 1;  // grey
    case 2:
      return 3;  // RGB
    case 3:
      return 1;  // palette index
    case 4:
      return 2;  // grey + alpha
    case 6:
      return 4;  // RGBA
    default:
      return 0;
  }
}

// The bytes the filtered image data of a width x height image takes: one filter byte per row
// plus the packed samples. Adam7 splits the image into 7 passes whose rows each add a filter
// byte and at most one partly used byte: bounded by 2 more bytes per row per pass.
std::uint64_t inflated_bytes_max(std::uint64_t width, std::uint64_t height, std::uint64_t bits,
                                 bool interlaced) {
  const std::uint64_t row_bytes = (width * bits + 7) / 8;
  std::uint64_t total = height * (1 + row_bytes);
  if (interlaced) total += 7 * 2 * height;
  return total;
}

}  // namespace

Status check_png_inflated_size(std::span<const std::uint8_t> png) {
  if (png.size() < kSignatureBytes + 8 + kIhdrBytes + 4) return corrupt("too short for a header");
  std::size_t pos = kSignatureBytes;
  const std::uint8_t* ihdr = png.data() + pos + 8;
  if (be32(png.data() + pos) != kIhdrBytes || std::memcmp(png.data() + pos + 4, "IHDR", 4) != 0) {
    return corrupt("no IHDR chunk first");
  }
  const std::uint64_t width = be32(ihdr);
  const std::uint64_t height = be32(ihdr + 4);
  const std::uint8_t bit_depth = ihdr[8];
  const std::uint64_t samples = samples_per_pixel(ihdr[9]);
  const bool interlaced = ihdr[12] == 1;
  if (samples == 0 || bit_depth == 0 || bit_depth > 16) return corrupt("unknown pixel format");
  const std::uint64_t limit = inflated_bytes_max(width, height, samples * bit_depth, interlaced);

  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return make_error(ErrorCode::internal, "zlib: inflateInit");
  std::array<std::uint8_t, 64 * 1024> sink{};
  std::uint64_t inflated = 0;
  int status = Z_OK;
  pos += 8 + kIhdrBytes + 4;
  // Every chunk is walked, even after the image data ended: stb_image allocates a chunk's declared
  // length before reading it, so a length past the end of the file is refused here.
  while (pos + 8 <= png.size()) {
    const std::uint32_t length = be32(png.data() + pos);
    const std::uint8_t* type = png.data() + pos + 4;
    if (length > png.size() - pos - 8 || png.size() - pos - 8 - length < 4) {
      inflateEnd(&stream);
      return corrupt("a chunk runs past the end of the file");
    }
    if (std::memcmp(type, "IDAT", 4) == 0 && status == Z_OK) {
      stream.next_in = const_cast<Bytef*>(png.data() + pos + 8);  // zlib's API is not const
      stream.avail_in = length;
      // Until this chunk's bytes are used up and zlib has nothing more to give for them.
      do {
        stream.next_out = sink.data();
        stream.avail_out = static_cast<uInt>(sink.size());
        status = inflate(&stream, Z_NO_FLUSH);
        inflated += sink.size() - stream.avail_out;
        if (inflated > limit) {
          inflateEnd(&stream);
          return corrupt("image data inflates past the " + std::to_string(width) + "x" +
                         std::to_string(height) + " image its header declares");
        }
      } while (status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0));
      if (status == Z_BUF_ERROR) status = Z_OK;  // wants the next chunk's bytes
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      break;
    }
    pos += 8 + std::size_t{length} + 4;
  }
  inflateEnd(&stream);
  return {};  // a stream that ended early or is corrupt is stb_image's to refuse
}

}  // namespace loyalty::drivers::detail
