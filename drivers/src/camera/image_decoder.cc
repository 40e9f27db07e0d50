// ImageDecoder::decode: the survey, then ZXing passes (camera/zxing_reader.h) from cheap to
// costly until the frame has given what was asked for; and the image-file and ScanEvent helpers.
#define ZX_USE_UTF8
#include "loyalty/drivers/camera/image_decoder.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include "camera/linear_mask.h"
#include "camera/survey/bar_survey.h"
#include "camera/survey/grey_levels.h"
#include "camera/survey/upright_crop.h"
#include "camera/zxing_reader.h"
#include "camera/zxing_symbol.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

using detail::PassHints;

Status check_frame(const GreyFrame& frame) {
  if (frame.width <= 0 || frame.height <= 0 || frame.row_stride < frame.width) {
    return make_error(ErrorCode::invalid_argument,
                      "a frame needs a width and height above 0 and a row stride of at least the "
                      "width; got " +
                          std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                          ", stride " + std::to_string(frame.row_stride));
  }
  const auto pixels = static_cast<std::uint64_t>(frame.width) * std::uint64_t(frame.height);
  if (pixels > limits::image_pixels_max) {
    return make_error(ErrorCode::limit_exceeded, "a frame of " + std::to_string(pixels) +
                                                     " pixels is over the limit of " +
                                                     std::to_string(limits::image_pixels_max));
  }
  const std::uint64_t needed = std::uint64_t(frame.row_stride) * std::uint64_t(frame.height - 1) +
                               std::uint64_t(frame.width);
  if (frame.pixels.size() < needed) {
    return make_error(ErrorCode::invalid_argument,
                      "a " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                          " frame with a row stride of " + std::to_string(frame.row_stride) +
                          " needs " + std::to_string(needed) + " bytes; got " +
                          std::to_string(frame.pixels.size()));
  }
  return {};
}

GreyImage copy_of(const GreyFrame& frame) {
  GreyImage image{frame.width, frame.height, {}};
  image.pixels.resize(static_cast<std::size_t>(frame.width) *
                      static_cast<std::size_t>(frame.height));
  for (int y = 0; y < frame.height; ++y) {
    std::copy_n(frame.pixels.begin() + static_cast<std::ptrdiff_t>(y) * frame.row_stride,
                frame.width, image.pixels.begin() + static_cast<std::ptrdiff_t>(y) * frame.width);
  }
  return image;
}

using ToFrame = std::function<PixelPoint(PixelPoint)>;

// The symbols of one frame as the passes find them: only types the decoder was made for, each
// symbol once, at most symbols_max.
class Collector {
 public:
  explicit Collector(const ImageDecodeOptions& options) : options_(options) {}

  bool full() const { return scan_.symbols.size() >= options_.symbols_max(); }
  std::size_t room() const { return options_.symbols_max() - scan_.symbols.size(); }

  // Takes `result`; true when it is a new symbol (kept, or dropped with a reason). Corners found
  // in a copy of the frame come back through `to_frame`.
  bool add(const ZXing::Result& result, const ToFrame& to_frame = {}) {
    if (!result.isValid() || full()) return false;
    const ScanDataType type = detail::type_of(result);
    const std::vector<ScanDataType>& allowed = options_.formats();
    if (std::find(allowed.begin(), allowed.end(), type) == allowed.end()) return false;
    Result<DecodedSymbol> symbol = detail::symbol_of(result, type);
    if (!symbol.ok()) {
      scan_.rejected.push_back(std::move(symbol).error());
      return true;
    }
    // One-symbol passes over blanked copies can meet the rest of a symbol read already.
    for (const DecodedSymbol& seen : scan_.symbols) {
      if (seen.type == symbol->type && seen.raw == symbol->raw) return false;
    }
    if (to_frame) {
      SymbolCorners& c = symbol->corners;
      for (PixelPoint* p : {&c.top_left, &c.top_right, &c.bottom_right, &c.bottom_left}) {
        *p = to_frame(*p);
      }
    }
    scan_.symbols.push_back(std::move(symbol).value());
    return true;
  }

  // The results of a ZXing call, or none when it threw (std::out_of_range from one of its
  // detectors on a strange frame, std::bad_alloc): the reason goes into FrameScan::rejected, once,
  // and the other passes go on.
  ZXing::Results results_of(Result<ZXing::Results> read) {
    if (read.ok()) return std::move(read).value();
    for (const Error& seen : scan_.rejected) {
      if (seen.message == read.error().message) return {};
    }
    scan_.rejected.push_back(std::move(read).error());
    return {};
  }

