#include "loyalty/core/time.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {
namespace {

// 2026-11-22T12:00:00Z: 20779 days after 1970-01-01, times 86400, plus 12 hours.
constexpr std::int64_t noon_2026_11_22 = 20779LL * 86400 + 12 * 3600;

std::int64_t seconds_of(std::string_view text) {
  Result<Timestamp> result = parse_timestamp(text);
  INFO("text: " << text);
  if (!result.ok()) FAIL("unexpected error: " << result.error().message);
  return result->unix_seconds;
}

std::string timestamp_error(std::string_view text) {
  Result<Timestamp> result = parse_timestamp(text);
  INFO("text: " << text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::parse_error);
  return result.error().message;
}

std::string date_error(std::string_view text) {
  Result<CivilDate> result = parse_date(text);
  INFO("text: " << text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::parse_error);
  return result.error().message;
}

// The message parse_timestamp gives for `text` with `problem`.
std::string time_message(std::string_view text, std::string_view problem) {
  return "\"" + std::string(text) + "\" is not a valid time: " + std::string(problem) +
         " (expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)";
}

std::string date_message(std::string_view text, std::string_view problem) {
  return "\"" + std::string(text) + "\" is not a valid date: " + std::string(problem) +
         " (expected YYYY-MM-DD)";
}

TEST_CASE("days_from_civil known values", "[time]") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({1970, 1, 2}) == 1);
  CHECK(days_from_civil({1969, 12, 31}) == -1);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  CHECK(days_from_civil({2024, 2, 29}) == 19782);
  CHECK(days_from_civil({2026, 11, 22}) == 20779);
  CHECK(days_from_civil({1900, 1, 1}) == -25567);
  CHECK(days_from_civil({1, 1, 1}) == -719162);
  CHECK(days_from_civil({0, 3, 1}) == -719468);
  CHECK(days_from_civil({9999, 12, 31}) == 2932896);
  // A day past the end of the month counts on.
  CHECK(days_from_civil({2025, 2, 29}) == days_from_civil({2025, 3, 1}));
}

TEST_CASE("civil_from_days known values", "[time]") {
  CHECK(civil_from_days(0) == CivilDate{1970, 1, 1});
  CHECK(civil_from_days(-1) == CivilDate{1969, 12, 31});
  CHECK(civil_from_days(19782) == CivilDate{2024, 2, 29});
  CHECK(civil_from_days(20779) == CivilDate{2026, 11, 22});
  CHECK(civil_from_days(-719468) == CivilDate{0, 3, 1});
  CHECK(civil_from_days(-719469) == CivilDate{0, 2, 29});
  CHECK(civil_from_days(-719529) == CivilDate{-1, 12, 31});
  CHECK(civil_from_days(2932896) == CivilDate{9999, 12, 31});
}

TEST_CASE("days_from_civil and civil_from_days round-trip over a wide range", "[time]") {
  // From 10000 BC to AD 12000, day by day: every date follows the previous one.
  const std::int64_t first = days_from_civil({-10000, 1, 1});
  const std::int64_t last = days_from_civil({12000, 12, 31});
  CivilDate previous = civil_from_days(first - 1);
  std::int64_t mismatches = 0;
  std::int64_t not_next = 0;
  for (std::int64_t days = first; days <= last; ++days) {
    const CivilDate date = civil_from_days(days);
    if (days_from_civil(date) != days || !is_valid_date(date)) ++mismatches;
    CivilDate expected_next{previous.year, previous.month, previous.day + 1};
    if (expected_next.day > days_in_month(previous.year, previous.month)) {
      expected_next = CivilDate{previous.year, previous.month + 1, 1};
      if (expected_next.month > 12) expected_next = CivilDate{previous.year + 1, 1, 1};
    }
    if (date != expected_next) ++not_next;
    previous = date;
  }
  CHECK(mismatches == 0);
  CHECK(not_next == 0);
  CHECK(previous == CivilDate{12000, 12, 31});
}

TEST_CASE("leap years and month lengths", "[time]") {
  CHECK(is_leap_year(2024));
  CHECK_FALSE(is_leap_year(2025));
  CHECK_FALSE(is_leap_year(1900));
  CHECK(is_leap_year(2000));
  CHECK(is_leap_year(0));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2025, 2) == 28);
  CHECK(days_in_month(2025, 4) == 30);
  CHECK(days_in_month(2025, 12) == 31);
  CHECK(is_valid_date({2024, 2, 29}));
  CHECK_FALSE(is_valid_date({2025, 2, 29}));
  CHECK_FALSE(is_valid_date({2025, 13, 1}));
  CHECK_FALSE(is_valid_date({2025, 0, 1}));
  CHECK_FALSE(is_valid_date({2025, 1, 0}));
}

