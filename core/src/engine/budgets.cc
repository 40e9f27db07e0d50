// Campaign budgets: each rule that names a budget gives at most what the budget has left in the
// receipt's period (its store-local day, ISO week, month or year, or the whole campaign). The
// receipt that reaches the limit gets the remainder; later ones get nothing. Rules draw on their
// budget in the order they run (discounts in evaluation order, then earning, then awards).
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

void append_number(std::string& out, std::int64_t value, int width) {
  std::array<char, 20> digits{};
  int count = 0;
  do {
    digits[static_cast<std::size_t>(count++)] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (int i = count; i < width; ++i) out += '0';
  while (count > 0) out += digits[static_cast<std::size_t>(--count)];
}

// The ISO 8601 week-numbering year and week of `date`: the week belongs to the year of its
// Thursday.
void append_iso_week(std::string& out, CivilDate date) {
  const std::int64_t day = days_from_civil(date);
  const std::int64_t thursday = day - (iso_weekday_from_days(day) - 1) + 3;
  const int year = civil_from_days(thursday).year;
  const std::int64_t week = (thursday - days_from_civil(CivilDate{year, 1, 1})) / 7 + 1;
  LOYALTY_ASSERT(week >= 1 && week <= 53);
  append_number(out, year, 4);
  out += "-W";
  append_number(out, week, 2);
}

std::int64_t spent_in(const QuoteContext& ctx, const Budget& budget, const std::string& period) {
  std::int64_t spent = 0;
  for (const BudgetSpent& entry : ctx.environment.budgets_spent) {  // bounded by the caller's
    if (entry.budget_id == budget.id && entry.period == period) spent = entry.spent;
  }
  LOYALTY_ASSERT(spent >= 0);
  return spent;
}

BudgetUse& use_of(QuoteContext& ctx, std::uint32_t budget) {
  auto& index = ctx.scratch.budget_use[budget];
  if (index < 0) {
    index = static_cast<std::int32_t>(ctx.out.budgets.size());
    BudgetUse use;
    use.budget = budget;
    use.period = ctx.scratch.budget_period[budget];
    use.spent_before = spent_in(ctx, ctx.program.budgets[budget], use.period);
    ctx.out.budgets.push_back(std::move(use));
  }
  return ctx.out.budgets[static_cast<std::size_t>(index)];
}

}  // namespace

void budget_period_key(BudgetPeriod period, CivilDate date, std::string& out) {
  out.clear();
  switch (period) {
    case BudgetPeriod::campaign:
      out += "campaign";
      return;
    case BudgetPeriod::year:
      append_number(out, date.year, 4);
      return;
    case BudgetPeriod::month:
      append_number(out, date.year, 4);
      out += '-';
      append_number(out, date.month, 2);
      return;
    case BudgetPeriod::week:
      append_iso_week(out, date);
      return;
    case BudgetPeriod::day:
      append_number(out, date.year, 4);
      out += '-';
      append_number(out, date.month, 2);
      out += '-';
      append_number(out, date.day, 2);
      return;
  }
}

void prepare_budgets(QuoteContext& ctx) {
  const auto& budgets = ctx.program.budgets;
  if (budgets.empty()) return;
  auto& scratch = ctx.scratch;
  scratch.budget_left.resize(budgets.size());
  scratch.budget_use.assign(budgets.size(), -1);
  scratch.budget_period.resize(budgets.size());
  for (std::size_t b = 0; b < budgets.size(); ++b) {  // bounded by program_budgets_max
    budget_period_key(budgets[b].period, ctx.local.date, scratch.budget_period[b]);
    const std::int64_t spent = spent_in(ctx, budgets[b], scratch.budget_period[b]);
    scratch.budget_left[b] = std::max<std::int64_t>(0, budgets[b].limit - spent);
  }
}

std::int64_t budget_left(const QuoteContext& ctx, std::uint32_t rule) {
  const std::uint32_t budget = ctx.rule(rule).budget_index;
  LOYALTY_ASSERT(budget < ctx.scratch.budget_left.size());
  return ctx.scratch.budget_left[budget];
}

std::int64_t take_budget(QuoteContext& ctx, std::uint32_t rule, std::int64_t wanted) {
  LOYALTY_ASSERT(wanted >= 0);
  const std::uint32_t budget = ctx.rule(rule).budget_index;
  if (budget == no_budget || wanted == 0) return wanted;
  std::int64_t& left = ctx.scratch.budget_left[budget];
  const std::int64_t granted = std::min(wanted, left);
  left -= granted;
  use_of(ctx, budget).used += granted;
  if (granted < wanted) {
    add_note(ctx, granted > 0 ? NoteCode::budget_capped : NoteCode::budget_exhausted,
             rule_source(rule), wanted - granted);
  }
  LOYALTY_ASSERT(left >= 0 && granted <= wanted);
  return granted;
}

void finish_budgets(QuoteContext& ctx) {
  auto& uses = ctx.out.budgets;
  std::sort(uses.begin(), uses.end(),
            [](const BudgetUse& a, const BudgetUse& b) { return a.budget < b.budget; });
}

}  // namespace loyalty::engine

namespace loyalty {

std::string budget_period_at(const Program& program, const Budget& budget, Timestamp at,
                             const TimeZone* zone) {
  const FixedOffsetZone program_zone(program.utc_offset_minutes.value_or(0));
  const CivilDate date = to_local(at, zone != nullptr ? *zone : program_zone).date;
  std::string key;
  engine::budget_period_key(budget.period, date, key);
  return key;
}

}  // namespace loyalty
