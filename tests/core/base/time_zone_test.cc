// Local time in a TimeZone whose offset changes (a fake zone with one change forward and one
// back, each at a local midnight or at 02:00), and FixedOffsetZone.
#include "loyalty/core/time_zone.h"

#include <catch2/catch.hpp>
#include <string>

using namespace loyalty;

namespace {

Timestamp at(const char* iso) { return *parse_timestamp(iso); }
std::string text(Timestamp t) { return format_timestamp(t); }

// +01:00, then +02:00 from `forward`, then +01:00 again from `back`.
class TwoChangeZone final : public TimeZone {
 public:
  TwoChangeZone(Timestamp forward, Timestamp back) : forward_(forward), back_(back) {}
  std::int32_t utc_offset_seconds_at(Timestamp t) const override {
    return (forward_ <= t && t < back_) ? 7200 : 3600;
  }
  std::string_view name() const override { return "Test/TwoChanges"; }

 private:
  Timestamp forward_;
  Timestamp back_;
};

}  // namespace

TEST_CASE("FixedOffsetZone names itself and never changes", "[time_zone]") {
  CHECK(FixedOffsetZone(0).name() == "UTC");
  CHECK(FixedOffsetZone(60).name() == "UTC+01:00");
  CHECK(FixedOffsetZone(-330).name() == "UTC-05:30");
  CHECK(FixedOffsetZone(840).name() == "UTC+14:00");
  CHECK(FixedOffsetZone(180).utc_offset_seconds_at(Timestamp{0}) == 10800);
  CHECK(to_local(at("2026-11-22T12:00:00Z"), FixedOffsetZone(180)) ==
        LocalTime{CivilDate{2026, 11, 22}, 7, 15 * 60});
}

TEST_CASE("changes at 02:00: the gap moves later, the overlap takes the earlier", "[time_zone]") {
  // Forward at 2026-03-29 02:00 local (01:00Z), back at 2026-10-25 03:00 local (01:00Z).
  const TwoChangeZone zone(at("2026-03-29T01:00:00Z"), at("2026-10-25T01:00:00Z"));
  CHECK(text(from_local({2026, 3, 29}, 2 * 3600 + 600, zone)) == "2026-03-29T01:10:00Z");  // 03:10
  CHECK(text(from_local({2026, 3, 29}, 1 * 3600 + 59 * 60, zone)) == "2026-03-29T00:59:00Z");
  CHECK(text(from_local({2026, 3, 29}, 3 * 3600, zone)) == "2026-03-29T01:00:00Z");
  CHECK(text(from_local({2026, 10, 25}, 2 * 3600 + 600, zone)) == "2026-10-25T00:10:00Z");
  CHECK(text(from_local({2026, 10, 25}, 3 * 3600, zone)) == "2026-10-25T02:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-03-28T12:00:00Z"), zone, 1)) ==
        "2026-03-28T23:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-03-28T12:00:00Z"), zone, 2)) ==
        "2026-03-29T22:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-03-28T12:00:00Z"), zone, -1)) ==
        "2026-03-26T23:00:00Z");
  // 365 local days keep the time of day: a winter midnight gives a winter midnight.
  CHECK(text(plus_local_days(at("2026-01-10T23:00:00Z"), zone, 365)) == "2027-01-10T23:00:00Z");
  CHECK(text(plus_local_days(at("2026-03-28T23:00:00Z"), zone, 1)) == "2026-03-29T22:00:00Z");
  CHECK(local_days_between(at("2026-03-28T22:59:00Z"), at("2026-03-28T23:00:00Z"), zone) == 1);
  CHECK(local_days_between(at("2026-10-25T00:00:00Z"), at("2026-03-28T23:00:00Z"), zone) == -210);
}

TEST_CASE("changes at midnight: a missing midnight starts the day when the clocks jump",
          "[time_zone]") {
  // Forward at local 2026-09-06 00:00 (+01:00, so 2026-09-05T23:00Z): 00:00 -> 01:00.
  // Back at local 2026-10-04 00:00 summer time (2026-10-03T22:00Z): 00:00 -> 23:00 the day before.
  const TwoChangeZone zone(at("2026-09-05T23:00:00Z"), at("2026-10-03T22:00:00Z"));
  CHECK(text(from_local({2026, 9, 6}, 0, zone)) == "2026-09-05T23:00:00Z");
  CHECK(to_local(at("2026-09-05T23:00:00Z"), zone).minute_of_day == 60);
  CHECK(text(local_midnight_after_days(at("2026-09-05T12:00:00Z"), zone, 1)) ==
        "2026-09-05T23:00:00Z");
  // 23:30 on 3 October happens twice: first at +02:00.
  CHECK(text(from_local({2026, 10, 3}, 23 * 3600 + 1800, zone)) == "2026-10-03T21:30:00Z");
  CHECK(text(from_local({2026, 10, 4}, 0, zone)) == "2026-10-03T23:00:00Z");
  // The day of 3 October lasts 25 hours.
  CHECK(local_midnight_after_days(at("2026-10-03T12:00:00Z"), zone, 1).unix_seconds -
            local_midnight_after_days(at("2026-10-03T12:00:00Z"), zone, 0).unix_seconds ==
        25 * 3600);
}
