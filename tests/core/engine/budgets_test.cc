// Campaign budgets: what a rule may still give, from what the environment says the budget spent
// in the receipt's period; capped at the remainder, stopped when spent, reported in the quote,
// given back on returns.
#include "engine/engine_support.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/core/reversal.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* budget_program = R"("budgets": [
    {"id": "promo-money", "limit_minor": 1000, "period": "month"},
    {"id": "bonus-points", "limit_points": 150}],
  "rules": [
    {"id": "ten", "kind": "percent_off", "percent_bp": 1000, "budget": "promo-money"},
    {"id": "five-off", "kind": "amount_off", "amount_minor": 500, "priority": 200,
     "budget": "promo-money"},
    {"id": "double", "kind": "earn_multiplier", "multiplier_percent": 200,
     "budget": "bonus-points"},
    {"id": "welcome", "kind": "bonus", "trigger": "welcome", "points": 100,
     "budget": "bonus-points"}])";

Receipt two_lines() {
  return make_receipt(R"([{"sku": "A", "unit_price_minor": 3000},
                          {"sku": "B", "unit_price_minor": 1000, "quantity": 2}])");
}

// The quote refers to `program`, which must outlive it.
Quote quote_spent(const Program& program, const std::vector<BudgetSpent>& spent,
                  const CustomerState* customer) {
  QuoteEnvironment env;
  env.budgets_spent = spent;
  return quote_in(program, customer, two_lines(), tuesday_noon(), env);
}
}  // namespace

TEST_CASE("rules share a budget in evaluation order and the quote reports its use", "[budgets]") {
  CustomerState customer = make_customer(R"({"customer_id": "C-1"})");
  // Nothing spent: 10 % of 50.00 = 5.00, then 5.00 off: the 10.00 of the month is used up.
  const Program program = make_program(budget_program);
  Quote quote = quote_spent(program, {}, &customer);
  CHECK(quote.discount_total == Minor(1000));
  REQUIRE(quote.budgets.size() == 2);
  CHECK(quote.budgets[0].budget == 0);
  CHECK(quote.budgets[0].period == "2026-11");
  CHECK(quote.budgets[0].spent_before == 0);
  CHECK(quote.budgets[0].used == 1000);
  // 40 purchase points: +40 from double and +100 welcome = 140 of the 150.
  CHECK(quote.budgets[1].period == "campaign");
  CHECK(quote.budgets[1].used == 140);
  CHECK(quote.earned_total == Points(180));
  CHECK(quote.notes.empty());
}

TEST_CASE("the rule that reaches the limit gets the remainder, the next gets nothing",
          "[budgets]") {
  CustomerState customer = make_customer(R"({"customer_id": "C-1"})");
  const Program program = make_program(budget_program);
  Quote quote = quote_spent(program,
                            {BudgetSpent{"promo-money", "2026-11", 700},
                             BudgetSpent{"promo-money", "2026-10", 1000},  // another month
                             BudgetSpent{"bonus-points", "campaign", 100}},
                            &customer);
  // 3.00 left: 10 % (5.00) is capped at 3.00, split 1.80 + 1.20 by the shares it had.
  CHECK(discount_from(quote, 0, "rule:ten") == 180);
  CHECK(discount_from(quote, 1, "rule:ten") == 120);
  CHECK(discount_from(quote, 0, "rule:five-off") == 0);
  // 47.00 of nets earn 47 points; 50 bonus points left: double's 47, then 3 of welcome's 100.
  CHECK(earned_from(quote, 0, "rule:double") + earned_from(quote, 1, "rule:double") == 47);
  CHECK(earned_from(quote, no_line, "rule:welcome") == 3);
  REQUIRE(quote.notes.size() == 3);
  CHECK(quote.notes[0].code == NoteCode::budget_capped);
  CHECK(quote.notes[0].value == 200);
  CHECK(quote.notes[1].code == NoteCode::budget_exhausted);
  CHECK(source_label(*quote.program, quote.notes[1].source) == "rule:five-off");
  CHECK(quote.notes[1].value == 500);
  CHECK(quote.notes[2].code == NoteCode::budget_capped);
  CHECK(quote.notes[2].value == 97);
  CHECK(quote.budgets[0].spent_before == 700);
  CHECK(quote.budgets[0].used == 300);
  CHECK(quote.budgets[1].used == 50);
}

TEST_CASE("budget periods are store-local days, ISO weeks, months and years", "[budgets]") {
  Program program = make_program(R"("budgets": [
      {"id": "d", "limit_minor": 100, "period": "day"},
      {"id": "w", "limit_minor": 100, "period": "week"},
      {"id": "m", "limit_minor": 100, "period": "month"},
      {"id": "y", "limit_minor": 100, "period": "year"},
      {"id": "c", "limit_minor": 100}],
    "rules": [
      {"id": "rd", "kind": "amount_off", "amount_minor": 1, "budget": "d"},
      {"id": "rw", "kind": "amount_off", "amount_minor": 1, "budget": "w"},
      {"id": "rm", "kind": "amount_off", "amount_minor": 1, "budget": "m"},
      {"id": "ry", "kind": "amount_off", "amount_minor": 1, "budget": "y"},
      {"id": "rc", "kind": "amount_off", "amount_minor": 1, "budget": "c"}])");
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])");
  const auto periods = [&](const char* when, int offset_minutes) {
    FixedOffsetZone zone(offset_minutes);
    QuoteEnvironment env;
    env.zone = &zone;
    Quote quote = quote_in(program, nullptr, receipt, at(when), env);
    std::string out;
    for (const BudgetUse& use : quote.budgets) out += use.period + " ";
    return out;
  };
  // 23:30Z on 31 December 2026 is already Friday 1 January 2027 at +01:00: ISO week 53 of 2026.
  CHECK(periods("2026-12-31T23:30:00Z", 60) == "2027-01-01 2026-W53 2027-01 2027 campaign ");
  CHECK(periods("2026-12-31T23:30:00Z", 0) == "2026-12-31 2026-W53 2026-12 2026 campaign ");
  CHECK(periods("2026-01-01T12:00:00Z", 0) == "2026-01-01 2026-W01 2026-01 2026 campaign ");
  CHECK(periods("2024-12-30T12:00:00Z", 0) == "2024-12-30 2025-W01 2024-12 2024 campaign ");
}

