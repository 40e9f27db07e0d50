// TzdbZone: core's TimeZone over the date library's view of the system's tzdata.
#include "loyalty/environment/tzdb_zone.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"

namespace loyalty::environment {

namespace {

// Instants are clamped to 1800-01-01 .. 9999-12-31T23:59:59Z before the database is asked: tzdata
// says nothing useful outside, and the date library's arithmetic stays far from overflow.
constexpr std::int64_t query_seconds_min = -5'364'662'400;
constexpr std::int64_t query_seconds_max = 253'402'300'799;

Error unknown_zone(std::string_view name) {
  return make_error(ErrorCode::invalid_argument,
                    json::quote(name) +
                        " is not a time zone of the system's tzdata (/usr/share/zoneinfo): use "
                        "an IANA name like Europe/Berlin or America/Santiago");
}

}  // namespace

Result<TzdbZone> TzdbZone::find(std::string_view name) {
  if (name.empty() || name.size() > limits::time_zone_name_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "a time zone name must be 1 to " +
                          std::to_string(limits::time_zone_name_bytes_max) +
                          " bytes, like Europe/Berlin");
  }
  try {
    const date::tzdb& database = date::get_tzdb();
    (void)database;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::io_error,
                      std::string("cannot read the system's tzdata (/usr/share/zoneinfo; Debian "
                                  "package tzdata): ") +
                          e.what());
  }
  try {
    const date::time_zone* zone = date::locate_zone(name);
    if (zone == nullptr) return unknown_zone(name);
    return TzdbZone(zone, std::string(zone->name()));
  } catch (const std::exception&) {
    return unknown_zone(name);
  }
}

std::int32_t TzdbZone::utc_offset_seconds_at(Timestamp at) const {
  const std::int64_t seconds = std::clamp(at.unix_seconds, query_seconds_min, query_seconds_max);
  const date::sys_info info = zone_->get_info(date::sys_seconds{std::chrono::seconds{seconds}});
  const auto offset = static_cast<std::int32_t>(info.offset.count());
  LOYALTY_ASSERT(offset >= -utc_offset_seconds_max && offset <= utc_offset_seconds_max);
  return offset;
}

}  // namespace loyalty::environment