TEST_CASE("weekdays of known dates", "[time]") {
  CHECK(iso_weekday_from_days(days_from_civil({1970, 1, 1})) == 4);    // Thursday
  CHECK(iso_weekday_from_days(days_from_civil({1969, 12, 31})) == 3);  // Wednesday
  CHECK(iso_weekday_from_days(days_from_civil({2000, 1, 1})) == 6);    // Saturday
  CHECK(iso_weekday_from_days(days_from_civil({2024, 2, 29})) == 4);   // Thursday
  CHECK(iso_weekday_from_days(days_from_civil({2026, 11, 22})) == 7);  // Sunday
  CHECK(iso_weekday_from_days(days_from_civil({2026, 11, 23})) == 1);  // Monday
  CHECK(iso_weekday_from_days(days_from_civil({1, 1, 1})) == 1);       // Monday
  CHECK(iso_weekday_from_days(days_from_civil({1900, 1, 1})) == 1);    // Monday
}

TEST_CASE("parse_timestamp known epoch values", "[time]") {
  CHECK(noon_2026_11_22 == 1795348800);
  CHECK(seconds_of("1970-01-01T00:00:00Z") == 0);
  CHECK(seconds_of("1970-01-01T00:00:01Z") == 1);
  CHECK(seconds_of("2026-11-22T12:00:00Z") == noon_2026_11_22);
  CHECK(seconds_of("2024-02-29T00:00:00Z") == 1709164800);
  CHECK(seconds_of("2024-02-29T23:59:59Z") == 1709164800 + 86399);
  CHECK(seconds_of("2000-03-01T00:00:00Z") == 11017LL * 86400);
  CHECK(seconds_of("9999-12-31T23:59:59Z") == 253402300799);
}

TEST_CASE("parse_timestamp offsets", "[time]") {
  CHECK(seconds_of("2026-11-22T15:00:00+03:00") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-22T06:30:00-05:30") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-22T12:00:00+00:00") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-22T12:00:00-00:00") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-23T01:45:00+13:45") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-23T06:00:00+18:00") == noon_2026_11_22);
  CHECK(seconds_of("2026-11-21T18:00:00-18:00") == noon_2026_11_22);
  // The local date may be 1970-01-01 with the instant before the epoch.
  CHECK(seconds_of("1970-01-01T00:00:00+01:00") == -3600);
}

TEST_CASE("parse_timestamp rejects invalid dates and times", "[time]") {
  CHECK(timestamp_error("2026-13-01T00:00:00Z") ==
        "\"2026-13-01T00:00:00Z\" is not a valid time: month 13 is out of range (expected "
        "YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)");
  CHECK(timestamp_error("2025-02-29T00:00:00Z") ==
        time_message("2025-02-29T00:00:00Z", "day 29 is out of range: February 2025 has 28 days"));
  CHECK(timestamp_error("2026-04-31T00:00:00Z") ==
        time_message("2026-04-31T00:00:00Z", "day 31 is out of range: April 2026 has 30 days"));
  CHECK(timestamp_error("2026-01-32T00:00:00Z") ==
        time_message("2026-01-32T00:00:00Z", "day 32 is out of range"));
  CHECK(timestamp_error("2026-01-00T00:00:00Z") ==
        time_message("2026-01-00T00:00:00Z", "day 0 is out of range"));
  CHECK(timestamp_error("2026-00-10T00:00:00Z") ==
        time_message("2026-00-10T00:00:00Z", "month 0 is out of range"));
  CHECK(timestamp_error("1969-12-31T23:59:59Z") ==
        time_message("1969-12-31T23:59:59Z", "year 1969 is before 1970"));
  CHECK(timestamp_error("2026-11-22T24:00:00Z") ==
        time_message("2026-11-22T24:00:00Z", "hour 24 is out of range"));
  CHECK(timestamp_error("2026-11-22T12:60:00Z") ==
        time_message("2026-11-22T12:60:00Z", "minute 60 is out of range"));
  CHECK(timestamp_error("2026-12-31T23:59:60Z") ==
        time_message("2026-12-31T23:59:60Z",
                     "second 60 is out of range; leap seconds are not supported"));
}

