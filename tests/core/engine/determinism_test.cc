// Determinism: the same program, customer, receipt and time give byte-identical JSON, whether
// the Quoter is fresh or has quoted other receipts before (no state leaks between quotes).
#include "engine/engine_support.h"
#include "loyalty/core/quote_json.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* busy_program = R"("groups": [{"id": "promos", "mode": "best_for_customer"}],
  "tiers": {"levels": [{"id": "base", "threshold": 0},
                       {"id": "silver", "threshold": 1000, "earn_multiplier_percent": 150}]},
  "rules": [
    {"id": "ten", "kind": "percent_off", "percent_bp": 1000, "group": "promos"},
    {"id": "five-off", "kind": "amount_off", "amount_minor": 500, "group": "promos"},
    {"id": "b2g1", "kind": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1,
     "items": {"categories": ["snacks"]}},
    {"id": "stamps", "kind": "stamp_card", "card_id": "c", "stamps_required": 2,
     "items": {"skus": ["LATTE"]}},
    {"id": "draw", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2},
     "prize_points": 7},
    {"id": "code", "kind": "coupon", "code": "X", "amount_minor": 100}])";

Receipt busy_receipt(const std::string& id, bool redeem = true) {
  Receipt receipt = make_receipt(R"([
      {"sku": "CHIPS", "category": "snacks", "unit_price_minor": 199, "quantity": 3},
      {"sku": "LATTE", "unit_price_minor": 350, "quantity": 3},
      {"sku": "WINE", "unit_price_minor": 1299, "voided": true}])",
                                 R"("coupons": ["x", "y"])");
  receipt.receipt_id = id;
  if (redeem) {
    receipt.redeem = RedeemRequest::points;
    receipt.redeem_points = Points(123);
  }
  return receipt;
}
}  // namespace

TEST_CASE("the same inputs give byte-identical JSON from a fresh or a warm Quoter",
          "[determinism]") {
  Program program = make_program(busy_program);
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "silver",
      "stamps": {"c": 1}, "lots": [{"lot_id": "L", "points": 900,
      "active_from": "2026-01-01T00:00:00Z"}]})");
  Receipt receipt = busy_receipt("R-42");
  const TestDrawKeyer keyer("determinism");
  QuoteEnvironment env;
  env.draw_keyer = &keyer;
  Quote fresh = quote_in(program, &customer, receipt, tuesday_noon(), env);
  std::string expected = quote_to_json(receipt, fresh, false);

  Quoter warm;
  Quote reused;
  for (int i = 0; i < 20; ++i) {
    bool identified = i % 2 == 1;
    Receipt other = busy_receipt("R-" + std::to_string(i), identified);
    REQUIRE(
        warm.quote(program, identified ? &customer : nullptr, other, tuesday_noon(), env, reused)
            .ok());
  }
  REQUIRE(warm.quote(program, &customer, receipt, tuesday_noon(), env, reused).ok());
  CHECK(quote_to_json(receipt, reused, false) == expected);
  CHECK(quote_to_json(receipt, quote_in(program, &customer, receipt, tuesday_noon(), env), true) ==
        quote_to_json(receipt, fresh, true));
  // The quote did real work: a discount, stamps, a draw and points both ways.
  CHECK(fresh.discount_total.value() > 0);
  CHECK(fresh.burned_total == Points(123));
  CHECK(fresh.stamps.size() == 1);
  CHECK(fresh.draws.size() == 1);
}

TEST_CASE("a failed quote leaves the Quoter usable", "[determinism]") {
  Program program = make_program(busy_program);
  CustomerState customer = make_customer(known_customer());
  Quoter quoter;
  Quote quote;
  Receipt bad = make_receipt(R"([{"sku": "A", "unit_price_minor": 100}])", R"("redeem": "max")");
  CHECK_FALSE(quoter.quote(program, nullptr, bad, tuesday_noon(), quote).ok());
  Receipt good = busy_receipt("R-1");
  REQUIRE(quoter.quote(program, &customer, good, tuesday_noon(), quote).ok());
  CHECK(quote_to_json(good, quote, false) ==
        quote_to_json(good, quote_ok(program, &customer, good), false));
}
