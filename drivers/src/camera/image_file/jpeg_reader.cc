// read_jpeg (image_readers.h) over libjpeg-turbo: bounded, strict, and never fatal.
//
// Bounds: the header's dimensions go through check_image_size() before any pixel is decoded;
// the memory manager refuses more than limits::image_decoder_memory_bytes_max of working memory
// (a progressive JPEG's coefficient buffers grow with its size); a progress monitor stops a
// progressive file after limits::image_jpeg_scans_max scans.
//
// libjpeg's default error handler calls exit(): ours copies the message and longjmps back. A
// warning is an error too (a truncated file is "Premature end of JPEG file", which libjpeg would
// otherwise fill with grey), except extraneous bytes before a marker, which some cameras write.
// The two functions that call into libjpeg (jpeg_read_header_into, jpeg_read_pixels_into) hold no
// C++ object: everything they touch lives in a JpegRead owned by the caller.
#include <cstdio>  // jpeglib.h needs FILE and size_t first
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

#include "camera/image_file/image_readers.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers::detail {

namespace {

constexpr char kKind[] = "JPEG";

// libjpeg's error manager with the jump back, and the message.
struct JpegErrors {
  jpeg_error_mgr manager;  // first: libjpeg passes &manager, which is the JpegErrors
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

struct JpegRead {
  std::span<const std::uint8_t> bytes;
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  jpeg_progress_mgr progress;
  bool created = false;
  unsigned width = 0;
  unsigned height = 0;
  int channels = 0;                // of the decoded pixels: 1 (grey) or 4 (CMYK)
  std::uint8_t* pixels = nullptr;  // width * channels * height bytes, owned by the caller
};

[[noreturn]] void on_error_exit(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// Level -1 is a warning, 0 and up trace messages (ignored).
void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0 || cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;
  on_error_exit(cinfo);
}

void on_progress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor == 0) return;
  const auto* decompress = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (static_cast<std::size_t>(decompress->input_scan_number) > limits::image_jpeg_scans_max) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(errors->message, sizeof(errors->message),
                  "more than %zu scans in a progressive JPEG", limits::image_jpeg_scans_max);
    std::longjmp(errors->jump, 1);
  }
}

// The header and the output format: grey for grey and YCbCr files (libjpeg takes Y as it is),
// CMYK for CMYK and YCCK ones, converted to grey afterwards.
bool jpeg_read_header_into(JpegRead* read) {
  read->cinfo.err = jpeg_std_error(&read->errors.manager);
  read->errors.manager.error_exit = on_error_exit;
  read->errors.manager.emit_message = on_message;
  if (setjmp(read->errors.jump) != 0) return false;
  read->created = true;  // cinfo is zeroed: destroying it is safe even if creation fails
  jpeg_create_decompress(&read->cinfo);
  read->cinfo.mem->max_memory_to_use = static_cast<long>(limits::image_decoder_memory_bytes_max);
  read->progress.progress_monitor = on_progress;
  read->cinfo.progress = &read->progress;
  jpeg_mem_src(&read->cinfo, read->bytes.data(), static_cast<unsigned long>(read->bytes.size()));
  jpeg_read_header(&read->cinfo, TRUE);
  const J_COLOR_SPACE space = read->cinfo.jpeg_color_space;
  const bool cmyk = space == JCS_CMYK || space == JCS_YCCK;
  read->cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
  read->channels = cmyk ? 4 : 1;
  read->width = read->cinfo.image_width;
  read->height = read->cinfo.image_height;
  return true;
}

bool jpeg_read_pixels_into(JpegRead* read) {
  if (setjmp(read->errors.jump) != 0) return false;
  jpeg_start_decompress(&read->cinfo);
  if (read->cinfo.output_width != read->width || read->cinfo.output_height != read->height ||
      read->cinfo.output_components != read->channels) {
    std::snprintf(read->errors.message, sizeof(read->errors.message),
                  "the decoder's output does not match the header");
    return false;
  }
  const std::size_t stride = static_cast<std::size_t>(read->width) * read->channels;
  while (read->cinfo.output_scanline < read->cinfo.output_height) {
    JSAMPROW row = read->pixels + read->cinfo.output_scanline * stride;
    jpeg_read_scanlines(&read->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&read->cinfo);
  return true;
}

// Destroys the decompressor (which frees every pool) however the decoding ended.
class JpegHandle {
 public:
  explicit JpegHandle(JpegRead* read) : read_(read) {}
  ~JpegHandle() {
    if (read_->created) jpeg_destroy_decompress(&read_->cinfo);
  }
  JpegHandle(const JpegHandle&) = delete;
  JpegHandle& operator=(const JpegHandle&) = delete;

 private:
  JpegRead* read_;
};

Error libjpeg_error(const JpegRead& read) {
  return corrupt_image(kKind, std::string("libjpeg: ") + read.errors.message);
}

// Adobe writes CMYK inverted (0 is full ink), which is what libjpeg gives for CMYK and YCCK
// files: the light that comes back through each ink is its value times the black's.
std::vector<std::uint8_t> grey_of_cmyk(const std::vector<std::uint8_t>& cmyk, std::size_t count) {
  std::vector<std::uint8_t> grey(count);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned k = cmyk[4 * i + 3];
    grey[i] = luma_of(cmyk[4 * i] * k / 255, cmyk[4 * i + 1] * k / 255, cmyk[4 * i + 2] * k / 255);
  }
  return grey;
}

}  // namespace

Result<GreyImage> read_jpeg(std::span<const std::uint8_t> bytes) {
  JpegRead read{};  // zeroed: libjpeg's structs are plain C
  read.bytes = bytes;
  const JpegHandle handle(&read);
  if (!jpeg_read_header_into(&read)) return libjpeg_error(read);
  TRY(check_image_size(read.width, read.height, kKind));
  const std::size_t count = static_cast<std::size_t>(read.width) * read.height;
  std::vector<std::uint8_t> pixels(count * static_cast<std::size_t>(read.channels));
  read.pixels = pixels.data();
  if (!jpeg_read_pixels_into(&read)) return libjpeg_error(read);
  GreyImage image;
  image.width = static_cast<int>(read.width);
  image.height = static_cast<int>(read.height);
  image.pixels = read.channels == 1 ? std::move(pixels) : grey_of_cmyk(pixels, count);
  return image;
}

}  // namespace loyalty::drivers::detail
