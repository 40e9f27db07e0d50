// load_customer and load_receipt (documents.h), and the CustomerState queries (customer.h).

#include "loyalty/core/documents.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"

namespace loyalty {
namespace {

using Strings = std::vector<std::string>;

struct Case {
  std::string input;
  std::string message;
};

std::string customer_error(std::string_view text) {
  Result<CustomerState> customer = load_customer(text);
  REQUIRE_FALSE(customer.ok());
  CHECK(customer.error().code == ErrorCode::invalid_customer);
  return customer.error().message;
}

std::string receipt_error(std::string_view text) {
  Result<Receipt> receipt = load_receipt(text);
  REQUIRE_FALSE(receipt.ok());
  CHECK(receipt.error().code == ErrorCode::invalid_receipt);
  return receipt.error().message;
}

// {"customer_id": "C-1", <extra>}
std::string customer_with(std::string_view extra) {
  return R"({"customer_id": "C-1")" + std::string(extra) + "}";
}

// {"receipt_id": "R-1", "currency": "EUR", <extra>}
std::string receipt_with(std::string_view extra) {
  return R"({"receipt_id": "R-1", "currency": "EUR")" + std::string(extra) + "}";
}

// A receipt with one line whose members are `line`.
std::string receipt_line(std::string_view line) {
  return receipt_with(R"(, "lines": [{)" + std::string(line) + "}]");
}

constexpr std::string_view complete_customer = R"({
  "customer_id": "C-1001",
  "known": false,
  "segments": ["students", "b2b", "students"],
  "birthday": "1990-11-24",
  "purchase_count": 12,
  "referred_by": "C-0999",
  "last_birthday_bonus_year": 2025,
  "paid_membership_until": "2026-06-01T12:00:00Z",
  "tier": "silver",
  "tier_review_at": "2027-01-01T00:00:00+01:00",
  "period_spend_minor": 123456,
  "period_points_earned": 789,
  "cumulative_spend_minor": 9876543,
  "lots": [
    {"lot_id": "L1", "points": 100, "active_from": "2026-01-01T00:00:00Z"},
    {"lot_id": "L2", "points": 50, "active_from": "2026-01-01T00:00:00Z",
     "expires_at": "2026-03-01T00:00:00Z"},
    {"lot_id": "L3", "points": 7, "active_from": "2026-06-01T12:00:00Z",
     "expires_at": "2027-06-01T00:00:00Z"}
  ],
  "stamps": {"coffee": 4, "bakery": 0},
  "coupon_uses": {"save30": 1, "WELCOME5": 2},
  "coupon_uses_total": {"Save30": 40},
  "event_awards": {"review": 3, "survey": 1},
  "company": {"company_id": "ACME", "year_spend_minor": 350000000}
})";

TEST_CASE("load_customer: a complete document", "[documents]") {
  Result<CustomerState> loaded = load_customer(complete_customer);
  if (!loaded.ok()) FAIL(loaded.error().message);
  const CustomerState& c = loaded.value();
  CHECK(c.customer_id == "C-1001");
  CHECK_FALSE(c.known);
  CHECK(c.segments == Strings{"b2b", "students"});
  REQUIRE(c.birthday.has_value());
  CHECK(*c.birthday == CivilDate{1990, 11, 24});
  CHECK(c.purchase_count == 12);
  CHECK(c.referred_by == "C-0999");
  CHECK(c.last_birthday_bonus_year == 2025);
  CHECK(c.paid_membership_until->unix_seconds == 1780315200);
  CHECK(c.tier == "silver");
  CHECK(c.tier_review_at->unix_seconds == 1798758000);
  CHECK(c.period_spend == 123456);
  CHECK(c.period_points_earned == 789);
  CHECK(c.cumulative_spend == Minor(9876543));
  REQUIRE(c.lots.size() == 3);
  CHECK(c.lots[0].lot_id == "L1");
  CHECK(c.lots[0].points == Points(100));
  CHECK(c.lots[0].active_from.unix_seconds == 1767225600);
  CHECK_FALSE(c.lots[0].expires_at.has_value());
  CHECK(c.lots[1].expires_at->unix_seconds == 1772323200);
  REQUIRE(c.stamps.size() == 2);
  CHECK(c.stamps[0].key == "bakery");
  CHECK(c.stamps[0].count == 0);
  CHECK(c.stamps[1].key == "coffee");
  CHECK(c.stamps[1].count == 4);
  REQUIRE(c.coupon_uses.size() == 2);
  CHECK(c.coupon_uses[0].key == "SAVE30");
  CHECK(c.coupon_uses[1].key == "WELCOME5");
  REQUIRE(c.coupon_uses_total.size() == 1);
  CHECK(c.coupon_uses_total[0].key == "SAVE30");
  CHECK(c.event_awards.size() == 2);
  REQUIRE(c.company.has_value());
  CHECK(c.company->company_id == "ACME");
  CHECK(c.company->year_spend == Minor(350000000));

  Result<json::Value> tree = json::parse(complete_customer);
  REQUIRE(tree.ok());
  Result<CustomerState> from_value = load_customer(tree.value());
  REQUIRE(from_value.ok());
  CHECK(from_value->lots.size() == 3);
}

