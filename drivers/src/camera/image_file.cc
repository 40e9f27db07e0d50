// Image files to 8-bit greyscale with stb_image, behind a size cap, a signature check and a
// pixel cap.
#include "loyalty/drivers/camera/image_file.h"

#include <stb_image.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "loyalty/core/limits.h"
#include "camera/png_guard.h"

namespace loyalty::drivers {

namespace {

enum class ImageKind { png, jpeg, pnm, bmp };

const char* kind_name(ImageKind kind) {
  switch (kind) {
    case ImageKind::png:
      return "PNG";
    case ImageKind::jpeg:
      return "JPEG";
    case ImageKind::pnm:
      return "PGM/PPM";
    case ImageKind::bmp:
      return "BMP";
  }
  return "image";
}

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view signature) {
  return bytes.size() >= signature.size() &&
         std::memcmp(bytes.data(), signature.data(), signature.size()) == 0;
}

// The format by its signature, before stb_image looks at anything.
std::optional<ImageKind> sniff(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return ImageKind::png;
  if (starts_with(bytes, "\xff\xd8\xff")) return ImageKind::jpeg;
  if (starts_with(bytes, "P5") || starts_with(bytes, "P6")) return ImageKind::pnm;
  if (starts_with(bytes, "BM")) return ImageKind::bmp;
  return std::nullopt;
}

Error failed(ErrorCode code, std::string_view name, const std::string& reason) {
  return make_error(code, std::string(name) + ": " + reason);
}

// " (stb_image: <reason>)", or nothing when stb_image gave no reason.
std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  // "unknown image type" only says that no decoder took it: the kind is known here already.
  if (reason == nullptr || *reason == '\0' || std::string_view(reason) == "unknown image type") {
    return "";
  }
  return std::string(" (stb_image: ") + reason + ")";
}

// stb_image reads a binary PNM with fewer pixel bytes than its header declares without an error,
// leaving the rest of its buffer uninitialised; so the header is parsed here too and the data
// length checked. Header: "P5"/"P6", then width, height and maxval as decimal numbers separated by
// whitespace (and '#' comments to the end of the line), then one whitespace byte, then the data.
bool pnm_data_complete(std::span<const std::uint8_t> bytes) {
  std::size_t at = 2;
  std::uint64_t fields[3] = {0, 0, 0};
  for (std::uint64_t& field : fields) {
    // Whitespace and comments; `at` only moves forward, so this ends within bytes.size() steps.
    while (at < bytes.size() && (std::isspace(bytes[at]) != 0 || bytes[at] == '#')) {
      if (bytes[at] == '#') {
        while (at < bytes.size() && bytes[at] != '\n') ++at;
      } else {
        ++at;
      }
    }
    const std::size_t start = at;
    while (at < bytes.size() && std::isdigit(bytes[at]) != 0 && at - start < 9) {
      field = field * 10 + (bytes[at] - '0');
      ++at;
    }
    if (at == start) return false;
  }
  if (at >= bytes.size() || std::isspace(bytes[at]) == 0) return false;
  ++at;
  const std::uint64_t channels = bytes[1] == '6' ? 3 : 1;
  const std::uint64_t sample_bytes = fields[2] > 255 ? 2 : 1;
  return bytes.size() - at >= fields[0] * fields[1] * channels * sample_bytes;
}

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

// Grey (1 channel) is copied; grey + alpha (2 channels) is laid over white.
std::vector<std::uint8_t> to_grey(const stbi_uc* pixels, std::size_t count, int channels) {
  std::vector<std::uint8_t> grey(count);
  if (channels == 1) {
    std::memcpy(grey.data(), pixels, count);
    return grey;
  }
  LOYALTY_ASSERT(channels == 2);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned luma = pixels[2 * i];
    const unsigned alpha = pixels[2 * i + 1];
    grey[i] = static_cast<std::uint8_t>((luma * alpha + 255u * (255u - alpha) + 127u) / 255u);
  }
  return grey;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

