// survey_frame (camera/survey/bar_survey.h): block structure tensors, busy blocks, bar regions.
#include "camera/survey/bar_survey.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <optional>

#include "loyalty/core/limits.h"

namespace loyalty::drivers::detail {

namespace {

constexpr int kStep = 2;  // gradient samples every kStep pixels and rows
constexpr int kSamplesPerSide = kSurveyBlockPixels / kStep;
// A sample is strong when its gradient (the difference of the two neighbours, 2 pixels apart)
// stands out from the frame's noise: at least kNoiseSigmas times the noise's gradient sigma,
// measured in the quietest blocks (the energy at kFloorPercentile of all blocks: a symbol or
// texture rarely covers three quarters of a frame), and in [kStrongGradientMin,
// kStrongGradientMax] grey levels. Gaussian noise alone is strong in 0.03 % of samples; a bar
// edge of 60 levels' contrast blurred by a sigma of 1.5 pixels gives about 32. A block is busy
// with kStrongSamplesMin strong samples of its 64, and counts only in an 8-connected cluster of
// kClusterBlocksMin busy blocks: the smallest symbol worth decoding covers that many (a QR code
// of 21 modules of 2 pixels, an EAN-8 of 1.5-pixel modules covers a dozen), while noise rarely
// makes even two neighbours busy.
constexpr double kFloorPercentile = 0.25;
constexpr double kNoiseSigmas = 4.0;
constexpr int kStrongSamplesMin = 4;
constexpr std::uint32_t kClusterBlocksMin = 4;
// A busy block that is not coherent and has this many strong samples may be part of a 2D symbol
// (its modules put edges every few pixels, both ways); the matrix decoders look where those are.
constexpr int kDenseSamplesMin = 16;
constexpr double kStrongGradientMin = 24.0;
constexpr double kStrongGradientMax = 48.0;
// A busy block is part of a bar region when its tensor is at least this coherent; neighbours join
// when their gradient directions differ by less than kJoinRadiansMax.
constexpr double kCoherenceMin = 0.55;
constexpr double kJoinRadiansMax = 0.35;     // 20 degrees
constexpr std::size_t kRegionBlocksMin = 6;  // an EAN-8 of 1.5-pixel modules has about 20

struct Tensor {
  std::int64_t xx = 0, xy = 0, yy = 0;

