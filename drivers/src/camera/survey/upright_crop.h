// A bar region (camera/survey/bar_survey.h) turned upright: a copy of the frame around it, rotated
// so that its bars are vertical and a row of pixels crosses all of them, with its contrast
// stretched to the full 0..255 range. ZXing 1.4 reads linear symbols along rows (and columns), so a
// symbol tilted further than its bars are tall for its width (tan(tilt) > height / width) has no
// row that crosses all its bars; upright, every row in its middle does. Internal to drivers.
#pragma once

#include <cstddef>
#include <optional>

#include "camera/survey/bar_survey.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers::detail {

struct UprightCrop {
  GreyImage image;
  // Crop pixel (x, y) is frame point origin + x * across + y * along.
  double origin_x = 0, origin_y = 0;
  double across_x = 1, across_y = 0;  // unit vector across the bars (the region's gradient)
  double along_x = 0, along_y = 1;    // unit vector along them

  PixelPoint to_frame(PixelPoint crop) const;
};

// The upright copy of `region` of `frame` (at least 2x2 pixels), with a margin of a quiet zone's
// width at both ends and, along the bars, the region's whole length plus half a block each way,
// or at most `rows_max` rows about its middle (a fast look needs a band, not every row); pixels
// outside the frame are white. nullopt when it would be more than `pixels_max` pixels or
// limits::image_pixels_max (a region across the whole of a very large frame at 45 degrees).
//
// The copy is then made easy to read: its direction refined from its own bars (the survey's
// comes from 16x16 blocks), each column averaged over a few rows (noise), every pixel lighter
// than the spaces between the bars clamped to them (a grey card on white paper), the contrast
// stretched, and what surrounds the bars beyond the outermost edges made paper if it is lighter
// than halfway to the ink (a card printed to its edge, on a grey table).
std::optional<UprightCrop> upright_crop(const GreyFrame& frame, const BarRegion& region,
                                        int rows_max, std::size_t pixels_max);

}  // namespace loyalty::drivers::detail
