// upright_crop (camera/survey/upright_crop.h): the region's extent along and across its bars,
// bilinear sampling, a contrast stretch.
#include "camera/survey/upright_crop.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

#include "loyalty/core/limits.h"

namespace loyalty::drivers::detail {

namespace {

// Margins around the region's block centres: half a block everywhere (the centres are half a
// block inside the region), plus, across the bars, room for a quiet zone (ZXing wants one of
// several modules before the first bar and after the last).
constexpr double kHalfBlock = kSurveyBlockPixels / 2.0;
constexpr double kQuietZonePixels = 24.0;
// The stretch maps these percentiles of the crop to 0 and 255.
constexpr double kDarkPercentile = 0.02;
constexpr double kLightPercentile = 0.98;
// Upright, the bars run down the columns: averaging kSmoothRows rows divides the noise by more
// than two and leaves the bars as they are (a direction off by 1 degree moves a bar by 0.1 pixel
// over that many rows).
constexpr int kSmoothRows = 7;
// An edge of the column profile is strong at this share of the profile's range.
constexpr double kEdgeShare = 0.25;
// The spaces' level: this percentile of the column means in the middle of the crop.
constexpr double kPaperPercentile = 0.9;
// A crop whose own bars lean by more than this is sampled again, turned by that much.
constexpr double kResidualRadiansMin = 0.005;  // 0.3 degrees
constexpr int kResidualRowsMax = 64;

// Bilinear in fixed point (8 fractional bits), for a frame of at least 2x2 pixels; white
// outside it. x and y are in 1/256 pixels.
std::uint8_t sample(const GreyFrame& frame, std::int64_t x, std::int64_t y) {
  if (x < 0 || y < 0 || x > (std::int64_t{frame.width} - 1) << 8 ||
      y > (std::int64_t{frame.height} - 1) << 8) {
    return 255;
  }
  const int x0 = std::min(static_cast<int>(x >> 8), frame.width - 2);
  const int y0 = std::min(static_cast<int>(y >> 8), frame.height - 2);
  const int fx = static_cast<int>(x - (std::int64_t{x0} << 8));  // 0..256
  const int fy = static_cast<int>(y - (std::int64_t{y0} << 8));
  const std::uint8_t* p =
      frame.pixels.data() + static_cast<std::size_t>(y0) * frame.row_stride + x0;
  const int top = p[0] * (256 - fx) + p[1] * fx;
  const int bottom = p[frame.row_stride] * (256 - fx) + p[frame.row_stride + 1] * fx;
  return static_cast<std::uint8_t>((top * (256 - fy) + bottom * fy + (1 << 15)) >> 16);
}

// Stretches `pixels` so that its kDarkPercentile level becomes 0 and its kLightPercentile 255.
void stretch_contrast(std::vector<std::uint8_t>& pixels) {
  std::array<std::size_t, 256> histogram{};
  for (std::uint8_t p : pixels) ++histogram[p];
  const auto level_at = [&](double fraction) {
    const auto wanted = static_cast<std::size_t>(fraction * static_cast<double>(pixels.size()));
    std::size_t seen = 0;
    for (int level = 0; level < 256; ++level) {
      seen += histogram[static_cast<std::size_t>(level)];
      if (seen > wanted) return level;
    }
    return 255;
  };
  const int dark = level_at(kDarkPercentile);
  const int light = level_at(kLightPercentile);
  if (light - dark < 2) return;  // flat: nothing to stretch
  std::array<std::uint8_t, 256> map{};
  for (int level = 0; level < 256; ++level) {
    const int v = (level - dark) * 255 / (light - dark);
    map[static_cast<std::size_t>(level)] = static_cast<std::uint8_t>(std::clamp(v, 0, 255));
  }
  for (std::uint8_t& p : pixels) p = map[p];
}

// The mean of each column.
std::vector<int> column_profile(const GreyImage& image) {
  std::vector<int> profile(static_cast<std::size_t>(image.width), 0);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* row = image.pixels.data() + static_cast<std::size_t>(y) * image.width;
    for (int x = 0; x < image.width; ++x) profile[static_cast<std::size_t>(x)] += row[x];
  }
  for (int& p : profile) p /= std::max(1, image.height);
  return profile;
}

// Each pixel replaced by the mean of the kSmoothRows pixels of its column about it (the window
// kept inside the image).
void smooth_along_bars(GreyImage& image) {
  const int w = image.width, h = image.height;
  if (h < kSmoothRows) return;
  const auto row = [&](int y) { return image.pixels.data() + static_cast<std::size_t>(y) * w; };
  std::vector<int> sums(static_cast<std::size_t>(w), 0);  // of rows [window, window + kSmoothRows)
  for (int y = 0; y < kSmoothRows; ++y) {
    for (int x = 0; x < w; ++x) sums[static_cast<std::size_t>(x)] += row(y)[x];
  }
  std::vector<std::uint8_t> out(image.pixels.size());
  int window = 0;
  for (int y = 0; y < h; ++y) {
    const int top = std::clamp(y - kSmoothRows / 2, 0, h - kSmoothRows);
    for (; window < top; ++window) {
      for (int x = 0; x < w; ++x) {
        sums[static_cast<std::size_t>(x)] += row(window + kSmoothRows)[x] - row(window)[x];
      }
    }
    std::uint8_t* target = out.data() + static_cast<std::size_t>(y) * w;
    for (int x = 0; x < w; ++x) {
      target[x] = static_cast<std::uint8_t>((sums[static_cast<std::size_t>(x)] + kSmoothRows / 2) /
                                            kSmoothRows);
    }
  }
  image.pixels = std::move(out);
}

// Paper where the quiet zones should be. Beyond the outermost strong edges of the column profile
// lies what surrounds the bars: a quiet zone, or, on a card printed to its edge, the table it
// lies on. Every pixel there lighter than halfway between the ink and that surround becomes as
// light as the spaces, so a grey table reads as a quiet zone and the first and last bars (ink)
// stay.
void restore_quiet_zones(GreyImage& image) {
  const int w = image.width, h = image.height;
  const std::vector<int> profile = column_profile(image);
  const auto [low, high] = std::minmax_element(profile.begin(), profile.end());
  const int strong = static_cast<int>(kEdgeShare * (*high - *low));
  int first = -1, last = -1;
  for (int x = 1; x + 1 < w; ++x) {
    if (strong > 0 && std::abs(profile[static_cast<std::size_t>(x + 1)] -
                               profile[static_cast<std::size_t>(x - 1)]) >= strong) {
      if (first < 0) first = x;
      last = x;
    }
  }
  if (first < 0) return;
  const auto [ink_at, paper_at] =
      std::minmax_element(profile.begin() + first, profile.begin() + last + 1);
  const int ink = *ink_at;
  // The quiet zones take the level of the spaces between the bars: a third, lighter level (white
  // paper around a grey card) would pull a row's threshold above the spaces.
  const auto paper = static_cast<std::uint8_t>(*paper_at);
  for (const auto& [from, to] : {std::pair{0, first - 1}, std::pair{last + 2, w}}) {
    if (to - from < 2) continue;
    std::vector<int> side(profile.begin() + from, profile.begin() + to);
    std::nth_element(side.begin(), side.begin() + static_cast<std::ptrdiff_t>(side.size() / 2),
                     side.end());
    const int threshold = (ink + side[side.size() / 2]) / 2;
    for (int y = 0; y < h; ++y) {
      std::uint8_t* row = image.pixels.data() + static_cast<std::size_t>(y) * w;
      for (int x = from; x < to; ++x) row[x] = row[x] > threshold ? paper : row[x];
    }
  }
}

// Nothing in a symbol is lighter than its spaces: every pixel lighter than the spaces (the level
// the middle of the crop, which is inside the symbol, reaches at kPaperPercentile of its columns)
// is clamped to them. A grey card on white paper then has two levels, ink and card, and the
// white around it reads as the quiet zone it is.
void clamp_to_paper(GreyImage& image) {
  const std::vector<int> profile = column_profile(image);
  const int w = image.width;
  if (w < 4) return;
  std::vector<int> middle(profile.begin() + w / 4, profile.begin() + 3 * w / 4);
  const auto at =
      static_cast<std::ptrdiff_t>(kPaperPercentile * static_cast<double>(middle.size() - 1));
  std::nth_element(middle.begin(), middle.begin() + at, middle.end());
  const auto paper = static_cast<std::uint8_t>(middle[static_cast<std::size_t>(at)]);
  for (std::uint8_t& p : image.pixels) p = std::min(p, paper);
}

// The dominant gradient direction of the crop (0 when its bars are exactly vertical), from every
// second pixel of every second row of at most kResidualRowsMax rows about its middle.
double residual_radians(const GreyImage& image) {
  std::int64_t xx = 0, xy = 0, yy = 0;
  const int w = image.width;
  const int first = std::max(1, image.height / 2 - kResidualRowsMax / 2);
  const int last = std::min(image.height - 1, image.height / 2 + kResidualRowsMax / 2);
  for (int y = first; y < last; y += 2) {
    const std::uint8_t* p = image.pixels.data() + static_cast<std::size_t>(y) * w;
    for (int x = 1; x + 1 < w; x += 2) {
      const int gx = int{p[x + 1]} - int{p[x - 1]};
      const int gy = int{p[x + w]} - int{p[x - w]};
      xx += gx * gx, xy += gx * gy, yy += gy * gy;
    }
  }
  return 0.5 * std::atan2(2.0 * static_cast<double>(xy), static_cast<double>(xx - yy));
}

// The crop of `region` with bars across direction `across_radians`, sampled and nothing else.
std::optional<UprightCrop> sampled(const GreyFrame& frame, const BarRegion& region,
                                   double across_radians, int rows_max, std::size_t pixels_max) {
  UprightCrop crop;
  crop.across_x = std::cos(across_radians);
  crop.across_y = std::sin(across_radians);
  crop.along_x = -crop.across_y;
  crop.along_y = crop.across_x;
  double u_min = 1e18, u_max = -1e18, v_min = 1e18, v_max = -1e18;
  for (const PixelPoint& c : region.block_centres) {
    const double u = c.x * crop.across_x + c.y * crop.across_y;
    const double v = c.x * crop.along_x + c.y * crop.along_y;
    u_min = std::min(u_min, u), u_max = std::max(u_max, u);
    v_min = std::min(v_min, v), v_max = std::max(v_max, v);
  }
  u_min -= kHalfBlock + kQuietZonePixels, u_max += kHalfBlock + kQuietZonePixels;
  v_min -= kHalfBlock, v_max += kHalfBlock;
  if (v_max - v_min > rows_max) {
    const double middle = (v_min + v_max) / 2;
    v_min = middle - rows_max / 2.0, v_max = middle + rows_max / 2.0;
  }
  // The centres lie in the frame: each extent is at most its diagonal plus the margins.
  const int width = static_cast<int>(std::ceil(u_max - u_min)) + 1;
  const int height = static_cast<int>(std::ceil(v_max - v_min)) + 1;
  if (static_cast<std::size_t>(width) * static_cast<std::size_t>(height) >
      std::min(pixels_max, limits::image_pixels_max)) {
    return std::nullopt;
  }
  crop.origin_x = u_min * crop.across_x + v_min * crop.along_x;
  crop.origin_y = u_min * crop.across_y + v_min * crop.along_y;
  crop.image.width = width;
  crop.image.height = height;
  crop.image.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  const auto fixed = [](double v) { return static_cast<std::int64_t>(std::lround(v * 256)); };
  const std::int64_t step_x = fixed(crop.across_x), step_y = fixed(crop.across_y);
  for (int y = 0; y < height; ++y) {
    std::int64_t fx = fixed(crop.origin_x + y * crop.along_x);
    std::int64_t fy = fixed(crop.origin_y + y * crop.along_y);
    std::uint8_t* row = crop.image.pixels.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x, fx += step_x, fy += step_y) row[x] = sample(frame, fx, fy);
  }
  return crop;
}

}  // namespace

