// Keyboard-wedge swipe lines: `%T1?;T2?+T3?` and CR or LF, `E` for a failed track, an optional
// LRC character after each end sentinel, an AAMVA track 3 starting with '#' or '%'.
#include "loyalty/drivers/magstripe/wedge_swipe.h"

#include <algorithm>
#include <optional>
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

// Bytes that begin a segment of the line: a track's start sentinel, the wedge's track 3 marker,
// an AAMVA track 3, or the E of a failed track.
bool starts_segment(char c) { return c == '%' || c == ';' || c == '+' || c == '#' || c == 'E'; }

// Which track a segment starting with `c` is, given the lowest track that may still come;
// 0 when `c` starts no track.
int segment_track(char c, int next) {
  switch (c) {
    case '%':
      return next <= 1 ? 1 : 3;  // after track 1: an AAMVA track 3 in the track 1 alphabet
    case ';':
      return std::max(next, 2);  // ';' is the start sentinel of tracks 2 and 3
    case '+':
    case '#':
      return 3;
    case 'E':
      return next;
    default:
      return 0;
  }
}

// Whether the byte at `at` is the LRC of the segment before it, whose LRC character is `expected`
// when the segment is a valid track. A byte of the track's set that starts no segment is an LRC
// (matching or not: check_track_text decides); a byte that could start a segment is one only when
// it is the expected LRC and what follows it starts a segment or ends the line.
bool is_lrc_byte(std::string_view body, std::size_t at, const TrackFormat& format,
                 std::optional<char> expected) {
  if (at >= body.size()) return false;
  const char c = body[at];
  if (!detail::in_charset(format, static_cast<unsigned char>(c))) return false;
  if (!starts_segment(c)) return true;
  return expected == c && (at + 1 == body.size() || starts_segment(body[at + 1]));
}

// The expected LRC character of `segment` read as track `number`, when it is a valid track.
std::optional<char> expected_lrc(int number, std::string_view segment) {
  if (detail::is_other_format_track3(number, segment)) return std::nullopt;
  const Result<char> lrc = track_lrc(number, segment);
  return lrc.ok() ? std::optional<char>(*lrc) : std::nullopt;
}

// The track segments of a line, read one by one.
class SegmentReader {
 public:
  explicit SegmentReader(std::string_view body) : body_(body) {}

  bool done() const { return pos_ >= body_.size(); }

  // Reads the next segment into `swipe`, or fails for the whole line.
  Status read_next(Swipe& swipe);

 private:
  Status read_framed(int number, char first, Swipe& swipe);

  std::string_view body_;
  std::size_t pos_ = 0;
  int next_ = 1;
};

Status SegmentReader::read_next(Swipe& swipe) {
  const char c = body_[pos_];
  const int number = segment_track(c, next_);
  if (number == 0) {
    return line_error("byte " + hex_byte(static_cast<unsigned char>(c)) + " at position " +
                      std::to_string(pos_) +
                      " starts no track (expected '%', ';', '+', '#' or 'E')");
  }
  if (number > 3) return line_error("more than three tracks, at position " + std::to_string(pos_));
  if (number < next_) {
    return line_error("track " + std::to_string(number) + " out of order at position " +
                      std::to_string(pos_));
  }
  next_ = number + 1;
  if (c == 'E') {
    swipe.track(number) = reader_failed(number);
    ++pos_;
    return {};
  }
  return read_framed(number, c, swipe);
}

Status SegmentReader::read_framed(int number, char first, Swipe& swipe) {
  const std::size_t end = body_.find('?', pos_ + 1);
  const std::size_t stop = end == std::string_view::npos ? body_.size() : end + 1;
  std::string segment(body_.substr(pos_, stop - pos_));
  pos_ = stop;
  if (first == '+') segment[0] = ';';  // the wedge's track 3 marker; the track itself is ISO
  const bool marker = segment.size() == 3 && segment[1] == 'E' && segment[2] == '?';
  // An AAMVA track 3 is in the track 1 alphabet; its LRC, if sent, is a character of that set.
  const bool other = detail::is_other_format_track3(number, segment);
  const TrackFormat& format = track_format(other ? 1 : number);
  if (end != std::string_view::npos &&
      is_lrc_byte(body_, pos_, format, marker ? std::nullopt : expected_lrc(number, segment))) {
    segment += body_[pos_++];
  }
  swipe.track(number) = marker ? reader_failed(number) : check_track_text(number, segment);
  detail::wipe(segment);
  return {};
}

}  // namespace

Result<Swipe> parse_wedge_swipe(std::string_view line, const BankCardRule& rule) {
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
  SegmentReader reader(body);
  for (std::size_t segments = 0; !reader.done(); ++segments) {
    LOYALTY_ASSERT(segments <= 3);  // a fourth is a line error before it is read
    const Status read = reader.read_next(swipe);
    if (!read.ok()) {
      for (TrackResult& t : swipe.tracks) detail::wipe(t.raw);
      return read.error();
    }
  }
  withhold_payment_card(swipe, rule);
  return swipe;
}

}  // namespace loyalty::drivers