TEST_CASE("load_customer: defaults", "[documents]") {
  Result<CustomerState> loaded = load_customer(R"({"customer_id": "C-1"})");
  REQUIRE(loaded.ok());
  const CustomerState& c = loaded.value();
  CHECK(c.known);
  CHECK(c.segments.empty());
  CHECK_FALSE(c.birthday.has_value());
  CHECK(c.purchase_count == 0);
  CHECK(c.referred_by.empty());
  CHECK(c.tier.empty());
  CHECK_FALSE(c.paid_membership_until.has_value());
  CHECK_FALSE(c.tier_review_at.has_value());
  CHECK(c.lots.empty());
  CHECK(c.stamps.empty());
  CHECK_FALSE(c.company.has_value());
  CHECK(load_customer(customer_with(R"(, "referred_by": "", "tier": "")")).ok());
}

TEST_CASE("CustomerState: balance and counters", "[documents]") {
  Result<CustomerState> loaded = load_customer(complete_customer);
  REQUIRE(loaded.ok());
  const CustomerState& c = loaded.value();
  CHECK(c.available_points(Timestamp{1767225600 - 1}) == Points(0));
  CHECK(c.available_points(Timestamp{1767225600}) == Points(150));
  CHECK(c.available_points(Timestamp{1772323200 - 1}) == Points(150));
  CHECK(c.available_points(Timestamp{1772323200}) == Points(100));  // L2 expired
  CHECK(c.available_points(Timestamp{1780315200}) == Points(107));  // L3 active
  CHECK(c.available_points(Timestamp{1811808000}) == Points(100));  // L3 expired
  CHECK(c.stamps_for("coffee") == 4);
  CHECK(c.stamps_for("bakery") == 0);
  CHECK(c.stamps_for("tea") == 0);
  CHECK(c.coupon_uses_for("SAVE30") == 1);
  CHECK(c.coupon_uses_for("save30") == 1);
  CHECK(c.coupon_uses_for("WELCOME5") == 2);
  CHECK(c.coupon_uses_for("SAVE3") == 0);
  CHECK(c.coupon_uses_total_for("Save30") == 40);
  CHECK(c.coupon_uses_total_for("WELCOME5") == 0);
  CHECK(c.event_awards_for("review") == 3);
  CHECK(c.event_awards_for("survey") == 1);
  CHECK(c.event_awards_for("quiz") == 0);
  CHECK(c.in_segment("b2b"));
  CHECK(c.in_segment("students"));
  CHECK_FALSE(c.in_segment("student"));
  CHECK_FALSE(CustomerState{}.in_segment(""));
}

