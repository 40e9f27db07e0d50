// Stacking: priority order, stack / first / best_for_customer groups, exclusive rules.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
Receipt one_line(std::int64_t price) {
  return make_receipt(R"([{"sku": "A", "unit_price_minor": )" + std::to_string(price) + "}]");
}
}  // namespace

TEST_CASE("stackable rules apply in priority order on the remaining net", "[stacking]") {
  Program program = make_program(R"("rules": [
      {"id": "second", "kind": "percent_off", "percent_bp": 1000, "priority": 20},
      {"id": "first", "kind": "amount_off", "amount_minor": 1000, "priority": 10}])");
  CustomerState customer = make_customer(known_customer());
  Quote quote = quote_ok(program, &customer, one_line(5000));
  // 50.00 - 10.00 = 40.00, then 10 % = 4.00.
  CHECK(discount_from(quote, 0, "rule:first") == 1000);
  CHECK(discount_from(quote, 0, "rule:second") == 400);
  REQUIRE(quote.discounts.size() == 2);
  CHECK(source_label(program, quote.discounts[0].source) == "rule:first");
}

TEST_CASE("a 'first' group applies only its first applicable rule", "[stacking]") {
  Program program = make_program(R"("groups": [{"id": "promos", "mode": "first"}],
    "rules": [
      {"id": "vip", "kind": "percent_off", "percent_bp": 2000, "group": "promos",
       "audience": {"segments": ["vip"]}},
      {"id": "everyone", "kind": "percent_off", "percent_bp": 500, "group": "promos"}])");
  CustomerState vip = make_customer(R"({"customer_id": "C-1", "segments": ["vip"]})");
  CustomerState plain = make_customer(known_customer());
  Quote vip_quote = quote_ok(program, &vip, one_line(10000));
  CHECK(vip_quote.discount_total == Minor(2000));
  CHECK(has_note(vip_quote, NoteCode::stacking_skipped));
  CHECK(quote_ok(program, &plain, one_line(10000)).discount_total == Minor(500));
}

TEST_CASE("best_for_customer picks the larger discount for this basket", "[stacking]") {
  Program program = make_program(R"("groups": [{"id": "promos", "mode": "best_for_customer"}],
    "rules": [
      {"id": "ten-percent", "kind": "percent_off", "percent_bp": 1000, "group": "promos"},
      {"id": "five-off", "kind": "amount_off", "amount_minor": 500, "group": "promos"}])");
  CustomerState customer = make_customer(known_customer());
  Quote small = quote_ok(program, &customer, one_line(3000));
  CHECK(discount_from(small, 0, "rule:five-off") == 500);
  CHECK(discount_from(small, 0, "rule:ten-percent") == 0);
  Quote large = quote_ok(program, &customer, one_line(8000));
  CHECK(discount_from(large, 0, "rule:ten-percent") == 800);
  CHECK(large.discount_total == Minor(800));
  // A tie goes to the rule that comes first.
  Quote tie = quote_ok(program, &customer, one_line(5000));
  CHECK(discount_from(tie, 0, "rule:ten-percent") == 500);
  CHECK(tie.discount_total == Minor(500));
}

TEST_CASE("an exclusive rule stops every later discount, coupons included", "[stacking]") {
  Program program = make_program(R"("rules": [
      {"id": "clearance", "kind": "percent_off", "percent_bp": 5000, "priority": 1,
       "exclusive": true, "items": {"categories": ["clearance"]}},
      {"id": "card", "kind": "percent_off", "percent_bp": 500, "priority": 50},
      {"id": "code", "kind": "coupon", "code": "EXTRA", "amount_minor": 100, "priority": 60}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt =
      make_receipt(R"([{"sku": "OLD", "category": "clearance", "unit_price_minor": 2000},
      {"sku": "NEW", "unit_price_minor": 2000}])",
                   R"("coupons": ["EXTRA"])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.discount_total == Minor(1000));
  CHECK(quote.coupons[0].status == CouponStatus::not_stackable);
  Receipt no_clearance =
      make_receipt(R"([{"sku": "NEW", "unit_price_minor": 2000}])", R"("coupons": ["EXTRA"])");
  Quote normal = quote_ok(program, &customer, no_clearance);
  CHECK(normal.discount_total == Minor(100 + 100));
  CHECK(normal.coupons[0].status == CouponStatus::applied);
}

