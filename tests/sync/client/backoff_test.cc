// Backoff: equal jitter within [cap/2, cap], the cap doubling to its max, reset on success.
#include "loyalty/sync/backoff.h"

#include <catch2/catch.hpp>
#include <set>

using loyalty::sync::client::Backoff;
using std::chrono::milliseconds;

TEST_CASE("backoff waits grow by doubling within jittered bounds, up to the max",
          "[sync][client]") {
  Backoff backoff(milliseconds(500), milliseconds(8000), 42);
  const std::int64_t caps[] = {500, 1000, 2000, 4000, 8000, 8000, 8000};
  for (std::int64_t cap : caps) {
    const std::int64_t wait = backoff.next().count();
    CHECK(wait >= cap / 2);
    CHECK(wait <= cap);
  }
  CHECK(backoff.failures() == 7);
  backoff.reset();
  CHECK(backoff.failures() == 0);
  const std::int64_t first = backoff.next().count();
  CHECK(first >= 250);
  CHECK(first <= 500);
}

TEST_CASE("backoff jitter spreads terminals that failed together", "[sync][client]") {
  // A hundred terminals with different seeds, all at their fifth failure: their waits differ.
  std::set<std::int64_t> waits;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    Backoff backoff(milliseconds(500), milliseconds(60'000), seed);
    for (int i = 0; i < 4; ++i) backoff.next();
    waits.insert(backoff.next().count());
  }
  CHECK(waits.size() > 80);
  CHECK(*waits.begin() >= 4000);
  CHECK(*waits.rbegin() <= 8000);
}

TEST_CASE("backoff never overflows after many failures", "[sync][client]") {
  Backoff backoff(milliseconds(500), milliseconds(60'000), 7);
  for (int i = 0; i < 200; ++i) {
    const std::int64_t wait = backoff.next().count();
    REQUIRE(wait >= 250);
    REQUIRE(wait <= 60'000);
  }
  CHECK(backoff.next().count() >= 30'000);
}
