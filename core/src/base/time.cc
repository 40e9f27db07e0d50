#include "loyalty/core/time.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "loyalty/core/json.h"

namespace loyalty {

namespace {

constexpr std::int64_t seconds_per_minute = 60;
constexpr std::int64_t seconds_per_day = 86400;
constexpr int timestamp_year_min = 1970;
constexpr int timestamp_year_max = 9999;
constexpr int date_year_min = 1;
constexpr int date_year_max = 9999;
// Longest part of a malformed input quoted back in an error message.
constexpr std::size_t quoted_input_bytes_max = 64;

constexpr std::string_view timestamp_expected =
    " (expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)";
constexpr std::string_view date_expected = " (expected YYYY-MM-DD)";

constexpr const char* month_names[] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  LOYALTY_ASSERT(!(b > 0 && a > std::numeric_limits<std::int64_t>::max() - b));
  LOYALTY_ASSERT(!(b < 0 && a < std::numeric_limits<std::int64_t>::min() - b));
  return a + b;
}

// a * factor for factor > 0.
std::int64_t checked_multiply(std::int64_t a, std::int64_t factor) {
  LOYALTY_ASSERT(factor > 0);
  LOYALTY_ASSERT(a <= std::numeric_limits<std::int64_t>::max() / factor &&
                 a >= std::numeric_limits<std::int64_t>::min() / factor);
  return a * factor;
}

// Division rounding toward negative infinity; divisor > 0.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor < 0) ? quotient - 1 : quotient;
}

// The remainder that goes with floor_div, in [0, divisor).
std::int64_t floor_mod(std::int64_t value, std::int64_t divisor) {
  const std::int64_t remainder = value % divisor;
  return remainder < 0 ? remainder + divisor : remainder;
}

struct WideDate {
  std::int64_t year;
  int month;
  int day;
};

// The proleptic Gregorian calendar repeats every 400 years, which are exactly 146097 days.
constexpr std::int64_t days_per_era = 146097;
constexpr std::int64_t years_per_era = 400;

// The civil date of a day count from 1970-01-01, defined for every day count that comes from a
// Timestamp (|days| < 1.1e14): std::chrono's calendar covers years -32767..32767 only, so whole
// 400-year eras are taken off first and their years added back afterwards.
WideDate wide_civil_from_days(std::int64_t days) {
  const std::int64_t eras = floor_div(days, days_per_era);
  const std::chrono::year_month_day date{
      std::chrono::sys_days{std::chrono::days{days - eras * days_per_era}}};  // 1970..2370
  LOYALTY_ASSERT(date.ok());
  return WideDate{static_cast<int>(date.year()) + eras * years_per_era,
                  static_cast<int>(static_cast<unsigned>(date.month())),
                  static_cast<int>(static_cast<unsigned>(date.day()))};
}

void append_padded(std::string& out, std::int64_t number, int width) {
  std::string digits;
  std::uint64_t magnitude =
      number < 0 ? 0 - static_cast<std::uint64_t>(number) : static_cast<std::uint64_t>(number);
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (number < 0) out += '-';
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out += '0';
  out += digits;
}

void append_date(std::string& out, std::int64_t year, int month, int day) {
  append_padded(out, year, 4);
  out += '-';
  append_padded(out, month, 2);
  out += '-';
  append_padded(out, day, 2);
}

