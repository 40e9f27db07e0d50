// read_pnm (image_readers.h): binary PGM (P5) and PPM (P6), netpbm's format. No Debian library
// reads it from memory with bounds (libnetpbm exits on errors), and it is small enough to read
// here: "P5" or "P6", then width, height and maxval as decimal numbers separated by whitespace
// (and '#' comments to the end of the line), then one whitespace byte, then the samples, one
// byte each when maxval < 256 and two (big-endian) otherwise. Bytes after the image are ignored.
#include <cctype>
#include <string>
#include <vector>

#include "camera/image_file/image_readers.h"

namespace loyalty::drivers::detail {

namespace {

constexpr char kKind[] = "PGM/PPM";
constexpr std::size_t kDigitsMax = 9;  // 999999999 is far past every limit, and fits 32 bits

struct PnmHeader {
  bool colour = false;  // P6
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint64_t maxval = 0;
  std::size_t data_at = 0;  // offset of the first sample
};

void skip_space_and_comments(std::span<const std::uint8_t> bytes, std::size_t& at) {
  // `at` only moves forward: this ends within bytes.size() steps.
  while (at < bytes.size() && (std::isspace(bytes[at]) != 0 || bytes[at] == '#')) {
    if (bytes[at] == '#') {
      while (at < bytes.size() && bytes[at] != '\n') ++at;
    } else {
      ++at;
    }
  }
}

Result<PnmHeader> parse_header(std::span<const std::uint8_t> bytes) {
  PnmHeader header;
  header.colour = bytes[1] == '6';
  std::size_t at = 2;
  for (std::uint64_t* field : {&header.width, &header.height, &header.maxval}) {
    skip_space_and_comments(bytes, at);
    const std::size_t start = at;
    while (at < bytes.size() && std::isdigit(bytes[at]) != 0 && at - start < kDigitsMax) {
      *field = *field * 10 + (bytes[at] - '0');
      ++at;
    }
    if (at == start || (at < bytes.size() && std::isdigit(bytes[at]) != 0)) {
      return corrupt_image(kKind, "no width, height and maximum value of at most 9 digits each");
    }
  }
  if (at >= bytes.size() || std::isspace(bytes[at]) == 0) {
    return corrupt_image(kKind, "no whitespace between the header and the pixels");
  }
  if (header.maxval == 0 || header.maxval > 65535) {
    return corrupt_image(
        kKind, "maximum value " + std::to_string(header.maxval) + " is not between 1 and 65535");
  }
  header.data_at = at + 1;
  return header;
}

// A sample scaled from 0..maxval to 0..255, rounded.
std::uint8_t scaled(unsigned sample, unsigned maxval) {
  if (sample >= maxval) return 255;
  return static_cast<std::uint8_t>((sample * 255u + maxval / 2) / maxval);
}

}  // namespace

Result<GreyImage> read_pnm(std::span<const std::uint8_t> bytes) {
  const PnmHeader header = TRY(parse_header(bytes));
  TRY(check_image_size(header.width, header.height, kKind));
  const std::size_t count = header.width * header.height;
  const std::size_t channels = header.colour ? 3 : 1;
  const std::size_t sample_bytes = header.maxval > 255 ? 2 : 1;
  if (bytes.size() - header.data_at < count * channels * sample_bytes) {
    return corrupt_image(kKind, "fewer pixel bytes than the header says");
  }
  const std::uint8_t* data = bytes.data() + header.data_at;
  const auto maxval = static_cast<unsigned>(header.maxval);
  const auto sample = [&](std::size_t index) -> std::uint8_t {
    const unsigned value =
        sample_bytes == 1 ? data[index] : (unsigned{data[2 * index]} << 8) | data[2 * index + 1];
    return scaled(value, maxval);
  };
  GreyImage image;
  image.width = static_cast<int>(header.width);
  image.height = static_cast<int>(header.height);
  image.pixels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    image.pixels[i] =
        channels == 1 ? sample(i) : luma_of(sample(3 * i), sample(3 * i + 1), sample(3 * i + 2));
  }
  return image;
}

}  // namespace loyalty::drivers::detail