TEST_CASE("rounding at the discount boundary: half_up, half_even and floor per rule",
          "[stacking][rounding]") {
  auto off = [](const char* rounding, std::int64_t price) {
    Program program = make_program(std::string(R"("rules": [{"id": "r", "kind": "percent_off",
        "percent_bp": 500, "rounding": ")") +
                                   rounding + "\"}]");
    CustomerState customer = make_customer(known_customer());
    return quote_ok(program, &customer, one_line(price)).discount_total.value();
  };
  // 5 % of 0.50 = 0.025 -> 0.03 half_up, 0.02 half_even and floor; of 0.70 = 0.035 -> 0.04.
  CHECK(off("half_up", 50) == 3);
  CHECK(off("half_even", 50) == 2);
  CHECK(off("floor", 50) == 2);
  CHECK(off("half_even", 70) == 4);
  CHECK(off("floor", 19) == 0);
}

TEST_CASE("a stamp card kept out by an exclusive rule still collects stamps",
          "[stacking][stamps]") {
  Program program = make_program(R"("rules": [
      {"id": "clearance", "kind": "percent_off", "percent_bp": 5000, "priority": 1,
       "exclusive": true, "items": {"categories": ["clearance"]}},
      {"id": "coffee-card", "kind": "stamp_card", "card_id": "coffee", "stamps_required": 10,
       "items": {"skus": ["LATTE"]}}])");
  Receipt receipt =
      make_receipt(R"([{"sku": "OLD", "category": "clearance", "unit_price_minor": 1000},
      {"sku": "LATTE", "unit_price_minor": 350, "quantity": 3}])");
  CustomerState eight = make_customer(R"({"customer_id": "C-1", "stamps": {"coffee": 8}})");
  Quote quote = quote_ok(program, &eight, receipt);
  // No free coffee while the clearance rule is exclusive, but stamps up to the 10 needed.
  CHECK(discount_from(quote, 1, "rule:coffee-card") == 0);
  REQUIRE(quote.stamps.size() == 1);
  CHECK(quote.stamps[0].earned == 2);
  CHECK(quote.stamps[0].redeemed == 0);
  CHECK(has_note(quote, NoteCode::stacking_skipped));
}

TEST_CASE("a rule's minimum basket counts only the lines the rule touches", "[stacking]") {
  Program program = make_program(R"("rules": [{"id": "spend-50-save-5", "kind": "amount_off",
      "amount_minor": 500, "min_basket_minor": 5000, "items": {"exclude_categories": ["tobacco"]}}])");
  CustomerState customer = make_customer(known_customer());
  Receipt mostly_tobacco = make_receipt(R"([
      {"sku": "CIG", "category": "tobacco", "unit_price_minor": 6200},
      {"sku": "CHEESE", "category": "dairy", "unit_price_minor": 455}])");
  Quote quote = quote_ok(program, &customer, mostly_tobacco);
  CHECK(quote.discount_total == Minor(0));
  CHECK_FALSE(has_note(quote, NoteCode::stacking_skipped));
  Receipt groceries = make_receipt(R"([
      {"sku": "CIG", "category": "tobacco", "unit_price_minor": 6200},
      {"sku": "CHEESE", "category": "dairy", "unit_price_minor": 5000}])");
  CHECK(discount_from(quote_ok(program, &customer, groceries), 1, "rule:spend-50-save-5") == 500);
}

TEST_CASE("a program is not used before its effective time", "[stacking]") {
  Program program = make_program(R"("effective_from": "2026-12-01T00:00:00Z")");
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 100}])");
  CHECK(quote_error(program, nullptr, receipt) ==
        "at: program test version 1 takes effect at 2026-12-01T00:00:00Z; quote with the version "
        "that was in force at 2026-11-24T12:00:00Z");
  CHECK(quote_ok(program, nullptr, receipt, at("2026-12-01T00:00:00Z")).net_total == Minor(100));
}
