// The what-if backtest behind `loyalty-hq simulate`: "what would a new program have cost?".
// The stored checkouts of a period are quoted again with the rules core under the new program,
// each on the customer's state as it was before that receipt, and the result is the difference
// from what actually happened, per store and in total: discounts given, points issued and
// redeemed, liability, and the customers whose tier would have changed. docs/backtest.md is the
// reference; this comment is its summary.
//
// Streaming and parallel. The caller feeds journal events in projection order (HqStore::
// scan_journal) to add(), which only batches and queues them; `threads` worker threads each
// read, rebuild and quote with their own Quoter. finish() drains the queue, joins the workers and
// merges their tallies. The result does not depend on the thread count: sums are
// order-independent, a customer's "last receipt" is the one added last, and every list is sorted.
//
// What HQ can rebuild from an event (it has no personal data and no copy of the till's request):
//   Receipt, exactly: lines (sku, category, quantity; unit price = gross / quantity, a receipt
//     whose gross does not divide is skipped), voided lines (price 0: they count for nothing),
//     catalogue reward lines (the reward named by the line's burn), coupon codes as presented,
//     donations, the coalition partner, the currency, the store, the receipt id, the quote time.
//   Receipt, inferred: the redemption request. Tender equal to the receipt's redeem_max, or a
//     note that the request was refused (below the minimum balance, not allowed), becomes "as
//     much as possible" (RedeemRequest::max); a request the receipt cut down (capped, limited by
//     balance) becomes one above any receipt's limit; other tender is exactly the points burned
//     (plus one when the quote says the request was rounded to a burn step). Events: one
//     ReceiptEvent per award, limit note or exhausted budget of an event_award rule, of that
//     rule's type; a type the new program does not award is dropped.
//   Customer, exactly: the tier before the receipt (after any review that fell due in it: the
//     quote's tier.before), the next review, the tier period's spend and points before the
//     receipt (the annex's totals less its deltas), the points usable at the start (one active lot
//     of points.available_before, no expiry), known = true, and the pseudonym (annex "customer")
//     as customer_id. After a review in the receipt the period restarts at 0, or, when the
//     receipt also upgraded at once, at the least old-period value that gives that upgrade.
//   Customer, inferred from what the stored quote shows (the rule read by id from the program the
//     receipt was quoted with when BacktestOptions::quoted_programs has it, else from the new
//     program): first purchase (a welcome or referral bonus: purchase_count 0, else 1), a
//     referrer (a referral bonus), the birthday (a birthday bonus: the receipt's local date),
//     days since the last purchase (a win-back bonus, a recency step-down), segments and
//     personalised customer ids (a rule restricted to them that applied or was outbid), an active
//     paid membership, the company's spend band, the coupon and event-award counts that stopped
//     a coupon or an award, the stamps held (the smallest count that reproduces the stored stamp
//     movements), the lifetime spend step of a progressive discount, what campaign budgets had
//     spent (budgets[].spent_before), and the instant-win draw values (replayed; a draw the till
//     did not record is decided by an unkeyed hash of the draw message).
//   Not known: anything else (an unrecorded birthday, segments no rule showed, counters no limit
//     showed). Each receipt is quoted on the ACTUAL state before it: what the new program would
//     have changed on Monday does not carry into Tuesday's receipt (no compounding).
// Under the program that made them, the 60 example scenarios and a till's week of receipts come
// out with no difference at all (tests/sync/backtest/round_trip_test.cc).
// Refunds are not quoted again: they are counted as they happened, beside the comparison.
// The new program is applied as if in force over the whole period (its effective_from is
// ignored). A receipt it refuses (core's error) is skipped, its reason the error's message; so is
// a stored event that cannot be read or that breaks the bounds of core's documents.
//
// Thread-safety: a Backtest is driven by one thread (add, finish); the progress callback runs on
// that thread. Ownership: start() copies the program; what BacktestOptions points to (zone,
// quoted_programs) is borrowed and must outlive finish(). Destroying a Backtest that was not
// finished stops and joins its workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/program.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/sync/journal_event.h"