TEST_CASE("parse_timestamp rejects other forms", "[time]") {
  CHECK(timestamp_error("") == time_message("", "the text is empty"));
  CHECK(timestamp_error("2026-11-22T12:00:00.5Z") ==
        time_message("2026-11-22T12:00:00.5Z", "fractional seconds are not allowed"));
  CHECK(timestamp_error("2026-11-22T12:00:00,5Z") ==
        time_message("2026-11-22T12:00:00,5Z", "fractional seconds are not allowed"));
  CHECK(timestamp_error("2026-11-22t12:00:00Z") ==
        time_message("2026-11-22t12:00:00Z",
                     "the date and the time must be separated by an uppercase 'T'"));
  CHECK(timestamp_error("2026-11-22 12:00:00Z") ==
        time_message("2026-11-22 12:00:00Z",
                     "the date and the time must be separated by an uppercase 'T'"));
  CHECK(timestamp_error("2026-11-22T12:00:00z") ==
        time_message("2026-11-22T12:00:00z", "the time zone must be an uppercase 'Z'"));
  CHECK(timestamp_error("2026-11-22T12:00:00") ==
        time_message("2026-11-22T12:00:00", "the time zone is missing"));
  CHECK(timestamp_error("2026-11-22T12:00") ==
        time_message("2026-11-22T12:00", "the seconds are missing"));
  CHECK(timestamp_error("2026-11-22T12:00Z") ==
        time_message("2026-11-22T12:00Z", "expected ':' after the minute"));
  CHECK(timestamp_error("2026-11-22") == time_message("2026-11-22", "the time is missing"));
  CHECK(timestamp_error("2026-11-22X12:00:00Z") ==
        time_message("2026-11-22X12:00:00Z", "expected 'T' after the date"));
  CHECK(timestamp_error("2026-1-22T12:00:00Z") ==
        time_message("2026-1-22T12:00:00Z", "the month must be 2 digits"));
  CHECK(timestamp_error("26-11-22T12:00:00Z") ==
        time_message("26-11-22T12:00:00Z", "the year must be 4 digits"));
  CHECK(timestamp_error("2026/11/22T12:00:00Z") ==
        time_message("2026/11/22T12:00:00Z", "expected '-' after the year"));
  CHECK(timestamp_error("2026-11/22T12:00:00Z") ==
        time_message("2026-11/22T12:00:00Z", "expected '-' after the month"));
  CHECK(timestamp_error("2026-11-2XT12:00:00Z") ==
        time_message("2026-11-2XT12:00:00Z", "the day must be 2 digits"));
  CHECK(timestamp_error("2026-11-22T1:00:00Z") ==
        time_message("2026-11-22T1:00:00Z", "the hour must be 2 digits"));
  CHECK(timestamp_error("2026-11-22T12.00:00Z") ==
        time_message("2026-11-22T12.00:00Z", "expected ':' after the hour"));
  CHECK(timestamp_error("2026-11-22T12:0:00Z") ==
        time_message("2026-11-22T12:0:00Z", "the minute must be 2 digits"));
  CHECK(timestamp_error("2026-11-22T12:00:0Z") ==
        time_message("2026-11-22T12:00:0Z", "the second must be 2 digits"));
  CHECK(timestamp_error("2026-11-22T12:00:00ZZ") ==
        time_message("2026-11-22T12:00:00ZZ", "unexpected text after the time zone"));
  CHECK(timestamp_error("2026-11-22T12:00:00+03:00Z") ==
        time_message("2026-11-22T12:00:00+03:00Z", "unexpected text after the time zone"));
  CHECK(timestamp_error("2026-11-22T12:00:00 Z") ==
        time_message("2026-11-22T12:00:00 Z",
                     "expected 'Z' or an offset like +03:00 after the seconds"));
  CHECK(timestamp_error(" 2026-11-22T12:00:00Z") ==
        time_message(" 2026-11-22T12:00:00Z", "the year must be 4 digits"));
}

TEST_CASE("parse_timestamp rejects bad offsets", "[time]") {
  CHECK(timestamp_error("2026-11-22T12:00:00+0300") ==
        time_message("2026-11-22T12:00:00+0300", "the offset must look like +03:00 or -05:30"));
  CHECK(timestamp_error("2026-11-22T12:00:00+3:00") ==
        time_message("2026-11-22T12:00:00+3:00", "the offset must look like +03:00 or -05:30"));
  CHECK(timestamp_error("2026-11-22T12:00:00+03") ==
        time_message("2026-11-22T12:00:00+03", "the offset must look like +03:00 or -05:30"));
  CHECK(timestamp_error("2026-11-22T12:00:00+03:60") ==
        time_message("2026-11-22T12:00:00+03:60", "offset minute 60 is out of range"));
  CHECK(timestamp_error("2026-11-22T12:00:00+18:01") ==
        time_message("2026-11-22T12:00:00+18:01", "offset +18:01 is beyond 18:00"));
  CHECK(timestamp_error("2026-11-22T12:00:00-19:00") ==
        time_message("2026-11-22T12:00:00-19:00", "offset -19:00 is beyond 18:00"));
}

