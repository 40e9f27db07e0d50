// Progress: the rate over the window and the time left.
#include "loyalty/sync/sync_progress.h"

#include <catch2/catch.hpp>

using loyalty::sync::client::Progress;
using std::chrono::milliseconds;

TEST_CASE("progress reports the recent rate and the time left", "[sync][client]") {
  Progress progress(milliseconds(10'000));
  const Progress::Clock::time_point t0{};
  CHECK(progress.rate_per_second(t0) == 0);
  CHECK_FALSE(progress.eta_seconds(100, t0).has_value());
  CHECK(progress.eta_seconds(0, t0) == 0);
  progress.acknowledged(500, t0);
  // 4 batches of 500 in 2 s after the first: 1000 events/s.
  for (int i = 1; i <= 4; ++i) progress.acknowledged(500, t0 + milliseconds(500 * i));
  CHECK(progress.rate_per_second(t0 + milliseconds(2000)) == 1000);
  CHECK(progress.eta_seconds(10'000, t0 + milliseconds(2000)) == 10);
  CHECK(progress.eta_seconds(10'001, t0 + milliseconds(2000)) == 11);  // rounded up
  // Nothing acknowledged for longer than the window: the rate is unknown again.
  CHECK(progress.rate_per_second(t0 + milliseconds(20'000)) == 0);
  CHECK_FALSE(progress.eta_seconds(5, t0 + milliseconds(20'000)).has_value());
}
