// libFuzzer target for image files (loyalty::drivers image_file.h: PNG, JPEG, WebP, PGM/PPM, BMP;
// seeds of each in corpus/image_file/) and, for images up to a camera frame's size, the barcode
// decoder behind them (image_decoder.h) and a FrameConfirmer fed its scans: image files are
// untrusted input, and ZXing 1.4 aborts on some of them unless it is called with care.
//
// The bytes go to load_image_bytes(); nothing may crash, abort, read out of bounds or leak.
// Properties:
//   - a loaded image has a width and height above 0, at most limits::image_pixels_max pixels, and
//     exactly width * height bytes;
//   - a refusal has a message that starts with the name given;
//   - an image of at most 640 x 480 pixels decodes without error with the camera's decoder, and
//     one of at most 256 x 256 also with a decoder of every format asked for every symbol; every
//     symbol has a type in the decoder's set, an AIM id, and a label within
//     limits::scan_label_bytes_max (UPC/EAN: a 13- or 8-digit canonical label with a valid check
//     digit); its ECI segments start inside its raw bytes, in order;
//   - the same scan fed twice to a FrameConfirmer releases only symbols of that scan.
// The same bytes as text go to parse_scan_formats().
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/frame_confirmer.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/image_file.h"
#include "loyalty/drivers/scan/upc.h"

namespace {

using namespace loyalty::drivers;

constexpr std::size_t kCameraPixelsMax = 640 * 480;
constexpr std::size_t kEveryFormatPixelsMax = 256 * 256;

void check_symbol(const DecodedSymbol& symbol, const ImageDecoder& decoder) {
  const auto& formats = decoder.options().formats();
  LOYALTY_ASSERT(std::find(formats.begin(), formats.end(), symbol.type) != formats.end());
  LOYALTY_ASSERT(!symbol.aim_id.empty());
  LOYALTY_ASSERT(symbol.label.size() <= loyalty::limits::scan_label_bytes_max);
  if (is_upc_ean(symbol.type)) {
    LOYALTY_ASSERT(symbol.label.size() == 13 || symbol.label.size() == 8);
    LOYALTY_ASSERT(loyalty::gs1_check_digit_valid(symbol.label));
  }
  std::size_t at = 0;
  for (const EciSegment& segment : symbol.ecis) {
    LOYALTY_ASSERT(segment.at >= at && segment.at <= symbol.raw.size());
    at = segment.at;
  }
}

void check_decode(const GreyImage& image, const ImageDecoder& decoder) {
  const auto scan = decoder.decode(grey_frame(image));
  LOYALTY_ASSERT(scan.ok());
  LOYALTY_ASSERT(scan->symbols.size() <= decoder.options().symbols_max());
  for (const DecodedSymbol& symbol : scan->symbols) check_symbol(symbol, decoder);
  for (const loyalty::Error& rejected : scan->rejected) LOYALTY_ASSERT(!rejected.message.empty());
  FrameConfirmer confirmer;
  const FrameConfirmer::Clock::time_point start{};
  LOYALTY_ASSERT(confirmer.feed(*scan, start).empty());
  for (const DecodedSymbol& released :
       confirmer.feed(*scan, start + std::chrono::milliseconds(33))) {
    LOYALTY_ASSERT(
        std::any_of(scan->symbols.begin(), scan->symbols.end(), [&](const DecodedSymbol& s) {
          return s.type == released.type && s.label == released.label;
        }));
  }
}

std::vector<ScanDataType> every_format() {
  return {ScanDataType::ean13,      ScanDataType::upca,        ScanDataType::upce,
          ScanDataType::ean8,       ScanDataType::code128,     ScanDataType::ean128,
          ScanDataType::qrcode,     ScanDataType::datamatrix,  ScanDataType::pdf417,
          ScanDataType::aztec,      ScanDataType::maxicode,    ScanDataType::itf,
          ScanDataType::codabar,    ScanDataType::code39,      ScanDataType::code93,
          ScanDataType::gs1databar, ScanDataType::gs1databar_e};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ImageDecoder camera = ImageDecoder::create().value();
  static const ImageDecoder everything =
      ImageDecoder::create(ImageDecodeOptions()
                               .set_formats(every_format())
                               .set_symbols_max(loyalty::limits::image_symbols_max))
          .value();
  const std::span<const std::uint8_t> bytes(data, size);

  const auto image = load_image_bytes(bytes, "fuzz");
  if (!image.ok()) {
    LOYALTY_ASSERT(image.error().message.starts_with("fuzz: "));
  } else {
    LOYALTY_ASSERT(image->width > 0 && image->height > 0);
    const auto pixels =
        static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height);
    LOYALTY_ASSERT(pixels <= loyalty::limits::image_pixels_max);
    LOYALTY_ASSERT(image->pixels.size() == pixels);
    if (pixels <= kCameraPixelsMax) check_decode(*image, camera);
    if (pixels <= kEveryFormatPixelsMax) check_decode(*image, everything);
  }

  const std::string_view text(reinterpret_cast<const char*>(data), std::min<size_t>(size, 256));
  const auto formats = parse_scan_formats(text);
  if (formats.ok()) {
    LOYALTY_ASSERT(!formats->empty());
    LOYALTY_ASSERT(ImageDecoder::create(ImageDecodeOptions().set_formats(*formats)).ok());
  }
  return 0;
}
