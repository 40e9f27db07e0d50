// Rebuilding what the till quoted from what HQ stores: the Receipt, the CustomerState before the
// receipt and the quote's environment, from a stored quote and its ledger annex. backtest.h's
// header comment and docs/backtest.md list what is exact and what is inferred. Internal to the
// backtest.
//
// The steps, in order (each reads what the ones before it wrote):
//   rebuild_receipt      lines, coupons, the redemption request, donations, events
//   rebuild_customer     tier, review, period counters, points, identity
//   collect_evidence     the rules the stored quote shows as applying (or outbid)
//   infer_awards         first purchase, referrer, birthday, days away, event-award counts
//   infer_counters       coupon uses, stamps
//   infer_audience       segments, personalised ids, paid membership, company band
//   infer_progressive    lifetime spend (and days away) behind a progressive discount
//   rebuild_environment  budgets spent, coupon uses chain-wide, draws
//
// Thread-safety: functions of their arguments; a Rebuilt is one worker's, reused.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/program_index.h"
#include "backtest/replay_draw_keyer.h"
#include "backtest/stored_event.h"
#include "loyalty/core/customer.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/time_zone.h"

namespace loyalty::sync::backtest {

struct RebuildContext {
  const ProgramIndex& reference;  // the program the stored quote was made with, else the new one
  const ProgramIndex& target;     // the new program
  const TimeZone& zone;           // the store's zone (local dates, days away)
};

struct Rebuilt {
  Receipt receipt;
  bool identified = false;
  CustomerState customer;               // when identified
  std::vector<std::uint32_t> evidence;  // indexes into the reference program's rules, sorted
  std::int64_t days_away_min = 0;       // a win-back bonus: at least this many days away
  std::vector<BudgetSpent> budgets_spent;
  std::vector<Counter> coupon_uses_total;  // by upper-case code, sorted
  ReplayDrawKeyer draws;
  bool hold_draws = true;  // false: the till held no draw (draw_not_held)
};

// Fails (invalid_argument, the reason a receipt is skipped) when a line cannot be rebuilt.
Status rebuild_receipt(const StoredQuote& quote, std::string_view store_id,
                       const RebuildContext& context, Rebuilt& out);
// For an identified receipt: `annex` must name the customer and carry "tier".
void rebuild_customer(const StoredQuote& quote, const StoredAnnex& annex,
                      const RebuildContext& context, Rebuilt& out);
void collect_evidence(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out);
void infer_awards(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out);
void infer_counters(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out);
void infer_audience(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out);
void infer_progressive(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out);
void rebuild_environment(const StoredQuote& quote, Rebuilt& out);
// Fails (invalid_argument) when the rebuilt documents break a bound core's document loaders
// enforce (limits.h): a till's stored quote never does, a damaged one must not reach the engine.
Status check_rebuilt_limits(const Rebuilt& rebuilt);
// The same for the stored quote's own figures (what the backtest sums as "actual"): each within
// the amounts and points a quote can hold, so that the sums of a period cannot overflow.
Status check_stored_figures(const StoredQuote& quote);

// a - b, or the int64 bound it passes when the difference does not fit: the stored figures are
// any int64 a damaged event holds, and the bounds checked afterwards (check_rebuilt_limits, a
// clamp) then treat a saturated value as the out-of-range value it stands for.
inline std::int64_t saturating_difference(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

// A counter list kept sorted by key: `key` holds at least `count` afterwards.
void raise_count(std::vector<Counter>& counters, std::string_view key, std::int64_t count);

}  // namespace loyalty::sync::backtest
