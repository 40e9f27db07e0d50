// A store's time zone from the system's IANA time zone database (tzdata in /usr/share/zoneinfo),
// through Howard Hinnant's date library: core's TimeZone (core/time_zone.h) for a zone name such
// as "Europe/Berlin" or "America/Santiago". The offset it reports at an instant follows every
// daylight-saving and historical change that tzdata records.
//
// Thread-safety: immutable after creation; utc_offset_seconds_at() may be called from any number
// of threads at once. The database is read once per process, on the first lookup. Ownership: a
// TzdbZone refers to the process-wide database, which lives until the process exits.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/core/time_zone.h"

namespace date {
class time_zone;
}  // namespace date

namespace loyalty::environment {

// The environment variable loyaltyctl reads the store's zone from when --time-zone is absent.
inline constexpr std::string_view time_zone_variable = "LOYALTY_TIME_ZONE";

class TzdbZone final : public TimeZone {
 public:
  // The zone named `name` (an IANA name: "Europe/Berlin", "Etc/UTC"). Errors, as
  // ErrorCode::invalid_argument with the name quoted: an empty or over-long name, a name tzdata
  // does not know ("... is not a time zone of the system's tzdata (/usr/share/zoneinfo); use an
  // IANA name like Europe/Berlin"), and a database that cannot be read (ErrorCode::io_error).
  static Result<TzdbZone> find(std::string_view name);

  std::int32_t utc_offset_seconds_at(Timestamp at) const override;
  std::string_view name() const override { return name_; }

 private:
  TzdbZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const date::time_zone* zone_;  // owned by the date library's database
  std::string name_;
};

}  // namespace loyalty::environment
