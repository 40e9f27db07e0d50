// Rule-bundle campaign budgets (program/loader_internal.h):
//
//   "budgets": [{"id": "xmas-discounts", "limit_minor": 500000, "period": "month"},
//               {"id": "winback-points", "limit_points": 200000}]
// and on a rule: "budget": "xmas-discounts". A budget counts money (limit_minor, for discount
// rules) or points (limit_points, for rules that credit points); the rule's kind must fit it.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/limits.h"
#include "program/loader_internal.h"

namespace loyalty::loader {

namespace {

using fields::Field;
using fields::Need;
using fields::StringRule;

constexpr std::string_view budget_period_names[] = {"campaign", "day", "week", "month", "year"};

Status read_budget(const Context& ctx, const json::Value& value, const std::string& path,
                   Budget* out) {
  const fields::Reader& r = ctx.reader;
  const Field budget_fields[] = {
      fields::string_field(r, "id", Need::required, &out->id, StringRule::id),
      fields::int_field(r, "limit_minor", Need::optional, &out->limit, 1, limits::amount_minor_max),
      fields::int_field(r, "limit_points", Need::optional, &out->limit, 1, limits::points_max),
      fields::choice_field(r, "period", Need::optional, &out->period, budget_period_names),
  };
  TRY(fields::read_object(r, value, path, budget_fields));
  const bool money = value.find("limit_minor") != nullptr;
  const bool points = value.find("limit_points") != nullptr;
  if (money == points)
    return r.error(path, "must have exactly one of limit_minor and limit_points");
  out->unit = money ? BudgetUnit::money : BudgetUnit::points;
  LOYALTY_ASSERT(out->limit >= 1);
  return Status();
}

// Which unit a rule of `rule`'s kind gives, or an error message part when it can have no budget.
// An instant win gives either: the budget caps the prize of its unit, which must not be 0.
Status check_unit(const Context& ctx, const Rule& rule, const Budget& budget,
                  const std::string& path) {
  const std::string kind = rule_kind_name(rule.kind);
  const std::string a_kind =
      (kind[0] == 'a' || kind[0] == 'e' || kind[0] == 'i' ? "an " : "a ") + kind;
  const std::string quoted = json::quote(budget.id);
  const std::string counts =
      budget.unit == BudgetUnit::money ? "counts money (limit_minor)" : "counts points";
  switch (rule.kind) {
    case RuleKind::earn_rate:
      return ctx.reader.error(path,
                              "an earn_rate rule replaces the base rate and cannot have a "
                              "budget; give the campaign's extra points with an "
                              "earn_multiplier rule and put the budget on it");
    case RuleKind::paid_membership:
      return ctx.reader.error(path, "a paid_membership rule gives nothing a budget can count");
    case RuleKind::stamp_card:
      // A capped reward would still spend the customer's stamps.
      return ctx.reader.error(path,
                              "a stamp_card reward is paid for with the customer's stamps "
                              "and cannot be cut by a budget");
    case RuleKind::earn_multiplier:
    case RuleKind::bonus:
    case RuleKind::event_award:
      if (budget.unit == BudgetUnit::points) return Status();
      return ctx.reader.error(path, "budget " + quoted + " " + counts + ", but " + a_kind +
                                        " rule gives points: use a budget with limit_points");
    case RuleKind::instant_win: {
      const auto& win = std::get<InstantWinRule>(rule.params);
      const bool gives = budget.unit == BudgetUnit::money ? win.prize_amount.value() > 0
                                                          : win.prize_points.value() > 0;
      if (gives) return Status();
      return ctx.reader.error(path, "budget " + quoted + " " + counts +
                                        ", but this instant_win rule has no prize in that unit");
    }
    default:
      LOYALTY_ASSERT(is_discount_kind(rule.kind));
      if (budget.unit == BudgetUnit::money) return Status();
      return ctx.reader.error(path, "budget " + quoted + " " + counts + ", but " + a_kind +
                                        " rule gives money off: use a budget with limit_minor");
  }
}

}  // namespace

Status read_budgets(const Context& ctx, const json::Value& value, const std::string& path,
                    std::vector<Budget>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 0, limits::program_budgets_max));
  std::set<std::string> seen;
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by program_budgets_max
    const std::string item_at = fields::item_path(path, i);
    Budget budget;
    TRY(read_budget(ctx, (*items)[i], item_at, &budget));
    if (!seen.insert(budget.id).second) {
      return ctx.reader.error(fields::member_path(item_at, "id"),
                              "duplicate budget id " + json::quote(budget.id));
    }
    out->push_back(std::move(budget));
  }
  LOYALTY_ASSERT(out->size() == items->size());
  return Status();
}

Status resolve_budgets(const Context& ctx, Program& program) {
  for (std::size_t i = 0; i < program.rules.size(); ++i) {  // bounded by program_rules_max
    Rule& rule = program.rules[i];
    if (rule.budget.empty()) continue;
    const std::string path = fields::member_path(fields::item_path("rules", i), "budget");
    std::uint32_t found = no_budget;
    for (std::uint32_t b = 0; b < program.budgets.size(); ++b) {  // bounded by budgets_max
      if (program.budgets[b].id == rule.budget) found = b;
    }
    if (found == no_budget)
      return ctx.reader.error(path, "unknown budget " + json::quote(rule.budget));
    TRY(check_unit(ctx, rule, program.budgets[found], path));
    rule.budget_index = found;
  }
  return Status();
}

}  // namespace loyalty::loader
