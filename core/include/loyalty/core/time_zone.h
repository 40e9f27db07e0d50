// Store-local time: the offset from UTC that a store's clocks show at each instant, and the
// conversions between instants and local dates, times of day and midnights that the rules need
// (schedules, birthdays, activation midnights, expiry, tier reviews, days away).
//
// Core holds no time zone database: a TimeZone is passed in. FixedOffsetZone (here) serves tests
// and programs that really want a fixed offset; the edge passes a tzdata-backed zone
// (loyalty::environment, environment/include/loyalty/environment/tzdb_zone.h), so the offset of a
// midnight 14 days from now is the offset in force then, not now.
//
// Local times that do not exist or exist twice. At a change of offset the clocks jump: forward
// (a gap: the local times in it never happen) or back (an overlap: they happen twice). Turning a
// local time into an instant resolves both:
//   - in a gap, the time is moved later by the length of the gap (a midnight that the clocks skip
//     at 00:00 -> 01:00 becomes 01:00, the instant the day actually starts);
//   - in an overlap, the earlier of the two instants is taken (the first time the clocks show it).
// Both results are the local time read with the offset in force before the change.
//
// Thread-safety: TimeZone implementations must be safe to call from several threads at once
// (the ones here and in loyalty::environment are immutable). The functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "loyalty/core/time.h"

namespace loyalty {

// The largest UTC offset a TimeZone may report, in seconds (time.h's utc_offset_minutes_max).
inline constexpr std::int32_t utc_offset_seconds_max = utc_offset_minutes_max * 60;

// A store's time zone: which UTC offset its clocks show at each instant. Implementations are
// immutable and thread-safe; callers borrow them (QuoteEnvironment, engine.h).
class TimeZone {
 public:
  virtual ~TimeZone() = default;

  // Seconds east of UTC in force at `at`: 3600 for Europe/Berlin in winter, 7200 in summer.
  // Must be within +-utc_offset_seconds_max (callers assert it).
  virtual std::int32_t utc_offset_seconds_at(Timestamp at) const = 0;
  // The zone's name for messages: "Europe/Berlin", "UTC+01:00".
  virtual std::string_view name() const = 0;
};

// A zone whose offset never changes. A plain value; its name is "UTC", or "UTC+01:00",
// "UTC-05:30" and so on.
class FixedOffsetZone final : public TimeZone {
 public:
  // |utc_offset_minutes| <= utc_offset_minutes_max (LOYALTY_ASSERT).
  explicit FixedOffsetZone(int utc_offset_minutes);

  std::int32_t utc_offset_seconds_at(Timestamp) const override { return offset_seconds_; }
  std::string_view name() const override { return {name_.data(), name_length_}; }

 private:
  std::int32_t offset_seconds_ = 0;
  std::array<char, 12> name_{};  // "UTC+HH:MM", held inline so that a zone never allocates
  std::size_t name_length_ = 0;
};

// The local date, weekday and minute of `at` in `zone`.
LocalTime to_local(Timestamp at, const TimeZone& zone);

// The instant at which the clocks of `zone` show `date` at `second_of_day` (0..86399), resolved
// as the header comment says when that local time does not exist or exists twice.
Timestamp from_local(CivilDate date, std::int64_t second_of_day, const TimeZone& zone);

// The instant of the local midnight `days` days after the local date of `at`: days = 0 is the
// start of the local day of `at`, days = 1 the next local midnight. days may be negative. Each
// midnight is read with the offset in force at that midnight.
Timestamp local_midnight_after_days(Timestamp at, const TimeZone& zone, std::int64_t days);

// The instant `days` local days after `at` at the same local time of day (so 365 days after a
// local midnight is a local midnight, whatever the offsets in between).
Timestamp plus_local_days(Timestamp at, const TimeZone& zone, std::int64_t days);

// Local calendar days from the local date of `from` to the local date of `to` (negative when
// `to` is on an earlier local date): 23:50 and 00:10 the next local day are 1 day apart.
std::int64_t local_days_between(Timestamp from, Timestamp to, const TimeZone& zone);

}  // namespace loyalty