  FrameScan take() { return std::move(scan_); }

 private:
  const ImageDecodeOptions& options_;
  FrameScan scan_;
};

// The part of `frame` in `box` (which must lie within it), sharing its pixels.
GreyFrame view_of(const GreyFrame& frame, const detail::PixelBox& box) {
  const std::size_t first = static_cast<std::size_t>(box.y) * frame.row_stride + box.x;
  const std::size_t length =
      static_cast<std::size_t>(box.height - 1) * frame.row_stride + box.width;
  return GreyFrame{frame.pixels.subspan(first, length), box.width, box.height, frame.row_stride};
}

// A view of the frame (the survey's busy box) and the way back to frame pixels.
struct View {
  GreyFrame frame;
  ToFrame to_frame;
};

View view_at(const GreyFrame& frame, const detail::PixelBox& box) {
  return View{view_of(frame, box), [box](PixelPoint p) {
                return PixelPoint{p.x + box.x, p.y + box.y};
              }};
}

// The frame the passes read: the caller's until a linear symbol has to be blanked for the next
// pass, a copy with every symbol found so far blanked from then on (camera/linear_mask.h).
class Workspace {
 public:
  explicit Workspace(const GreyFrame& frame) : frame_(frame) {}

  const GreyFrame& frame() const { return frame_; }
  void blank(const SymbolCorners& corners) {
    if (!copy_) {
      copy_ = copy_of(frame_);
      frame_ = grey_frame(*copy_);
    }
    detail::blank_linear_symbol(*copy_, corners);
  }

 private:
  GreyFrame frame_;
  std::optional<GreyImage> copy_;
};

// What one decode() works on: the frame, its survey, the ZXing formats asked for.
struct Plan {
  Workspace& work;
  const detail::FrameSurvey& survey;
  int linear;  // ZXing::BarcodeFormat bits
  int matrix;
  bool try_rotate;

  // PDF417, stacked rows of bars, looks like a bar region, not like a 2D code, to the survey.
  bool stacked() const { return (matrix & static_cast<int>(ZXing::BarcodeFormat::PDF417)) != 0; }
  double frame_area() const {
    return static_cast<double>(work.frame().width) * static_cast<double>(work.frame().height);
  }
};

// Linear symbols in `box`, one per pass (zxing_reader.h); after each, the symbol is blanked and
// the next pass looks again, until a pass finds nothing or the collector is full. Bounded: every
// pass adds a symbol or blanks one found before, at most twice symbols_max.
Status linear_passes(const Plan& plan, const detail::PixelBox& box, const PassHints& hints,
                     Collector& collector) {
  const std::size_t passes_max = 2 * collector.room();
  for (std::size_t pass = 0; pass < passes_max && !collector.full(); ++pass) {
    const View view = view_at(plan.work.frame(), box);
    const ZXing::Results results =
        collector.results_of(detail::read_linear(view.frame, plan.linear, hints));
    if (results.empty()) return {};
    collector.add(results.front(), view.to_frame);
    if (collector.full()) return {};
    SymbolCorners corners = detail::corners_of(results.front().position());
    for (PixelPoint* p :
         {&corners.top_left, &corners.top_right, &corners.bottom_right, &corners.bottom_left}) {
      *p = view.to_frame(*p);
    }
    plan.work.blank(corners);
  }
  return {};
}

Status matrix_pass(const View& view, int formats, const PassHints& hints, Collector& collector) {
  const ZXing::Results results =
      collector.results_of(detail::read_matrix(view.frame, formats, collector.room(), hints));
  for (const ZXing::Result& result : results) collector.add(result, view.to_frame);
  return {};
}

// Rows of an upright bar region that a fast pass reads: a band about the middle.
constexpr int kUprightRowsFast = 64;
// Bounded (a camera stream): a 2D box over this share of the frame is read at half size, and the
// thorough passes read at most kBoundedBudgetShare of the frame's pixels.
constexpr double kBoundedShareMax = 0.5;
constexpr double kBoundedBudgetShare = 0.3;
constexpr std::size_t kUnbounded = limits::image_pixels_max;

