// The uplink's progress through a backlog: the rate of acknowledged events over a sliding
// window, and from it the time left.
//
// Thread-safety: one thread (the uplink's).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace loyalty::sync::client {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Progress(std::chrono::milliseconds window = std::chrono::seconds(10))
      : window_(window) {}
  // `events` more were acknowledged at `at`.
  void acknowledged(std::int64_t events, Clock::time_point at);
  // Events per second over the window (0 with fewer than two samples).
  std::int64_t rate_per_second(Clock::time_point now) const;
  // Seconds to ship `backlog` at the current rate; nullopt while the rate is unknown.
  std::optional<std::int64_t> eta_seconds(std::int64_t backlog, Clock::time_point now) const;

 private:
  struct Sample {
    Clock::time_point at;
    std::int64_t events;
  };
  void trim(Clock::time_point now);
  std::chrono::milliseconds window_;
  std::deque<Sample> samples_;
};

}  // namespace loyalty::sync::client
