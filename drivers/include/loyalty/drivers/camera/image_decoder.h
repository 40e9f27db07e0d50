// Barcodes in camera frames and image files, decoded with ZXing-C++ 1.4.
//
// An ImageDecoder looks for the symbologies it was created for (by default the ones a POS
// loyalty module meets: EAN-13, UPC-A, UPC-E, EAN-8, Code 128 and GS1-128, QR, DataMatrix) in an
// 8-bit greyscale frame and returns every symbol it found, each with:
//   - type    the UPOS ScanDataType; Code 128 with FNC1 first (AIM ]C1) is ean128 (GS1-128);
//   - aim_id  the AIM symbology identifier ZXing reports ("]E0", "]C1", "]Q1", "]d2", ...);
//   - label   UPC/EAN normalised by upc.h (GTIN-13 for UPC-A, UPC-E and EAN-13, check digit
//             verified); text as UTF-8, as ZXing decoded it: each segment by its ECI (a QR code
//             mixing GB2312 and ASCII segments reads as the Chinese and Latin text it holds), or,
//             without ECI, by the character set ZXing recognises; binary content (a QR code in
//             byte mode that is not text) as its bytes, unchanged; GS1 data with each FNC1
//             separator as GS (0x1D), as ZXing 1.4 reports it;
//   - raw     the decoded bytes before any character-set conversion or normalisation, AIM id
//             and ECI designators excluded;
//   - ecis    the ECI designators the symbol carries and where in raw each applies (empty for
//             a symbol without ECI; eci_name() names them);
//   - corners where the symbol is in the frame, in pixels.
// A symbol of a type outside the decoder's set is never reported (a UPC-A found while only EAN-13
// is allowed is reported as the EAN-13 it also is). A symbol whose label is longer than
// limits::scan_label_bytes_max, or whose UPC/EAN check digit is wrong, is dropped and described in
// FrameScan::rejected instead. A linear symbol is reported once per frame even if it appears
// twice (same type and bytes).
//
// What decode() does, from cheap to costly, stopping as soon as the frame gave what was asked:
//   1. A survey of the frame's edges (16x16-pixel blocks, gradient structure tensors, strong
//      edges against the frame's own noise): a frame without a cluster of busy blocks holds
//      nothing to decode and costs about 0.13 ms (640x480). A camera mostly sees frames like that.
//      The decoders then look only at the busy area.
//   2. ZXing: linear formats one symbol per pass (a symbol found is blanked in a copy of the frame
//      for the next pass, so several are found one by one). Never linear and matrix formats in
//      one call, and never linear ones several to a call: Debian's ZXing 1.4 aborts on an assert()
//      when one call merges two linear results (details in src/camera/zxing_reader.h).
//   3. Each bar region of the survey (blocks whose gradients line up like bars) sampled upright
//      along its direction, cleaned (averaged along the bars, clamped to the spaces' level,
//      stretched, quiet zones restored) and read again. A linear symbol tilted further than its
//      bars are tall for its width (tan(tilt) > height / width, about 21 degrees for a Code 128
//      card) has no row or column of the frame that crosses all its bars; upright, it has.
//   4. Matrix formats, where the survey saw busy, incoherent, dense blocks.
// DecodeEffort::fast runs 2 to 4 without ZXing's TryHarder; thorough runs them with it (more
// scan lines, more binarisations: about 3x slower) and also reads 2D symbols in the busy box
// binarised at its Otsu thresholds (a grey card on white paper); adaptive, the default, runs the
// fast passes and, only when they found fewer symbols than asked, the thorough ones. With one
// symbol asked for (a camera stream, symbols_max 1, the default) the adaptive effort holds a frame
// budget: a 2D area over half the frame is read at half size, and the thorough passes read at
// most 0.3 of the frame's pixels (no TryHarder pass over the whole busy area). symbols_max (at
// most limits::image_symbols_max) is how many symbols decode() looks for; `loyaltyctl scan` asks
// for all. QuarterTurns::try_them (TryRotate) also reads the frame's columns for linear symbols;
// off by default (an upright bar region covers bars at any angle). Latency:
// tests/bench/bench_camera.cc and docs/PERFORMANCE.md.
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
  std::vector<EciSegment> ecis;
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
  // pixels. A frame without any symbol is a FrameScan with nothing in it. When ZXing throws on a
  // frame (its Aztec detector does on some), the reason ("ZXing failed on this frame: ...",
  // ErrorCode::internal) is in FrameScan::rejected and the other passes still look.
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
// the AIM id followed by the decoded bytes, unchanged, as a scanner with AIM ids on would send
// them (a symbol's text is the label; its bytes, in whatever character sets its ECIs named, are
// raw).
ScanEvent make_scan_event(const DecodedSymbol& symbol, std::string device_id);

}  // namespace loyalty::drivers
