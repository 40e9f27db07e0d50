// Upper bounds of untrusted reader input. They belong in core/include/loyalty/core/limits.h with
// every other limit; they live here, in the same namespace, until core can take them (core is
// being edited concurrently), and move there unchanged.
#pragma once

#include <cstddef>

namespace loyalty::limits {

// Bits of one raw magnetic-stripe track stream, clocking zeros included. Track 3 at 210 bpi on
// a full-length card is about 750 bits; readers add a few hundred clocking bits at most.
inline constexpr std::size_t magstripe_track_bits_max = 4096;
// Bytes of one keyboard-wedge swipe line: three framed tracks (79 + 40 + 107 characters) and
// their framing fit with room to spare.
inline constexpr std::size_t wedge_line_bytes_max = 512;
// Bytes of one track field of the 337-byte HID swipe report (bytes 7-116, 117-226, 227-336).
inline constexpr std::size_t hid_track_bytes_max = 110;

}  // namespace loyalty::limits