PixelPoint UprightCrop::to_frame(PixelPoint crop) const {
  const double x = origin_x + crop.x * across_x + crop.y * along_x;
  const double y = origin_y + crop.x * across_y + crop.y * along_y;
  return PixelPoint{static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))};
}

std::optional<UprightCrop> upright_crop(const GreyFrame& frame, const BarRegion& region,
                                        int rows_max, std::size_t pixels_max) {
  LOYALTY_ASSERT(!region.block_centres.empty());
  LOYALTY_ASSERT(frame.width >= 2 && frame.height >= 2);
  std::optional<UprightCrop> crop =
      sampled(frame, region, region.across_radians, rows_max, pixels_max);
  if (!crop) return std::nullopt;
  // The survey's direction comes from 16x16 blocks; the crop's own bars give it to a fraction of
  // a degree (what is left of the tilt, measured upright, added to the direction).
  const double residual = residual_radians(crop->image);
  if (std::fabs(residual) > kResidualRadiansMin) {
    crop = sampled(frame, region, region.across_radians + residual, rows_max, pixels_max);
    if (!crop) return std::nullopt;
  }
  smooth_along_bars(crop->image);
  clamp_to_paper(crop->image);
  stretch_contrast(crop->image.pixels);
  restore_quiet_zones(crop->image);
  return crop;
}

}  // namespace loyalty::drivers::detail
