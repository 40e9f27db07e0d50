// Holds on lots: what open receipts reserve in each lot, the lots a burn may take from with what
// is spare in them, holding points for an open receipt and posting those holds when it commits
// (docs/storage.md, "Held redemption").

#include <algorithm>
#include <string>

#include "lots/internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::lots_internal {

Points LotHolds::in(LotId lot) const {
  const auto it = std::lower_bound(held.begin(), held.end(), lot,
                                   [](const LotPart& part, LotId id) { return part.lot < id; });
  return it != held.end() && it->lot == lot ? it->points : Points(0);
}

Result<LotHolds> lot_holds(Ledger& ledger, AccountId account) {
  LotHolds holds;
  const Points pending = TRY(ledger.balance(account)).debits_pending;
  if (pending <= Points(0)) return holds;  // the usual case: one row read, no scan
  // The partial index transfers_pending holds only pending rows; resolution is a lookup in the
  // UNIQUE index on pending_id.
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT t.lot_id, SUM(t.amount) FROM transfers t WHERE t.debit_account = ?1 "
      "AND t.flags = 'pending' AND t.lot_id IS NOT NULL AND NOT EXISTS "
      "(SELECT 1 FROM transfers r WHERE r.pending_id = t.id) GROUP BY t.lot_id ORDER BY t.lot_id "
      "LIMIT ?2"));
  TRY(select.bind_int64(1, account.value));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(limits::receipt_holds_max)));
  Points attributed;
  while (TRY(select.step()) == Step::row) {  // bounded by receipt_holds_max
    const LotPart part{LotId{select.column_int64(0)}, Points(select.column_int64(1))};
    attributed += part.points;
    holds.held.push_back(part);
  }
  LOYALTY_ASSERT(attributed <= pending);
  holds.unattributed = pending - attributed;
  return holds;
}

Result<std::vector<SpareLot>> spare_lots(Ledger& ledger, AccountId account, Timestamp at,
                                         LotSelection selection) {
  const LotHolds holds = TRY(lot_holds(ledger, account));
  // Soonest expiry first, then the lots that never expire: two walks of lots_available, in its
  // order (an ORDER BY that put NULLs last would sort).
  constexpr std::string_view queries[] = {
      "SELECT lot_id, remaining, active_from, expires_at FROM lots WHERE account = ?1 "
      "AND remaining > 0 AND expires_at IS NOT NULL ORDER BY expires_at, lot_id LIMIT ?2",
      "SELECT lot_id, remaining, active_from, expires_at FROM lots WHERE account = ?1 "
      "AND remaining > 0 AND expires_at IS NULL ORDER BY lot_id LIMIT ?2"};
  std::vector<SpareLot> lots;
  Points unattributed = holds.unattributed;
  std::size_t read = 0;
  for (std::string_view sql : queries) {
    Statement select = TRY(Statement::prepare(ledger.database(), sql));
    TRY(select.bind_int64(1, account.value));
    TRY(select.bind_int64(2, static_cast<std::int64_t>(limits::customer_lots_max - read)));
    while (TRY(select.step()) == Step::row) {  // bounded by customer_lots_max in all
      ++read;
      SpareLot lot;
      lot.lot = LotId{select.column_int64(0)};
      lot.remaining = Points(select.column_int64(1));
      lot.active_from = Timestamp{select.column_int64(2)};
      if (!select.column_is_null(3)) lot.expires_at = Timestamp{select.column_int64(3)};
      lot.usable = lot.active_from <= at && (!lot.expires_at || *lot.expires_at > at);
      const Points held = holds.in(lot.lot);
      LOYALTY_ASSERT(held <= lot.remaining);  // check() keeps holds within their lots
      lot.spare = lot.remaining - held;
      // A hold that names no lot comes out of the lots a burn would take first.
      if (lot.usable && unattributed > Points(0)) {
        const Points take = min_of(unattributed, lot.spare);
        lot.spare -= take;
        unattributed -= take;
      }
      if (selection == LotSelection::usable && !lot.usable) continue;
      lots.push_back(lot);
    }
    if (read == limits::customer_lots_max) break;
  }
  return lots;
}

