// The loader on volume_discount, recency fields (progressive step-down, win-back bonus) and
// campaign budgets: what loads, and every error naming its field.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/program_loader.h"

using namespace loyalty;

namespace {

std::string bundle(std::string_view members) {
  return std::string(R"({"format": "loyalty-program/1", "program_id": "p", "version": 1, )"
                     R"("currency": "EUR", )") +
         std::string(members) + "}";
}

std::string error_of(std::string_view members) {
  Result<Program> program = load_program(bundle(members));
  INFO(members);
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == ErrorCode::invalid_program);
  return program.error().message;
}

Program load_ok(std::string_view members) {
  Result<Program> program = load_program(bundle(members));
  if (!program.ok()) FAIL(program.error().message);
  return std::move(program).value();
}

std::string rule(std::string_view body) { return R"("rules": [)" + std::string(body) + "]"; }

}  // namespace

TEST_CASE("volume_discount loads its steps by units or by amount", "[program_loader][volume]") {
  Program units = load_ok(rule(R"({"id": "v", "kind": "volume_discount",
      "steps": [{"from_quantity": 10, "percent_bp": 300}, {"from_quantity": 50, "percent_bp": 700}]})"));
  const auto& params = std::get<VolumeDiscountRule>(units.rules[0].params);
  CHECK(units.rules[0].kind == RuleKind::volume_discount);
  CHECK(params.measure == VolumeMeasure::quantity);
  REQUIRE(params.steps.size() == 2);
  CHECK(params.steps[1].from == 50);
  CHECK(params.steps[1].percent.value == 700);
  Program amount = load_ok(rule(R"({"id": "v", "kind": "volume_discount",
      "steps": [{"from_amount_minor": 50000, "percent_bp": 200}]})"));
  CHECK(std::get<VolumeDiscountRule>(amount.rules[0].params).measure == VolumeMeasure::amount);
}

TEST_CASE("volume_discount errors name the step field", "[program_loader][volume]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id": "v", "kind": "volume_discount"})", "rules[0].steps: is required"},
      {R"({"id": "v", "kind": "volume_discount", "steps": []})",
       "rules[0].steps: must have between 1 and 32 items, got 0"},
      {R"({"id": "v", "kind": "volume_discount", "steps": [{"percent_bp": 300}]})",
       "rules[0].steps[0]: must have exactly one of from_quantity and from_amount_minor"},
      {R"({"id": "v", "kind": "volume_discount",
          "steps": [{"from_quantity": 1, "from_amount_minor": 1, "percent_bp": 300}]})",
       "rules[0].steps[0]: must have exactly one of from_quantity and from_amount_minor"},
      {R"({"id": "v", "kind": "volume_discount",
          "steps": [{"from_quantity": 10, "percent_bp": 300},
                    {"from_amount_minor": 5000, "percent_bp": 500}]})",
       "rules[0].steps[1].from_amount_minor: must be from_quantity like the first step (all "
       "steps count in one unit)"},
      {R"({"id": "v", "kind": "volume_discount",
          "steps": [{"from_quantity": 10, "percent_bp": 300}, {"from_quantity": 10, "percent_bp": 500}]})",
       "rules[0].steps[1].from_quantity: must be greater than the previous step's (10), got 10"},
      {R"({"id": "v", "kind": "volume_discount", "steps": [{"from_quantity": 0, "percent_bp": 3}]})",
       "rules[0].steps[0].from_quantity: must be between 1 and 100000000, got 0"},
      {R"({"id": "v", "kind": "volume_discount",
          "steps": [{"from_quantity": 5, "percent_bp": 10001}]})",
       "rules[0].steps[0].percent_bp: must be between 1 and 10000, got 10001"},
      {R"({"id": "v", "kind": "volume_discount",
          "steps": [{"from_quantity": 5, "percent_bp": 1, "from": 1}]})",
       "rules[0].steps[0].from: unknown field (expected one of: from_quantity, "
       "from_amount_minor, percent_bp)"},
  };
  for (const auto& [body, message] : cases) CHECK(error_of(rule(body)) == message);
}