TEST_CASE("parse_timestamp quotes unprintable and long input safely", "[time]") {
  CHECK(timestamp_error("2026-11-22\n") ==
        "\"2026-11-22\\n\" is not a valid time: expected 'T' after the date (expected "
        "YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)");
  const std::string long_text = "2026-11-22T12:00:00Z" + std::string(100, 'x');
  CHECK(timestamp_error(long_text) ==
        "\"" + long_text.substr(0, 64) +
            "...\" is not a valid time: unexpected text after the time zone (expected "
            "YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)");
}

TEST_CASE("format_timestamp", "[time]") {
  CHECK(format_timestamp(Timestamp{0}) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(Timestamp{noon_2026_11_22}) == "2026-11-22T12:00:00Z");
  CHECK(format_timestamp(Timestamp{1709164800 + 86399}) == "2024-02-29T23:59:59Z");
  CHECK(format_timestamp(Timestamp{-1}) == "1969-12-31T23:59:59Z");
  CHECK(format_timestamp(Timestamp{253402300799}) == "9999-12-31T23:59:59Z");
  CHECK(format_timestamp(Timestamp{253402300800}) == "10000-01-01T00:00:00Z");
  CHECK(format_timestamp(Timestamp{-62135596800}) == "0001-01-01T00:00:00Z");
  CHECK(format_timestamp(Timestamp{-62135596801}) == "0000-12-31T23:59:59Z");
  CHECK(format_timestamp(Timestamp{-62167219201}) == "-0001-12-31T23:59:59Z");
  // Defined for every int64.
  CHECK_FALSE(format_timestamp(Timestamp{std::numeric_limits<std::int64_t>::max()}).empty());
  CHECK_FALSE(format_timestamp(Timestamp{std::numeric_limits<std::int64_t>::min()}).empty());
}

TEST_CASE("format_timestamp and parse_timestamp round-trip", "[time]") {
  for (std::int64_t seconds = 0; seconds < 253402300799; seconds += 999'999'937) {
    const Timestamp at{seconds};
    const Result<Timestamp> back = parse_timestamp(format_timestamp(at));
    REQUIRE(back.ok());
    CHECK(*back == at);
  }
}

TEST_CASE("parse_date and format_date", "[time]") {
  CHECK(*parse_date("2024-02-29") == CivilDate{2024, 2, 29});
  CHECK(*parse_date("0001-01-01") == CivilDate{1, 1, 1});
  CHECK(*parse_date("1955-06-15") == CivilDate{1955, 6, 15});
  CHECK(*parse_date("9999-12-31") == CivilDate{9999, 12, 31});
  CHECK(date_error("2025-02-29") ==
        date_message("2025-02-29", "day 29 is out of range: February 2025 has 28 days"));
  CHECK(date_error("2025-13-01") == date_message("2025-13-01", "month 13 is out of range"));
  CHECK(date_error("0000-01-01") == date_message("0000-01-01", "year 0 is before 1"));
  CHECK(date_error("2025-01-01T00:00:00Z") ==
        date_message("2025-01-01T00:00:00Z", "unexpected text after the date"));
  CHECK(date_error("2025-1-1") == date_message("2025-1-1", "the month must be 2 digits"));
  CHECK(date_error("") == date_message("", "the text is empty"));
  CHECK(date_error("2025-01-0") == date_message("2025-01-0", "the day must be 2 digits"));
  CHECK(format_date({2024, 2, 29}) == "2024-02-29");
  CHECK(format_date({1, 1, 1}) == "0001-01-01");
  CHECK(format_date({12345, 6, 7}) == "12345-06-07");
  CHECK(format_date({-44, 3, 15}) == "-0044-03-15");
  CHECK(CivilDate{2024, 2, 29} < CivilDate{2024, 3, 1});
  CHECK(CivilDate{2023, 12, 31} < CivilDate{2024, 1, 1});
}

TEST_CASE("plus_seconds and plus_days", "[time]") {
  const Timestamp at{noon_2026_11_22};
  CHECK(plus_seconds(at, 60).unix_seconds == noon_2026_11_22 + 60);
  CHECK(plus_seconds(at, -noon_2026_11_22).unix_seconds == 0);
  CHECK(plus_days(at, 1).unix_seconds == noon_2026_11_22 + 86400);
  CHECK(plus_days(at, -365).unix_seconds == noon_2026_11_22 - 365 * 86400);
  CHECK(format_timestamp(plus_days(Timestamp{1709164800}, 1)) == "2024-03-01T00:00:00Z");
  CHECK(Timestamp{1} < Timestamp{2});
  CHECK(Timestamp{2} == Timestamp{2});
}