// Each bar region of the survey turned upright and read again: the linear symbols no row or
// column of the frame crosses whole (tilted further than their height allows), or too faint.
// Each upright copy comes out of `budget` pixels, twice its size with TryHarder (one larger is
// not made: a region that big is texture rather than a symbol, or the budget is spent).
Status upright_passes(const Plan& plan, PassHints hints, std::size_t& budget,
                      Collector& collector) {
  hints.try_rotate = false;  // upright already
  const GreyFrame& frame = plan.work.frame();
  for (const detail::BarRegion& region : plan.survey.regions) {
    if (collector.full()) return {};
    // TryHarder reads every row of a copy, from several starts: twice the cost per pixel.
    const std::size_t cost_per_pixel = hints.try_harder ? 2 : 1;
    const std::optional<detail::UprightCrop> crop = detail::upright_crop(
        frame, region, hints.try_harder ? frame.width + frame.height : kUprightRowsFast,
        budget / cost_per_pixel);
    if (!crop) continue;
    budget -= cost_per_pixel * crop->image.pixels.size();
    const ZXing::Results results =
        collector.results_of(detail::read_linear(grey_frame(crop->image), plan.linear, hints));
    if (results.empty()) continue;
    collector.add(results.front(), [&](PixelPoint p) { return crop->to_frame(p); });
  }
  return {};
}

// `view` at half its width and height (each pixel the mean of four), and the way back.
struct HalfView {
  GreyImage image;
  ToFrame to_frame;
};

HalfView half_of(const View& view) {
  const GreyFrame& f = view.frame;
  HalfView half{GreyImage{f.width / 2, f.height / 2, {}}, {}};
  half.image.pixels.resize(static_cast<std::size_t>(half.image.width) * half.image.height);
  for (int y = 0; y < half.image.height; ++y) {
    const std::uint8_t* top = f.pixels.data() + static_cast<std::size_t>(2 * y) * f.row_stride;
    const std::uint8_t* bottom = top + f.row_stride;
    std::uint8_t* out = half.image.pixels.data() + static_cast<std::size_t>(y) * half.image.width;
    for (int x = 0; x < half.image.width; ++x) {
      out[x] = static_cast<std::uint8_t>(
          (top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1] + 2) / 4);
    }
  }
  half.to_frame = [back = view.to_frame](PixelPoint p) { return back({2 * p.x, 2 * p.y}); };
  return half;
}

// Without TryHarder: linear symbols in the busy box, then upright bar regions, then 2D symbols
// where the survey saw something like them (`bounded`: a large 2D box at half size).
Status fast_passes(const Plan& plan, Collector& collector, bool bounded) {
  PassHints hints;
  hints.try_rotate = plan.try_rotate;
  const detail::PixelBox& busy = plan.survey.busy_box;
  if (plan.linear != 0) TRY(linear_passes(plan, busy, hints, collector));
  if (plan.linear != 0 && !collector.full()) {
    std::size_t budget = kUnbounded;
    TRY(upright_passes(plan, hints, budget, collector));
  }
  if (plan.matrix == 0 || collector.full()) return {};
  const std::optional<detail::PixelBox> box =
      plan.stacked() ? std::optional<detail::PixelBox>(busy) : plan.survey.matrix_box;
  if (!box) return {};
  const View view = view_at(plan.work.frame(), *box);
  // Bounded, a box over kBoundedShareMax of the frame (texture, or a 2D symbol held close, whose
  // modules are large) is read at half size.
  if (!bounded ||
      static_cast<double>(box->width) * box->height <= kBoundedShareMax * plan.frame_area()) {
    return matrix_pass(view, plan.matrix, hints, collector);
  }
  const HalfView half = half_of(view);
  return matrix_pass(View{grey_frame(half.image), half.to_frame}, plan.matrix, hints, collector);
}

// The 2D box (the busy box for PDF417, or without one) binarised at each of its Otsu
// thresholds (grey_levels.h) and read without TryHarder, each copy out of `budget` pixels.
Status otsu_passes(const Plan& plan, std::size_t& budget, Collector& collector) {
  const bool compact = plan.survey.matrix_box && !plan.stacked();
  const detail::PixelBox box = compact ? *plan.survey.matrix_box : plan.survey.busy_box;
  const auto pixels = static_cast<std::size_t>(box.width) * static_cast<std::size_t>(box.height);
  const View levels = view_at(plan.work.frame(), box);
  for (int threshold : detail::otsu_thresholds(levels.frame)) {
    if (collector.full() || pixels > budget) return {};
    budget -= pixels;
    const GreyImage binary = detail::binarised(levels.frame, threshold);
    TRY(matrix_pass(View{grey_frame(binary), levels.to_frame}, plan.matrix, PassHints{},
                    collector));
  }
  return {};
}