TEST_CASE("recency fields load and are checked", "[program_loader][recency]") {
  Program program = load_ok(rule(R"({"id": "c", "kind": "progressive_discount",
      "thresholds": [{"from_spend_minor": 0, "percent_bp": 500}], "step_down_after_days": 60},
      {"id": "w", "kind": "bonus", "trigger": "win_back", "days_away": 90, "points": 300})"));
  CHECK(std::get<ProgressiveDiscountRule>(program.rules[0].params).step_down_after_days == 60);
  CHECK(std::get<BonusRule>(program.rules[1].params).trigger == BonusTrigger::win_back);
  CHECK(std::get<BonusRule>(program.rules[1].params).days_away == 90);
  CHECK(error_of(rule(R"({"id": "c", "kind": "progressive_discount",
      "thresholds": [{"from_spend_minor": 0, "percent_bp": 500}], "step_down_after_days": 0})")) ==
        "rules[0].step_down_after_days: must be between 1 and 3650, got 0");
  CHECK(error_of(rule(R"({"id": "w", "kind": "bonus", "trigger": "win_back", "points": 3})")) ==
        "rules[0].days_away: is required when trigger is \"win_back\"");
  CHECK(error_of(rule(R"({"id": "w", "kind": "bonus", "trigger": "welcome", "points": 3,
      "days_away": 30})")) == "rules[0].days_away: is only allowed when trigger is \"win_back\"");
  CHECK(error_of(rule(R"({"id": "w", "kind": "bonus", "trigger": "win_back", "points": 3,
      "days_away": 3651})")) == "rules[0].days_away: must be between 1 and 3650, got 3651");
}

TEST_CASE("budgets load, and rules name one whose unit fits", "[program_loader][budgets]") {
  Program program =
      load_ok(R"("budgets": [{"id": "money", "limit_minor": 500000, "period": "month"},
      {"id": "pts", "limit_points": 1000}],
    "rules": [{"id": "a", "kind": "percent_off", "percent_bp": 100, "budget": "money"},
              {"id": "b", "kind": "bonus", "trigger": "welcome", "points": 5, "budget": "pts"},
              {"id": "c", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2},
               "prize_points": 5, "budget": "pts"}])");
  REQUIRE(program.budgets.size() == 2);
  CHECK(program.budgets[0].unit == BudgetUnit::money);
  CHECK(program.budgets[0].limit == 500000);
  CHECK(program.budgets[0].period == BudgetPeriod::month);
  CHECK(program.budgets[1].unit == BudgetUnit::points);
  CHECK(program.budgets[1].period == BudgetPeriod::campaign);
  CHECK(program.rules[0].budget_index == 0);
  CHECK(program.rules[1].budget_index == 1);
  CHECK(load_ok(rule(R"({"id": "a", "kind": "percent_off", "percent_bp": 1})"))
            .rules[0]
            .budget_index == no_budget);
}

TEST_CASE("budget errors name the field and the fix", "[program_loader][budgets]") {
  const std::string budgets = R"("budgets": [{"id": "money", "limit_minor": 100},
      {"id": "pts", "limit_points": 100}], )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("budgets": [{"id": "x"}])",
       "budgets[0]: must have exactly one of limit_minor and limit_points"},
      {R"("budgets": [{"id": "x", "limit_minor": 1, "limit_points": 1}])",
       "budgets[0]: must have exactly one of limit_minor and limit_points"},
      {R"("budgets": [{"id": "x", "limit_minor": 0}])",
       "budgets[0].limit_minor: must be between 1 and 1000000000000, got 0"},
      {R"("budgets": [{"id": "x", "limit_minor": 1, "period": "quarter"}])",
       "budgets[0].period: must be one of: campaign, day, week, month, year, got \"quarter\""},
      {R"("budgets": [{"id": "x", "limit_minor": 1}, {"id": "x", "limit_points": 1}])",
       "budgets[1].id: duplicate budget id \"x\""},
      {rule(R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "budget": "nope"})"),
       "rules[0].budget: unknown budget \"nope\""},
      {budgets + rule(R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "budget": "pts"})"),
       "rules[0].budget: budget \"pts\" counts points, but a percent_off rule gives money off: "
       "use a budget with limit_minor"},
      {budgets + rule(R"({"id": "a", "kind": "earn_multiplier", "multiplier_percent": 200,
                          "budget": "money"})"),
       "rules[0].budget: budget \"money\" counts money (limit_minor), but an earn_multiplier rule "
       "gives points: use a budget with limit_points"},
      {budgets + rule(R"({"id": "a", "kind": "earn_rate", "points": 1, "per_minor": 100,
                          "budget": "pts"})"),
       "rules[0].budget: an earn_rate rule replaces the base rate and cannot have a budget; give "
       "the campaign's extra points with an earn_multiplier rule and put the budget on it"},
      {budgets + rule(R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 1,
                          "denominator": 2}, "prize_points": 5, "budget": "money"})"),
       "rules[0].budget: budget \"money\" counts money (limit_minor), but this instant_win rule "
       "has no prize in that unit"},
      {budgets + rule(R"({"id": "a", "kind": "paid_membership", "sku": "X", "budget": "money"})"),
       "rules[0].budget: a paid_membership rule gives nothing a budget can count"},
      {budgets + rule(R"({"id": "a", "kind": "stamp_card", "card_id": "c", "stamps_required": 5,
                          "budget": "money"})"),
       "rules[0].budget: a stamp_card reward is paid for with the customer's stamps and cannot "
       "be cut by a budget"},
  };
  for (const auto& [members, message] : cases) CHECK(error_of(members) == message);
}
