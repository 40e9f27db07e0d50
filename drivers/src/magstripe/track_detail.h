// Helpers shared by the magnetic-stripe sources; not part of the public API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers::detail {

std::string hex_byte(unsigned char c);
std::string track_name(const TrackFormat& format);
TrackResult failed(int number, TrackStatus status, std::string message);
bool in_charset(const TrackFormat& format, unsigned char c);
unsigned char char_code(const TrackFormat& format, char c);
char code_char(const TrackFormat& format, unsigned code);
// XOR of the data bits of every character of `chars` (which are in the track's set).
unsigned lrc_code(const TrackFormat& format, std::string_view chars);
// check_track_chars() as a Status: invalid_argument with its message (or "track N is empty").
Status require_valid_track(int track, std::string_view chars);

// Track 2 split into its fields without the bank-card rule (for the recogniser).
Track2Fields split_track2(std::string_view raw);

// A track 3 that starts with '#' or '%' (an AAMVA licence's), and its other_format result.
bool is_other_format_track3(int track, std::string_view text);
TrackResult other_format_track(int track, std::string_view text);

// Overwrites before clearing, so the bytes do not linger in the buffer. Best effort: the
// optimiser may keep copies in registers, and earlier reallocations are out of reach.
inline void wipe(std::string& text) {
  volatile char* p = text.data();
  for (std::size_t i = 0; i < text.size(); ++i) p[i] = '\0';
  text.clear();
}
inline void wipe(std::vector<std::uint8_t>& bytes) {
  volatile std::uint8_t* p = bytes.data();
  for (std::size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
  bytes.clear();
}

}  // namespace loyalty::drivers::detail
