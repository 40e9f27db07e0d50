// Discounts: discount cards, progressive, member prices, line and basket offers, buy X get Y,
// stamp cards, coupons, personalised offers, instant win, paid membership.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

TEST_CASE("fixed discount card: 5 % off the basket for card holders", "[discounts]") {
  Program program = make_program(R"("rules": [{"id": "card-5", "kind": "percent_off",
      "scope": "basket", "percent_bp": 500, "audience": {"segments": ["discount-card-5"]}}])");
  CustomerState holder =
      make_customer(R"({"customer_id": "C-1", "segments": ["discount-card-5"]})");
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000},
      {"sku": "B", "unit_price_minor": 2099}])");
  Quote quote = quote_ok(program, &holder, receipt);
  // 5 % of 30.99 = 1.5495 -> 1.55 (half_up), split 0.50 / 1.05 by largest remainder.
  CHECK(quote.discount_total == Minor(155));
  CHECK(discount_from(quote, 0, "rule:card-5") == 50);
  CHECK(discount_from(quote, 1, "rule:card-5") == 105);
  CHECK(quote.net_total == Minor(2944));
  CustomerState other = make_customer(known_customer());
  CHECK(quote_ok(program, &other, receipt).discount_total == Minor(0));
}

TEST_CASE("progressive discount by cumulative spend: a 22,000 coat at 10 % costs 19,800",
          "[discounts]") {
  Program program = make_program(R"("rules": [{"id": "progressive",
      "kind": "progressive_discount", "thresholds": [
        {"from_spend_minor": 1000000, "percent_bp": 500},
        {"from_spend_minor": 2000000, "percent_bp": 1000}]}])");
  Receipt coat = make_receipt(R"([{"sku": "COAT", "unit_price_minor": 2200000}])");
  CustomerState loyal =
      make_customer(R"({"customer_id": "C-1", "cumulative_spend_minor": 2000000})");
  CHECK(quote_ok(program, &loyal, coat).net_total == Minor(1980000));
  CustomerState regular =
      make_customer(R"({"customer_id": "C-1", "cumulative_spend_minor": 1999999})");
  CHECK(quote_ok(program, &regular, coat).net_total == Minor(2090000));
  CustomerState fresh =
      make_customer(R"({"customer_id": "C-1", "cumulative_spend_minor": 999999})");
  CHECK(quote_ok(program, &fresh, coat).net_total == Minor(2200000));
}

TEST_CASE("member prices need a scanned card", "[discounts]") {
  Program program = make_program(R"("rules": [{"id": "club", "kind": "member_price",
      "prices": [{"sku": "MILK", "price_minor": 99}, {"sku": "BREAD", "price_minor": 250}]}])");
  Receipt receipt = make_receipt(R"([{"sku": "MILK", "unit_price_minor": 129, "quantity": 2},
      {"sku": "BREAD", "unit_price_minor": 200}, {"sku": "EGGS", "unit_price_minor": 300}])");
  CustomerState member = make_customer(known_customer());
  Quote quote = quote_ok(program, &member, receipt);
  CHECK(discount_from(quote, 0, "rule:club") == 60);
  CHECK(discount_from(quote, 1, "rule:club") == 0);  // the member price is higher: no change
  CHECK(quote.discount_total == Minor(60));
  CHECK(quote_ok(program, nullptr, receipt).discount_total == Minor(0));
}

