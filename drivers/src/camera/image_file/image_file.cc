// Image files to 8-bit greyscale: a size cap, the format by its signature, then the format's
// reader (camera/image_file/image_readers.h).
#include "loyalty/drivers/camera/image_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "camera/image_file/image_readers.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace detail {

Status check_image_size(std::uint64_t width, std::uint64_t height, std::string_view kind) {
  if (width == 0 || height == 0) return corrupt_image(kind, "no width or height");
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width > limits::image_side_pixels_max || height > limits::image_side_pixels_max) {
    return make_error(ErrorCode::limit_exceeded, size + " is wider or taller than the limit of " +
                                                     std::to_string(limits::image_side_pixels_max) +
                                                     " pixels");
  }
  const std::uint64_t pixels = width * height;  // both <= 16384: no overflow
  if (pixels > limits::image_pixels_max) {
    return make_error(ErrorCode::limit_exceeded, size + " is " + std::to_string(pixels) +
                                                     " pixels; the limit is " +
                                                     std::to_string(limits::image_pixels_max));
  }
  return {};
}

Error corrupt_image(std::string_view kind, std::string_view reason) {
  return make_error(ErrorCode::parse_error,
                    "corrupt " + std::string(kind) + " image (" + std::string(reason) + ")");
}

}  // namespace detail

namespace {

enum class ImageKind { png, jpeg, webp, pnm, bmp };

bool starts_with(std::span<const std::uint8_t> bytes, std::size_t at, std::string_view signature) {
  return bytes.size() >= at + signature.size() &&
         std::memcmp(bytes.data() + at, signature.data(), signature.size()) == 0;
}

// The format by its signature, before any decoder looks at the file.
std::optional<ImageKind> sniff(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, 0, "\x89PNG\r\n\x1a\n")) return ImageKind::png;
  if (starts_with(bytes, 0, "\xff\xd8\xff")) return ImageKind::jpeg;
  if (starts_with(bytes, 0, "RIFF") && starts_with(bytes, 8, "WEBP")) return ImageKind::webp;
  if (starts_with(bytes, 0, "P5") || starts_with(bytes, 0, "P6")) return ImageKind::pnm;
  if (starts_with(bytes, 0, "BM")) return ImageKind::bmp;
  return std::nullopt;
}

Result<GreyImage> read_kind(ImageKind kind, std::span<const std::uint8_t> bytes) {
  switch (kind) {
    case ImageKind::png:
      return detail::read_png(bytes);
    case ImageKind::jpeg:
      return detail::read_jpeg(bytes);
    case ImageKind::webp:
      return detail::read_webp(bytes);
    case ImageKind::pnm:
      return detail::read_pnm(bytes);
    case ImageKind::bmp:
      return detail::read_bmp(bytes);
  }
  LOYALTY_ASSERT(false && "read_kind: every ImageKind has a reader");
  return make_error(ErrorCode::internal, "no reader");
}

Error failed(ErrorCode code, std::string_view name, const std::string& reason) {
  return make_error(code, std::string(name) + ": " + reason);
}

Error too_large(std::string_view name) {
  return failed(
      ErrorCode::limit_exceeded, name,
      "larger than the limit of " + std::to_string(limits::image_file_bytes_max) + " bytes");
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

Result<GreyImage> load_image_bytes(std::span<const std::uint8_t> bytes, std::string_view name) {
  if (bytes.size() > limits::image_file_bytes_max) return too_large(name);
  const std::optional<ImageKind> kind = sniff(bytes);
  if (!kind) {
    return failed(ErrorCode::parse_error, name,
                  "not a PNG, JPEG, WebP, PGM/PPM (P5/P6) or BMP image");
  }
  Result<GreyImage> image = read_kind(*kind, bytes);
  if (!image.ok()) return failed(image.error().code, name, image.error().message);
  // Every reader's promise (image_file.h); a reader that broke it would be a bug in it.
  LOYALTY_ASSERT(image->width > 0 && image->height > 0);
  LOYALTY_ASSERT(image->pixels.size() ==
                 static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height));
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
  if (bytes.size() > limits::image_file_bytes_max) return too_large(path);
  return load_image_bytes(bytes, path);
}

}  // namespace loyalty::drivers
