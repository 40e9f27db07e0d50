// Barcodes in camera frames and image files, decoded with ZXing-C++ 1.4.
//
// An ImageDecoder looks for the symbologies it was created for (by default the ones a POS
// loyalty module meets: EAN-13, UPC-A, UPC-E, EAN-8, Code 128 and GS1-128, QR, DataMatrix) in an
// 8-bit greyscale frame and returns every symbol it found, each with:
//   - type    the UPOS ScanDataType; Code 128 with FNC1 first (AIM ]C1) is ean128 (GS1-128);
//   - aim_id  the AIM symbology identifier ZXing reports ("]E0", "]C1", "]Q1", "]d2", ...);
//   - label   UPC/EAN normalised by upc.h (GTIN-13 for UPC-A, UPC-E and EAN-13, check digit
//             verified); text symbologies as UTF-8; binary content (a QR code in byte mode) as
//             its bytes, unchanged; GS1 data with each FNC1 separator as GS (0x1D), as ZXing 1.4
//             reports it;
//   - raw     the decoded bytes before normalisation, AIM id excluded;
//   - corners where the symbol is in the frame, in pixels.
// A symbol of a type outside the decoder's set is never reported (a UPC-A found while only EAN-13
// is allowed is reported as the EAN-13 it also is). A symbol whose label is longer than
// limits::scan_label_bytes_max, or whose UPC/EAN check digit is wrong, is dropped and described in
// FrameScan::rejected instead.
//
// Latency (tests/bench/bench_camera.cc decides the defaults; docs/PERFORMANCE.md has the figures):
//   - DecodeEffort::fast is ZXing without TryHarder; thorough is with it (more scan lines, more
//     binarisations: about 3x slower); adaptive, the default, runs fast and, only when that finds
//     nothing, thorough. A frame with a readable symbol then costs a fast pass, a frame without
//     one both: a camera stream that mostly sees no symbol may prefer fast.
//   - symbols_max (default 1, at most limits::image_symbols_max): ZXing stops looking once it has
//     that many, which is what makes a frame with a symbol cheap. `loyaltyctl scan` asks for all.
//   - QuarterTurns::try_them (TryRotate) also looks at the frame turned by 90, 180 and 270
//     degrees; off by default. A tilt of up to 25 degrees needs none of these (a linear symbol
//     needs bars at least tan(25 deg) = 0.47 times as tall as the symbol is wide to be crossed by
//     one scan line at that tilt; no scan-line decoder reads a flatter one).
//
// Thread-safety: an ImageDecoder is immutable after create(); decode() is const and may run on
// several threads at once. Frames are borrowed for the duration of the call only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_file.h"
#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

// A non-owning view of an 8-bit greyscale frame (a camera's Y plane, a loaded image file).
// `pixels` must hold at least row_stride * (height - 1) + width bytes and outlive the call.
struct GreyFrame {
  std::span<const std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  int row_stride = 0;  // bytes from the start of one row to the next, >= width
};

// A view of `image` (which must outlive the view).
GreyFrame grey_frame(const GreyImage& image);

struct PixelPoint {
  int x = 0;
  int y = 0;
};

// The corners of a symbol as found in the frame; for a linear symbol, the ends of the scan line
// that read it (top and bottom corners may then coincide).
struct SymbolCorners {
  PixelPoint top_left;
  PixelPoint top_right;
  PixelPoint bottom_right;
  PixelPoint bottom_left;
};

struct DecodedSymbol {
  ScanDataType type = ScanDataType::unknown;
  std::string aim_id;
  std::string label;
  std::vector<std::uint8_t> raw;
  SymbolCorners corners;
};

// What one frame gave: the symbols found, in ZXing's order, and the ones dropped (each error
// names the symbology and the reason).
struct FrameScan {
  std::vector<DecodedSymbol> symbols;
  std::vector<Error> rejected;
};

enum class DecodeEffort { fast, thorough, adaptive };
enum class QuarterTurns { skip, try_them };