TEST_CASE("percent and amount off lines and baskets never make a line negative", "[discounts]") {
  Program program = make_program(R"("rules": [
      {"id": "dairy-20", "kind": "percent_off", "percent_bp": 2000, "items": {"categories": ["dairy"]}},
      {"id": "eggs-30c", "kind": "amount_off", "scope": "line", "amount_minor": 30,
       "items": {"skus": ["EGGS"]}},
      {"id": "basket-5", "kind": "amount_off", "amount_minor": 500, "min_basket_minor": 2000}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([
      {"sku": "MILK", "category": "dairy", "unit_price_minor": 150, "quantity": 3},
      {"sku": "EGGS", "category": "eggs", "unit_price_minor": 20, "quantity": 2},
      {"sku": "WINE", "category": "drinks", "unit_price_minor": 2000}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(discount_from(quote, 0, "rule:dairy-20") == 90);
  CHECK(discount_from(quote, 1, "rule:eggs-30c") == 40);  // 0.30 x 2 capped at the line's 0.40
  CHECK(quote.lines[1].net == Minor(0));
  // Basket 5.00 over nets 3.60 / 0 / 20.00 (23.60 >= 20.00): 0.76 and 4.24.
  CHECK(discount_from(quote, 0, "rule:basket-5") == 76);
  CHECK(discount_from(quote, 2, "rule:basket-5") == 424);
  CHECK(quote.net_total == Minor(1860));

  Receipt small =
      make_receipt(R"([{"sku": "WINE", "category": "drinks", "unit_price_minor": 300}])");
  Program big_off = make_program(R"("rules": [{"id": "fifty", "kind": "amount_off",
      "amount_minor": 5000}])");
  Quote capped = quote_ok(big_off, &customer, small);
  CHECK(capped.discount_total == Minor(300));
  CHECK(capped.net_total == Minor(0));
}

TEST_CASE("buy 2 get 1 free: the cheapest units are free", "[discounts]") {
  Program program = make_program(R"("rules": [{"id": "b2g1", "kind": "buy_x_get_y",
      "buy_quantity": 2, "get_quantity": 1, "items": {"categories": ["snacks"]}}])");
  CustomerState customer = make_customer(known_customer());
  Receipt three = make_receipt(R"([
      {"sku": "CHIPS", "category": "snacks", "unit_price_minor": 300},
      {"sku": "NUTS", "category": "snacks", "unit_price_minor": 100},
      {"sku": "BAR", "category": "snacks", "unit_price_minor": 200}])");
  Quote quote = quote_ok(program, &customer, three);
  CHECK(discount_from(quote, 1, "rule:b2g1") == 100);
  CHECK(quote.discount_total == Minor(100));
  // 7 units -> 2 free: both from the cheapest line (quantity 4 at 1.00).
  Receipt seven = make_receipt(R"([
      {"sku": "CHIPS", "category": "snacks", "unit_price_minor": 300, "quantity": 3},
      {"sku": "NUTS", "category": "snacks", "unit_price_minor": 100, "quantity": 4}])");
  Quote bulk = quote_ok(program, &customer, seven);
  CHECK(discount_from(bulk, 1, "rule:b2g1") == 200);
  CHECK(bulk.discount_total == Minor(200));
}

TEST_CASE("stamp card: collect 10, the 11th is free", "[discounts][stamps]") {
  Program program = make_program(R"("rules": [{"id": "coffee-card", "kind": "stamp_card",
      "card_id": "coffee", "stamps_required": 10, "items": {"skus": ["LATTE"]}}])");
  Receipt two = make_receipt(R"([{"sku": "LATTE", "unit_price_minor": 350, "quantity": 2}])");
  CustomerState nine = make_customer(R"({"customer_id": "C-1", "stamps": {"coffee": 9}})");
  Quote quote = quote_ok(program, &nine, two);
  CHECK(discount_from(quote, 0, "rule:coffee-card") == 350);
  REQUIRE(quote.stamps.size() == 1);
  CHECK(quote.stamps[0].earned == 1);
  CHECK(quote.stamps[0].redeemed == 10);
  CustomerState ten = make_customer(R"({"customer_id": "C-1", "stamps": {"coffee": 10}})");
  Quote next = quote_ok(program, &ten, two);
  CHECK(discount_from(next, 0, "rule:coffee-card") == 350);
  CHECK(next.stamps[0].earned == 1);
  CustomerState none = make_customer(R"({"customer_id": "C-1"})");
  Quote fresh = quote_ok(program, &none, two);
  CHECK(fresh.discount_total == Minor(0));
  CHECK(fresh.stamps[0].earned == 2);
  CHECK(fresh.stamps[0].redeemed == 0);
}

namespace {
const char* coupons = R"("rules": [
  {"id": "save30", "kind": "coupon", "code": "SAVE30", "percent_bp": 3000,
   "min_basket_minor": 10000, "per_customer_max": 1,
   "items": {"exclude_categories": ["tobacco"]},
   "schedule": {"valid_from": "2026-11-01T00:00:00Z", "valid_to": "2027-01-15T00:00:00Z"}},
  {"id": "welcome5", "kind": "coupon", "code": "WELCOME5", "amount_minor": 500, "uses_max": 1}])";
Receipt basket(const std::string& codes) {
  return make_receipt(R"([{"sku": "COAT", "category": "clothes", "unit_price_minor": 10000},
      {"sku": "CIG", "category": "tobacco", "unit_price_minor": 1000}])",
                      R"("coupons": )" + codes);
}
CouponStatus status_of(const Quote& quote, std::size_t i) { return quote.coupons.at(i).status; }
}  // namespace