TEST_CASE("load_customer: profile errors", "[documents]") {
  const std::vector<Case> cases = {
      {"[]", "(root): must be an object"},
      {"{}", "customer_id: is required"},
      {R"({"customer_id": ""})", "customer_id: must be 1 to 64 bytes long, got 0"},
      {R"({"customer_id": "C 1"})",
       R"(customer_id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "C 1")"},
      {customer_with(R"(, "known": "yes")"), "known: must be a boolean"},
      {customer_with(R"(, "segments": "vip")"), "segments: must be an array"},
      {customer_with(R"(, "segments": ["vip", ""])"),
       "segments[1]: must be 1 to 64 bytes long, got 0"},
      {customer_with(R"(, "birthday": "1990-02-30")"),
       R"(birthday: "1990-02-30" is not a valid date: day 30 is out of range: February 1990 )"
       R"(has 28 days (expected YYYY-MM-DD))"},
      {customer_with(R"(, "birthday": 19901124)"), "birthday: must be a string"},
      {customer_with(R"(, "purchase_count": -1)"),
       "purchase_count: must be between 0 and 1000000000, got -1"},
      {customer_with(R"(, "referred_by": "a b")"),
       R"(referred_by: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "a b")"},
      {customer_with(R"(, "last_birthday_bonus_year": 10000)"),
       "last_birthday_bonus_year: must be between 0 and 9999, got 10000"},
      {customer_with(R"(, "paid_membership_until": "2026-06-01")"),
       R"(paid_membership_until: "2026-06-01" is not a valid time: the time is missing )"
       R"((expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00))"},
      {customer_with(R"(, "tier": 1)"), "tier: must be a string"},
      {customer_with(R"(, "period_spend_minor": 1000000000001)"),
       "period_spend_minor: must be between 0 and 1000000000000, got 1000000000001"},
      {customer_with(R"(, "period_points_earned": -1)"),
       "period_points_earned: must be between 0 and 1000000000000, got -1"},
      {customer_with(R"(, "cumulative_spend_minor": "0")"),
       "cumulative_spend_minor: must be an integer"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(customer_error(c.input) == c.message);
  }
}

TEST_CASE("load_customer: history errors", "[documents]") {
  const std::vector<Case> cases = {
      {customer_with(R"(, "lots": {})"), "lots: must be an array"},
      {customer_with(R"(, "lots": [{"points": 1, "active_from": "2026-01-01T00:00:00Z"}])"),
       "lots[0].lot_id: is required"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "active_from": "2026-01-01T00:00:00Z"}])"),
       "lots[0].points: is required"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "points": 1}])"),
       "lots[0].active_from: is required"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "points": 0,
                                    "active_from": "2026-01-01T00:00:00Z"}])"),
       "lots[0].points: must be between 1 and 1000000000000, got 0"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "points": 1,
                                    "active_from": "2026-01-01T00:00:00Z",
                                    "expires_at": "2026-01-01T00:00:00Z"}])"),
       "lots[0].expires_at: must be later than active_from"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "points": 1,
                                    "active_from": "2026-01-01T00:00:00Z"},
                                   {"lot_id": "L", "points": 2,
                                    "active_from": "2026-01-02T00:00:00Z"}])"),
       R"(lots[1].lot_id: duplicate lot id "L")"},
      {customer_with(R"(, "lots": [{"lot_id": "L", "points": 1,
                                    "active_from": "2026-01-01T00:00:00Z", "expiry": 1}])"),
       "lots[0].expiry: unknown field (expected one of: lot_id, points, active_from, "
       "expires_at)"},
      {customer_with(R"(, "stamps": [])"), "stamps: must be an object"},
      {customer_with(R"(, "stamps": {"coffee": -1})"),
       R"(stamps["coffee"]: must be between 0 and 1000000, got -1)"},
      {customer_with(R"(, "stamps": {"coffee": "1"})"), R"(stamps["coffee"]: must be an integer)"},
      {customer_with(R"(, "stamps": {"coffee card": 1})"),
       R"(stamps["coffee card"]: must contain only A-Z, a-z, 0-9, '.', '_' and '-', )"
       R"(got "coffee card")"},
      {customer_with(R"(, "coupon_uses": {"save30": 1, "SAVE30": 2})"),
       R"(coupon_uses["SAVE30"]: duplicate coupon code "SAVE30")"},
      {customer_with(R"(, "coupon_uses": {"SAVE.30": 1})"),
       R"(coupon_uses["SAVE.30"]: must contain only A-Z, a-z, 0-9, '_' and '-', got "SAVE.30")"},
      {customer_with(R"(, "coupon_uses_total": {"X": 1000000001})"),
       R"(coupon_uses_total["X"]: must be between 0 and 1000000000, got 1000000001)"},
      {customer_with(R"(, "event_awards": {"": 1})"),
       R"(event_awards[""]: must be 1 to 64 bytes long, got 0)"},
      {customer_with(R"(, "company": {"year_spend_minor": 1})"), "company.company_id: is required"},
      {customer_with(R"(, "company": {"company_id": "A", "year_spend_minor": -1})"),
       "company.year_spend_minor: must be between 0 and 1000000000000, got -1"},
      {customer_with(R"(, "company": {"company_id": "A", "name": "Acme"})"),
       "company.name: unknown field (expected one of: company_id, year_spend_minor)"},
      {customer_with(R"(, "points": 100)"),
       "points: unknown field (expected one of: customer_id, known, segments, birthday, "
       "purchase_count, referred_by, last_birthday_bonus_year, paid_membership_until, "
       "last_purchase_at, tier, "
       "tier_review_at, period_spend_minor, period_points_earned, cumulative_spend_minor, lots, "
       "stamps, coupon_uses, coupon_uses_total, event_awards, company)"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(customer_error(c.input) == c.message);
  }
}

