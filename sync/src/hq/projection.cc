// One pseudonym's part of the HQ ledger, computed in memory from its events in projection order.
//
// Floor 0 at HQ: a debit larger than the balance first books an "overdraft" entry
// overdraft_receivable:<owner> -> <account> for the shortfall (the card is flagged); a later credit
// is followed by an "overdraft_recovery" entry <account> -> overdraft_receivable:<owner> for what
// it can repay. Lots: every credit is a lot (with the event's lot dates, or without expiry); a
// debit takes the soonest-expiring lots first (no expiry last), then the oldest; a lot past its
// expiry becomes an "expire" entry to breakage at its expiry time.

#include <algorithm>

#include "hq/internal.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq {

namespace {

const std::string breakage_account = "breakage";

std::int64_t account_balance(const OwnerState& state, std::string_view account) {
  std::int64_t balance = 0;
  for (const Lot& lot : state.lots) {
    if (lot.account == account) balance += lot.remaining;
  }
  return balance;
}

bool takes_first(const Lot& a, const Lot& b) {
  if (a.expires_at.has_value() != b.expires_at.has_value()) return a.expires_at.has_value();
  if (a.expires_at && *a.expires_at != *b.expires_at) return *a.expires_at < *b.expires_at;
  return a.lot_no < b.lot_no;
}

void drop_empty_lots(OwnerState& state) {
  std::erase_if(state.lots, [](const Lot& lot) { return lot.remaining == 0; });
}

// Takes `points` out of the account's lots; the caller made sure they hold that much.
void consume(OwnerState& state, std::string_view account, std::int64_t points) {
  LOYALTY_ASSERT(points >= 0 && account_balance(state, account) >= points);
  std::vector<Lot*> order;
  for (Lot& lot : state.lots) {
    if (lot.account == account) order.push_back(&lot);
  }
  std::sort(order.begin(), order.end(),
            [](const Lot* a, const Lot* b) { return takes_first(*a, *b); });
  for (Lot* lot : order) {
    if (points == 0) break;
    const std::int64_t take = std::min(points, lot->remaining);
    lot->remaining -= take;
    points -= take;
  }
  drop_empty_lots(state);
}

void set_owed(OwnerState& state, std::int64_t owed, Timestamp at) {
  LOYALTY_ASSERT(owed >= 0);
  if (state.owed_points == 0 && owed > 0) {
    state.flagged = true;
    state.flagged_at = at;
  } else if (state.owed_points > 0 && owed == 0) {
    state.flagged = false;
    state.cleared_at = at;
  }
  state.owed_points = owed;
}

std::string receivable(const OwnerState& state) {
  return "overdraft_receivable:" + state.pseudonym;
}

NewEntry entry_for(const ParsedEvent& event, std::string debit, std::string credit,
                   std::int64_t points, std::string code) {
  return NewEntry{std::move(debit),     std::move(credit), points,          std::move(code),
                  event.key.created_at, event.key,         event.receipt_id};
}

void debit_side(OwnerState& state, const ParsedEvent& event, const Movement& movement,
                std::vector<NewEntry>& out) {
  const std::int64_t balance = account_balance(state, movement.debit);
  if (balance < movement.points) {
    const std::int64_t shortfall = movement.points - balance;
    out.push_back(entry_for(event, receivable(state), movement.debit, shortfall, "overdraft"));
    set_owed(state, state.owed_points + shortfall, event.key.created_at);
  }
  consume(state, movement.debit, std::min(balance, movement.points));
}

void credit_side(OwnerState& state, const ParsedEvent& event, const Movement& movement,
                 std::vector<NewEntry>& out) {
  Lot lot;
  lot.lot_no = state.next_lot_no++;
  lot.account = movement.credit;
  lot.points = movement.points;
  lot.remaining = movement.points;
  lot.active_from = movement.lot ? movement.lot->active_from : event.key.created_at;
  if (movement.lot) lot.expires_at = movement.lot->expires_at;
  state.lots.push_back(lot);
  if (state.owed_points == 0) return;
  const std::int64_t recovered = std::min(movement.points, state.owed_points);
  out.push_back(
      entry_for(event, movement.credit, receivable(state), recovered, "overdraft_recovery"));
  consume(state, movement.credit, recovered);
  set_owed(state, state.owed_points - recovered, event.key.created_at);
}

}  // namespace

std::int64_t OwnerState::balance_points() const {
  std::int64_t balance = 0;
  for (const Lot& lot : lots) balance += lot.remaining;
  return balance;
}

