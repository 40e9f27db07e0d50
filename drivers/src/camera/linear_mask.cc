// blank_linear_symbol (camera/linear_mask.h).
#include "camera/linear_mask.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace loyalty::drivers::detail {

namespace {

constexpr double kActivityShare = 1.0 / 3.0;
constexpr int kQuietLinesMax = 3;  // lines in a row below the share that end the growth
constexpr int kMarginPixels = 4;   // beyond the last line with bars, and past each end
constexpr std::size_t kSamplesMax = 4096;

struct Vec {
  double x = 0, y = 0;
};

struct Line {
  Vec start;
  Vec along;  // unit vector from start to end
  Vec normal;
  double length = 0;
};

std::uint8_t pixel_at(const GreyImage& image, double x, double y) {
  const auto px = static_cast<long>(std::lround(x));
  const auto py = static_cast<long>(std::lround(y));
  if (px < 0 || py < 0 || px >= image.width || py >= image.height) return 255;
  return image.pixels[static_cast<std::size_t>(py) * image.width + px];
}

// Mean absolute difference of neighbouring samples along the line moved `offset` pixels across.
double activity(const GreyImage& image, const Line& line, int offset) {
  const std::size_t samples =
      std::clamp<std::size_t>(static_cast<std::size_t>(line.length), 2, kSamplesMax);
  const double step = line.length / static_cast<double>(samples - 1);
  const double ox = line.start.x + offset * line.normal.x;
  const double oy = line.start.y + offset * line.normal.y;
  double sum = 0;
  int previous = pixel_at(image, ox, oy);
  for (std::size_t i = 1; i < samples; ++i) {
    const double t = step * static_cast<double>(i);
    const int value = pixel_at(image, ox + t * line.along.x, oy + t * line.along.y);
    sum += std::abs(value - previous);
    previous = value;
  }
  return sum / static_cast<double>(samples - 1);
}

// Lines with bars on the side `direction` (+1 or -1) of the scan line, before kQuietLinesMax in a
// row without.
int extent(const GreyImage& image, const Line& line, int direction, double threshold) {
  const int offset_max = image.width + image.height;  // no line further away meets the image
  int last = 0;
  int quiet = 0;
  for (int k = 1; k <= offset_max && quiet < kQuietLinesMax; ++k) {
    if (activity(image, line, direction * k) >= threshold) {
      last = k;
      quiet = 0;
    } else {
      ++quiet;
    }
  }
  return last;
}

void paint_white(GreyImage& image, const Line& line, double below, double above) {
  // The corners of the parallelogram, then every pixel of their bounding box inside it.
  const double t0 = -kMarginPixels, t1 = line.length + kMarginPixels;
  double x_min = 1e18, x_max = -1e18, y_min = 1e18, y_max = -1e18;
  for (double t : {t0, t1}) {
    for (double k : {below, above}) {
      const double x = line.start.x + t * line.along.x + k * line.normal.x;
      const double y = line.start.y + t * line.along.y + k * line.normal.y;
      x_min = std::min(x_min, x), x_max = std::max(x_max, x);
      y_min = std::min(y_min, y), y_max = std::max(y_max, y);
    }
  }
  const int x_from = std::max(0, static_cast<int>(std::floor(x_min)));
  const int x_to = std::min(image.width - 1, static_cast<int>(std::ceil(x_max)));
  const int y_from = std::max(0, static_cast<int>(std::floor(y_min)));
  const int y_to = std::min(image.height - 1, static_cast<int>(std::ceil(y_max)));
  for (int y = y_from; y <= y_to; ++y) {
    for (int x = x_from; x <= x_to; ++x) {
      const double dx = x - line.start.x, dy = y - line.start.y;
      const double t = dx * line.along.x + dy * line.along.y;
      const double k = dx * line.normal.x + dy * line.normal.y;
      if (t >= t0 && t <= t1 && k >= below && k <= above) {
        image.pixels[static_cast<std::size_t>(y) * image.width + x] = 255;
      }
    }
  }
}

}  // namespace

void blank_linear_symbol(GreyImage& image, const SymbolCorners& corners) {
  // The middle scan line, from the start of the symbol to its end.
  const Vec start{(corners.top_left.x + corners.bottom_left.x) / 2.0,
                  (corners.top_left.y + corners.bottom_left.y) / 2.0};
  const Vec end{(corners.top_right.x + corners.bottom_right.x) / 2.0,
                (corners.top_right.y + corners.bottom_right.y) / 2.0};
  Line line;
  line.start = start;
  line.length = std::hypot(end.x - start.x, end.y - start.y);
  if (line.length < 1) {
    line.along = {1, 0};
  } else {
    line.along = {(end.x - start.x) / line.length, (end.y - start.y) / line.length};
  }
  line.normal = {-line.along.y, line.along.x};
  const double threshold = kActivityShare * activity(image, line, 0);
  // A scan line without contrast (which ZXing would not have read) grows nothing.
  const bool bars = threshold >= 1.0;
  const int below = bars ? extent(image, line, -1, threshold) : 0;
  const int above = bars ? extent(image, line, +1, threshold) : 0;
  // The scan lines themselves may be apart: cover them whatever the growth found.
  const double spread = std::hypot(corners.bottom_left.x - corners.top_left.x,
                                   corners.bottom_left.y - corners.top_left.y) /
                        2;
  paint_white(image, line, -std::max<double>(below, spread) - kMarginPixels,
              std::max<double>(above, spread) + kMarginPixels);
}

}  // namespace loyalty::drivers::detail
