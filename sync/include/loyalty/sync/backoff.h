// Exponential backoff with jitter for the sync client's retries.
//
// The n-th wait after a failure is drawn uniformly from [cap/2, cap], cap = min(max, initial·2^n)
// ("equal jitter"): thousands of terminals coming back after a store-wide outage spread out
// instead of reconnecting in lockstep, and a wait never shrinks below half its step. A success
// resets the sequence.
//
// Thread-safety: one thread (each loop owns its Backoff).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace loyalty::sync::client {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);
  // The wait before the next attempt; each call doubles the cap, up to max.
  std::chrono::milliseconds next();
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace loyalty::sync::client
