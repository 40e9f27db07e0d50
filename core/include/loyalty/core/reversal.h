// Returns: what refunding some units of some lines of an earlier receipt takes back. Computed per
// line from the original quote, never in proportion to value: the returned units give back
// exactly the points they earned, restore exactly the points they burned, and undo the stamps and
// coupon uses they carried. Returning every unit, in any number of steps, reverses the whole
// receipt exactly.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/quote.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"

namespace loyalty {

struct ReturnRequest {
  std::uint32_t line = 0;
  std::int64_t quantity = 0;  // units returned now
};

struct ReversedEarn {
  std::uint32_t line = no_line;
  Source source;
  EarnAccount account = EarnAccount::customer;
  Points points;  // taken back
};

struct RestoredBurn {
  std::uint32_t line = 0;
  Source source;
  Points points;  // given back
};

struct ReversalLine {
  std::uint32_t line = 0;
  std::int64_t quantity = 0;
  Minor money_refund;   // the part of the line's `due` carried by the returned units
  Minor tender_refund;  // the part of the line's points tender carried by the returned units
};

// A change to a customer counter, to add to it as it stands: for a stamp card, +3 gives back
// three stamps spent on a returned free unit and -1 takes away a stamp a returned unit earned;
// for a coupon, -1 lowers the use count by one, so the use can be made again.
struct CounterAdjustment {
  std::uint32_t rule = 0;  // a stamp_card or coupon rule
  std::int64_t delta = 0;
};

// What a refund gives back to a campaign budget: the ledger subtracts `amount` from the budget's
// count for `period` (the period the original receipt counted in, Quote::budgets).
struct BudgetReturn {
  std::uint32_t budget = 0;  // index: Program::budgets
  std::string period;
  std::int64_t amount = 0;  // points or minor units, per the budget's unit
};

struct Reversal {
  std::vector<ReversalLine> lines;
  std::vector<ReversedEarn> earns;
  std::vector<RestoredBurn> burns;
  std::vector<CounterAdjustment> stamps;
  std::vector<CounterAdjustment> coupon_uses;
  // The budgets' share of the returned units: their part of each budgeted discount and earn
  // entry of their lines, and budgeted receipt-level awards with the refund that completes the
  // receipt (events stand, so their budget stays spent). Ascending budget index.
  std::vector<BudgetReturn> budgets;
  // After this refund every unit has been returned: receipt-level purchase awards (welcome,
  // birthday, referral, instant-win points) are taken back too. Event awards and donations stand.
  bool completes_receipt = false;
  // This refund returned the last unit of a membership SKU that the receipt bought and that
  // activated a paid membership (Quote::paid_membership_until): the membership it added ends.
  bool cancels_paid_membership = false;
  Minor money_refund;
  Points earned_reversed;  // customer account
  Points company_points_reversed;
  Points referrer_points_reversed;
  Points burned_restored;
  Minor settlement_partner_owes_reversed;
  Minor settlement_owed_to_partner_reversed;
};

// `receipt` and `quote` are the original receipt and its quote. `returned_before` holds, per line
// of the receipt, the units that earlier refunds already returned (empty: none). Units are
// returned in order, so a line's k-th unit always carries the same share. Fails when a request
// names a line that does not exist, a voided line, a line twice, or more units than are left;
// when `returns` is empty; when `returned_before` holds an impossible count; and when `quote` is
// not the quote of `receipt`.
Result<Reversal> compute_reversal(const Receipt& receipt, const Quote& quote,
                                  std::span<const ReturnRequest> returns,
                                  std::span<const std::int64_t> returned_before = {});

}  // namespace loyalty
