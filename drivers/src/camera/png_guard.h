// A guard in front of stb_image for PNG files. Debian's stb_image inflates a PNG's image data
// into a buffer it doubles without a bound, so a crafted file of a few hundred bytes can make it
// allocate gigabytes (the fuzzer found one). Before stb_image sees a PNG, its chunks are walked
// and its zlib stream inflated into a fixed buffer, counting: more bytes than the IHDR's image
// needs is refused. Internal to drivers.
#pragma once

#include <cstdint>
#include <span>

#include "loyalty/core/result.h"

namespace loyalty::drivers::detail {

// ok when the PNG's image data inflates to at most what its header's width, height, colour type,
// bit depth and interlacing need (a corrupt stream that stops early is left to stb_image to
// refuse). Errors: parse_error with the reason ("image data inflates past the 226x30 image its
// header declares", "no IHDR chunk first", "a chunk runs past the end of the file").
Status check_png_inflated_size(std::span<const std::uint8_t> png);

}  // namespace loyalty::drivers::detail
