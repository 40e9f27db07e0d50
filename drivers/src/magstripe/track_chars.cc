// Track strings: validation against the track's character set and sentinels, the LRC, and a
// track as a reader hands it over (a trailing LRC character, a track 3 in another layout).
#include <string>

#include "loyalty/drivers/magstripe/magstripe.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace detail {

std::string hex_byte(unsigned char c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "0x";
  out += kDigits[c >> 4];
  out += kDigits[c & 0x0F];
  return out;
}

std::string track_name(const TrackFormat& format) {
  return "track " + std::to_string(format.number);
}

TrackResult failed(int number, TrackStatus status, std::string message) {
  TrackResult result;
  result.number = number;
  result.status = status;
  result.message = std::move(message);
  return result;
}

bool in_charset(const TrackFormat& format, unsigned char c) {
  const unsigned offset = static_cast<unsigned char>(format.ascii_offset);
  return c >= offset && c < offset + (1u << format.data_bits);
}

unsigned char char_code(const TrackFormat& format, char c) {
  return static_cast<unsigned char>(static_cast<unsigned char>(c) -
                                    static_cast<unsigned char>(format.ascii_offset));
}

char code_char(const TrackFormat& format, unsigned code) {
  return static_cast<char>(static_cast<unsigned char>(format.ascii_offset) + code);
}

unsigned lrc_code(const TrackFormat& format, std::string_view chars) {
  unsigned lrc = 0;
  for (char c : chars) lrc ^= char_code(format, c);
  return lrc & ((1u << format.data_bits) - 1);
}

}  // namespace detail

using detail::failed;
using detail::hex_byte;
using detail::track_name;

TrackResult check_track_chars(int track, std::string_view chars) {
  const TrackFormat& format = track_format(track);
  const std::string name = track_name(format);
  if (chars.empty()) return TrackResult::absent_track(track);
  if (chars.size() > format.chars_max) {
    return failed(track, TrackStatus::too_long,
                  name + " has " + std::to_string(chars.size()) + " characters; at most " +
                      std::to_string(format.chars_max) + " fit, sentinels included");
  }
  if (chars.front() != format.start_sentinel) {
    return failed(track, TrackStatus::start_sentinel,
                  name + " does not begin with its start sentinel '" + format.start_sentinel + "'");
  }
  if (chars.size() < 2 || chars.back() != format.end_sentinel) {
    return failed(track, TrackStatus::end_sentinel,
                  name + " does not end with its end sentinel '" + format.end_sentinel + "'");
  }
  for (std::size_t i = 1; i + 1 < chars.size(); ++i) {
    const auto c = static_cast<unsigned char>(chars[i]);
    const std::string where = " at position " + std::to_string(i) + " of " + name;
    if (c < 0x20 || c == 0x7F) {
      return failed(track, TrackStatus::invalid_data,
                    "control character " + hex_byte(c) + where + " is not track data");
    }
    if (c == static_cast<unsigned char>(format.start_sentinel)) {
      return failed(track, TrackStatus::start_sentinel, "a second start sentinel" + where);
    }
    if (c == static_cast<unsigned char>(format.end_sentinel)) {
      return failed(track, TrackStatus::end_sentinel,
                    "an end sentinel" + where + " before the end of the track");
    }
    if (!detail::in_charset(format, c)) {
      return failed(track, TrackStatus::invalid_data,
                    "character " + hex_byte(c) + where + " is outside the track's set (" +
                        hex_byte(static_cast<unsigned char>(format.ascii_offset)) + "-" +
                        hex_byte(static_cast<unsigned char>(format.ascii_offset +
                                                            (1 << format.data_bits) - 1)) +
                        ")");
    }
  }
  TrackResult result = TrackResult::absent_track(track);
  result.status = TrackStatus::ok;
  result.raw = std::string(chars);
  return result;
}

namespace detail {

Status require_valid_track(int track, std::string_view chars) {
  const TrackResult checked = check_track_chars(track, chars);
  if (checked.ok()) return {};
  return make_error(
      ErrorCode::invalid_argument,
      checked.message.empty() ? "track " + std::to_string(track) + " is empty" : checked.message);
}

}  // namespace detail

Result<char> track_lrc(int track, std::string_view chars) {
  TRY(detail::require_valid_track(track, chars));
  const TrackFormat& format = track_format(track);
  return detail::code_char(format, detail::lrc_code(format, chars));
}

namespace detail {

bool is_other_format_track3(int track, std::string_view text) {
  return track == 3 && !text.empty() && (text.front() == '#' || text.front() == '%');
}

TrackResult other_format_track(int track, std::string_view text) {
  LOYALTY_ASSERT(is_other_format_track3(track, text));
  return failed(track, TrackStatus::other_format,
                "track 3 starts with '" + std::string(1, text.front()) +
                    "', a layout other than ISO/IEC 4909 (an AAMVA driving licence?); its " +
                    std::to_string(text.size()) + " characters are not decoded");
}

}  // namespace detail

TrackResult check_track_text(int track, std::string_view text) {
  if (detail::is_other_format_track3(track, text)) return detail::other_format_track(track, text);
  const TrackFormat& format = track_format(track);
  const std::size_t end = text.find(format.end_sentinel);
  // One byte after the (first) end sentinel is the LRC; more is a track that does not end there.
  if (end == std::string_view::npos || end + 2 != text.size()) {
    return check_track_chars(track, text);
  }
  TrackResult result = check_track_chars(track, text.substr(0, end + 1));
  if (!result.ok()) return result;  // the track's own failure says more than its LRC
  const char expected = detail::code_char(format, detail::lrc_code(format, result.raw));
  if (text.back() == expected) {
    result.lrc = LrcCheck::verified;
    return result;
  }
  detail::wipe(result.raw);
  TrackResult mismatch =
      failed(track, TrackStatus::lrc,
             "the LRC character after the end sentinel of track " + std::to_string(track) +
                 " does not match the track; swipe the card again");
  mismatch.lrc = LrcCheck::mismatch;
  return mismatch;
}

}  // namespace loyalty::drivers
