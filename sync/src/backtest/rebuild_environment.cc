// rebuild_environment(): what the quote's environment said: what campaign budgets had spent, and
// the draws the till held.

#include <algorithm>

#include "backtest/rebuild.h"

namespace loyalty::sync::backtest {

void rebuild_environment(const StoredQuote& quote, Rebuilt& out) {
  out.budgets_spent.clear();
  for (const StoredBudget& budget : quote.budgets) {
    out.budgets_spent.push_back(
        BudgetSpent{std::string(budget.budget), std::string(budget.period), budget.spent_before});
  }
  out.hold_draws = std::none_of(quote.notes.begin(), quote.notes.end(),
                                [](const StoredNote& n) { return n.code == "draw_not_held"; });
  out.draws.clear();
  for (const StoredDraw& draw : quote.draws) out.draws.add(draw.rule, draw.value);
}

}  // namespace loyalty::sync::backtest