TEST_CASE("load_customer: size limits", "[documents]") {
  std::string segments = R"(, "segments": [)";
  for (std::size_t i = 0; i <= limits::customer_segments_max; ++i) {
    segments += (i ? ", \"s" : "\"s") + std::to_string(i) + "\"";
  }
  segments += "]";
  CHECK(customer_error(customer_with(segments)) == "segments: must have at most 64 items, got 65");
  // The JSON parser stops text with more members than this; a Value built in code reaches the
  // loader's own check.
  json::Value stamps = json::Value::make_object();
  for (std::size_t i = 0; i <= limits::customer_counters_max; ++i) {
    stamps.add_member("c" + std::to_string(i), json::Value::make_int(1));
  }
  json::Value customer = json::Value::make_object();
  customer.add_member("customer_id", json::Value::make_string("C-1"));
  customer.add_member("stamps", std::move(stamps));
  Result<CustomerState> loaded = load_customer(customer);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == ErrorCode::invalid_customer);
  CHECK(loaded.error().message == "stamps: must have at most 1000 members, got 1001");
}

TEST_CASE("load_customer: JSON syntax errors keep the parser's error", "[documents]") {
  Result<CustomerState> customer = load_customer(R"({"customer_id": )");
  REQUIRE_FALSE(customer.ok());
  CHECK(customer.error().code == ErrorCode::parse_error);
}

constexpr std::string_view complete_receipt = R"({
  "receipt_id": "T1-000042",
  "store_id": "store-7",
  "partner_id": "fuelco",
  "currency": "EUR",
  "lines": [
    {"sku": "MILK-1L", "category": "dairy", "unit_price_minor": 129, "quantity": 2},
    {"sku": "COFFEE-REG", "unit_price_minor": 250, "reward_id": "free-coffee"},
    {"sku": "BREAD", "category": "bakery", "unit_price_minor": 199, "voided": true}
  ],
  "coupons": ["save30", "Welcome5"],
  "redeem": {"points": 500},
  "donations": [{"charity_id": "red-cross", "points": 100}],
  "events": [{"event_id": "E-1", "event_type": "review"}]
})";

TEST_CASE("load_receipt: a complete document", "[documents]") {
  Result<Receipt> loaded = load_receipt(complete_receipt);
  if (!loaded.ok()) FAIL(loaded.error().message);
  const Receipt& r = loaded.value();
  CHECK(r.receipt_id == "T1-000042");
  CHECK(r.store_id == "store-7");
  CHECK(r.partner_id == "fuelco");
  CHECK(r.currency == "EUR");
  REQUIRE(r.lines.size() == 3);
  CHECK(r.lines[0].sku == "MILK-1L");
  CHECK(r.lines[0].category == "dairy");
  CHECK(r.lines[0].unit_price == Minor(129));
  CHECK(r.lines[0].quantity == 2);
  CHECK_FALSE(r.lines[0].voided);
  CHECK(r.lines[0].reward_id.empty());
  CHECK(r.lines[1].category.empty());
  CHECK(r.lines[1].quantity == 1);
  CHECK(r.lines[1].reward_id == "free-coffee");
  CHECK(r.lines[2].voided);
  CHECK(r.coupons == Strings{"save30", "Welcome5"});
  CHECK(r.redeem == RedeemRequest::points);
  CHECK(r.redeem_points == Points(500));
  REQUIRE(r.donations.size() == 1);
  CHECK(r.donations[0].charity_id == "red-cross");
  CHECK(r.donations[0].points == Points(100));
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].event_id == "E-1");
  CHECK(r.events[0].event_type == "review");

  Result<json::Value> tree = json::parse(complete_receipt);
  REQUIRE(tree.ok());
  CHECK(load_receipt(tree.value()).ok());
}

TEST_CASE("load_receipt: defaults and redeem max", "[documents]") {
  Result<Receipt> loaded = load_receipt(receipt_with(""));
  REQUIRE(loaded.ok());
  CHECK(loaded->store_id.empty());
  CHECK(loaded->partner_id.empty());
  CHECK(loaded->lines.empty());
  CHECK(loaded->coupons.empty());
  CHECK(loaded->redeem == RedeemRequest::none);
  CHECK(loaded->redeem_points == Points(0));
  Result<Receipt> max = load_receipt(receipt_with(R"(, "redeem": "max", "partner_id": "")"));
  REQUIRE(max.ok());
  CHECK(max->redeem == RedeemRequest::max);
  // The largest line and the largest total are allowed.
  CHECK(
      load_receipt(receipt_line(R"("sku": "A", "unit_price_minor": 10000000, "quantity": 100000)"))
          .ok());
}

