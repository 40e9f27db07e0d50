#include "loyalty/sync/sync_progress.h"

namespace loyalty::sync::client {

void Progress::trim(Clock::time_point now) {
  while (!samples_.empty() && now - samples_.front().at > window_) samples_.pop_front();
}

void Progress::acknowledged(std::int64_t events, Clock::time_point at) {
  samples_.push_back(Sample{at, events});
  trim(at);
}

std::int64_t Progress::rate_per_second(Clock::time_point now) const {
  if (samples_.size() < 2) return 0;
  const auto first = samples_.front().at;
  if (now - first > window_) return 0;  // stale: nothing acknowledged lately
  std::int64_t events = 0;
  for (std::size_t i = 1; i < samples_.size(); ++i) events += samples_[i].events;
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(now - first).count();
  if (span <= 0) return 0;
  return events * 1000 / span;
}

std::optional<std::int64_t> Progress::eta_seconds(std::int64_t backlog,
                                                  Clock::time_point now) const {
  if (backlog <= 0) return std::int64_t{0};
  const std::int64_t rate = rate_per_second(now);
  if (rate <= 0) return std::nullopt;
  return (backlog + rate - 1) / rate;
}

}  // namespace loyalty::sync::client