// The symbologies ImageDecoder looks for by default, in this order: ean13, upca, upce, ean8,
// code128, ean128, qrcode, datamatrix.
std::vector<ScanDataType> default_scan_formats();

// Options of an ImageDecoder: a value type with chained setters.
class ImageDecodeOptions {
 public:
  ImageDecodeOptions& set_formats(std::vector<ScanDataType> formats) {
    formats_ = std::move(formats);
    return *this;
  }
  ImageDecodeOptions& set_effort(DecodeEffort effort) {
    effort_ = effort;
    return *this;
  }
  ImageDecodeOptions& set_quarter_turns(QuarterTurns quarter_turns) {
    quarter_turns_ = quarter_turns;
    return *this;
  }
  // Clamped to 1..limits::image_symbols_max.
  ImageDecodeOptions& set_symbols_max(std::size_t symbols_max) {
    symbols_max_ = std::clamp<std::size_t>(symbols_max, 1, limits::image_symbols_max);
    return *this;
  }

  const std::vector<ScanDataType>& formats() const { return formats_; }
  DecodeEffort effort() const { return effort_; }
  QuarterTurns quarter_turns() const { return quarter_turns_; }
  std::size_t symbols_max() const { return symbols_max_; }

 private:
  std::vector<ScanDataType> formats_ = default_scan_formats();
  DecodeEffort effort_ = DecodeEffort::adaptive;
  QuarterTurns quarter_turns_ = QuarterTurns::skip;
  std::size_t symbols_max_ = 1;
};

// The ScanDataType named `name` as scan_data_type_name() writes it ("ean13", "qrcode", ...).
// Errors name the unknown name and list the ones an ImageDecoder takes.
Result<ScanDataType> parse_scan_data_type(std::string_view name);

// A comma-separated list of names ("ean13,qrcode"); empty items and repeats are refused.
Result<std::vector<ScanDataType>> parse_scan_formats(std::string_view comma_list);

// The names of `formats` joined with ", ".
std::string scan_formats_text(std::span<const ScanDataType> formats);

class ImageDecoder {
 public:
  // Refuses an empty format set and types ZXing cannot read from an image (unknown, other, tf,
  // the _s add-on variants) with ErrorCode::invalid_argument.
  static Result<ImageDecoder> create(ImageDecodeOptions options = {});

  const ImageDecodeOptions& options() const { return options_; }

  // Errors (ErrorCode::invalid_argument) only for a malformed frame: a size of zero, a stride
  // shorter than a row, fewer bytes than the geometry needs, more than limits::image_pixels_max
  // pixels. A frame without any symbol is a FrameScan with nothing in it.
  Result<FrameScan> decode(const GreyFrame& frame) const;

 private:
  ImageDecoder(ImageDecodeOptions options, int zxing_formats)
      : options_(std::move(options)), zxing_formats_(zxing_formats) {}

  ImageDecodeOptions options_;
  int zxing_formats_;  // ZXing::BarcodeFormats as its bits: ZXing stays out of this header
};

// Loads the image file at `path` (image_file.h) and decodes it. Besides load_image_file()'s
// errors: "<path>: no barcode found (looked for ean13, qrcode)" (ErrorCode::not_found), or, when
// every symbol found was dropped, the first rejection with "<path>: " in front.
Result<std::vector<DecodedSymbol>> decode_image_file(const std::string& path,
                                                     const ImageDecoder& decoder);

// "image:<path>" and "camera:<id>": the device ids of the two image sources.
std::string image_device_id(std::string_view path);
std::string camera_device_id(std::string_view camera_id);

// The ScanEvent (UPOS DataEvent) for a decoded symbol: label, aim id and type as decoded; raw is
// the AIM id followed by the decoded bytes, as a scanner with AIM ids on would send them.
ScanEvent make_scan_event(const DecodedSymbol& symbol, std::string device_id);

}  // namespace loyalty::drivers
