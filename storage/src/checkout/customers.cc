// The checkout's use of the customer cache: the offline state, the blocklist and floor limit, and
// writing the customer's new state back. docs/storage.md ("Customers").

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "checkout/internal.h"
#include "customers/internal.h"

namespace loyalty::storage::checkout_internal {

namespace {

// What a quote takes from the customer's points: tender, rewards and donations.
Points redeemed_by(const Quote& quote) { return quote.burned_total + quote.donated_total; }

std::optional<std::uint32_t> tier_index(const Program& program, const std::string& tier) {
  const Tier* found = program.find_tier(tier);
  if (found == nullptr) return std::nullopt;
  return static_cast<std::uint32_t>(found - program.tiers.tiers.data());
}

// The customer's state after `quote`, from `state`. `stale`: `state` is newer than the state the
// quote saw (a held receipt committed after other receipts of the card), so the quote's tier and
// review only ever move the customer forward. `period_reset`: set when a review fell due, so that
// the period's counters restarted.
CustomerState apply_quote(CustomerState state, const Quote& quote, Timestamp at, bool stale,
                          bool& period_reset) {
  const Program& program = *quote.program;
  const std::int64_t net = quote.net_total.value();
  if (net > 0) {
    ++state.purchase_count;
    // The last purchase, for recency rules; a held receipt committed after a later one keeps the
    // later.
    if (!state.last_purchase_at || *state.last_purchase_at < quote.at) {
      state.last_purchase_at = quote.at;
    }
  }
  // A review that fell due in this quote starts a new period (only a program with tiers has
  // reviews: the quote then names the next one).
  period_reset = false;
  if (quote.tier_review_at && state.tier_review_at && !(at < *state.tier_review_at)) {
    state.period_spend = 0;
    state.period_points_earned = 0;
    period_reset = true;
  }
  state.period_spend += net;
  state.period_points_earned += quote.earned_total.value();
  state.cumulative_spend = state.cumulative_spend + quote.net_total;
  if (quote.tier_after && *quote.tier_after < program.tiers.tiers.size()) {
    const std::optional<std::uint32_t> current = tier_index(program, state.tier);
    if (!stale || !current || *quote.tier_after > *current) {
      state.tier = program.tiers.tiers[*quote.tier_after].id;
    }
  }
  if (quote.tier_review_at &&
      (!stale || !state.tier_review_at || *state.tier_review_at < *quote.tier_review_at)) {
    state.tier_review_at = quote.tier_review_at;
  }
  if (quote.birthday_bonus_year > state.last_birthday_bonus_year) {
    state.last_birthday_bonus_year = quote.birthday_bonus_year;
  }
  if (quote.paid_membership_until &&
      (!state.paid_membership_until ||
       *state.paid_membership_until < *quote.paid_membership_until)) {
    state.paid_membership_until = quote.paid_membership_until;
  }
  if (state.company) state.company->year_spend = state.company->year_spend + quote.net_total;
  return state;
}

// What the returned units give back of the customer's state: `state` is the cache row now, `seen`
// the state the original quote saw, `quote` that quote (quoted at `quoted_at`).
CustomerState revert_returned(CustomerState state, const CustomerState& seen, const Quote& quote,
                              const Reversal& reversal, Timestamp quoted_at) {
  const Program& program = *quote.program;
  std::int64_t spend = reversal.money_refund.value();
  for (const ReversalLine& line : reversal.lines) spend += line.tender_refund.value();
  const auto floor_0 = [](std::int64_t value) { return value < 0 ? 0 : value; };
  // The receipt counted in the period that ran when it was quoted; after a review it is history.
  const bool in_period =
      !state.tier_review_at ||
      !(quoted_at < plus_days(*state.tier_review_at, -tier_review_interval_days));
  if (in_period) {
    state.period_spend = floor_0(state.period_spend - spend);
    state.period_points_earned =
        floor_0(state.period_points_earned - reversal.earned_reversed.value());
    // A tier this receipt reached at once is kept only while the period still reaches it.
    const TierPolicy& tiers = program.tiers;
    if (quote.tier_before && quote.tier_after && *quote.tier_after > *quote.tier_before &&
        *quote.tier_after < tiers.tiers.size() && state.tier == tiers.tiers[*quote.tier_after].id) {
      const std::int64_t value =
          tiers.basis == TierBasis::spend ? state.period_spend : state.period_points_earned;
      const std::uint32_t tier = std::max(*quote.tier_before, tiers.tier_reached(value));
      if (tier < *quote.tier_after) state.tier = tiers.tiers[tier].id;
    }
  }
  state.cumulative_spend = Minor(floor_0((state.cumulative_spend - Minor(spend)).value()));
  if (state.company) {
    state.company->year_spend = Minor(floor_0((state.company->year_spend - Minor(spend)).value()));
  }
  if (reversal.completes_receipt) {
    if (quote.net_total > Minor(0) && state.purchase_count > 0) --state.purchase_count;
    // The birthday bonus is taken back with the last unit: the customer may have it again.
    if (quote.birthday_bonus_year > 0 &&
        state.last_birthday_bonus_year == quote.birthday_bonus_year) {
      state.last_birthday_bonus_year = seen.last_birthday_bonus_year;
    }
  }
  if (reversal.cancels_paid_membership && quote.paid_membership_until &&
      state.paid_membership_until == quote.paid_membership_until) {
    state.paid_membership_until = seen.paid_membership_until;
  }
  return state;
}

}  // namespace

Result<std::optional<hq_internal::TierChange>> write_back_refund(Ledger& ledger,
                                                                 const Quote& quote,
                                                                 const CustomerState& seen,
                                                                 const Reversal& reversal,
                                                                 Timestamp quoted_at,
                                                                 Timestamp at) {
  std::optional<CachedCustomer> cached = TRY(customers_internal::load(ledger, seen.customer_id));
  if (!cached) return std::optional<hq_internal::TierChange>();  // nothing cached to give back
  hq_internal::TierChange change;
  change.before = hq_internal::tier_counters(cached->state);
  cached->state = revert_returned(std::move(cached->state), seen, quote, reversal, quoted_at);
  change.after = hq_internal::tier_counters(cached->state);
  TRY(customers_internal::store(ledger, std::move(*cached), at));
  return std::optional<hq_internal::TierChange>(std::move(change));
}

CustomerState offline_state(std::string_view customer_id,
                            const std::optional<CachedCustomer>& cached) {
  if (cached) return cached->state;
  CustomerState unknown;
  unknown.customer_id = std::string(customer_id);
  unknown.known = false;
  return unknown;
}

Status check_redemption(Ledger& ledger, const Quote& quote, const CustomerState& customer,
                        AccountId account, bool offline, std::int64_t offline_redeemed) {
  const Points redeemed = redeemed_by(quote);
  if (redeemed <= Points(0)) return Status();
  const std::string card = "card " + customer.customer_id;
  const std::optional<std::string> reason =
      TRY(customers_internal::blocked_reason(ledger, customer.customer_id));
  if (reason) {
    return make_error(ErrorCode::conflict, card + " is on the blocklist (" + *reason +
                                               "): it cannot redeem " +
                                               std::to_string(redeemed.value()) +
                                               " points; check the receipt out without redeeming");
  }
  if (!offline) return Status();
  const Points limit = quote.program->burn.offline_floor_limit;
  const Balance balance = TRY(ledger.balance(account));
  const std::int64_t used = offline_redeemed + balance.debits_pending.value();
  if (used + redeemed.value() > limit.value()) {
    return make_error(
        ErrorCode::conflict,
        card + ": offline, a card may redeem at most " + std::to_string(limit.value()) +
            " points until HQ confirms its balance; it has used " + std::to_string(used) +
            " (redeemed or held) and this receipt asks " + std::to_string(redeemed.value()) +
            ". Redeem less, or wait for the terminal to reach HQ");
  }
  return Status();
}

Result<hq_internal::TierChange> write_back(Ledger& ledger, const Quote& quote,
                                           const CustomerState& seen, WriteBack mode,
                                           const std::optional<CachedCustomer>& cached,
                                           Timestamp at) {
  CachedCustomer next;
  if (cached) next = *cached;
  hq_internal::TierChange change;
  // What the state was applied to: the caller's (HQ's or the cache's) state, or for a held
  // receipt the cache row as it is now.
  const bool on_cache = mode == WriteBack::commit_online || mode == WriteBack::commit_offline;
  change.before = hq_internal::tier_counters(on_cache && cached ? cached->state : seen);
  switch (mode) {
    case WriteBack::online:
      // The caller's state came from HQ for this receipt: the cache is as fresh as HQ now.
      next.state = apply_quote(seen, quote, at, false, change.period_reset);
      next.hq_refreshed_at = at;
      next.offline_redeemed = 0;
      break;
    case WriteBack::offline:
      // An unknown card stays unknown until HQ refreshes it; the state is the terminal's own.
      next.state = apply_quote(seen, quote, at, false, change.period_reset);
      next.state.known = cached ? cached->state.known : false;
      next.offline_redeemed += redeemed_by(quote).value();
      break;
    case WriteBack::commit_online:
    case WriteBack::commit_offline:
      // Other receipts of the card may have been written since it was opened: their effects are
      // in the cache row, which is the base; the held quote only adds its own.
      next.state = apply_quote(cached ? cached->state : seen, quote, at, cached.has_value(),
                               change.period_reset);
      if (!cached) next.state.known = seen.known;
      // HQ authorised an online hold when it was opened, not now: the offline count stays.
      if (mode == WriteBack::commit_offline) next.offline_redeemed += redeemed_by(quote).value();
      break;
  }
  // The row is written only when something in it changed (a receipt that moved no count, of a
  // card the cache already holds as HQ issued it, leaves it alone).
  customers_internal::keep_only_consented(next.state, next.consent);
  change.after = hq_internal::tier_counters(next.state);
  if (cached && next == *cached) return change;
  TRY(customers_internal::store(ledger, std::move(next), at));
  return change;
}

}  // namespace loyalty::storage::checkout_internal