TEST_CASE("coupons: window, minimum basket, limits, exclusions, duplicates",
          "[discounts][coupons]") {
  Program program = make_program(coupons);
  CustomerState customer = make_customer(known_customer());
  Quote quote = quote_ok(program, &customer, basket(R"(["save30", "NOPE", "SAVE30"])"));
  CHECK(status_of(quote, 0) == CouponStatus::applied);
  CHECK(quote.coupons[0].discount == Minor(3000));
  CHECK(discount_from(quote, 1, "rule:save30") == 0);  // tobacco excluded
  CHECK(status_of(quote, 1) == CouponStatus::unknown_code);
  CHECK(status_of(quote, 2) == CouponStatus::duplicate);

  CHECK(status_of(quote_ok(program, &customer, basket(R"(["SAVE30"])"), at("2026-10-31T23:59:59Z")),
                  0) == CouponStatus::not_yet_valid);
  CHECK(status_of(quote_ok(program, &customer, basket(R"(["SAVE30"])"), at("2027-01-15T00:00:00Z")),
                  0) == CouponStatus::expired);
  CustomerState used = make_customer(R"({"customer_id": "C-1", "coupon_uses": {"save30": 1}})");
  CHECK(status_of(quote_ok(program, &used, basket(R"(["SAVE30"])")), 0) ==
        CouponStatus::customer_limit_reached);
  CHECK(status_of(quote_ok(program, nullptr, basket(R"(["SAVE30"])")), 0) ==
        CouponStatus::not_eligible);

  Receipt small =
      make_receipt(R"([{"sku": "HAT", "unit_price_minor": 9999}])", R"("coupons": ["SAVE30"])");
  CHECK(status_of(quote_ok(program, &customer, small), 0) == CouponStatus::below_min_basket);
  Receipt only_tobacco =
      make_receipt(R"([{"sku": "CIG", "category": "tobacco", "unit_price_minor": 20000}])",
                   R"("coupons": ["SAVE30"])");
  CHECK(status_of(quote_ok(program, &customer, only_tobacco), 0) ==
        CouponStatus::no_eligible_items);

  CustomerState spent =
      make_customer(R"({"customer_id": "C-1", "coupon_uses_total": {"WELCOME5": 1}})");
  CHECK(status_of(quote_ok(program, &spent, basket(R"(["welcome5"])")), 0) ==
        CouponStatus::used_up);
  CHECK(status_of(quote_ok(program, &customer, basket(R"(["welcome5"])")), 0) ==
        CouponStatus::applied);
}

QuoteEnvironment chain(const std::vector<Counter>& uses) {
  QuoteEnvironment environment;
  environment.coupon_uses_total = std::span<const Counter>(uses);
  return environment;
}

TEST_CASE("a coupon's uses_max is checked against the chain's count, anonymous receipts included",
          "[discounts][coupons]") {
  Program program = make_program(coupons);
  const std::vector<Counter> used_once{{"WELCOME5", 1}};
  const std::vector<Counter> unused{{"WELCOME5", 0}};
  Quoter quoter;
  Quote quote;
  // Anonymous: the ledger's count is all there is.
  REQUIRE(quoter
              .quote(program, nullptr, basket(R"(["welcome5"])"), tuesday_noon(), chain(used_once),
                     quote)
              .ok());
  CHECK(status_of(quote, 0) == CouponStatus::used_up);
  CHECK(quote.discount_total == Minor(0));
  REQUIRE(
      quoter
          .quote(program, nullptr, basket(R"(["welcome5"])"), tuesday_noon(), chain(unused), quote)
          .ok());
  CHECK(status_of(quote, 0) == CouponStatus::applied);
  CHECK(quote.discount_total == Minor(500));
  // Identified: the chain's count wins over a customer document that says nothing of it.
  CustomerState customer = make_customer(known_customer());
  REQUIRE(quoter
              .quote(program, &customer, basket(R"(["WELCOME5"])"), tuesday_noon(),
                     chain(used_once), quote)
              .ok());
  CHECK(status_of(quote, 0) == CouponStatus::used_up);
}

TEST_CASE("personalised offers reach only their customers or segment", "[discounts]") {
  Program program = make_program(R"("rules": [
      {"id": "filters-for-coffee-buyers", "kind": "percent_off", "percent_bp": 2500,
       "items": {"skus": ["FILTER"]}, "audience": {"segments": ["coffee-buyers"]}},
      {"id": "win-back-c7", "kind": "amount_off", "amount_minor": 300,
       "audience": {"customers": ["C-7"]}}])");
  Receipt receipt = make_receipt(R"([{"sku": "FILTER", "unit_price_minor": 400}])");
  CustomerState coffee = make_customer(R"({"customer_id": "C-1", "segments": ["coffee-buyers"]})");
  CHECK(quote_ok(program, &coffee, receipt).discount_total == Minor(100));
  CustomerState sleeping = make_customer(R"({"customer_id": "C-7"})");
  CHECK(quote_ok(program, &sleeping, receipt).discount_total == Minor(300));
  CustomerState other = make_customer(R"({"customer_id": "C-8"})");
  CHECK(quote_ok(program, &other, receipt).discount_total == Minor(0));
}