Result<GreyImage> load_image_bytes(std::span<const std::uint8_t> bytes, std::string_view name) {
  if (bytes.size() > limits::image_file_bytes_max) {
    return failed(
        ErrorCode::limit_exceeded, name,
        "larger than the limit of " + std::to_string(limits::image_file_bytes_max) + " bytes");
  }
  const std::optional<ImageKind> kind = sniff(bytes);
  if (!kind) {
    return failed(ErrorCode::parse_error, name, "not a PNG, JPEG, PGM/PPM (P5/P6) or BMP image");
  }
  const std::string corrupt = std::string("corrupt ") + kind_name(*kind) + " image";
  if (*kind == ImageKind::png) {
    if (Status bounded = detail::check_png_inflated_size(bytes); !bounded.ok()) {
      return failed(bounded.error().code, name, bounded.error().message);
    }
  }
  const auto size = static_cast<int>(bytes.size());  // <= image_file_bytes_max: fits an int
  int width = 0;
  int height = 0;
  int channels = 0;
  if (stbi_info_from_memory(bytes.data(), size, &width, &height, &channels) == 0) {
    return failed(ErrorCode::parse_error, name, corrupt + stb_reason());
  }
  if (width <= 0 || height <= 0) {
    return failed(ErrorCode::parse_error, name, corrupt + " (no width or height)");
  }
  const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
  if (pixels > limits::image_pixels_max) {
    return failed(ErrorCode::limit_exceeded, name,
                  std::to_string(width) + "x" + std::to_string(height) + " is " +
                      std::to_string(pixels) + " pixels; the limit is " +
                      std::to_string(limits::image_pixels_max));
  }
  // PNG and BMP may be transparent (a PNG through tRNS, which the header scan does not see): load
  // them with alpha to lay them over white. JPEG and PNM have no alpha.
  if (*kind == ImageKind::pnm && !pnm_data_complete(bytes)) {
    return failed(ErrorCode::parse_error, name,
                  corrupt + " (fewer pixel bytes than the header says)");
  }
  const int wanted = (*kind == ImageKind::png || *kind == ImageKind::bmp) ? 2 : 1;
  int decoded_width = 0;
  int decoded_height = 0;
  int file_channels = 0;
  const std::unique_ptr<stbi_uc, StbFree> decoded(stbi_load_from_memory(
      bytes.data(), size, &decoded_width, &decoded_height, &file_channels, wanted));
  if (!decoded) {
    return failed(ErrorCode::parse_error, name, corrupt + stb_reason());
  }
  // The header was read twice; a decoder that disagreed with itself would be a bug in it.
  if (decoded_width != width || decoded_height != height) {
    return failed(ErrorCode::parse_error, name, corrupt + " (inconsistent dimensions)");
  }
  GreyImage image;
  image.width = width;
  image.height = height;
  image.pixels = to_grey(decoded.get(), static_cast<std::size_t>(pixels), wanted);
  return image;
}

Result<GreyImage> load_image_file(const std::string& path) {
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return failed(ErrorCode::io_error, path, std::string("cannot open: ") + std::strerror(errno));
  }
  // Read in chunks up to one byte past the limit, to tell "exactly the limit" from "larger"
  // without trusting a size the file system reports (a pipe or /proc file has none).
  constexpr std::size_t kChunkBytes = 64 * 1024;
  std::vector<std::uint8_t> bytes;
  while (bytes.size() <= limits::image_file_bytes_max) {
    const std::size_t before = bytes.size();
    bytes.resize(before + kChunkBytes);
    const std::size_t count = std::fread(bytes.data() + before, 1, kChunkBytes, file.get());
    bytes.resize(before + count);
    if (count < kChunkBytes) break;
  }
  if (std::ferror(file.get()) != 0) {
    return failed(ErrorCode::io_error, path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (bytes.size() > limits::image_file_bytes_max) {
    return failed(
        ErrorCode::limit_exceeded, path,
        "larger than the limit of " + std::to_string(limits::image_file_bytes_max) + " bytes");
  }
  return load_image_bytes(bytes, path);
}

}  // namespace loyalty::drivers
