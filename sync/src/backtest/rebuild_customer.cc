// rebuild_customer(): the customer's state before the receipt, as far as the stored quote and the
// annex record it; collect_evidence(): which rules the stored quote shows at work; raise_count().

#include <algorithm>

#include "backtest/rebuild.h"

namespace loyalty::sync::backtest {

void raise_count(std::vector<Counter>& counters, std::string_view key, std::int64_t count) {
  auto it = std::lower_bound(
      counters.begin(), counters.end(), key,
      [](const Counter& counter, std::string_view wanted) { return counter.key < wanted; });
  if (it == counters.end() || it->key != key) {
    counters.insert(it, Counter{std::string(key), count});
  } else {
    it->count = std::max(it->count, count);
  }
}

namespace {

// Every member back to its default, keeping the strings' and vectors' storage for the next one.
void reset_customer(CustomerState& customer) {
  customer.customer_id.clear();
  customer.known = false;
  customer.segments.clear();
  customer.birthday.reset();
  customer.purchase_count = 0;
  customer.referred_by.clear();
  customer.last_birthday_bonus_year = 0;
  customer.paid_membership_until.reset();
  customer.last_purchase_at.reset();
  customer.tier.clear();
  customer.tier_review_at.reset();
  customer.period_spend = 0;
  customer.period_points_earned = 0;
  customer.cumulative_spend = Minor(0);
  customer.lots.clear();
  customer.stamps.clear();
  customer.coupon_uses.clear();
  customer.coupon_uses_total.clear();
  customer.event_awards.clear();
  customer.company.reset();
  LOYALTY_ASSERT(customer == CustomerState{});
}

// A review fell due in the receipt (the annex restarted the period), and the engine decided an
// upgrade at once on the OLD period's value plus this receipt's, which the annex no longer holds.
// When the stored quote upgraded, the old period held at least the threshold reached less this
// receipt's contribution: the least such value stands in for it (exact under the same program).
void old_period_of_upgrade(const StoredQuote& quote, const StoredAnnex& annex,
                           const ProgramIndex& reference, CustomerState& customer) {
  if (!quote.tier_before || !quote.tier_after) return;
  const std::optional<std::uint32_t> before = reference.tier_rank(*quote.tier_before);
  const std::optional<std::uint32_t> after = reference.tier_rank(*quote.tier_after);
  if (!before || !after || *after <= *before) return;
  const TierPolicy& tiers = reference.program().tiers;
  const std::int64_t threshold = tiers.tiers[*after].threshold;
  if (tiers.basis == TierBasis::spend) {
    customer.period_spend =
        std::max<std::int64_t>(0, saturating_difference(threshold, annex.period_spend_delta));
  } else {
    customer.period_points_earned =
        std::max<std::int64_t>(0, saturating_difference(threshold, annex.period_points_delta));
  }
}

}  // namespace

void rebuild_customer(const StoredQuote& quote, const StoredAnnex& annex,
                      const RebuildContext& context, Rebuilt& out) {
  LOYALTY_ASSERT(annex.customer.has_value() && annex.has_tier);
  CustomerState& customer = out.customer;
  reset_customer(customer);
  customer.customer_id = *annex.customer;
  customer.known = true;
  // Not a first purchase unless a welcome or referral bonus says so (infer_awards).
  customer.purchase_count = 1;
  // After any review that fell due in the receipt: quoting again from here does not review again.
  customer.tier = quote.tier_before.value_or("");
  customer.tier_review_at = quote.tier_review_at;
  // A review in the receipt restarted the period: the deltas are the new period's totals, and
  // the old period is known only as far as an upgrade in the receipt shows it.
  if (!annex.period_reset) {
    customer.period_spend = std::max<std::int64_t>(
        0, saturating_difference(annex.period_spend, annex.period_spend_delta));
    customer.period_points_earned = std::max<std::int64_t>(
        0, saturating_difference(annex.period_points, annex.period_points_delta));
  } else {
    old_period_of_upgrade(quote, annex, context.reference, customer);
  }
  if (quote.available_before > 0) {
    customer.lots.push_back(
        PointsLot{"hq-available", Points(quote.available_before), Timestamp{0}, std::nullopt});
  }
}

namespace {

// Notes whose source rule passed its schedule and audience for this receipt.
bool note_shows_rule(std::string_view code) {
  return code == "stacking_skipped" || code == "budget_capped" || code == "budget_exhausted" ||
         code == "recency_stepped_down" || code == "draw_not_held" || code == "event_limit_reached";
}

// Coupon statuses given only after the coupon's rule passed its schedule and audience.
bool coupon_shows_rule(std::string_view status) {
  return status != "unknown_code" && status != "not_yet_valid" && status != "expired" &&
         status != "not_eligible" && status != "duplicate";
}

void note_rule(const ProgramIndex& reference, std::string_view label,
               std::vector<std::uint32_t>& evidence) {
  const std::optional<std::string_view> id = label_id(label, "rule");
  if (!id) return;
  if (const std::optional<std::uint32_t> index = reference.rule_index(*id)) {
    evidence.push_back(*index);
  }
}

}  // namespace

void collect_evidence(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  std::vector<std::uint32_t>& evidence = out.evidence;
  evidence.clear();
  const ProgramIndex& reference = context.reference;
  for (std::size_t i = 0; i < quote.line_count; ++i) {
    for (const StoredEntry& entry : quote.lines[i].discounts) {
      note_rule(reference, entry.source, evidence);
    }
    for (const StoredEntry& entry : quote.lines[i].earns) {
      note_rule(reference, entry.source, evidence);
    }
  }
  for (const StoredEarn& earn : quote.receipt_earns) note_rule(reference, earn.source, evidence);
  for (const StoredNote& note : quote.notes) {
    if (note_shows_rule(note.code)) note_rule(reference, note.source, evidence);
  }
  for (const StoredCoupon& coupon : quote.coupons) {
    if (!coupon.rule.empty() && coupon_shows_rule(coupon.status)) {
      if (const std::optional<std::uint32_t> index = reference.rule_index(coupon.rule)) {
        evidence.push_back(*index);
      }
    }
  }
  for (const StoredDraw& draw : quote.draws) {
    if (const std::optional<std::uint32_t> index = reference.rule_index(draw.rule)) {
      evidence.push_back(*index);
    }
  }
  std::sort(evidence.begin(), evidence.end());
  evidence.erase(std::unique(evidence.begin(), evidence.end()), evidence.end());
}

}  // namespace loyalty::sync::backtest