namespace {

// The lots the take draws from, each with the part it takes, soonest expiry first; a conflict
// naming what is available when they hold too little.
Result<std::vector<LotMove>> plan_take(Ledger& ledger, const LotTake& take) {
  TRY(check_points("burn_from_lots", take.points));
  const Account owner = TRY(lot_account(ledger, take.account));
  const std::vector<SpareLot> lots = TRY(
      spare_lots(ledger, take.account, take.available_at.value_or(take.at), LotSelection::usable));
  std::vector<LotMove> plan;
  Points planned(0);
  for (const SpareLot& lot : lots) {  // bounded by customer_lots_max
    if (planned == take.points) break;
    const Points part = min_of(take.points - planned, lot.spare);
    if (part == Points(0)) continue;
    plan.push_back(LotMove{lot.lot, part, TransferId{}});
    planned += part;
  }
  if (planned < take.points) {
    return make_error(ErrorCode::conflict,
                      "account " + std::to_string(take.account.value) + " (" +
                          account_kind_name(owner.kind) + ":" + owner.owner + ") has " +
                          std::to_string(planned.value()) + " points in lots available at " +
                          format_timestamp(take.available_at.value_or(take.at)) + "; burning " +
                          std::to_string(take.points.value()) + " needs " +
                          std::to_string((take.points - planned).value()) + " more");
  }
  return plan;
}

// The plan written: a posted transfer per lot (the points leave it now), or a pending one that
// holds them there.
Result<std::vector<LotMove>> take_or_hold(Ledger& ledger, const Transaction& transaction,
                                          const LotTake& take, bool hold) {
  std::vector<LotMove> plan = TRY(plan_take(ledger, take));
  for (LotMove& step : plan) {
    const LotTransfer request{take.account, take.credit, step.points, take.code, take.receipt_id,
                              take.line,    take.source, step.lot,    take.at};
    step.transfer = hold ? TRY(ledger.create_pending(transaction, transfer_request(request)))
                         : TRY(move(ledger, transaction, request, -step.points.value()));
  }
  return plan;
}

}  // namespace

Result<std::vector<LotMove>> take_from_lots(Ledger& ledger, const Transaction& transaction,
                                            const LotTake& take) {
  return take_or_hold(ledger, transaction, take, false);
}

Result<std::vector<LotMove>> hold_from_lots(Ledger& ledger, const Transaction& transaction,
                                            const LotTake& take) {
  return take_or_hold(ledger, transaction, take, true);
}

Result<std::vector<OpenHold>> open_holds(Ledger& ledger, std::string_view receipt_id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT id, lot_id, amount FROM transfers t WHERE receipt_id = ?1 AND flags = 'pending' "
      "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id) ORDER BY id LIMIT ?2"));
  TRY(select.bind_text(1, receipt_id));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(limits::receipt_holds_max)));
  std::vector<OpenHold> holds;
  while (TRY(select.step()) == Step::row) {  // bounded by receipt_holds_max
    OpenHold hold{TransferId{select.column_int64(0)}, std::nullopt, Points(select.column_int64(2))};
    if (!select.column_is_null(1)) hold.lot = LotId{select.column_int64(1)};
    holds.push_back(hold);
  }
  return holds;
}

Status void_holds(Ledger& ledger, const Transaction& transaction, std::string_view receipt_id,
                  Timestamp at) {
  const std::vector<OpenHold> holds = TRY(open_holds(ledger, receipt_id));
  for (const OpenHold& hold : holds) TRY(ledger.void_pending(transaction, hold.id, at));
  return Status();
}

Result<Points> post_holds(Ledger& ledger, const Transaction& transaction,
                          std::string_view receipt_id, Timestamp at) {
  const std::vector<OpenHold> holds = TRY(open_holds(ledger, receipt_id));
  for (const OpenHold& hold : holds) {
    if (!hold.lot) {
      return make_error(ErrorCode::io_error, "receipt " + std::string(receipt_id) +
                                                 ": its hold (transfer " +
                                                 std::to_string(hold.id.value) + ") names no lot");
    }
  }
  Points posted;
  for (const OpenHold& hold : holds) {
    TRY(ledger.post_pending(transaction, hold.id, std::nullopt, at));
    TRY(move_remaining(ledger, *hold.lot, -hold.amount.value()));
    posted += hold.amount;
  }
  return posted;
}

}  // namespace loyalty::storage::lots_internal
