#include "loyalty/sync/backoff.h"

#include <algorithm>

namespace loyalty::sync::client {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  std::int64_t cap = initial_.count();
  for (int i = 0; i < failures_ && cap < max_.count(); ++i) cap *= 2;
  cap = std::min(cap, static_cast<std::int64_t>(max_.count()));
  if (failures_ < 62) ++failures_;
  std::uniform_int_distribution<std::int64_t> jitter(cap / 2, cap);
  return std::chrono::milliseconds(jitter(random_));
}

}  // namespace loyalty::sync::client
