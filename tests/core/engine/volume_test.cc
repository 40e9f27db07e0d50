// volume_discount: steps by units or by net amount over the whole receipt, stacking, and returns.
#include "engine/engine_support.h"
#include "loyalty/core/reversal.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* volume_rules = R"("rules": [
    {"id": "water", "kind": "volume_discount", "items": {"skus": ["WATER", "SPARKLING"]},
     "steps": [{"from_quantity": 10, "percent_bp": 300}, {"from_quantity": 50, "percent_bp": 700}]},
    {"id": "paper", "kind": "volume_discount", "items": {"categories": ["paper"]},
     "rounding": "floor",
     "steps": [{"from_amount_minor": 50000, "percent_bp": 200},
               {"from_amount_minor": 200000, "percent_bp": 500}]}])";

Receipt water(int still, int sparkling) {
  std::string lines =
      R"([{"sku": "WATER", "unit_price_minor": 100, "quantity": )" + std::to_string(still) + "}";
  if (sparkling > 0) {
    lines += R"(, {"sku": "SPARKLING", "unit_price_minor": 200, "quantity": )" +
             std::to_string(sparkling) + "}";
  }
  return make_receipt(lines + "]");
}
}  // namespace

TEST_CASE("volume steps by units: counted over every matching line of the receipt", "[volume]") {
  Program program = make_program(volume_rules);
  CHECK(quote_ok(program, nullptr, water(6, 3)).discount_total == Minor(0));  // 9 units
  Quote ten = quote_ok(program, nullptr, water(6, 4));                        // 10 units: 3 %
  CHECK(discount_from(ten, 0, "rule:water") == 18);
  CHECK(discount_from(ten, 1, "rule:water") == 24);
  Quote fifty = quote_ok(program, nullptr, water(30, 20));  // 50 units: 7 %
  CHECK(discount_from(fifty, 0, "rule:water") == 210);
  CHECK(discount_from(fifty, 1, "rule:water") == 280);
  CHECK(quote_ok(program, nullptr, water(49, 0)).discount_total == Minor(147));  // 3 % of 49.00
}

TEST_CASE("volume steps by amount use the nets when the rule runs, and its rounding", "[volume]") {
  Program program = make_program(volume_rules);
  Receipt receipt = make_receipt(R"([
      {"sku": "A4", "category": "paper", "unit_price_minor": 1999, "quantity": 25},
      {"sku": "A3", "category": "paper", "unit_price_minor": 2999},
      {"sku": "PEN", "category": "writing", "unit_price_minor": 100000}])");
  // 499.75 + 29.99 = 529.74 of paper: 2 %, floor: 9.99 and 0.59; the pen does not count.
  Quote quote = quote_ok(program, nullptr, receipt);
  CHECK(discount_from(quote, 0, "rule:paper") == 999);
  CHECK(discount_from(quote, 1, "rule:paper") == 59);
  CHECK(discount_from(quote, 2, "rule:paper") == 0);
  // An earlier 10 % off paper brings the paper's net to 476.76: below the first step.
  Program with_first = make_program(R"("rules": [
      {"id": "ten", "kind": "percent_off", "percent_bp": 1000, "priority": 1,
       "items": {"categories": ["paper"]}},
      {"id": "paper", "kind": "volume_discount", "items": {"categories": ["paper"]},
       "steps": [{"from_amount_minor": 50000, "percent_bp": 200}]}])");
  Quote after = quote_ok(with_first, nullptr, receipt);
  CHECK(discount_from(after, 0, "rule:paper") == 0);
  CHECK(discount_from(after, 0, "rule:ten") == 4998);
}

TEST_CASE("volume steps stack like any discount rule: best_for_customer picks one", "[volume]") {
  Program program = make_program(R"("groups": [{"id": "trade", "mode": "best_for_customer"}],
    "rules": [
      {"id": "volume", "kind": "volume_discount", "group": "trade",
       "steps": [{"from_quantity": 10, "percent_bp": 500}]},
      {"id": "card", "kind": "percent_off", "percent_bp": 300, "group": "trade"}])");
  Quote ten = quote_ok(program, nullptr, water(10, 0));
  CHECK(discount_from(ten, 0, "rule:volume") == 50);
  CHECK(discount_from(ten, 0, "rule:card") == 0);
  REQUIRE(ten.notes.size() == 1);
  CHECK(ten.notes[0].code == NoteCode::stacking_skipped);
  CHECK(ten.notes[0].value == 30);
  Quote nine = quote_ok(program, nullptr, water(9, 0));
  CHECK(discount_from(nine, 0, "rule:card") == 27);
}

TEST_CASE("a partial return below the step keeps the step's discount on the kept units",
          "[volume][reversal]") {
  Program program = make_program(volume_rules);
  Receipt receipt = water(50, 0);  // 50.00 at 7 %: 3.50 off, 46.50 due
  Quote quote = quote_ok(program, nullptr, receipt);
  REQUIRE(quote.due_total == Minor(4650));
  const ReturnRequest back_45[] = {ReturnRequest{0, 45}};
  Result<Reversal> first = compute_reversal(receipt, quote, back_45);
  REQUIRE(first.ok());
  // 45 of 50 units give back 45/50 of the due: 41.85. The 5 kept units keep their 7 % (no claw
  // back: returns use the original quote, docs/rules.md section 8).
  CHECK(first->money_refund == Minor(4185));
  const std::int64_t before[] = {45};
  const ReturnRequest rest[] = {ReturnRequest{0, 5}};
  Result<Reversal> second = compute_reversal(receipt, quote, rest, before);
  REQUIRE(second.ok());
  CHECK(second->money_refund == Minor(465));
  CHECK(first->money_refund + second->money_refund == quote.due_total);
}