TEST_CASE("to_local", "[time]") {
  const Timestamp at{noon_2026_11_22};  // Sunday
  CHECK(to_local(at, 0) == LocalTime{CivilDate{2026, 11, 22}, 7, 12 * 60});
  CHECK(to_local(at, 180) == LocalTime{CivilDate{2026, 11, 22}, 7, 15 * 60});
  CHECK(to_local(at, -330) == LocalTime{CivilDate{2026, 11, 22}, 7, 6 * 60 + 30});
  CHECK(to_local(at, 13 * 60) == LocalTime{CivilDate{2026, 11, 23}, 1, 60});
  CHECK(to_local(at, -12 * 60) == LocalTime{CivilDate{2026, 11, 22}, 7, 0});
  CHECK(to_local(at, -12 * 60 - 1) == LocalTime{CivilDate{2026, 11, 21}, 6, 1439});
  CHECK(to_local(at, 18 * 60) == LocalTime{CivilDate{2026, 11, 23}, 1, 6 * 60});
  CHECK(to_local(Timestamp{-1}, 0) == LocalTime{CivilDate{1969, 12, 31}, 3, 1439});
  CHECK(to_local(Timestamp{0}, 0) == LocalTime{CivilDate{1970, 1, 1}, 4, 0});
  CHECK(to_local(Timestamp{59}, 0).minute_of_day == 0);
  CHECK(to_local(Timestamp{60}, 0).minute_of_day == 1);
}

TEST_CASE("local_midnight_after_days", "[time]") {
  const Timestamp at{noon_2026_11_22};
  const auto midnight = [](Timestamp t, int offset, int days) {
    return format_timestamp(local_midnight_after_days(t, offset, days));
  };
  // UTC: local 2026-11-22 12:00.
  CHECK(midnight(at, 0, 0) == "2026-11-22T00:00:00Z");
  CHECK(midnight(at, 0, 1) == "2026-11-23T00:00:00Z");
  CHECK(midnight(at, 0, 7) == "2026-11-29T00:00:00Z");
  CHECK(midnight(at, 0, -1) == "2026-11-21T00:00:00Z");
  // +03:00: local 2026-11-22 15:00; next local midnight is 2026-11-23T00:00+03:00.
  CHECK(midnight(at, 180, 1) == "2026-11-22T21:00:00Z");
  CHECK(midnight(at, 180, 0) == "2026-11-21T21:00:00Z");
  // -05:00: local 2026-11-22 07:00.
  CHECK(midnight(at, -300, 1) == "2026-11-23T05:00:00Z");
  // +13:00: already 2026-11-23 01:00 locally.
  CHECK(midnight(at, 13 * 60, 1) == "2026-11-23T11:00:00Z");
  // +05:45.
  CHECK(midnight(at, 345, 1) == "2026-11-22T18:15:00Z");
  // Local date differs from the UTC date: 23:30Z at +01:00 is 00:30 on the 23rd.
  const Timestamp late = *parse_timestamp("2026-11-22T23:30:00Z");
  CHECK(midnight(late, 60, 0) == "2026-11-22T23:00:00Z");
  CHECK(midnight(late, 60, 1) == "2026-11-23T23:00:00Z");
  CHECK(midnight(late, 60, -1) == "2026-11-21T23:00:00Z");
  // Exactly at local midnight: days = 0 is that instant, days = 1 a day later.
  const Timestamp at_midnight = *parse_timestamp("2026-11-23T00:00:00+03:00");
  CHECK(local_midnight_after_days(at_midnight, 180, 0) == at_midnight);
  CHECK(local_midnight_after_days(at_midnight, 180, 1) == plus_days(at_midnight, 1));
  // Across a leap day and a year end.
  CHECK(midnight(*parse_timestamp("2024-02-28T10:00:00Z"), 0, 1) == "2024-02-29T00:00:00Z");
  CHECK(midnight(*parse_timestamp("2024-02-28T10:00:00Z"), 0, 2) == "2024-03-01T00:00:00Z");
  CHECK(midnight(*parse_timestamp("2026-12-31T22:00:00Z"), -120, 1) == "2027-01-01T02:00:00Z");
  // Before the epoch.
  CHECK(midnight(Timestamp{-1}, 0, 1) == "1970-01-01T00:00:00Z");
  CHECK(midnight(Timestamp{-1}, 0, 0) == "1969-12-31T00:00:00Z");
}

}  // namespace
}  // namespace loyalty
