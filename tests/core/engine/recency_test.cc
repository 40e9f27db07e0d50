// Recency: a progressive card that drops a step per N store-local days away, and the win-back
// bonus on the first purchase after N days away, both from the customer's last_purchase_at.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* recency_rules = R"("rules": [
    {"id": "card", "kind": "progressive_discount", "step_down_after_days": 30,
     "thresholds": [{"from_spend_minor": 1000, "percent_bp": 500},
                    {"from_spend_minor": 5000, "percent_bp": 1000},
                    {"from_spend_minor": 9000, "percent_bp": 1500}]},
    {"id": "missed-you", "kind": "bonus", "trigger": "win_back", "days_away": 90, "points": 200,
     "min_basket_minor": 500}])";

CustomerState spender(const std::string& last_purchase) {
  std::string json = R"({"customer_id": "C-1", "purchase_count": 9,
      "cumulative_spend_minor": 9500)";
  if (!last_purchase.empty()) json += R"(, "last_purchase_at": ")" + last_purchase + "\"";
  return make_customer(json + "}");
}

Receipt basket() { return make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])"); }

std::int64_t percent_given(const std::string& last_purchase, const char* when) {
  Program program = make_program(recency_rules);
  CustomerState customer = spender(last_purchase);
  return quote_ok(program, &customer, basket(), at(when)).discount_total.value() * 10;  // bp
}
}  // namespace

TEST_CASE("the card drops one step per 30 local days away, down to the first step", "[recency]") {
  const char* now = "2026-11-24T12:00:00Z";
  CHECK(percent_given("2026-11-20T12:00:00Z", now) == 1500);  // 4 days
  CHECK(percent_given("2026-10-26T12:00:00Z", now) == 1500);  // 29 days
  CHECK(percent_given("2026-10-25T12:00:00Z", now) == 1000);  // 30 days: one step
  CHECK(percent_given("2026-09-25T12:00:00Z", now) == 500);   // 60 days: two
  CHECK(percent_given("2025-01-01T12:00:00Z", now) == 500);   // years: never below the first
  CHECK(percent_given("", now) == 1500);                      // never recorded: no drop
  CHECK(percent_given("2026-12-01T12:00:00Z", now) == 1500);  // after the receipt: no drop
}

TEST_CASE("days away are store-local calendar days", "[recency]") {
  Program program = make_program(recency_rules);
  // 23:30Z on 25 October is 00:30 on the 26th at +01:00: 29 local days before the 24th...
  CustomerState customer = spender("2026-10-25T23:30:00Z");
  FixedOffsetZone plus_one(60);
  QuoteEnvironment env;
  env.zone = &plus_one;
  CHECK(quote_in(program, &customer, basket(), at("2026-11-24T12:00:00Z"), env).discount_total ==
        Minor(150));
  // ... but 30 UTC days.
  CHECK(quote_ok(program, &customer, basket(), at("2026-11-24T12:00:00Z")).discount_total ==
        Minor(100));
}

TEST_CASE("the step-down is explained by a note with the steps dropped", "[recency]") {
  Program program = make_program(recency_rules);
  CustomerState customer = spender("2026-09-25T12:00:00Z");
  Quote quote = quote_ok(program, &customer, basket(), at("2026-11-24T12:00:00Z"));
  REQUIRE(quote.notes.size() == 1);
  CHECK(quote.notes[0].code == NoteCode::recency_stepped_down);
  CHECK(quote.notes[0].value == 2);
  CHECK(source_label(program, quote.notes[0].source) == "rule:card");
}

TEST_CASE("win-back: points on a purchase after 90 local days away", "[recency]") {
  Program program = make_program(recency_rules);
  const auto bonus = [&](const std::string& last, const char* when, const Receipt& receipt) {
    CustomerState customer = spender(last);
    return earned_from(quote_ok(program, &customer, receipt, at(when)), no_line, "rule:missed-you");
  };
  CHECK(bonus("2026-08-26T12:00:00Z", "2026-11-24T12:00:00Z", basket()) == 200);  // 90 days
  CHECK(bonus("2026-08-27T12:00:00Z", "2026-11-24T12:00:00Z", basket()) == 0);    // 89 days
  CHECK(bonus("", "2026-11-24T12:00:00Z", basket()) == 0);  // unknown: a new customer
  Receipt small = make_receipt(R"([{"sku": "A", "unit_price_minor": 499}])");
  CHECK(bonus("2026-01-01T12:00:00Z", "2026-11-24T12:00:00Z", small) == 0);  // below 5.00
}