TEST_CASE("instant win: the keyed draw replays, and matches its value", "[discounts][draws]") {
  Program program = make_program(R"("rules": [{"id": "scratch", "kind": "instant_win",
      "odds": {"numerator": 1, "denominator": 4}, "prize_amount_minor": 200,
      "prize_points": 50}])");
  CustomerState customer = make_customer(known_customer());
  const TestDrawKeyer keyer("test-key");
  QuoteEnvironment env;
  env.draw_keyer = &keyer;
  int wins = 0;
  std::int64_t discount_won = 0;
  std::string message;
  for (int i = 0; i < 400; ++i) {
    Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])");
    receipt.receipt_id = "R-" + std::to_string(i);
    Quote first = quote_in(program, &customer, receipt, tuesday_noon(), env);
    Quote again = quote_in(program, &customer, receipt, tuesday_noon(), env);
    REQUIRE(first.draws.size() == 1);
    draw_message("test", 1, receipt.receipt_id, "scratch", message);
    CHECK(first.draws[0].value == keyer.draw_value(message));
    CHECK(first.draws[0].value == again.draws[0].value);
    CHECK(first.draws[0].won == again.draws[0].won);
    CHECK(first.draws[0].won == (first.draws[0].value % 4 < 1));
    if (first.draws[0].won) {
      ++wins;
      discount_won += first.discount_total.value();
      CHECK(earned_from(first, no_line, "rule:scratch") == 50);
    }
  }
  // Odds of 1 in 4 over 400 receipts: the pinned count of this deterministic keyed draw.
  CHECK(wins == 111);
  CHECK(discount_won == 200 * wins);
}

TEST_CASE("instant win: without a draw key no draw is held, and a note says so",
          "[discounts][draws]") {
  Program program = make_program(R"("rules": [{"id": "scratch", "kind": "instant_win",
      "odds": {"numerator": 1, "denominator": 1}, "prize_amount_minor": 200,
      "prize_points": 50}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.draws.empty());
  CHECK(quote.discount_total == Minor(0));
  CHECK(quote.earned_total == Points(10));  // the purchase points only
  REQUIRE(quote.notes.size() == 1);
  CHECK(quote.notes[0].code == NoteCode::draw_not_held);
  CHECK(source_label(program, quote.notes[0].source) == "rule:scratch");
  // The same receipt with a key: odds of 1 in 1 always win.
  const TestDrawKeyer keyer("k");
  QuoteEnvironment env;
  env.draw_keyer = &keyer;
  Quote keyed = quote_in(program, &customer, receipt, tuesday_noon(), env);
  REQUIRE(keyed.draws.size() == 1);
  CHECK(keyed.draws[0].won);
  CHECK(keyed.discount_total == Minor(200));
  CHECK(keyed.notes.empty());
}

TEST_CASE("paid membership: buying the card activates member prices at once", "[discounts]") {
  Program program = make_program(R"("rules": [
      {"id": "club-card", "kind": "paid_membership", "sku": "CLUB-YEAR", "period_days": 365},
      {"id": "club-10", "kind": "percent_off", "percent_bp": 1000,
       "items": {"exclude_skus": ["CLUB-YEAR"]}, "audience": {"paid_membership_only": true}}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "CLUB-YEAR", "unit_price_minor": 2000},
      {"sku": "SHOES", "unit_price_minor": 10000}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(discount_from(quote, 1, "rule:club-10") == 1000);
  CHECK(discount_from(quote, 0, "rule:club-10") == 0);
  REQUIRE(quote.paid_membership_until);
  CHECK(format_timestamp(*quote.paid_membership_until) == "2027-11-24T12:00:00Z");
  Receipt shoes = make_receipt(R"([{"sku": "SHOES", "unit_price_minor": 10000}])");
  CHECK(quote_ok(program, &customer, shoes).discount_total == Minor(0));
  CustomerState member =
      make_customer(R"({"customer_id": "C-1", "paid_membership_until": "2027-01-01T00:00:00Z"})");
  CHECK(quote_ok(program, &member, shoes).discount_total == Minor(1000));
}
