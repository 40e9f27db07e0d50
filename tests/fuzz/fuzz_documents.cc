// libFuzzer target: load_customer, load_receipt and load_budgets_spent on arbitrary bytes. Bad
// documents must come back as errors; good ones must satisfy the invariants documents.h promises
// (sorted segments and counters, lots that expire after they start, receipt amounts within
// limits.h).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"

namespace {

using loyalty::Counter;
using loyalty::CustomerState;
using loyalty::ErrorCode;
using loyalty::Receipt;

void check_error(const loyalty::Error& error, ErrorCode invalid) {
  LOYALTY_ASSERT(!error.message.empty());
  LOYALTY_ASSERT(error.code == invalid || error.code == ErrorCode::parse_error ||
                 error.code == ErrorCode::limit_exceeded);
}

void check_counters(const std::vector<Counter>& counters) {
  LOYALTY_ASSERT(counters.size() <= loyalty::limits::customer_counters_max);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    LOYALTY_ASSERT(i == 0 || counters[i - 1].key < counters[i].key);
    LOYALTY_ASSERT(counters[i].count >= 0);
  }
}

void check_customer(const CustomerState& customer) {
  LOYALTY_ASSERT(!customer.customer_id.empty());
  const auto& segments = customer.segments;
  LOYALTY_ASSERT(std::adjacent_find(segments.begin(), segments.end(),
                                    [](auto& a, auto& b) { return !(a < b); }) == segments.end());
  for (const auto& segment : segments) LOYALTY_ASSERT(customer.in_segment(segment));
  check_counters(customer.stamps);
  check_counters(customer.coupon_uses);
  check_counters(customer.coupon_uses_total);
  check_counters(customer.event_awards);
  for (const Counter& counter : customer.stamps) {
    LOYALTY_ASSERT(customer.stamps_for(counter.key) == counter.count);
  }
  for (const Counter& counter : customer.coupon_uses) {
    LOYALTY_ASSERT(customer.coupon_uses_for(counter.key) == counter.count);
  }
  std::int64_t total = 0;
  for (const auto& lot : customer.lots) {
    LOYALTY_ASSERT(lot.points.value() >= 1);
    LOYALTY_ASSERT(!lot.expires_at.has_value() || lot.active_from < *lot.expires_at);
    total += lot.points.value();
    // Each lot counts at its start and not at its end.
    LOYALTY_ASSERT(customer.available_points(lot.active_from).value() >= lot.points.value());
  }
  LOYALTY_ASSERT(customer.available_points(loyalty::Timestamp{0}).value() <= total);
}

void check_receipt(const Receipt& receipt) {
  LOYALTY_ASSERT(!receipt.receipt_id.empty());
  LOYALTY_ASSERT(receipt.currency.size() == 3);
  LOYALTY_ASSERT(receipt.lines.size() <= loyalty::limits::receipt_lines_max);
  std::int64_t total = 0;
  for (const auto& line : receipt.lines) {
    LOYALTY_ASSERT(!line.sku.empty());
    LOYALTY_ASSERT(line.quantity >= 1 && line.quantity <= loyalty::limits::quantity_max);
    total += line.unit_price.value() * line.quantity;
  }
  LOYALTY_ASSERT(total <= loyalty::limits::amount_minor_max);
  LOYALTY_ASSERT(receipt.redeem != loyalty::RedeemRequest::points ||
                 receipt.redeem_points.value() >= 1);
  LOYALTY_ASSERT(receipt.coupons.size() <= loyalty::limits::receipt_coupons_max);
  LOYALTY_ASSERT(receipt.donations.size() <= loyalty::limits::receipt_donations_max);
  LOYALTY_ASSERT(receipt.events.size() <= loyalty::limits::receipt_events_max);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  loyalty::Result<CustomerState> customer = loyalty::load_customer(text);
  if (customer.ok()) {
    check_customer(customer.value());
  } else {
    check_error(customer.error(), ErrorCode::invalid_customer);
  }
  loyalty::Result<Receipt> receipt = loyalty::load_receipt(text);
  if (receipt.ok()) {
    check_receipt(receipt.value());
  } else {
    check_error(receipt.error(), ErrorCode::invalid_receipt);
  }
  auto spent = loyalty::load_budgets_spent(text);
  if (spent.ok()) {
    LOYALTY_ASSERT(spent->size() <= loyalty::limits::budget_spent_entries_max);
    for (const auto& entry : *spent) {
      LOYALTY_ASSERT(!entry.budget_id.empty() && !entry.period.empty() && entry.spent >= 0);
    }
  } else {
    check_error(spent.error(), ErrorCode::invalid_argument);
  }
  return 0;
}