// The input as quoted in messages: a JSON string literal, cut after quoted_input_bytes_max bytes.
std::string quote_input(std::string_view text) {
  if (text.size() <= quoted_input_bytes_max) return json::quote(text);
  std::string quoted = json::quote(text.substr(0, quoted_input_bytes_max));
  quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

// Reads `count` ASCII digits at text[pos]; false if any is missing or not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int* out) {
  if (pos > text.size() || text.size() - pos < count) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// Years std::chrono::year can hold: the calendar functions assert that a CivilDate fits.
constexpr int chrono_year_min = -32767;
constexpr int chrono_year_max = 32767;

std::chrono::year_month_day to_chrono(CivilDate date) {
  LOYALTY_ASSERT(date.year >= chrono_year_min && date.year <= chrono_year_max);
  return std::chrono::year_month_day{std::chrono::year{date.year},
                                     std::chrono::month(static_cast<unsigned>(date.month)),
                                     std::chrono::day(static_cast<unsigned>(date.day))};
}

bool char_at(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// Parses the YYYY-MM-DD at the start of text. On failure returns the problem; empty on success.
std::string parse_date_part(std::string_view text, int year_min, int year_max, CivilDate* out) {
  if (text.empty()) return "the text is empty";
  int year = 0;
  if (!read_digits(text, 0, 4, &year)) return "the year must be 4 digits";
  if (year < year_min) {
    return "year " + std::to_string(year) + " is before " + std::to_string(year_min);
  }
  if (year > year_max) {
    return "year " + std::to_string(year) + " is after " + std::to_string(year_max);
  }
  if (!char_at(text, 4, '-')) return "expected '-' after the year";
  int month = 0;
  if (!read_digits(text, 5, 2, &month)) return "the month must be 2 digits";
  if (month < 1 || month > 12) return "month " + std::to_string(month) + " is out of range";
  if (!char_at(text, 7, '-')) return "expected '-' after the month";
  int day = 0;
  if (!read_digits(text, 8, 2, &day)) return "the day must be 2 digits";
  const int month_days = days_in_month(year, month);
  if (day < 1 || day > 31) return "day " + std::to_string(day) + " is out of range";
  if (day > month_days) {
    return "day " + std::to_string(day) + " is out of range: " + month_names[month - 1] + " " +
           std::to_string(year) + " has " + std::to_string(month_days) + " days";
  }
  *out = CivilDate{year, month, day};
  return std::string();
}

// Parses the whole timestamp; on failure returns the problem, empty on success.
std::string parse_timestamp_parts(std::string_view text, Timestamp* out) {
  CivilDate date;
  std::string problem = parse_date_part(text, timestamp_year_min, timestamp_year_max, &date);
  if (!problem.empty()) return problem;
  if (text.size() == 10) return "the time is missing";
  if (text[10] == 't' || text[10] == ' ') {
    return "the date and the time must be separated by an uppercase 'T'";
  }
  if (text[10] != 'T') return "expected 'T' after the date";
  int hour = 0;
  if (!read_digits(text, 11, 2, &hour)) return "the hour must be 2 digits";
  if (hour > 23) return "hour " + std::to_string(hour) + " is out of range";
  if (!char_at(text, 13, ':')) return "expected ':' after the hour";
  int minute = 0;
  if (!read_digits(text, 14, 2, &minute)) return "the minute must be 2 digits";
  if (minute > 59) return "minute " + std::to_string(minute) + " is out of range";
  if (text.size() == 16) return "the seconds are missing";
  if (!char_at(text, 16, ':')) return "expected ':' after the minute";
  int second = 0;
  if (!read_digits(text, 17, 2, &second)) return "the second must be 2 digits";
  if (second > 59) {
    return "second " + std::to_string(second) + " is out of range; leap seconds are not supported";
  }
  if (text.size() == 19) return "the time zone is missing";
  int offset_minutes = 0;
  std::size_t end = 0;
  const char zone = text[19];
  if (zone == 'Z') {
    end = 20;
  } else if (zone == 'z') {
    return "the time zone must be an uppercase 'Z'";
  } else if (zone == '.' || zone == ',') {
    return "fractional seconds are not allowed";
  } else if (zone == '+' || zone == '-') {
    int offset_hour = 0;
    int offset_minute = 0;
    if (!read_digits(text, 20, 2, &offset_hour) || !char_at(text, 22, ':') ||
        !read_digits(text, 23, 2, &offset_minute)) {
      return "the offset must look like +03:00 or -05:30";
    }
    if (offset_minute > 59) {
      return "offset minute " + std::to_string(offset_minute) + " is out of range";
    }
    offset_minutes = offset_hour * 60 + offset_minute;
    if (offset_minutes > utc_offset_minutes_max) {
      return "offset " + std::string(text.substr(19, 6)) + " is beyond 18:00";
    }
    if (zone == '-') offset_minutes = -offset_minutes;
    end = 25;
  } else {
    return "expected 'Z' or an offset like +03:00 after the seconds";
  }
  if (text.size() != end) return "unexpected text after the time zone";
  const std::int64_t local_seconds =
      days_from_civil(date) * seconds_per_day + hour * 3600 + minute * seconds_per_minute + second;
  *out = Timestamp{local_seconds - offset_minutes * seconds_per_minute};
  return std::string();
}

}  // namespace

Timestamp plus_seconds(Timestamp at, std::int64_t seconds) {
  return Timestamp{checked_add(at.unix_seconds, seconds)};
}

Timestamp plus_days(Timestamp at, std::int64_t days) {
  return plus_seconds(at, checked_multiply(days, seconds_per_day));
}

bool is_leap_year(int year) { return std::chrono::year{year}.is_leap(); }

int days_in_month(int year, int month) {
  LOYALTY_ASSERT(month >= 1 && month <= 12);
  const std::chrono::year_month_day_last last{
      std::chrono::year{year}, std::chrono::month_day_last{std::chrono::month(month)}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

bool is_valid_date(CivilDate date) {
  if (date.year < chrono_year_min || date.year > chrono_year_max) return false;
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  return to_chrono(date).ok();
}

// A day past the end of the month counts on into the next month: that is how
// year_month_day converts to sys_days when only its day is out of range.
std::int64_t days_from_civil(CivilDate date) {
  LOYALTY_ASSERT(date.month >= 1 && date.month <= 12);
  LOYALTY_ASSERT(date.day >= 1 && date.day <= 31);
  return std::chrono::sys_days{to_chrono(date)}.time_since_epoch().count();
}

CivilDate civil_from_days(std::int64_t days) {
  const WideDate wide = wide_civil_from_days(days);
  LOYALTY_ASSERT(wide.year >= std::numeric_limits<int>::min() &&
                 wide.year <= std::numeric_limits<int>::max());
  return CivilDate{static_cast<int>(wide.year), wide.month, wide.day};
}

int iso_weekday_from_days(std::int64_t days) {
  return static_cast<int>(
      std::chrono::weekday{std::chrono::sys_days{std::chrono::days{days}}}.iso_encoding());
}

Result<Timestamp> parse_timestamp(std::string_view text) {
  Timestamp at;
  std::string problem = parse_timestamp_parts(text, &at);
  if (problem.empty()) return at;
  return make_error(ErrorCode::parse_error, quote_input(text) +
                                                " is not a valid time: " + std::move(problem) +
                                                std::string(timestamp_expected));
}

std::string format_timestamp(Timestamp at) {
  const std::int64_t days = floor_div(at.unix_seconds, seconds_per_day);
  const std::int64_t second_of_day = floor_mod(at.unix_seconds, seconds_per_day);
  const WideDate date = wide_civil_from_days(days);
  std::string out;
  out.reserve(24);
  append_date(out, date.year, date.month, date.day);
  out += 'T';
  append_padded(out, second_of_day / 3600, 2);
  out += ':';
  append_padded(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_padded(out, second_of_day % 60, 2);
  out += 'Z';
  return out;
}

Result<CivilDate> parse_date(std::string_view text) {
  CivilDate date;
  std::string problem = parse_date_part(text, date_year_min, date_year_max, &date);
  if (problem.empty() && text.size() != 10) problem = "unexpected text after the date";
  if (problem.empty()) return date;
  return make_error(ErrorCode::parse_error, quote_input(text) + " is not a valid date: " +
                                                std::move(problem) + std::string(date_expected));
}

std::string format_date(CivilDate date) {
  std::string out;
  out.reserve(12);
  append_date(out, date.year, date.month, date.day);
  return out;
}

}  // namespace loyalty