namespace loyalty::sync {

// Bounds of the backtest (they belong with the others in core/limits.h).
// Events handed to a worker at once, and batches queued per worker before add() waits.
inline constexpr std::size_t backtest_batch_events_max = 64;
inline constexpr std::size_t backtest_batches_queued_max = 4;
// Distinct skip reasons kept (per worker); further ones are counted under one "other" reason.
inline constexpr std::size_t backtest_skip_reasons_max = 1000;
inline constexpr std::size_t backtest_tier_changes_listed_max = 100'000;
inline constexpr std::size_t backtest_quoted_programs_max = 1000;
// The least time between two progress callbacks during add().
inline constexpr std::int64_t backtest_progress_interval_ms = 250;

struct BacktestProgress {
  std::int64_t receipts_done = 0;  // checkouts the workers finished (compared or skipped)
  std::int64_t events_seen = 0;    // events given to add(), of every kind
};

struct BacktestOptions {
  unsigned threads = 2;  // worker threads, 1..limits::hq_backtest_threads_max
  // The stores' time zone, for every quote (borrowed). Null: the new program's fixed
  // utc_offset_minutes, or UTC.
  const TimeZone* zone = nullptr;
  // Called on the caller's thread from add() at most every backtest_progress_interval_ms, and
  // once more from finish() with the final counts.
  std::function<void(const BacktestProgress&)> progress;
  std::size_t tier_changes_listed_max = 100;  // at most backtest_tier_changes_listed_max
  // Business dates "YYYY-MM-DD", inclusive ("": unbounded); events outside are ignored.
  std::string from_date;
  std::string to_date;
  std::vector<std::string> stores_filter;  // empty: every store; events of others are ignored
  // The programs the stored receipts were quoted with, when HQ has them (its published bundles;
  // borrowed). A stored quote's rules are read from the one of its id and version, else from the
  // new program. At most backtest_quoted_programs_max.
  std::vector<const Program*> quoted_programs;
};

// One figure as it happened and as the new program would have made it.
struct BacktestFigure {
  std::int64_t actual = 0;
  std::int64_t simulated = 0;
  std::int64_t difference() const { return simulated - actual; }
  bool operator==(const BacktestFigure&) const = default;
};

// Refund events, counted as they happened (not quoted again): points taken back from the
// customer's, company's and referrer's accounts, points given back, money refunded.
struct BacktestRefunds {
  std::int64_t count = 0;
  std::int64_t points_reversed = 0;
  std::int64_t points_restored = 0;
  std::int64_t money_refund_minor = 0;
  bool operator==(const BacktestRefunds&) const = default;
};

// The comparison over a set of compared receipts (a store's, or all).
//   discount_minor   totals.discount_minor (catalogue rewards count as their price off)
//   points_issued    points.earned + points.company + points.referrer
//   points_redeemed  points.burned (tender and catalogue rewards)
//   liability_points points_issued - points_redeemed - points.donated
//   tier_changes     customers whose last receipt of the period was at this store and whose tier
//                    after it differs
struct BacktestDiff {
  std::int64_t receipts = 0;
  BacktestFigure discount_minor;
  BacktestFigure points_issued;
  BacktestFigure points_redeemed;
  BacktestFigure liability_points;
  std::int64_t tier_changes = 0;
  BacktestRefunds refunds;
  bool operator==(const BacktestDiff&) const = default;
};

struct BacktestStore {
  std::string store_id;
  BacktestDiff diff;
  bool operator==(const BacktestStore&) const = default;
};

struct BacktestSkip {
  std::string reason;
  std::int64_t count = 0;
  bool operator==(const BacktestSkip&) const = default;
};

// A customer whose tier after their last receipt of the period differs. Tiers by id; "" is the
// entry tier (or none).
struct BacktestTierChange {
  std::string pseudonym;
  std::string actual;
  std::string simulated;
  bool operator==(const BacktestTierChange&) const = default;
};

struct BacktestTierChanges {
  std::int64_t count = 0;
  std::int64_t up = 0;    // higher in the new program's order of tiers
  std::int64_t down = 0;  // lower; count - up - down: a tier the new program does not have
  std::vector<BacktestTierChange> customers;  // sorted by pseudonym, the first listed_max
  bool operator==(const BacktestTierChanges&) const = default;
};

struct BacktestResult {
  std::string program_id;
  std::int64_t program_version = 0;
  std::string from_date;
  std::string to_date;
  std::string time_zone;
  std::vector<std::string> stores_filter;
  std::int64_t receipts = 0;          // checkout events in the period and stores
  std::int64_t identified = 0;        // of them, with a customer
  std::vector<BacktestSkip> skipped;  // checkouts not compared, refunds not counted; by count
  BacktestDiff total;
  std::vector<BacktestStore> stores;  // sorted by store_id
  BacktestTierChanges tier_changes;
  std::int64_t elapsed_ms = 0;
  unsigned threads = 0;
};

class Backtest {
 public:
  // Starts the workers. Fails with invalid_argument for threads
  // outside 1..limits::hq_backtest_threads_max, tier_changes_listed_max above its bound, too many
  // quoted_programs, or a date that is not YYYY-MM-DD.
  static Result<Backtest> start(const Program& program, BacktestOptions options);

  Backtest(Backtest&&) noexcept;
  Backtest& operator=(Backtest&&) noexcept;
  ~Backtest();

  // One journal event, in projection order. Returns at once unless the workers are behind (it
  // then waits for room). Fails with invalid_argument after finish().
  Status add(JournalEvent event);

  // Waits for every event added, joins the workers and returns the result. Once.
  Result<BacktestResult> finish();

 private:
  struct State;
  explicit Backtest(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The "loyalty-hq-backtest-v1" document (docs/backtest.md), compact, integers only.
std::string backtest_to_json(const BacktestResult& result);

}  // namespace loyalty::sync
