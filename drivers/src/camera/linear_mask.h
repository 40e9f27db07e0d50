// Blanking a linear symbol that was read, so that the next one-symbol pass finds the next symbol
// (camera/zxing_reader.h: linear formats are read one symbol per pass). Internal to drivers.
//
// ZXing gives a linear symbol's position as the scan lines that read it, which may be as few as
// two rows of a symbol much taller. The blanked area starts from the middle scan line and grows
// across it, one pixel at a time on each side, for as long as a line parallel to it still crosses
// bars (its mean difference between neighbouring pixels is at least a third of the scan line's):
// the whole symbol, and the white gap that separates it from the next one stops the growth.
#pragma once

#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers::detail {

// Paints the linear symbol found at `corners` of `image` white, with a margin.
void blank_linear_symbol(GreyImage& image, const SymbolCorners& corners);

}  // namespace loyalty::drivers::detail
