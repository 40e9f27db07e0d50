// The rules engine in a real time zone (tzdata through TzdbZone) across daylight-saving changes
// in both directions: happy hours, birthdays and activation midnights (and the expiry a year
// later) on both sides of each change of Europe/Berlin and Australia/Sydney in 2026.
#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/time.h"
#include "loyalty/environment/tzdb_zone.h"

using namespace loyalty;
using loyalty::environment::TzdbZone;

namespace {

const char* dst_program = R"({"format": "loyalty-program/1", "program_id": "dst", "version": 1,
  "currency": "EUR",
  "earn": {"activation": "after_days", "activation_days": 1, "expiry_days": 365},
  "rules": [
    {"id": "happy-hours", "kind": "earn_multiplier", "multiplier_percent": 200,
     "schedule": {"from": "19:00", "to": "21:00"}},
    {"id": "birthday", "kind": "bonus", "trigger": "birthday", "points": 500}]})";

struct Outcome {
  bool happy_hour = false;
  bool birthday = false;
  std::string active_from;
  std::string expires_at;
};

// Quotes a 10.00 purchase of a customer born on `birthday` at `when` in `zone_name`.
Outcome quote_at(const char* zone_name, const char* birthday, const char* when) {
  Result<Program> program = load_program(std::string_view(dst_program));
  REQUIRE(program.ok());
  Result<CustomerState> customer =
      load_customer(R"({"customer_id": "C-1", "birthday": ")" + std::string(birthday) + R"("})");
  REQUIRE(customer.ok());
  Result<Receipt> receipt = load_receipt(std::string_view(
      R"({"receipt_id": "R", "currency": "EUR", "lines": [{"sku": "A", "unit_price_minor": 1000}]})"));
  REQUIRE(receipt.ok());
  Result<TzdbZone> zone = TzdbZone::find(zone_name);
  REQUIRE(zone.ok());
  Result<Timestamp> at = parse_timestamp(when);
  REQUIRE(at.ok());
  QuoteEnvironment env;
  env.zone = &*zone;
  Result<Quote> quote = quote_receipt(*program, &*customer, *receipt, *at, env);
  REQUIRE(quote.ok());
  Outcome out;
  for (const EarnEntry& entry : quote->earns) {
    const std::string label = source_label(*program, entry.source);
    if (label == "rule:happy-hours") out.happy_hour = true;
    if (label == "rule:birthday") out.birthday = true;
  }
  out.active_from = format_timestamp(quote->earned_active_from);
  REQUIRE(quote->earned_expires_at);
  out.expires_at = format_timestamp(*quote->earned_expires_at);
  return out;
}

}  // namespace

TEST_CASE("Berlin spring change: happy hours, birthdays and midnights on both sides", "[dst]") {
  // Saturday 28 March, winter time (+01:00): 18:30Z is 19:30, 17:30Z is 18:30.
  CHECK(quote_at("Europe/Berlin", "1990-06-01", "2026-03-28T18:30:00Z").happy_hour);
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-06-01", "2026-03-28T17:30:00Z").happy_hour);
  // Monday 30 March, summer time (+02:00): 17:30Z is 19:30, 19:30Z is 21:30.
  CHECK(quote_at("Europe/Berlin", "1990-06-01", "2026-03-30T17:30:00Z").happy_hour);
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-06-01", "2026-03-30T19:30:00Z").happy_hour);
  // A birthday on 30 March starts at 22:00Z on the 29th (00:00 CEST), not 23:00Z.
  CHECK(quote_at("Europe/Berlin", "1990-03-30", "2026-03-29T22:30:00Z").birthday);
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-03-30", "2026-03-29T21:30:00Z").birthday);
  // A sale on the 28th activates at the midnight that starts the 29th, still winter time; a
  // sale on the 29th at the next one, in summer time. Each expires 365 local days later, at a
  // local midnight (summer time in 2027 from 28 March).
  const Outcome before = quote_at("Europe/Berlin", "1990-06-01", "2026-03-28T11:00:00Z");
  CHECK(before.active_from == "2026-03-28T23:00:00Z");
  CHECK(before.expires_at == "2027-03-28T22:00:00Z");
  const Outcome after = quote_at("Europe/Berlin", "1990-06-01", "2026-03-29T11:00:00Z");
  CHECK(after.active_from == "2026-03-29T22:00:00Z");
  CHECK(after.expires_at == "2027-03-29T22:00:00Z");
}