TEST_CASE("load_receipt: errors", "[documents]") {
  const std::vector<Case> cases = {
      {"1", "(root): must be an object"},
      {R"({"currency": "EUR"})", "receipt_id: is required"},
      {R"({"receipt_id": "R"})", "currency: is required"},
      {R"({"receipt_id": "R", "currency": "Eur"})",
       R"(currency: must be 3 upper-case letters (ISO 4217), got "Eur")"},
      {receipt_with(R"(, "store_id": "")"), "store_id: must be 1 to 64 bytes long, got 0"},
      {receipt_with(R"(, "partner_id": "fuel co")"),
       R"(partner_id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "fuel co")"},
      {receipt_with(R"(, "lines": {})"), "lines: must be an array"},
      {receipt_with(R"(, "lines": [1])"), "lines[0]: must be an object"},
      {receipt_line(R"("unit_price_minor": 1)"), "lines[0].sku: is required"},
      {receipt_line(R"("sku": "A")"), "lines[0].unit_price_minor: is required"},
      {receipt_line(R"("sku": "", "unit_price_minor": 1)"),
       "lines[0].sku: must be 1 to 64 bytes long, got 0"},
      {receipt_line(R"("sku": "A\u0007", "unit_price_minor": 1)"),
       R"(lines[0].sku: must not contain control characters, got "A\u0007")"},
      {receipt_line(R"("sku": "A", "category": 5, "unit_price_minor": 1)"),
       "lines[0].category: must be a string"},
      {receipt_line(R"("sku": "A", "unit_price_minor": -1)"),
       "lines[0].unit_price_minor: must be between 0 and 1000000000000, got -1"},
      {receipt_line(R"("sku": "A", "unit_price_minor": 1, "quantity": 0)"),
       "lines[0].quantity: must be between 1 and 100000, got 0"},
      {receipt_line(R"("sku": "A", "unit_price_minor": 1, "quantity": 100001)"),
       "lines[0].quantity: must be between 1 and 100000, got 100001"},
      {receipt_line(R"("sku": "A", "unit_price_minor": 1, "voided": 1)"),
       "lines[0].voided: must be a boolean"},
      {receipt_line(R"("sku": "A", "unit_price_minor": 1, "reward_id": "a b")"),
       R"(lines[0].reward_id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "a b")"},
      {receipt_line(R"("sku": "A", "unit_price_minor": 1, "price": 1)"),
       "lines[0].price: unknown field (expected one of: sku, category, unit_price_minor, "
       "quantity, voided, reward_id)"},
      {receipt_with(R"(, "lines": [{"sku": "A", "unit_price_minor": 1},
          {"sku": "B", "unit_price_minor": 2},
          {"sku": "C", "unit_price_minor": 10000001, "quantity": 100000}])"),
       "lines[2]: unit_price_minor × quantity exceeds 1000000000000"},
      {receipt_with(R"(, "lines": [{"sku": "A", "unit_price_minor": 1000000000000},
                                   {"sku": "B", "unit_price_minor": 1}])"),
       "lines: total of unit_price_minor × quantity exceeds 1000000000000"},
      {receipt_with(R"(, "coupons": "SAVE30")"), "coupons: must be an array"},
      {receipt_with(R"(, "coupons": ["A", ""])"), "coupons[1]: must be 1 to 64 bytes long, got 0"},
      {receipt_with(R"(, "redeem": "all")"), R"(redeem: must be "max" or an object, got "all")"},
      {receipt_with(R"(, "redeem": 100)"), R"(redeem: must be "max" or an object)"},
      {receipt_with(R"(, "redeem": {})"), "redeem.points: is required"},
      {receipt_with(R"(, "redeem": {"points": 0})"),
       "redeem.points: must be between 1 and 1000000000000, got 0"},
      {receipt_with(R"(, "redeem": {"points": 1, "max": true})"),
       "redeem.max: unknown field (expected one of: points)"},
      {receipt_with(R"(, "donations": [{"points": 1}])"), "donations[0].charity_id: is required"},
      {receipt_with(R"(, "donations": [{"charity_id": "c"}])"), "donations[0].points: is required"},
      {receipt_with(R"(, "donations": [{"charity_id": "c", "points": 0}])"),
       "donations[0].points: must be between 1 and 1000000000000, got 0"},
      {receipt_with(R"(, "events": [{"event_type": "review"}])"),
       "events[0].event_id: is required"},
      {receipt_with(R"(, "events": [{"event_id": "E"}])"), "events[0].event_type: is required"},
      {receipt_with(R"(, "events": [{"event_id": "E", "event_type": "r"},
                                    {"event_id": "E", "event_type": "s"}])"),
       R"(events[1].event_id: duplicate event id "E")"},
      {receipt_with(R"(, "events": [{"event_id": "E", "event_type": "r", "points": 1}])"),
       "events[0].points: unknown field (expected one of: event_id, event_type)"},
      {receipt_with(R"(, "customer": "C-1")"),
       "customer: unknown field (expected one of: receipt_id, store_id, partner_id, currency, "
       "lines, coupons, redeem, donations, events)"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(receipt_error(c.input) == c.message);
  }
}

