// TzdbZone against the system's real tzdata: the offsets around the 2026 changes of
// Europe/Berlin (29 March 02:00 -> 03:00, 25 October 03:00 -> 02:00), of a southern-hemisphere
// zone (Australia/Sydney: 5 April 03:00 -> 02:00, 4 October 02:00 -> 03:00), and of zones whose
// clocks jump at midnight (America/Santiago, Asia/Beirut), where a local midnight does not
// exist.
#include "loyalty/environment/tzdb_zone.h"

#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/time.h"
#include "loyalty/core/time_zone.h"

using namespace loyalty;
using loyalty::environment::TzdbZone;

namespace {

Timestamp at(const char* iso) {
  Result<Timestamp> parsed = parse_timestamp(iso);
  REQUIRE(parsed.ok());
  return *parsed;
}

std::string text(Timestamp t) { return format_timestamp(t); }

TzdbZone zone(const char* name) {
  Result<TzdbZone> found = TzdbZone::find(name);
  INFO((found.ok() ? std::string() : found.error().message));
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_CASE("TzdbZone finds IANA zones and names an unknown one", "[tzdb]") {
  CHECK(zone("Europe/Berlin").name() == "Europe/Berlin");
  CHECK(zone("Etc/UTC").utc_offset_seconds_at(at("2026-07-01T00:00:00Z")) == 0);
  const Result<TzdbZone> unknown = TzdbZone::find("Europe/Berlim");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::invalid_argument);
  CHECK(unknown.error().message ==
        "\"Europe/Berlim\" is not a time zone of the system's tzdata (/usr/share/zoneinfo): use "
        "an IANA name like Europe/Berlin or America/Santiago");
  CHECK_FALSE(TzdbZone::find("+01:00").ok());
  const Result<TzdbZone> empty = TzdbZone::find("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == "a time zone name must be 1 to 128 bytes, like Europe/Berlin");
  CHECK_FALSE(TzdbZone::find(std::string(200, 'A')).ok());
}

TEST_CASE("Europe/Berlin offsets on both sides of both 2026 changes", "[tzdb]") {
  const TzdbZone berlin = zone("Europe/Berlin");
  CHECK(berlin.utc_offset_seconds_at(at("2026-03-29T00:59:59Z")) == 3600);
  CHECK(berlin.utc_offset_seconds_at(at("2026-03-29T01:00:00Z")) == 7200);
  CHECK(berlin.utc_offset_seconds_at(at("2026-10-25T00:59:59Z")) == 7200);
  CHECK(berlin.utc_offset_seconds_at(at("2026-10-25T01:00:00Z")) == 3600);
  // Far outside tzdata's range the offset is still defined (the last rules go on).
  CHECK(berlin.utc_offset_seconds_at(Timestamp{INT64_MAX / 2}) == 3600);
}

TEST_CASE("Europe/Berlin local times, midnights and days across the spring change", "[tzdb]") {
  const TzdbZone berlin = zone("Europe/Berlin");
  // 19:30 local either side: 18:30Z in winter, 17:30Z in summer.
  CHECK(to_local(at("2026-03-28T18:30:00Z"), berlin).minute_of_day == 19 * 60 + 30);
  CHECK(to_local(at("2026-03-30T17:30:00Z"), berlin).minute_of_day == 19 * 60 + 30);
  // The midnight that starts 29 March is still winter time; the next one is summer time.
  CHECK(text(local_midnight_after_days(at("2026-03-28T11:00:00Z"), berlin, 1)) ==
        "2026-03-28T23:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-03-28T11:00:00Z"), berlin, 2)) ==
        "2026-03-29T22:00:00Z");
  // 02:30 on 29 March never happens: it is moved an hour later, to 03:30 CEST.
  CHECK(text(from_local(CivilDate{2026, 3, 29}, 2 * 3600 + 1800, berlin)) ==
        "2026-03-29T01:30:00Z");
  // 365 local days after a winter midnight is a midnight, though in summer time.
  CHECK(text(plus_local_days(at("2026-03-28T23:00:00Z"), berlin, 2)) == "2026-03-30T22:00:00Z");
  // Local days: 23:30 on the 28th and 00:30 on the 30th are two days apart.
  CHECK(local_days_between(at("2026-03-28T22:30:00Z"), at("2026-03-29T22:30:00Z"), berlin) == 2);
}