TEST_CASE("a coupon whose budget is spent says so", "[budgets]") {
  Program program = make_program(R"("budgets": [{"id": "m", "limit_minor": 100}],
      "rules": [{"id": "c", "kind": "coupon", "code": "SAVE", "amount_minor": 300,
                 "budget": "m"}])");
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])", R"("coupons": ["save"])");
  const std::vector<BudgetSpent> spent{BudgetSpent{"m", "campaign", 100}};
  QuoteEnvironment env;
  env.budgets_spent = spent;
  Quote quote = quote_in(program, nullptr, receipt, tuesday_noon(), env);
  REQUIRE(quote.coupons.size() == 1);
  CHECK(quote.coupons[0].status == CouponStatus::budget_exhausted);
  CHECK(quote.discount_total == Minor(0));
  Quote partly = quote_in(program, nullptr, receipt, tuesday_noon(), QuoteEnvironment{});
  CHECK(partly.coupons[0].status == CouponStatus::applied);
  CHECK(partly.coupons[0].discount == Minor(100));
}

TEST_CASE("returns give back each returned unit's share of the budget", "[budgets][reversal]") {
  CustomerState customer = make_customer(R"({"customer_id": "C-1"})");
  Receipt receipt = two_lines();
  const Program program = make_program(budget_program);
  Quote quote = quote_spent(program, {}, &customer);
  const ReturnRequest one_b[] = {ReturnRequest{1, 1}};
  Result<Reversal> first = compute_reversal(receipt, quote, one_b);
  REQUIRE(first.ok());
  // Line 1 carried 2.00 of ten and 2.00 of five-off (by net, 20.00 of 50.00 and then of 45.00):
  // one of its two units gives back half of each, and half of double's points on the line.
  REQUIRE(first->budgets.size() == 2);
  CHECK(first->budgets[0].period == "2026-11");
  CHECK(first->budgets[0].amount ==
        (discount_from(quote, 1, "rule:ten") + discount_from(quote, 1, "rule:five-off")) / 2);
  CHECK(first->budgets[1].amount == earned_from(quote, 1, "rule:double") / 2);
  const std::int64_t before[] = {0, 1};
  const ReturnRequest rest[] = {ReturnRequest{0, 1}, ReturnRequest{1, 1}};
  Result<Reversal> second = compute_reversal(receipt, quote, rest, before);
  REQUIRE(second.ok());
  CHECK(second->completes_receipt);
  // Everything comes back, the welcome bonus with the refund that completes the receipt.
  CHECK(first->budgets[0].amount + second->budgets[0].amount == quote.budgets[0].used);
  CHECK(first->budgets[1].amount + second->budgets[1].amount == quote.budgets[1].used);
  CHECK(reversal_to_json(quote, *second, false).find(R"("budgets":[{"budget":"promo-money",)") !=
        std::string::npos);
}

TEST_CASE("an instant win's points budget caps its prize, events stand on returns",
          "[budgets][draws]") {
  Program program = make_program(R"("budgets": [{"id": "p", "limit_points": 120}],
      "rules": [
        {"id": "win", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 1},
         "prize_points": 100, "budget": "p"},
        {"id": "review", "kind": "event_award", "event_type": "review", "points": 50,
         "budget": "p"}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])",
                                 R"("events": [{"event_id": "e1", "event_type": "review"}])");
  const TestDrawKeyer keyer("k");
  QuoteEnvironment env;
  env.draw_keyer = &keyer;
  Quote quote = quote_in(program, &customer, receipt, tuesday_noon(), env);
  CHECK(earned_from(quote, no_line, "rule:win") == 100);
  CHECK(earned_from(quote, no_line, "rule:review") == 20);  // 120 - 100 left
  REQUIRE(quote.budgets.size() == 1);
  CHECK(quote.budgets[0].used == 120);
  const ReturnRequest all[] = {ReturnRequest{0, 1}};
  Result<Reversal> reversal = compute_reversal(receipt, quote, all);
  REQUIRE(reversal.ok());
  CHECK(reversal->completes_receipt);
  REQUIRE(reversal->budgets.size() == 1);
  CHECK(reversal->budgets[0].amount == 100);  // the prize comes back, the event's 20 stand
}

TEST_CASE("a program without budgets reports none, whatever the environment says", "[budgets]") {
  Program program = make_program(R"("rules": [{"id": "ten", "kind": "percent_off",
      "percent_bp": 1000}])");
  const std::vector<BudgetSpent> spent{BudgetSpent{"ten", "campaign", 5}};
  QuoteEnvironment env;
  env.budgets_spent = spent;
  Quote quote = quote_in(program, nullptr, two_lines(), tuesday_noon(), env);
  CHECK(quote.budgets.empty());
  CHECK(quote.discount_total == Minor(500));
}
