// check_rebuilt_limits(): the bounds of core's receipt and customer loaders, on what the backtest
// rebuilt, so that a damaged stored quote is skipped instead of reaching the engine.

#include "backtest/rebuild.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::backtest {

namespace {

Status outside(std::string_view what) {
  return make_error(ErrorCode::invalid_argument,
                    "the stored quote is outside the limits of a receipt: " + std::string(what));
}

bool within(std::int64_t value, std::int64_t low, std::int64_t high) {
  return value >= low && value <= high;
}

Status check_receipt_limits(const Receipt& receipt) {
  if (receipt.lines.size() > limits::receipt_lines_max) return outside("too many lines");
  std::int64_t total = 0;
  for (const ReceiptLine& line : receipt.lines) {  // bounded by receipt_lines_max
    if (!within(line.quantity, 1, limits::quantity_max)) return outside("a line's quantity");
    if (!within(line.unit_price.value(), 0, limits::amount_minor_max / line.quantity)) {
      return outside("a line's gross");
    }
    total += line.unit_price.value() * line.quantity;
    if (total > limits::amount_minor_max) return outside("the receipt's gross");
  }
  if (receipt.coupons.size() > limits::receipt_coupons_max) return outside("too many coupons");
  if (receipt.events.size() > limits::receipt_events_max) return outside("too many events");
  if (receipt.donations.size() > limits::receipt_donations_max) {
    return outside("too many donations");
  }
  for (const Donation& donation : receipt.donations) {
    if (!within(donation.points.value(), 0, limits::points_max)) return outside("a donation");
  }
  if (!within(receipt.redeem_points.value(), 0, limits::points_max)) {
    return outside("the points redeemed");
  }
  return {};
}

Status check_customer_limits(const CustomerState& customer) {
  for (const PointsLot& lot : customer.lots) {
    if (!within(lot.points.value(), 1, limits::points_max)) return outside("the points available");
  }
  if (!within(customer.period_spend, 0, limits::amount_minor_max) ||
      !within(customer.period_points_earned, 0, limits::points_max)) {
    return outside("the tier period's counters");
  }
  return {};
}

}  // namespace

Status check_stored_figures(const StoredQuote& quote) {
  if (!within(quote.discount_minor, 0, limits::amount_minor_max)) return outside("the discount");
  for (std::int64_t points : {quote.available_before, quote.redeem_max, quote.earned,
                              quote.burned, quote.donated, quote.company, quote.referrer}) {
    if (!within(points, 0, limits::points_max)) return outside("the points");
  }
  return {};
}

Status check_rebuilt_limits(const Rebuilt& rebuilt) {
  TRY(check_receipt_limits(rebuilt.receipt));
  if (rebuilt.identified) TRY(check_customer_limits(rebuilt.customer));
  if (rebuilt.budgets_spent.size() > limits::budget_spent_entries_max) {
    return outside("too many budgets");
  }
  for (const BudgetSpent& spent : rebuilt.budgets_spent) {
    if (!within(spent.spent, 0, limits::amount_minor_max)) return outside("a budget's spend");
  }
  return {};
}

}  // namespace loyalty::sync::backtest