std::optional<Timestamp> OwnerState::soonest_expiry() const {
  std::optional<Timestamp> soonest;
  for (const Lot& lot : lots) {
    if (lot.expires_at && (!soonest || *lot.expires_at < *soonest)) soonest = lot.expires_at;
  }
  return soonest;
}

void sweep_expired(OwnerState& state, Timestamp at, std::vector<NewEntry>& out) {
  std::vector<Lot*> due;
  for (Lot& lot : state.lots) {
    if (lot.expires_at && *lot.expires_at <= at) due.push_back(&lot);
  }
  std::sort(due.begin(), due.end(), [](const Lot* a, const Lot* b) { return takes_first(*a, *b); });
  for (Lot* lot : due) {
    NewEntry entry;
    entry.debit = lot->account;
    entry.credit = breakage_account;
    entry.points = lot->remaining;
    entry.code = "expire";
    entry.at = *lot->expires_at;
    out.push_back(std::move(entry));
    lot->remaining = 0;
  }
  drop_empty_lots(state);
}

namespace {

// A counter changed by `delta` (|delta| <= 10^15, payload.cc): kept in 0..`max`, the bound of
// what a terminal's cache row may hold, so that no report can make HQ send an unloadable state.
std::int64_t counter_plus(std::int64_t counter, std::int64_t delta, std::int64_t max) {
  return std::clamp<std::int64_t>(counter + delta, 0, max);
}

// The tier is the one the customer's latest report names: of one terminal's reports the one with
// the highest seq (a receipt back-dated at the till still came after the ones it wrote before),
// of different terminals' the one with the latest effective time. The period counters add up
// every store's changes. A period a terminal restarted (its review fell due) restarts at HQ
// unless HQ already holds a later review: another store restarted it first.
void apply_tier_report(OwnerState& state, const ParsedEvent& event) {
  const ParsedEvent::TierReport& report = *event.tier_report;
  if (!state.tier_from && report.period_spend && report.period_points) {
    // The card's first report: the terminal's totals, which hold what it sold before it sent
    // reports (a till updated from a build without them).
    state.period_spend =
        std::clamp<std::int64_t>(*report.period_spend, 0, limits::amount_minor_max);
    state.period_points = std::clamp<std::int64_t>(*report.period_points, 0, limits::points_max);
  } else {
    if (report.period_reset && (!state.review_at || !(event.key.created_at < *state.review_at))) {
      state.period_spend = 0;
      state.period_points = 0;
    }
    state.period_spend =
        counter_plus(state.period_spend, report.period_spend_delta, limits::amount_minor_max);
    state.period_points =
        counter_plus(state.period_points, report.period_points_delta, limits::points_max);
  }
  const EventKey& key = event.key;
  const std::optional<EventKey>& from = state.tier_from;
  const bool same_terminal = from && from->store_id == key.store_id &&
                             from->terminal_id == key.terminal_id && from->epoch == key.epoch;
  if (!from || (same_terminal ? from->seq < key.seq : !(key.created_at < from->created_at))) {
    state.tier = event.tier_after;
    state.tier_from = key;
  }
  if (report.review_at && (!state.review_at || *state.review_at < *report.review_at)) {
    state.review_at = report.review_at;
  }
}

}  // namespace

void project_event(OwnerState& state, const ParsedEvent& event, std::vector<NewEntry>& out) {
  LOYALTY_ASSERT(!state.pseudonym.empty());
  sweep_expired(state, event.key.created_at, out);
  if (event.customer == state.pseudonym) {
    if (event.kind == "checkout") ++state.receipts;
    if (event.tier_report) {
      apply_tier_report(state, event);
    } else if (event.kind == "checkout") {
      state.tier = event.tier_after;
    }
    state.spend_minor += event.spend_minor;
  }
  for (const Movement& movement : event.movements) {
    const std::string debit_owner = floor_account_owner(movement.debit);
    const std::string credit_owner = floor_account_owner(movement.credit);
    const bool writes_entry =
        debit_owner == state.pseudonym || (debit_owner.empty() && credit_owner == state.pseudonym);
    if (debit_owner == state.pseudonym) debit_side(state, event, movement, out);
    if (writes_entry) {
      out.push_back(
          entry_for(event, movement.debit, movement.credit, movement.points, movement.code));
    }
    if (credit_owner == state.pseudonym) credit_side(state, event, movement, out);
  }
  state.last = event.key;
  LOYALTY_ASSERT(state.owed_points >= 0 && state.balance_points() >= 0);
}

}  // namespace loyalty::sync::hq
