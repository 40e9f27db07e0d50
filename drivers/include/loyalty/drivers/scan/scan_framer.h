// Framing of the character stream of keyboard-wedge scanners, wedge magstripe lines and serial
// scanners: where one scan starts and ends.
//
//   [garbage] prefix [AIM id] label suffix      e.g. "\x02" "]E0" "4006381333931" "\r"
//
//   - prefix: bytes the scanner is configured to send first (may be empty). Bytes before it are
//     discarded and counted (counters().bytes_before_prefix): noise, a scan cut by a reconnect.
//   - AIM id (ISO/IEC 15424, aim.h): when the scanner transmits it, "]Xm" is split off the label.
//   - suffix: CR (the default), CR LF, LF, TAB or none.
//   - idle timeout: a scan whose suffix has not come ends when no byte arrived for
//     idle_timeout_ms (ScanFrame::end says so). This is how a scanner without a suffix is framed.
//     A trailing part of the suffix (the CR of a CR LF) is removed from such a scan.
//   - a label longer than label_bytes_max is an error (limit_exceeded) as soon as it overflows;
//     the rest is skipped up to the next suffix (or the next pause when there is no suffix).
//   - an empty scan (a bare suffix) is dropped and counted (counters().empty_frames).
//
// Time comes from the caller (monotonic milliseconds, e.g. the event loop's clock): no clock is
// read and no timer is owned. An event loop calls feed() with each chunk read, arms a timer for
// deadline_ms(), and calls poll() when it fires. Frames hold the scanned bytes as they are: the
// label is untrusted (see scan_sanitizer.h) and, for a magstripe line, may be a payment card's
// tracks: hand it to parse_wedge_swipe(), never to a log.
//
// Thread-safety: a plain value with no locks; one per device, used from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/scan/aim.h"

namespace loyalty::drivers {

enum class ScanSuffix { cr, crlf, lf, tab, none };

// "cr", "crlf", "lf", "tab", "none".
const char* scan_suffix_name(ScanSuffix suffix);
// The suffix's bytes ("\r", "\r\n", "\n", "\t", "").
std::string_view scan_suffix_bytes(ScanSuffix suffix);

struct ScanFramerOptions {
  std::string prefix;  // at most limits::scan_prefix_bytes_max bytes; empty: none
  ScanSuffix suffix = ScanSuffix::cr;
  std::int64_t idle_timeout_ms = limits::scan_idle_timeout_ms_default;  // > 0
  std::size_t label_bytes_max = limits::scan_label_bytes_max;  // 1..limits::scan_label_bytes_max
  bool aim_id = false;  // the scanner sends an AIM id before each label
};

// invalid_argument naming the option: a prefix too long or containing a byte of the suffix, an
// idle timeout <= 0, a label_bytes_max of 0 or above the limit.
Status validate_scan_framer_options(const ScanFramerOptions& options);

enum class FrameEnd {
  suffix,  // the configured suffix came
  idle,    // no byte for idle_timeout_ms (poll(), or the next feed() after the pause)
  flush,   // the caller ended it (flush(): the device is closing)
};
const char* frame_end_name(FrameEnd end);

struct ScanFrame {
  std::string label;              // AIM id, prefix and suffix removed
  std::optional<AimId> aim;       // when options.aim_id
  std::vector<std::uint8_t> raw;  // prefix, AIM id, label and suffix as received (UPOS ScanData)
  FrameEnd end = FrameEnd::suffix;

  // "]E0", or "" without an AIM id (as ScanEventFields::aim_id wants it).
  std::string aim_id() const { return aim ? aim->to_string() : std::string(); }
};

struct ScanFramerCounters {
  std::uint64_t frames = 0;               // frames returned
  std::uint64_t bytes_before_prefix = 0;  // discarded while looking for the prefix
  std::uint64_t empty_frames = 0;         // suffix or pause with no label: dropped
  std::uint64_t overflows = 0;            // labels over label_bytes_max
  std::uint64_t bytes_skipped = 0;        // skipped after an overflow
  std::uint64_t missing_aim = 0;          // frames without the expected AIM id
};

// Splits one device's byte stream into scans (see the top of this file). Owns its options and
// the bytes of the pending scan. Not thread-safe: one per device, fed from its event loop.
class ScanFramer {
 public:
  // The options must pass validate_scan_framer_options() (a bug otherwise).
  explicit ScanFramer(ScanFramerOptions options = {});

  // Bytes received at now_ms. Returns what they completed, in order: frames, and errors
  // (limit_exceeded for an overflow; invalid_argument for a frame without its expected AIM id).
  // A pause of idle_timeout_ms or more before the first byte ends the pending scan first. Empty
  // bytes do nothing (not even count as activity), so a key event that typed nothing may be fed.
  std::vector<Result<ScanFrame>> feed(std::string_view bytes, std::int64_t now_ms);

  // Ends the pending scan when its idle timeout has passed at now_ms (now_ms >= deadline_ms()).
  std::optional<Result<ScanFrame>> poll(std::int64_t now_ms);

  // When poll() should next be called: the pending scan's idle deadline; nullopt when nothing is
  // pending.
  std::optional<std::int64_t> deadline_ms() const;

  // Ends the pending scan now (FrameEnd::flush), e.g. before closing the device.
  std::optional<Result<ScanFrame>> flush();

  // Drops the pending scan without a result (counters are kept).
  void reset();

  const ScanFramerCounters& counters() const { return counters_; }
  const ScanFramerOptions& options() const { return options_; }

 private:
  enum class State { seeking_prefix, in_scan, skipping };

  std::optional<Result<ScanFrame>> push(unsigned char byte);
  std::optional<Result<ScanFrame>> end_scan(FrameEnd end);
  std::optional<Result<ScanFrame>> complete(FrameEnd end);
  bool pending() const;
  void start_over();

  ScanFramerOptions options_;
  std::string_view suffix_;
  State state_ = State::seeking_prefix;
  std::string prefix_seen_;  // bytes matching the start of the prefix so far
  std::string body_;         // AIM id + label (+ a partial suffix) of the current scan
  std::string tail_;         // the last bytes while skipping, to find the suffix
  std::int64_t last_byte_ms_ = 0;
  ScanFramerCounters counters_;
};

}  // namespace loyalty::drivers
