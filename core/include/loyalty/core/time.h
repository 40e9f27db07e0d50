// Time for the loyalty rules: instants as Unix seconds, civil dates in the proleptic Gregorian
// calendar (computed with std::chrono's calendar types), RFC 3339 text (a strict subset), and
// local dates and midnights at a fixed UTC offset.
//
// There is no time zone database here: local time follows a TimeZone passed in (time_zone.h),
// and the fixed-offset functions below are that with a FixedOffsetZone. Nothing reads the clock;
// callers pass the current time in.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

// The largest UTC offset accepted anywhere (RFC 3339 allows up to ±23:59, real zones stay within
// ±14:00; ISO 8601 profiles commonly bound it at ±18:00).
inline constexpr int utc_offset_minutes_max = 18 * 60;

// An instant: seconds since 1970-01-01T00:00:00Z, leap seconds not counted (Unix time).
// A plain value; thread-safe to copy and compare.
struct Timestamp {
  std::int64_t unix_seconds = 0;

  auto operator<=>(const Timestamp&) const = default;
};

// Arithmetic on instants. Overflowing int64 is a bug (LOYALTY_ASSERT).
Timestamp plus_seconds(Timestamp at, std::int64_t seconds);
Timestamp plus_days(Timestamp at, std::int64_t days);  // days of exactly 86400 seconds

// A date in the proleptic Gregorian calendar, month 1..12, day 1..31. A plain value; it may hold
// an invalid date (see is_valid_date). Orders chronologically.
struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;

  auto operator<=>(const CivilDate&) const = default;
};

// Years -32767..32767 (std::chrono::year's range; LOYALTY_ASSERT).
bool is_leap_year(int year);
// Days in the month (28..31); month must be 1..12 (LOYALTY_ASSERT).
int days_in_month(int year, int month);
// False for a year outside -32767..32767 too.
bool is_valid_date(CivilDate date);

// Days since 1970-01-01 (negative before it). Requires a year in -32767..32767, month 1..12 and
// day 1..31 (LOYALTY_ASSERT); a day past the end of the month counts on into the next month.
std::int64_t days_from_civil(CivilDate date);
// The inverse of days_from_civil. The year must fit in int (LOYALTY_ASSERT), which holds for
// |days| < 700 billion.
CivilDate civil_from_days(std::int64_t days);
// ISO weekday of a day counted from 1970-01-01: 1 = Monday .. 7 = Sunday.
int iso_weekday_from_days(std::int64_t days);

// Parses exactly YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS+HH:MM / -HH:MM (offset up to
// ±18:00), years 1970..9999, no fractional seconds, no leap second, uppercase T and Z only.
// Errors are ErrorCode::parse_error with a message that quotes the text, names the problem and
// shows the expected form:
//   "2026-13-01T00:00:00Z" is not a valid time: month 13 is out of range (expected
//   YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)
Result<Timestamp> parse_timestamp(std::string_view text);

// UTC, YYYY-MM-DDTHH:MM:SSZ. Defined for every Timestamp; years outside 0..9999 are written with
// as many digits as needed and a '-' sign if negative (parse_timestamp accepts 1970..9999 only).
std::string format_timestamp(Timestamp at);

// Parses exactly YYYY-MM-DD, years 0001..9999 (dates of birth predate 1970). Errors as for
// parse_timestamp, e.g. "2025-02-29" is not a valid date: day 29 is out of range: February 2025
// has 28 days (expected YYYY-MM-DD).
Result<CivilDate> parse_date(std::string_view text);

// YYYY-MM-DD; years outside 0..9999 as in format_timestamp.
std::string format_date(CivilDate date);

// An instant seen on a clock at a fixed UTC offset. A plain value.
struct LocalTime {
  CivilDate date;
  int iso_weekday = 4;    // 1 = Monday .. 7 = Sunday
  int minute_of_day = 0;  // 0..1439

  bool operator==(const LocalTime&) const = default;
};

// The local date, weekday and minute of `at` at utc_offset_minutes (east of UTC positive).
// |utc_offset_minutes| <= utc_offset_minutes_max (LOYALTY_ASSERT). For a real zone, whose offset
// changes, use the TimeZone overloads in time_zone.h.
LocalTime to_local(Timestamp at, int utc_offset_minutes);

// The UTC instant of local midnight `days` days after the local date of `at`: days = 0 is the
// start of the local day of `at`, days = 1 the next local midnight. days may be negative.
Timestamp local_midnight_after_days(Timestamp at, int utc_offset_minutes, int days);

}  // namespace loyalty
