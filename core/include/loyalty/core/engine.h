// The rules engine: turns a program, a customer's state, a receipt, a time and the store's
// environment (its time zone, the program's draw key, what campaign budgets spent) into a Quote.
// Pure and deterministic: the same inputs give an identical Quote (and byte-identical JSON).
// The pipeline, in order (docs/rules.md, "How a quote is computed"):
//   0. the customer's tier, after any review that is due;
//   1. lines: gross, voids, catalogue rewards (paid in points), exclusions; what each campaign
//      budget has left in the receipt's period;
//   2. paid membership activation, then discounts in rule order with stacking groups: member
//      prices, % and amount off, progressive (with recency), volume steps, buy X get Y, stamp
//      cards, coupons, keyed instant-win draws (a won draw's prize points are credited here);
//   3. points as tender (cap, minimum balance, exclusions, burn step), allocated to lines;
//   4. donations;
//   5. earning on the net (base or category/SKU rate, tier and time multipliers) per line, and
//      B2B company points;
//   6. receipt-level awards: welcome, birthday, referral, win-back, HQ-delivered events;
// Every rule with a campaign budget gives at most what the budget has left.
//   7. activation and expiry of the earned points, coalition settlement, tier progress.
//
// Thread-safety: a Quoter holds reusable scratch space, so one Quoter serves one thread at a time;
// use one per thread. Ownership: the Quoter keeps no reference to its inputs after quote()
// returns; the Quote keeps a pointer to the Program.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/draw.h"
#include "loyalty/core/program.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/time_zone.h"

namespace loyalty {

// What a campaign budget has spent so far in one period (Program::budgets, docs/rules.md
// "Campaign budgets"), as the ledger (or HQ) counts it: points or minor units, per the budget's
// unit. `period` is the key a quote reports for the receipt's period (BudgetUse::period):
// "campaign", "2026", "2026-11", "2026-W48" or "2026-11-25". An entry for another period, or for
// a budget the program does not have, is ignored; a budget with no entry has spent nothing.
struct BudgetSpent {
  std::string budget_id;
  std::string period;
  std::int64_t spent = 0;  // >= 0
};

// What a quote needs from the world outside the rules core, passed in by the edge (loyaltyctl,
// the ledger, the daemon). Every member is borrowed: the pointed-to objects must stay alive and
// unchanged until quote() returns; the Quoter and the Quote keep no pointer to them.
struct QuoteEnvironment {
  // The store's time zone, for every local date, time of day and midnight of the quote. Null:
  // the program's fixed utc_offset_minutes, or UTC when the program has none.
  const TimeZone* zone = nullptr;
  // Computes instant-win draws from the program's secret key. Null: no draw is held; each
  // instant_win rule that would draw gets the note draw_not_held and gives nothing.
  const DrawKeyer* draw_keyer = nullptr;
  // What each campaign budget spent so far (at most limits::budget_spent_entries_max entries).
  std::span<const BudgetSpent> budgets_spent;
  // The uses of each coupon across every customer, anonymous receipts included, as the ledger
  // counts them (sorted by upper-case code, like CustomerState's counters): what a coupon's
  // uses_max is checked against. nullopt: the customer document's coupon_uses_total (none on an
  // anonymous receipt, where a limited coupon then counts as unused).
  std::optional<std::span<const Counter>> coupon_uses_total;
};

namespace detail {
// Scratch space reused across quotes so that a warm Quoter does not allocate.
struct QuoteScratch {
  std::vector<std::int64_t> weights;
  std::vector<std::int64_t> shares;
  std::vector<std::int64_t> remainders;         // allocation scratch: remainders, then order
  std::vector<std::int64_t> line_values;        // per line, stage-specific
  std::vector<std::uint32_t> line_rate;         // per line: the earn_rate rule, or no_rule
  std::vector<std::uint32_t> rule_lines;        // the regular lines, then line indexes per rule
  std::vector<std::uint32_t> rule_lines_begin;  // per rule: offset into rule_lines
  std::vector<std::uint32_t> rule_lines_count;  // per rule: how many lines it can touch
  std::uint32_t regular_line_count = 0;         // rule_lines starts with every regular line
  std::vector<std::uint64_t> candidates;        // (rule << 32 | line) before grouping
  std::vector<std::uint8_t> rule_active;        // per rule: schedule and audience allow it
  std::vector<std::uint8_t> group_state;        // per stacking group
  std::vector<std::int32_t> coupon_outcome;     // per rule: index into Quote::coupons, or -1
  std::vector<std::uint32_t> order;        // lines a stage lists for itself (or per-rule cursors)
  std::vector<Discount> trial;             // the discounts the rule being computed would give
  std::string draw_message;                // the message of the draw being computed (draw.h)
  std::vector<std::int64_t> budget_left;   // per budget: what it may still give on this receipt
  std::vector<std::int32_t> budget_use;    // per budget: index into Quote::budgets, or -1
  std::vector<std::string> budget_period;  // per budget: the key of the receipt's period
};
}  // namespace detail

class Quoter {
 public:
  Quoter() = default;

  // Fills `out` (cleared first). `customer` is null for an anonymous receipt; `environment` is
  // borrowed for the call (QuoteEnvironment). Fails, leaving `out` unspecified, when `at` is
  // before the program's effective_from, or when the receipt does not fit the program: another
  // currency; an unknown reward, partner, charity or event type; redemption, rewards or events
  // without a customer; catalogue rewards while burning is off, below the minimum balance or
  // beyond the balance; donations beyond the balance; a settlement too large for 64 bits.
  Status quote(const Program& program, const CustomerState* customer, const Receipt& receipt,
               Timestamp at, const QuoteEnvironment& environment, Quote& out);

  // The same with an empty QuoteEnvironment: the program's fixed offset, no draw key (no
  // instant-win draw is held), no budget spent, the customer document's coupon counts. For
  // tests and tools that quote documents alone; the ledger passes the store's environment.
  Status quote(const Program& program, const CustomerState* customer, const Receipt& receipt,
               Timestamp at, Quote& out);

 private:
  detail::QuoteScratch scratch_;
};

// The key of the period of `budget` that a quote of `program` at `at` counts in ("campaign",
// "2026", "2026-11", "2026-W48", "2026-11-25"), in `zone` (null: the program's fixed offset, as
// quote() does): the key under which the ledger reads and adds what the budget spent.
std::string budget_period_at(const Program& program, const Budget& budget, Timestamp at,
                             const TimeZone* zone);

// A convenience wrapper for callers that quote once.
Result<Quote> quote_receipt(const Program& program, const CustomerState* customer,
                            const Receipt& receipt, Timestamp at,
                            const QuoteEnvironment& environment);
// The same with an empty QuoteEnvironment (see Quoter::quote above).
Result<Quote> quote_receipt(const Program& program, const CustomerState* customer,
                            const Receipt& receipt, Timestamp at);

}  // namespace loyalty
