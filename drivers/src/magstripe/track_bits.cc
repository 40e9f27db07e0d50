// Raw bit streams: characters LSB first, odd parity last, the LRC after the end sentinel, zero
// clocking bits around. Decoding tries the reversed stream for a reverse swipe.
#include <algorithm>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

using detail::failed;
using detail::hex_byte;

struct BitChar {
  unsigned code = 0;
  bool parity_ok = false;
};

// Reads data_bits + 1 bits at `pos`; the caller checks that they exist.
BitChar read_char(const TrackFormat& format, std::span<const std::uint8_t> bits, std::size_t pos) {
  BitChar out;
  unsigned ones = 0;
  for (int i = 0; i <= format.data_bits; ++i) {
    const unsigned bit = bits[pos + static_cast<std::size_t>(i)] != 0 ? 1u : 0u;
    ones += bit;
    if (i < format.data_bits) out.code |= bit << i;
  }
  out.parity_ok = (ones % 2) == 1;
  return out;
}

void append_char(const TrackFormat& format, unsigned code, std::vector<std::uint8_t>& bits) {
  unsigned ones = 0;
  for (int i = 0; i < format.data_bits; ++i) {
    const unsigned bit = (code >> i) & 1u;
    ones += bit;
    bits.push_back(static_cast<std::uint8_t>(bit));
  }
  bits.push_back(ones % 2 == 0 ? 1 : 0);
}

TrackResult decode_forward(const TrackFormat& format, std::span<const std::uint8_t> bits) {
  const int number = format.number;
  const std::string name = detail::track_name(format);
  const std::size_t width = static_cast<std::size_t>(format.data_bits) + 1;
  const auto first_one = std::find_if(bits.begin(), bits.end(), [](auto b) { return b != 0; });
  if (first_one == bits.end())
    return TrackResult::absent_track(number);  // blank: only clocking zeros
  std::size_t pos = static_cast<std::size_t>(first_one - bits.begin());

  const unsigned start_code = detail::char_code(format, format.start_sentinel);
  const unsigned end_code = detail::char_code(format, format.end_sentinel);
  if (pos + width > bits.size() || !read_char(format, bits, pos).parity_ok ||
      read_char(format, bits, pos).code != start_code) {
    return failed(number, TrackStatus::start_sentinel,
                  "no start sentinel '" + std::string(1, format.start_sentinel) +
                      "' where the data of " + name + " begins (bit " + std::to_string(pos) + ")");
  }
  std::string chars;
  unsigned lrc = 0;
  while (true) {
    if (chars.size() >= format.chars_max) {
      return failed(number, TrackStatus::too_long,
                    "no end sentinel within the " + std::to_string(format.chars_max) +
                        " characters " + name + " can hold");
    }
    if (pos + width > bits.size()) {
      return failed(number, TrackStatus::end_sentinel,
                    "the stream of " + name + " ends after " + std::to_string(chars.size()) +
                        " characters without an end sentinel");
    }
    const BitChar c = read_char(format, bits, pos);
    if (!c.parity_ok) {
      return failed(number, TrackStatus::parity,
                    "parity error in character " + std::to_string(chars.size()) + " of " + name +
                        " (bit " + std::to_string(pos) + ")");
    }
    chars += detail::code_char(format, c.code);
    lrc ^= c.code;
    pos += width;
    if (c.code == end_code) break;
  }
  if (pos + width > bits.size()) {
    return failed(number, TrackStatus::lrc, "the stream of " + name + " ends before its LRC");
  }
  const BitChar read_lrc = read_char(format, bits, pos);
  if (!read_lrc.parity_ok) {
    return failed(number, TrackStatus::lrc, "the LRC character of " + name + " has bad parity");
  }
  if (read_lrc.code != lrc) {
    TrackResult mismatch = failed(number, TrackStatus::lrc,
                                  "LRC mismatch on " + name + ": read " +
                                      hex_byte(static_cast<unsigned char>(read_lrc.code)) +
                                      ", computed " + hex_byte(static_cast<unsigned char>(lrc)));
    mismatch.lrc = LrcCheck::mismatch;
    return mismatch;
  }
  // A second start sentinel inside the data, or an empty track, is caught as for characters.
  TrackResult result = check_track_chars(number, chars);
  detail::wipe(chars);
  if (result.ok()) result.lrc = LrcCheck::verified;
  return result;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_track_bits(int track, std::string_view chars,
                                                    std::size_t clocking_zeros) {
  TRY(detail::require_valid_track(track, chars));
  const TrackFormat& format = track_format(track);
  const std::size_t width = static_cast<std::size_t>(format.data_bits) + 1;
  const std::size_t total = 2 * clocking_zeros + (chars.size() + 1) * width;
  if (total > limits::magstripe_track_bits_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "the encoded track would have " + std::to_string(total) +
                          " bits; limits::magstripe_track_bits_max is " +
                          std::to_string(limits::magstripe_track_bits_max));
  }
  std::vector<std::uint8_t> bits(clocking_zeros, 0);
  bits.reserve(total);
  for (char c : chars) append_char(format, detail::char_code(format, c), bits);
  append_char(format, detail::lrc_code(format, chars), bits);
  bits.insert(bits.end(), clocking_zeros, 0);
  return bits;
}

TrackResult decode_track_bits(int track, std::span<const std::uint8_t> bits) {
  const TrackFormat& format = track_format(track);
  if (bits.size() > limits::magstripe_track_bits_max) {
    return failed(track, TrackStatus::too_long,
                  "the bit stream of track " + std::to_string(track) + " has " +
                      std::to_string(bits.size()) + " bits; at most " +
                      std::to_string(limits::magstripe_track_bits_max) + " are read");
  }
  TrackResult forward = decode_forward(format, bits);
  if (forward.ok() || forward.status == TrackStatus::absent) return forward;

  const std::vector<std::uint8_t> reversed_bits(bits.rbegin(), bits.rend());
  TrackResult reversed = decode_forward(format, reversed_bits);
  reversed.reversed = true;
  // A clean reverse read wins; so does a reverse read that found the start sentinel the forward
  // read missed (its error then describes the swipe better).
  if (reversed.ok()) return reversed;
  if (forward.status == TrackStatus::start_sentinel &&
      reversed.status != TrackStatus::start_sentinel) {
    return reversed;
  }
  return forward;
}

std::vector<std::uint8_t> bytes_to_bits(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> bits;
  bits.reserve(bytes.size() * 8);
  for (std::uint8_t byte : bytes) {
    for (int i = 0; i < 8; ++i) bits.push_back(static_cast<std::uint8_t>((byte >> i) & 1u));
  }
  return bits;
}

Swipe decode_swipe_bits(std::span<const std::uint8_t> track1, std::span<const std::uint8_t> track2,
                        std::span<const std::uint8_t> track3, const BankCardRule& rule) {
  Swipe swipe;
  const std::array<std::span<const std::uint8_t>, 3> streams{track1, track2, track3};
  for (int n = 1; n <= 3; ++n) {
    const auto& stream = streams[static_cast<std::size_t>(n - 1)];
    if (!stream.empty()) swipe.track(n) = decode_track_bits(n, stream);
  }
  withhold_payment_card(swipe, rule);
  return swipe;
}

Swipe decode_swipe_bits(std::span<const std::uint8_t> track1, std::span<const std::uint8_t> track2,
                        std::span<const std::uint8_t> track3) {
  return decode_swipe_bits(track1, track2, track3, BankCardRule{});
}

}  // namespace loyalty::drivers
