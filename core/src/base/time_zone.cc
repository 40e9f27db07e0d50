// Local time in a TimeZone (time_zone.h), and the fixed-offset functions of time.h.
#include "loyalty/core/time_zone.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

#include "loyalty/core/result.h"

namespace loyalty {

namespace {

constexpr std::int64_t seconds_per_day = 86400;
// Local seconds this far from the int64 edges still leave room for a day and any offset.
constexpr std::int64_t local_seconds_magnitude_max = std::numeric_limits<std::int64_t>::max() / 4;

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor < 0) ? quotient - 1 : quotient;
}

std::int64_t offset_at(const TimeZone& zone, std::int64_t unix_seconds) {
  const std::int32_t offset = zone.utc_offset_seconds_at(Timestamp{unix_seconds});
  LOYALTY_ASSERT(offset >= -utc_offset_seconds_max && offset <= utc_offset_seconds_max);
  return offset;
}

// Seconds since 1970-01-01T00:00 as the clocks of `zone` show `at`.
std::int64_t local_seconds_of(Timestamp at, const TimeZone& zone) {
  LOYALTY_ASSERT(at.unix_seconds >= -local_seconds_magnitude_max &&
                 at.unix_seconds <= local_seconds_magnitude_max);
  return at.unix_seconds + offset_at(zone, at.unix_seconds);
}

// The instant the clocks of `zone` show local_seconds. An offset `o` fits when the instant
// local - o has offset o. Real zones change offset at most once within a day on either side of
// any instant, so the offsets a day before and a day after are the only candidates: both fit in
// an overlap (take the earlier instant), one fits normally, none fits in a gap (read the time
// with the offset before the change, which moves it later by the gap's length).
Timestamp resolve_local(std::int64_t local_seconds, const TimeZone& zone) {
  LOYALTY_ASSERT(local_seconds >= -local_seconds_magnitude_max &&
                 local_seconds <= local_seconds_magnitude_max);
  const std::int64_t before = offset_at(zone, local_seconds - seconds_per_day);
  const std::int64_t after = offset_at(zone, local_seconds + seconds_per_day);
  const auto fits = [&](std::int64_t offset) {
    return offset_at(zone, local_seconds - offset) == offset;
  };
  if (before == after && fits(before)) return Timestamp{local_seconds - before};  // most days
  const bool before_fits = before != after && fits(before);
  const bool after_fits = before != after && fits(after);
  if (before_fits && after_fits) {
    return Timestamp{std::min(local_seconds - before, local_seconds - after)};
  }
  if (before_fits) return Timestamp{local_seconds - before};
  if (after_fits) return Timestamp{local_seconds - after};
  // A zone that changed twice within the two days (an offset in force for less than a day).
  const std::int64_t between = offset_at(zone, local_seconds - before);
  if (between != before && fits(between)) return Timestamp{local_seconds - between};
  return Timestamp{local_seconds - before};  // a gap
}

std::int64_t local_day_of(Timestamp at, const TimeZone& zone) {
  return floor_div(local_seconds_of(at, zone), seconds_per_day);
}

void append_two_digits(std::array<char, 12>& out, std::size_t& length, int value) {
  out[length++] = static_cast<char>('0' + value / 10);
  out[length++] = static_cast<char>('0' + value % 10);
}

}  // namespace

FixedOffsetZone::FixedOffsetZone(int utc_offset_minutes) {
  LOYALTY_ASSERT(utc_offset_minutes >= -utc_offset_minutes_max &&
                 utc_offset_minutes <= utc_offset_minutes_max);
  offset_seconds_ = utc_offset_minutes * 60;
  for (char c : std::string_view("UTC")) name_[name_length_++] = c;
  if (utc_offset_minutes == 0) return;
  name_[name_length_++] = utc_offset_minutes < 0 ? '-' : '+';
  const int magnitude = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  append_two_digits(name_, name_length_, magnitude / 60);
  name_[name_length_++] = ':';
  append_two_digits(name_, name_length_, magnitude % 60);
  LOYALTY_ASSERT(name_length_ == 9);
}

LocalTime to_local(Timestamp at, const TimeZone& zone) {
  const std::int64_t local_seconds = local_seconds_of(at, zone);
  const std::int64_t days = floor_div(local_seconds, seconds_per_day);
  const std::int64_t second_of_day = local_seconds - days * seconds_per_day;
  LocalTime local;
  local.date = civil_from_days(days);
  local.iso_weekday = iso_weekday_from_days(days);
  local.minute_of_day = static_cast<int>(second_of_day / 60);
  LOYALTY_ASSERT(local.minute_of_day >= 0 && local.minute_of_day < 24 * 60);
  return local;
}

Timestamp from_local(CivilDate date, std::int64_t second_of_day, const TimeZone& zone) {
  LOYALTY_ASSERT(is_valid_date(date));
  LOYALTY_ASSERT(second_of_day >= 0 && second_of_day < seconds_per_day);
  return resolve_local(days_from_civil(date) * seconds_per_day + second_of_day, zone);
}

Timestamp local_midnight_after_days(Timestamp at, const TimeZone& zone, std::int64_t days) {
  LOYALTY_ASSERT(days >= -local_seconds_magnitude_max / seconds_per_day &&
                 days <= local_seconds_magnitude_max / seconds_per_day);
  return resolve_local((local_day_of(at, zone) + days) * seconds_per_day, zone);
}

Timestamp plus_local_days(Timestamp at, const TimeZone& zone, std::int64_t days) {
  LOYALTY_ASSERT(days >= -local_seconds_magnitude_max / seconds_per_day &&
                 days <= local_seconds_magnitude_max / seconds_per_day);
  return resolve_local(local_seconds_of(at, zone) + days * seconds_per_day, zone);
}

std::int64_t local_days_between(Timestamp from, Timestamp to, const TimeZone& zone) {
  return local_day_of(to, zone) - local_day_of(from, zone);
}

LocalTime to_local(Timestamp at, int utc_offset_minutes) {
  return to_local(at, FixedOffsetZone(utc_offset_minutes));
}

Timestamp local_midnight_after_days(Timestamp at, int utc_offset_minutes, int days) {
  return local_midnight_after_days(at, FixedOffsetZone(utc_offset_minutes), days);
}

}  // namespace loyalty
