// Thresholds of a grey view by Otsu's method, and the view binarised at one of them: what the
// matrix decoders get when ZXing's own binarisers (a local average, a global histogram) fail on a
// scene of three grey levels (a grey card on white paper: dark modules, the card, the paper),
// where the split that matters is between the two darker ones. Internal to drivers.
#pragma once

#include <vector>

#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers::detail {

// Otsu's threshold of the whole view, then Otsu's threshold of the levels below it (the split
// of a three-level scene), distinct and in that order; empty for a flat view.
std::vector<int> otsu_thresholds(const GreyFrame& view);

// A copy of `view`: 0 where a pixel is below `threshold`, 255 elsewhere.
GreyImage binarised(const GreyFrame& view, int threshold);

}  // namespace loyalty::drivers::detail