  double energy() const { return static_cast<double>(xx + yy); }
  // (λ1 - λ2) / (λ1 + λ2) of the tensor less `noise`, the energy that noise alone gives it (the
  // same in every direction: it adds to both eigenvalues and hides how well the rest lines up).
  double coherence(double noise) const {
    const double trace = energy() - noise;
    if (trace <= 0) return 0;
    const double d = static_cast<double>(xx - yy);
    const double spread =
        std::sqrt(d * d + 4.0 * static_cast<double>(xy) * static_cast<double>(xy));
    return std::min(1.0, spread / trace);
  }
  // The gradient's direction, in (-pi/2, pi/2].
  double across_radians() const {
    return 0.5 * std::atan2(2.0 * static_cast<double>(xy), static_cast<double>(xx - yy));
  }
};

// The tensor of the block whose top-left pixel is (x0, y0): kSamplesPerSide² samples at odd
// offsets, so every neighbour read is inside the frame (the grid leaves a 1-pixel border).
Tensor block_tensor(const GreyFrame& frame, int x0, int y0) {
  Tensor t;
  const std::uint8_t* base = frame.pixels.data();
  const int stride = frame.row_stride;
  for (int j = 0; j < kSamplesPerSide; ++j) {
    const std::uint8_t* row = base + static_cast<std::ptrdiff_t>(y0 + kStep * j) * stride;
    std::int32_t xx = 0, xy = 0, yy = 0;  // one row: at most 8 * 2 * 255² fits 32 bits
    for (int i = 0; i < kSamplesPerSide; ++i) {
      const std::uint8_t* p = row + x0 + kStep * i;
      const int gx = int{p[1]} - int{p[-1]};
      const int gy = int{p[stride]} - int{p[-stride]};
      xx += gx * gx;
      xy += gx * gy;
      yy += gy * gy;
    }
    t.xx += xx;
    t.xy += xy;
    t.yy += yy;
  }
  return t;
}

// Samples of the block at (x0, y0) (as block_tensor) whose squared gradient is at least
// `squared_min`.
int strong_samples(const GreyFrame& frame, int x0, int y0, int squared_min) {
  const std::uint8_t* base = frame.pixels.data();
  const int stride = frame.row_stride;
  int strong = 0;
  for (int j = 0; j < kSamplesPerSide; ++j) {
    const std::uint8_t* row = base + static_cast<std::ptrdiff_t>(y0 + kStep * j) * stride;
    for (int i = 0; i < kSamplesPerSide; ++i) {
      const std::uint8_t* p = row + x0 + kStep * i;
      const int gx = int{p[1]} - int{p[-1]};
      const int gy = int{p[stride]} - int{p[-stride]};
      strong += gx * gx + gy * gy >= squared_min ? 1 : 0;
    }
  }
  return strong;
}

double angle_between(double a, double b) {  // of two directions mod pi, in [0, pi/2]
  double d = std::fabs(a - b);
  while (d > M_PI) d -= M_PI;
  return std::min(d, M_PI - d);
}

// Union-find over block indices, with path halving; bounded by the block count.
struct Components {
  std::vector<std::size_t> parent;
  explicit Components(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

struct Grid {
  int columns = 0;
  int rows = 0;
  std::vector<Tensor> tensors;
  std::vector<std::uint8_t> strong;    // strong samples, counted for blocks that may be busy
  std::vector<std::uint8_t> busy;      // busy and in a cluster of kClusterBlocksMin
  std::vector<std::uint8_t> coherent;  // busy and coherent
  double noise = 0;                    // a block's energy from noise alone (the floor)

  std::size_t index(int bx, int by) const { return static_cast<std::size_t>(by * columns + bx); }
  PixelPoint centre(std::size_t i) const {
    const int bx = static_cast<int>(i) % columns, by = static_cast<int>(i) / columns;
    return PixelPoint{1 + bx * kSurveyBlockPixels + kSurveyBlockPixels / 2,
                      1 + by * kSurveyBlockPixels + kSurveyBlockPixels / 2};
  }
};

std::vector<BarRegion> bar_regions(Grid& grid) {
  const auto n = grid.tensors.size();
  Components components(n);
  const auto index = [&](int bx, int by) { return grid.index(bx, by); };
  for (int by = 0; by < grid.rows; ++by) {
    for (int bx = 0; bx < grid.columns; ++bx) {
      const std::size_t a = index(bx, by);
      if (grid.coherent[a] == 0) continue;
      const double angle = grid.tensors[a].across_radians();
      // Right, below-left, below, below-right: each pair of neighbours is looked at once.
      for (const auto& [dx, dy] :
           {std::pair{1, 0}, std::pair{-1, 1}, std::pair{0, 1}, std::pair{1, 1}}) {
        const int nx = bx + dx, ny = by + dy;
        if (nx < 0 || nx >= grid.columns || ny >= grid.rows) continue;
        const std::size_t b = index(nx, ny);
        if (grid.coherent[b] != 0 &&
            angle_between(angle, grid.tensors[b].across_radians()) < kJoinRadiansMax) {
          components.join(a, b);
        }
      }
    }
  }
  std::vector<Tensor> sums(n);
  std::vector<BarRegion> by_root(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (grid.coherent[i] == 0) continue;
    const std::size_t root = components.find(i);
    sums[root].xx += grid.tensors[i].xx;
    sums[root].xy += grid.tensors[i].xy;
    sums[root].yy += grid.tensors[i].yy;
    by_root[root].block_centres.push_back(grid.centre(i));
  }
  std::vector<BarRegion> regions;
  for (std::size_t i = 0; i < n; ++i) {
    BarRegion& region = by_root[i];
    if (region.block_centres.size() < kRegionBlocksMin) continue;
    region.blocks = region.block_centres.size();
    region.across_radians = sums[i].across_radians();
    region.coherence = sums[i].coherence(grid.noise * static_cast<double>(region.blocks));
    region.energy = sums[i].energy();
    regions.push_back(std::move(region));
  }
  std::sort(regions.begin(), regions.end(),
            [](const BarRegion& a, const BarRegion& b) { return a.energy > b.energy; });
  if (regions.size() > limits::image_bar_regions_max) regions.resize(limits::image_bar_regions_max);
  return regions;
}

// The energy of the block at kFloorPercentile: what noise alone gives a block.
double noise_floor(const std::vector<Tensor>& tensors) {
  std::vector<double> energies(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) energies[i] = tensors[i].energy();
  const auto at =
      static_cast<std::size_t>(kFloorPercentile * static_cast<double>(energies.size() - 1));
  std::nth_element(energies.begin(), energies.begin() + static_cast<std::ptrdiff_t>(at),
                   energies.end());
  return energies[at];
}

// The strong-gradient threshold for a frame of this noise floor (see above), squared.
int strong_squared_min(double noise) {
  // Per sample, the energy is gx² + gy², twice the variance of one component.
  const double sigma = std::sqrt(noise / (2.0 * kSamplesPerSide * kSamplesPerSide));
  const double gradient = std::clamp(kNoiseSigmas * sigma, kStrongGradientMin, kStrongGradientMax);
  return static_cast<int>(std::ceil(gradient * gradient));
}

// Keeps in grid.busy only the blocks of 8-connected clusters of at least kClusterBlocksMin.
void keep_clusters(Grid& grid) {
  const std::size_t n = grid.busy.size();
  Components components(n);
  for (int by = 0; by < grid.rows; ++by) {
    for (int bx = 0; bx < grid.columns; ++bx) {
      const std::size_t a = grid.index(bx, by);
      if (grid.busy[a] == 0) continue;
      for (const auto& [dx, dy] :
           {std::pair{1, 0}, std::pair{-1, 1}, std::pair{0, 1}, std::pair{1, 1}}) {
        const int nx = bx + dx, ny = by + dy;
        if (nx < 0 || nx >= grid.columns || ny >= grid.rows) continue;
        if (grid.busy[grid.index(nx, ny)] != 0) components.join(a, grid.index(nx, ny));
      }
    }
  }
  std::vector<std::uint32_t> sizes(n);
  for (std::size_t i = 0; i < n; ++i) sizes[components.find(i)] += grid.busy[i];
  for (std::size_t i = 0; i < n; ++i) {
    if (grid.busy[i] != 0 && sizes[components.find(i)] < kClusterBlocksMin) grid.busy[i] = 0;
  }
}

// The bounding box of the blocks `pick` selects, with kSurveyMarginPixels, within the frame;
// nullopt when it selects none.
std::optional<PixelBox> box_of(const Grid& grid, const GreyFrame& frame,
                               const std::function<bool(std::size_t)>& pick) {
  int column_min = grid.columns, column_max = -1, row_min = grid.rows, row_max = -1;
  for (int by = 0; by < grid.rows; ++by) {
    for (int bx = 0; bx < grid.columns; ++bx) {
      if (!pick(grid.index(bx, by))) continue;
      column_min = std::min(column_min, bx), column_max = std::max(column_max, bx);
      row_min = std::min(row_min, by), row_max = std::max(row_max, by);
    }
  }
  if (column_max < 0) return std::nullopt;
  const int x0 = std::max(0, 1 + column_min * kSurveyBlockPixels - kSurveyMarginPixels);
  const int y0 = std::max(0, 1 + row_min * kSurveyBlockPixels - kSurveyMarginPixels);
  const int x1 =
      std::min(frame.width, 1 + (column_max + 1) * kSurveyBlockPixels + kSurveyMarginPixels);
  const int y1 =
      std::min(frame.height, 1 + (row_max + 1) * kSurveyBlockPixels + kSurveyMarginPixels);
  return PixelBox{x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

FrameSurvey survey_frame(const GreyFrame& frame) {
  FrameSurvey survey;
  Grid grid;
  grid.columns = (frame.width - 2) / kSurveyBlockPixels;
  grid.rows = (frame.height - 2) / kSurveyBlockPixels;
  if (grid.columns <= 0 || grid.rows <= 0) {
    survey.busy_blocks = 1;  // too small to survey: let the decoders look at all of it
    survey.busy_box = PixelBox{0, 0, frame.width, frame.height};
    return survey;
  }
  const auto n = static_cast<std::size_t>(grid.columns) * static_cast<std::size_t>(grid.rows);
  grid.tensors.resize(n);
  for (int by = 0; by < grid.rows; ++by) {
    for (int bx = 0; bx < grid.columns; ++bx) {
      grid.tensors[static_cast<std::size_t>(by * grid.columns + bx)] =
          block_tensor(frame, 1 + bx * kSurveyBlockPixels + 1, 1 + by * kSurveyBlockPixels + 1);
    }
  }
  // Busy blocks: those with kStrongSamplesMin strong samples, which only a block of at least
  // that many times the threshold's energy can have (most blocks of most frames are below).
  grid.noise = noise_floor(grid.tensors);
  const int squared_min = strong_squared_min(grid.noise);
  grid.strong.resize(n);
  grid.busy.resize(n);
  grid.coherent.resize(n);
  for (int by = 0; by < grid.rows; ++by) {
    for (int bx = 0; bx < grid.columns; ++bx) {
      const std::size_t i = grid.index(bx, by);
      if (grid.tensors[i].energy() < kStrongSamplesMin * static_cast<double>(squared_min)) continue;
      grid.strong[i] = static_cast<std::uint8_t>(strong_samples(
          frame, 1 + bx * kSurveyBlockPixels + 1, 1 + by * kSurveyBlockPixels + 1, squared_min));
      grid.busy[i] = grid.strong[i] >= kStrongSamplesMin ? 1 : 0;
    }
  }
  keep_clusters(grid);
  for (std::size_t i = 0; i < n; ++i) {
    if (grid.busy[i] == 0) continue;
    ++survey.busy_blocks;
    grid.coherent[i] = grid.tensors[i].coherence(grid.noise) >= kCoherenceMin ? 1 : 0;
  }
  if (survey.busy_blocks == 0) return survey;
  survey.busy_box = *box_of(grid, frame, [&](std::size_t i) { return grid.busy[i] != 0; });
  survey.matrix_box = box_of(grid, frame, [&](std::size_t i) {
    return grid.busy[i] != 0 && grid.coherent[i] == 0 && grid.strong[i] >= kDenseSamplesMin;
  });
  survey.regions = bar_regions(grid);
  return survey;
}

}  // namespace loyalty::drivers::detail