TEST_CASE("Europe/Berlin local times, midnights and days across the autumn change", "[tzdb]") {
  const TzdbZone berlin = zone("Europe/Berlin");
  CHECK(to_local(at("2026-10-24T17:30:00Z"), berlin).minute_of_day == 19 * 60 + 30);
  CHECK(to_local(at("2026-10-26T18:30:00Z"), berlin).minute_of_day == 19 * 60 + 30);
  CHECK(text(local_midnight_after_days(at("2026-10-24T11:00:00Z"), berlin, 1)) ==
        "2026-10-24T22:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-10-24T11:00:00Z"), berlin, 2)) ==
        "2026-10-25T23:00:00Z");
  // 02:30 on 25 October happens twice: the first one (CEST) is taken.
  CHECK(text(from_local(CivilDate{2026, 10, 25}, 2 * 3600 + 1800, berlin)) ==
        "2026-10-25T00:30:00Z");
  // The day of the change has 25 hours: the two midnights around it are 90000 s apart.
  const Timestamp start = local_midnight_after_days(at("2026-10-25T12:00:00Z"), berlin, 0);
  const Timestamp end = local_midnight_after_days(at("2026-10-25T12:00:00Z"), berlin, 1);
  CHECK(end.unix_seconds - start.unix_seconds == 90000);
}

TEST_CASE("Australia/Sydney: the southern hemisphere's changes, both ways", "[tzdb]") {
  const TzdbZone sydney = zone("Australia/Sydney");
  CHECK(sydney.utc_offset_seconds_at(at("2026-04-04T15:59:59Z")) == 39600);
  CHECK(sydney.utc_offset_seconds_at(at("2026-04-04T16:00:00Z")) == 36000);
  CHECK(sydney.utc_offset_seconds_at(at("2026-10-03T15:59:59Z")) == 36000);
  CHECK(sydney.utc_offset_seconds_at(at("2026-10-03T16:00:00Z")) == 39600);
  // Midnights before and after the April change (summer time ends).
  CHECK(text(local_midnight_after_days(at("2026-04-04T02:00:00Z"), sydney, 1)) ==
        "2026-04-04T13:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-04-04T02:00:00Z"), sydney, 2)) ==
        "2026-04-05T14:00:00Z");
  // And around the October change (summer time starts).
  CHECK(text(local_midnight_after_days(at("2026-10-03T02:00:00Z"), sydney, 1)) ==
        "2026-10-03T14:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-10-03T02:00:00Z"), sydney, 2)) ==
        "2026-10-04T13:00:00Z");
  CHECK(text(from_local(CivilDate{2026, 10, 4}, 2 * 3600 + 1800, sydney)) ==
        "2026-10-03T16:30:00Z");  // 02:30 does not exist: 03:30 AEDT
  CHECK(text(from_local(CivilDate{2026, 4, 5}, 2 * 3600 + 1800, sydney)) ==
        "2026-04-04T15:30:00Z");  // 02:30 happens twice: the first, AEDT
}

TEST_CASE("zones whose clocks jump at midnight: the day starts when the clocks say so", "[tzdb]") {
  const TzdbZone santiago = zone("America/Santiago");
  // 6 September 2026: 24:00 -04 becomes 01:00 -03; there is no midnight, the day starts at 01:00.
  CHECK(text(from_local(CivilDate{2026, 9, 6}, 0, santiago)) == "2026-09-06T04:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-09-05T15:00:00Z"), santiago, 1)) ==
        "2026-09-06T04:00:00Z");
  CHECK(to_local(at("2026-09-06T04:00:00Z"), santiago).minute_of_day == 60);
  // 5 April 2026: 24:00 -03 becomes 23:00 -04, so 23:00..24:00 on the 4th happens twice and
  // the midnight that starts the 5th comes once, at -04.
  CHECK(text(from_local(CivilDate{2026, 4, 5}, 0, santiago)) == "2026-04-05T04:00:00Z");
  CHECK(text(from_local(CivilDate{2026, 4, 4}, 23 * 3600 + 1800, santiago)) ==
        "2026-04-05T02:30:00Z");  // the first 23:30, at -03
  const TzdbZone beirut = zone("Asia/Beirut");
  CHECK(text(from_local(CivilDate{2026, 3, 29}, 0, beirut)) == "2026-03-28T22:00:00Z");
  CHECK(text(local_midnight_after_days(at("2026-03-28T10:00:00Z"), beirut, 1)) ==
        "2026-03-28T22:00:00Z");
}