TEST_CASE("Berlin autumn change: happy hours, birthdays and midnights on both sides", "[dst]") {
  CHECK(quote_at("Europe/Berlin", "1990-06-01", "2026-10-24T17:30:00Z").happy_hour);  // 19:30
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-06-01", "2026-10-24T16:30:00Z").happy_hour);
  CHECK(quote_at("Europe/Berlin", "1990-06-01", "2026-10-26T18:30:00Z").happy_hour);  // 19:30
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-06-01", "2026-10-26T17:30:00Z").happy_hour);
  // A birthday on 25 October starts at 22:00Z on the 24th (00:00 CEST); one on the 26th at
  // 23:00Z on the 25th (00:00 CET).
  CHECK(quote_at("Europe/Berlin", "1990-10-25", "2026-10-24T22:30:00Z").birthday);
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-10-25", "2026-10-24T21:30:00Z").birthday);
  CHECK(quote_at("Europe/Berlin", "1990-10-26", "2026-10-25T23:30:00Z").birthday);
  CHECK_FALSE(quote_at("Europe/Berlin", "1990-10-26", "2026-10-25T22:30:00Z").birthday);
  const Outcome before = quote_at("Europe/Berlin", "1990-06-01", "2026-10-24T11:00:00Z");
  CHECK(before.active_from == "2026-10-24T22:00:00Z");
  CHECK(before.expires_at == "2027-10-24T22:00:00Z");
  const Outcome after = quote_at("Europe/Berlin", "1990-06-01", "2026-10-25T11:00:00Z");
  CHECK(after.active_from == "2026-10-25T23:00:00Z");
  CHECK(after.expires_at == "2027-10-25T22:00:00Z");  // 26 Oct 2027 is still summer time
}

TEST_CASE("Sydney, southern hemisphere: both changes, happy hours, birthdays, midnights", "[dst]") {
  // 5 April: summer time (+11:00) ends. 19:30 is 08:30Z before, 09:30Z after.
  CHECK(quote_at("Australia/Sydney", "1990-06-01", "2026-04-04T08:30:00Z").happy_hour);
  CHECK_FALSE(quote_at("Australia/Sydney", "1990-06-01", "2026-04-06T08:30:00Z").happy_hour);
  CHECK(quote_at("Australia/Sydney", "1990-06-01", "2026-04-06T09:30:00Z").happy_hour);
  const Outcome april_before = quote_at("Australia/Sydney", "1990-06-01", "2026-04-04T02:00:00Z");
  CHECK(april_before.active_from == "2026-04-04T13:00:00Z");  // 00:00 AEDT on the 5th
  const Outcome april_after = quote_at("Australia/Sydney", "1990-06-01", "2026-04-05T02:00:00Z");
  CHECK(april_after.active_from == "2026-04-05T14:00:00Z");  // 00:00 AEST on the 6th
  CHECK(april_after.expires_at == "2027-04-05T14:00:00Z");
  // 4 October: summer time starts. A birthday on the 4th starts at 14:00Z on the 3rd (AEST).
  CHECK(quote_at("Australia/Sydney", "1990-10-04", "2026-10-03T14:30:00Z").birthday);
  CHECK_FALSE(quote_at("Australia/Sydney", "1990-10-04", "2026-10-03T13:30:00Z").birthday);
  CHECK(quote_at("Australia/Sydney", "1990-10-05", "2026-10-04T13:30:00Z").birthday);  // AEDT
  CHECK_FALSE(quote_at("Australia/Sydney", "1990-10-05", "2026-10-04T12:30:00Z").birthday);
  // 19:30 is 09:30Z before the change (AEST), 08:30Z after (AEDT).
  CHECK(quote_at("Australia/Sydney", "1990-06-01", "2026-10-02T09:30:00Z").happy_hour);
  CHECK_FALSE(quote_at("Australia/Sydney", "1990-06-01", "2026-10-02T08:30:00Z").happy_hour);
  CHECK(quote_at("Australia/Sydney", "1990-06-01", "2026-10-05T08:30:00Z").happy_hour);
  CHECK_FALSE(quote_at("Australia/Sydney", "1990-06-01", "2026-10-05T07:30:00Z").happy_hour);
  const Outcome october_before = quote_at("Australia/Sydney", "1990-06-01", "2026-10-03T02:00:00Z");
  CHECK(october_before.active_from == "2026-10-03T14:00:00Z");  // 00:00 AEST on the 4th
  const Outcome october_after = quote_at("Australia/Sydney", "1990-06-01", "2026-10-04T02:00:00Z");
  CHECK(october_after.active_from == "2026-10-04T13:00:00Z");  // 00:00 AEDT on the 5th
}
