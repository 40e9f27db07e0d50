// otsu_thresholds and binarised (camera/survey/grey_levels.h).
#include "camera/survey/grey_levels.h"

#include <array>
#include <cstdint>

namespace loyalty::drivers::detail {

namespace {

using Histogram = std::array<std::uint64_t, 256>;

// The level t in [from, to] that best splits the histogram's levels from..to into [from, t) and
// [t, to] (the largest between-class variance); -1 when one class is always empty.
int otsu(const Histogram& histogram, int from, int to) {
  double total = 0, sum = 0;
  for (int v = from; v <= to; ++v) {
    total += static_cast<double>(histogram[static_cast<std::size_t>(v)]);
    sum += static_cast<double>(v) * static_cast<double>(histogram[static_cast<std::size_t>(v)]);
  }
  double below = 0, below_sum = 0, best = -1;
  int threshold = -1;
  for (int t = from + 1; t <= to; ++t) {
    below += static_cast<double>(histogram[static_cast<std::size_t>(t - 1)]);
    below_sum += static_cast<double>(t - 1) *
                 static_cast<double>(histogram[static_cast<std::size_t>(t - 1)]);
    const double above = total - below;
    if (below == 0 || above == 0) continue;
    const double difference = below_sum / below - (sum - below_sum) / above;
    const double variance = below * above * difference * difference;
    if (variance > best) best = variance, threshold = t;
  }
  return threshold;
}

}  // namespace

std::vector<int> otsu_thresholds(const GreyFrame& view) {
  Histogram histogram{};
  for (int y = 0; y < view.height; ++y) {
    const std::uint8_t* row = view.pixels.data() + static_cast<std::size_t>(y) * view.row_stride;
    for (int x = 0; x < view.width; ++x) ++histogram[row[x]];
  }
  std::vector<int> thresholds;
  const int whole = otsu(histogram, 0, 255);
  if (whole < 0) return thresholds;
  thresholds.push_back(whole);
  const int lower = otsu(histogram, 0, whole - 1);
  if (lower > 0 && lower != whole) thresholds.push_back(lower);
  return thresholds;
}

GreyImage binarised(const GreyFrame& view, int threshold) {
  GreyImage image{view.width, view.height, {}};
  image.pixels.resize(static_cast<std::size_t>(view.width) * static_cast<std::size_t>(view.height));
  for (int y = 0; y < view.height; ++y) {
    const std::uint8_t* row = view.pixels.data() + static_cast<std::size_t>(y) * view.row_stride;
    std::uint8_t* out = image.pixels.data() + static_cast<std::size_t>(y) * view.width;
    for (int x = 0; x < view.width; ++x) out[x] = row[x] < threshold ? 0 : 255;
  }
  return image;
}

}  // namespace loyalty::drivers::detail