// With TryHarder: the whole busy box for linear symbols (unbounded only), the upright bar
// regions, the whole busy box for 2D symbols (unbounded only); and the Otsu passes. `bounded`
// (the adaptive effort asked for one symbol, as a camera stream asks) skips the busy-box passes,
// which found nothing the others missed in bench_camera's frames and cost the most, and reads at
// most kBoundedBudgetShare of the frame's pixels: the Otsu passes first (a compact 2D box is
// cheap to binarise and read), then upright copies, strongest region first. A frame busy all over
// is texture rather than a symbol, and gets its fast look and little more. That is what holds the
// frame budget.
Status thorough_passes(const Plan& plan, Collector& collector, bool bounded) {
  std::size_t budget =
      bounded ? static_cast<std::size_t>(kBoundedBudgetShare * plan.frame_area()) : kUnbounded;
  PassHints hints;
  hints.try_harder = true;
  hints.try_rotate = plan.try_rotate;
  const detail::PixelBox& busy = plan.survey.busy_box;
  if (plan.linear != 0 && !bounded) TRY(linear_passes(plan, busy, hints, collector));
  if (plan.matrix != 0 && bounded) TRY(otsu_passes(plan, budget, collector));
  if (plan.linear != 0 && !collector.full()) TRY(upright_passes(plan, hints, budget, collector));
  if (plan.matrix == 0 || collector.full() || bounded) return {};
  TRY(matrix_pass(view_at(plan.work.frame(), busy), plan.matrix, hints, collector));
  return otsu_passes(plan, budget, collector);
}

}  // namespace

GreyFrame grey_frame(const GreyImage& image) {
  return GreyFrame{image.pixels, image.width, image.height, image.width};
}

Result<FrameScan> ImageDecoder::decode(const GreyFrame& frame) const {
  TRY(check_frame(frame));
  Collector collector(options_);
  const detail::FrameSurvey survey = detail::survey_frame(frame);
  if (survey.busy_blocks == 0) return collector.take();  // nothing any decoder could read
  Workspace work(frame);
  const Plan plan{work, survey, zxing_formats_ & detail::kLinearFormats,
                  zxing_formats_ & detail::kMatrixFormats,
                  options_.quarter_turns() == QuarterTurns::try_them};
  const DecodeEffort effort = options_.effort();
  // A camera stream asks for one symbol per frame and has a frame budget to hold.
  const bool bounded = effort != DecodeEffort::thorough && options_.symbols_max() == 1;
  if (effort != DecodeEffort::thorough) TRY(fast_passes(plan, collector, bounded));
  // Adaptive: the thorough passes only when the fast ones found fewer symbols than wanted.
  if (effort == DecodeEffort::thorough || (effort == DecodeEffort::adaptive && !collector.full())) {
    TRY(thorough_passes(plan, collector, bounded));
  }
  return collector.take();
}

Result<std::vector<DecodedSymbol>> decode_image_file(const std::string& path,
                                                     const ImageDecoder& decoder) {
  const GreyImage image = TRY(load_image_file(path));
  FrameScan scan = TRY(decoder.decode(grey_frame(image)));
  if (!scan.symbols.empty()) return std::move(scan.symbols);
  if (!scan.rejected.empty()) {
    Error first = std::move(scan.rejected.front());
    first.message = path + ": " + first.message;
    return first;
  }
  return make_error(ErrorCode::not_found, path + ": no barcode found (looked for " +
                                              scan_formats_text(decoder.options().formats()) + ")");
}

std::string image_device_id(std::string_view path) { return "image:" + std::string(path); }

std::string camera_device_id(std::string_view camera_id) {
  return "camera:" + std::string(camera_id);
}

ScanEvent make_scan_event(const DecodedSymbol& symbol, std::string device_id) {
  ScanEventFields fields;
  fields.device_id = std::move(device_id);
  fields.kind = DeviceKind::scanner;
  fields.label = symbol.label;
  fields.aim_id = symbol.aim_id;
  fields.type = symbol.type;
  fields.raw.assign(symbol.aim_id.begin(), symbol.aim_id.end());
  fields.raw.insert(fields.raw.end(), symbol.raw.begin(), symbol.raw.end());
  for (const EciSegment& segment : symbol.ecis) {  // bounded by the symbol's bytes
    fields.ecis.push_back(EciSegment{segment.eci, segment.at + symbol.aim_id.size()});
  }
  return ScanEvent(std::move(fields));
}

}  // namespace loyalty::drivers
