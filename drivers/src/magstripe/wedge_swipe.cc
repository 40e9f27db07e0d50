// Keyboard-wedge swipe lines: `%T1?;T2?+T3?` and CR or LF, `E` for a failed track.
#include "loyalty/drivers/magstripe/wedge_swipe.h"

#include <algorithm>
#include <string>

#include "loyalty/core/limits.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

using detail::failed;
using detail::hex_byte;

Error line_error(std::string message) {
  return make_error(ErrorCode::invalid_argument, "wedge swipe: " + std::move(message));
}

TrackResult reader_failed(int number) {
  return failed(number, TrackStatus::reader_error,
                "the reader reported track " + std::to_string(number) + " as failed (E marker)");
}

// Which track a segment starting with `c` is, given the lowest track that may still come;
// 0 when `c` starts no track.
int segment_track(char c, int next) {
  switch (c) {
    case '%':
      return 1;
    case ';':
      return std::max(next, 2);  // ';' is the start sentinel of tracks 2 and 3
    case '+':
      return 3;
    case 'E':
      return next;
    default:
      return 0;
  }
}

}  // namespace

Result<Swipe> parse_wedge_swipe(std::string_view line, const CardTokenizer* tokenizer) {
  if (line.size() > limits::wedge_line_bytes_max) {
    return make_error(ErrorCode::limit_exceeded, "wedge swipe: the line has " +
                                                     std::to_string(line.size()) +
                                                     " bytes; limits::wedge_line_bytes_max is " +
                                                     std::to_string(limits::wedge_line_bytes_max));
  }
  std::string_view body = line;
  if (body.ends_with("\r\n")) {
    body.remove_suffix(2);
  } else if (body.ends_with('\r') || body.ends_with('\n')) {
    body.remove_suffix(1);
  } else {
    return line_error("no CR or LF at the end of the line: the swipe is incomplete");
  }
  if (body.empty()) return line_error("the line holds no track");

  Swipe swipe;
  int next = 1;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const char c = body[pos];
    const int number = segment_track(c, next);
    if (number == 0) {
      return line_error("byte " + hex_byte(static_cast<unsigned char>(c)) + " at position " +
                        std::to_string(pos) + " starts no track (expected '%', ';', '+' or 'E')");
    }
    if (number > 3) return line_error("more than three tracks, at position " + std::to_string(pos));
    if (number < next) {
      return line_error("track " + std::to_string(number) + " out of order at position " +
                        std::to_string(pos));
    }
    next = number + 1;
    if (c == 'E') {
      swipe.track(number) = reader_failed(number);
      ++pos;
      continue;
    }
    const std::size_t end = body.find('?', pos + 1);
    const std::size_t stop = end == std::string_view::npos ? body.size() : end + 1;
    std::string segment(body.substr(pos, stop - pos));
    pos = stop;
    if (segment.size() == 3 && segment[1] == 'E' && segment[2] == '?') {
      swipe.track(number) = reader_failed(number);
      continue;
    }
    if (c == '+') segment[0] = ';';  // the wedge's track 3 marker; the track itself is ISO
    swipe.track(number) = check_track_chars(number, segment);
  }
  withhold_payment_card(swipe, tokenizer);
  return swipe;
}

}  // namespace loyalty::drivers