TEST_CASE("load_receipt: size limits", "[documents]") {
  const auto repeated = [](std::string_view name, std::size_t count, std::string_view item) {
    std::string out = ", \"" + std::string(name) + "\": [";
    for (std::size_t i = 0; i < count; ++i) out += (i ? ", " : "") + std::string(item);
    return out + "]";
  };
  CHECK(receipt_error(receipt_with(repeated("lines", limits::receipt_lines_max + 1,
                                            R"({"sku": "A", "unit_price_minor": 1})"))) ==
        "lines: must have at most 1000 items, got 1001");
  CHECK(
      receipt_error(receipt_with(repeated("coupons", limits::receipt_coupons_max + 1, R"("X")"))) ==
      "coupons: must have at most 32 items, got 33");
  CHECK(receipt_error(receipt_with(repeated("donations", limits::receipt_donations_max + 1,
                                            R"({"charity_id": "c", "points": 1})"))) ==
        "donations: must have at most 8 items, got 9");
  CHECK(receipt_error(receipt_with(repeated("events", limits::receipt_events_max + 1,
                                            R"({"event_id": "e", "event_type": "t"})"))) ==
        "events: must have at most 32 items, got 33");
  CHECK(load_receipt(receipt_with(repeated("lines", limits::receipt_lines_max,
                                           R"({"sku": "A", "unit_price_minor": 1})")))
            .ok());
}

TEST_CASE("load_receipt: JSON syntax errors keep the parser's error", "[documents]") {
  Result<Receipt> receipt = load_receipt("{\"receipt_id\": \"R\"");
  REQUIRE_FALSE(receipt.ok());
  CHECK(receipt.error().code == ErrorCode::parse_error);
}

TEST_CASE("customer_to_json and receipt_to_json write what the loaders read back", "[documents]") {
  const CustomerState customer = load_customer(complete_customer).value();
  const std::string written = customer_to_json(customer);
  // Deterministic: the same value writes the same text, and a round trip changes nothing.
  const CustomerState again = load_customer(written).value();
  CHECK(customer_to_json(again) == written);
  CHECK(again.birthday == customer.birthday);
  CHECK(again.segments == customer.segments);
  CHECK(again.lots.size() == 3);
  CHECK(again.tier_review_at == customer.tier_review_at);
  CHECK(again.cumulative_spend == Minor(9876543));
  // Empty optional fields are left out; zero counters are not written.
  CustomerState bare;
  bare.customer_id = "C-2";
  bare.known = true;
  CHECK(customer_to_json(bare) ==
        R"({"customer_id":"C-2","known":true,"segments":[],"purchase_count":0,)"
        R"("last_birthday_bonus_year":0,"period_spend_minor":0,"period_points_earned":0,)"
        R"("cumulative_spend_minor":0,"lots":[],"stamps":{},"coupon_uses":{},)"
        R"("coupon_uses_total":{},"event_awards":{}})");

  const Receipt receipt = load_receipt(complete_receipt).value();
  const std::string receipt_written = receipt_to_json(receipt);
  CHECK(receipt_to_json(load_receipt(receipt_written).value()) == receipt_written);
  CHECK(receipt_written.find(R"("sku":"BREAD","category":"bakery","unit_price_minor":199,)"
                             R"("quantity":1,"voided":true})") != std::string::npos);
}

}  // namespace
}  // namespace loyalty
