// read_png (image_readers.h) over libpng 1.6: bounded, strict, and never fatal.
//
// Bounds: the size in IHDR goes through check_image_size() before libpng reads on (libpng's user
// limits refuse a side over limits::image_side_pixels_max as well); every ancillary chunk but tRNS
// is skipped unread (gamma, colour profiles, text: nothing a barcode needs, and no decompression of
// attacker-chosen zTXt/iCCP data), and the chunk malloc and cache limits bound what is left. The
// image data is inflated row by row into a buffer of the size IHDR declares, with benign errors
// made errors, and png_read_end() reads on to IEND: a stream that inflates past the image ("Extra
// compressed data", "Too much image data") is refused, not silently cut.
//
// libpng reports errors by longjmp. The two functions that call into it (png_read_header_into,
// png_read_pixels_into) hold no C++ object: everything they touch lives in a PngRead owned by
// the caller and reached through a pointer, so nothing is skipped or left stale by the jump.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

#include "camera/image_file/image_readers.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers::detail {

namespace {

constexpr char kKind[] = "PNG";

// What the libpng calls share with the C++ code around them.
struct PngRead {
  std::span<const std::uint8_t> bytes;
  std::size_t at = 0;      // next byte the read callback gives libpng
  char message[160] = {};  // libpng's error message, or ours
  png_structp png = nullptr;
  png_infop info = nullptr;
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int channels = 0;  // after the transformations: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
  std::size_t row_bytes = 0;
  std::uint8_t* pixels = nullptr;  // row_bytes * height bytes, owned by the caller
  png_bytep* rows = nullptr;       // height row pointers into pixels, owned by the caller
};

PngRead* state_of(png_structp png) { return static_cast<PngRead*>(png_get_io_ptr(png)); }

void copy_message(PngRead* read, const char* message) {
  std::strncpy(read->message, message != nullptr ? message : "unknown error",
               sizeof(read->message) - 1);
  read->message[sizeof(read->message) - 1] = '\0';
}

void on_error(png_structp png, png_const_charp message) {
  copy_message(static_cast<PngRead*>(png_get_error_ptr(png)), message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // only benign matters reach here

void on_read(png_structp png, png_bytep out, png_size_t count) {
  PngRead* read = state_of(png);
  if (count > read->bytes.size() - read->at) {
    png_error(png, "the file ends before the image data does");
  }
  std::memcpy(out, read->bytes.data() + read->at, count);
  read->at += count;
}

// The header, the limits, and the transformations to 8 bits per sample: palette and low bit
// depths expanded, tRNS turned into alpha, 16 bits scaled to 8. False with read->message set when
// libpng refused the file.
bool png_read_header_into(PngRead* read) {
  if (setjmp(png_jmpbuf(read->png)) != 0) return false;
  png_set_user_limits(read->png, limits::image_side_pixels_max, limits::image_side_pixels_max);
  png_set_chunk_malloc_max(read->png, limits::image_png_chunk_bytes_max);
  png_set_chunk_cache_max(read->png, limits::image_png_chunks_max);
  png_set_keep_unknown_chunks(read->png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_set_read_fn(read->png, read, on_read);
  png_read_info(read->png, read->info);
  read->width = png_get_image_width(read->png, read->info);
  read->height = png_get_image_height(read->png, read->info);
  png_set_expand(read->png);
  png_set_scale_16(read->png);
  png_set_interlace_handling(read->png);
  png_read_update_info(read->png, read->info);
  read->channels = png_get_channels(read->png, read->info);
  read->row_bytes = png_get_rowbytes(read->png, read->info);
  return true;
}

// The rows into read->rows, then on to IEND with benign errors as errors.
bool png_read_pixels_into(PngRead* read) {
  if (setjmp(png_jmpbuf(read->png)) != 0) return false;
  png_set_benign_errors(read->png, 0);
  png_read_image(read->png, read->rows);
  png_read_end(read->png, nullptr);
  return true;
}

// Owns libpng's read and info structs.
class PngHandles {
 public:
  explicit PngHandles(PngRead* read) : read_(read) {
    read->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, read, on_error, on_warning);
    if (read->png != nullptr) read->info = png_create_info_struct(read->png);
  }
  ~PngHandles() { png_destroy_read_struct(&read_->png, &read_->info, nullptr); }
  PngHandles(const PngHandles&) = delete;
  PngHandles& operator=(const PngHandles&) = delete;
  bool ok() const { return read_->png != nullptr && read_->info != nullptr; }

 private:
  PngRead* read_;
};

Error libpng_error(const PngRead& read) {
  return corrupt_image(kKind, std::string("libpng: ") + read.message);
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The size in the IHDR chunk, which must come first (after the 8-byte signature, a 4-byte length
// and the type), checked before libpng reads on: a file with a huge header and nothing else is
// refused for its size, not for ending early. A file without IHDR first is libpng's to refuse.
Status check_ihdr_size(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 24 || std::memcmp(bytes.data() + 12, "IHDR", 4) != 0) return {};
  return check_image_size(be32(bytes.data() + 16), be32(bytes.data() + 20), kKind);
}

// One pixel of the decoded rows to grey, laid over white if it has alpha.
std::uint8_t grey_of(const std::uint8_t* p, int channels) {
  switch (channels) {
    case 1:
      return p[0];
    case 2:
      return over_white(p[0], p[1]);
    case 3:
      return luma_of(p[0], p[1], p[2]);
    default:
      return over_white(luma_of(p[0], p[1], p[2]), p[3]);
  }
}

}  // namespace

Result<GreyImage> read_png(std::span<const std::uint8_t> bytes) {
  PngRead read;
  read.bytes = bytes;
  const PngHandles handles(&read);
  if (!handles.ok()) return make_error(ErrorCode::internal, "libpng: cannot create a reader");
  TRY(check_ihdr_size(bytes));
  if (!png_read_header_into(&read)) return libpng_error(read);
  TRY(check_image_size(read.width, read.height, kKind));
  // After the transformations a pixel is 1 to 4 samples of 8 bits.
  LOYALTY_ASSERT(read.channels >= 1 && read.channels <= 4);
  LOYALTY_ASSERT(read.row_bytes == static_cast<std::size_t>(read.width) * read.channels);
  std::vector<std::uint8_t> pixels(read.row_bytes * read.height);
  std::vector<png_bytep> rows(read.height);
  for (png_uint_32 y = 0; y < read.height; ++y) rows[y] = pixels.data() + y * read.row_bytes;
  read.pixels = pixels.data();
  read.rows = rows.data();
  if (!png_read_pixels_into(&read)) return libpng_error(read);

  GreyImage image;
  image.width = static_cast<int>(read.width);
  image.height = static_cast<int>(read.height);
  if (read.channels == 1) {
    image.pixels = std::move(pixels);
    return image;
  }
  const std::size_t count = static_cast<std::size_t>(read.width) * read.height;
  image.pixels.resize(count);
  const auto channels = static_cast<std::size_t>(read.channels);
  for (std::size_t i = 0; i < count; ++i) {
    image.pixels[i] = grey_of(pixels.data() + channels * i, read.channels);
  }
  return image;
}

}  // namespace loyalty::drivers::detail
