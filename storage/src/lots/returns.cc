// Lots on a return: restore_burn() gives burned points back to the lots they came from, and
// reverse_earn() takes earned points back from the lots a line created (docs/storage.md, "Returns
// over lots").

#include <span>
#include <string>

#include "lots/internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

using namespace lots_internal;

namespace {

// Binds receipt_id (?2, NULL when "") and line (?3) for the `IS` comparisons below.
Status bind_receipt_line(Statement& statement, std::string_view receipt_id,
                         std::optional<std::uint32_t> line) {
  TRY(receipt_id.empty() ? statement.bind_null(2) : statement.bind_text(2, receipt_id));
  return line ? statement.bind_int64(3, *line) : statement.bind_null(3);
}

// What `line` of `receipt_id` burned from the lots of `account`, per lot, in burning order.
Result<std::vector<LotPart>> burned_parts(const Database& db, AccountId account,
                                          std::string_view receipt_id,
                                          std::optional<std::uint32_t> line) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT lot_id, SUM(amount) FROM transfers WHERE code = 'burn' AND debit_account = ?1 "
      "AND receipt_id IS ?2 AND line IS ?3 AND flags IN ('none', 'post_pending') "
      "AND lot_id IS NOT NULL GROUP BY lot_id ORDER BY MIN(id) LIMIT ?4"));
  TRY(select.bind_int64(1, account.value));
  TRY(bind_receipt_line(select, receipt_id, line));
  TRY(select.bind_int64(4, static_cast<std::int64_t>(limits::customer_lots_max)));
  std::vector<LotPart> parts;
  while (TRY(select.step()) == Step::row) {
    parts.push_back(LotPart{LotId{select.column_int64(0)}, Points(select.column_int64(1))});
  }
  return parts;
}

// Gives back `points` of what `line` burned as `parts` (burning order): the part burned last
// first, less what earlier restores of the line gave back. `what` names the caller in messages.
Result<std::vector<LotMove>> give_back(Ledger& ledger, const Transaction& transaction,
                                       std::string_view what, AccountId account,
                                       std::string_view receipt_id,
                                       std::optional<std::uint32_t> line,
                                       std::span<const LotPart> parts, Points points,
                                       Timestamp at) {
  std::vector<LotPart> open(parts.begin(), parts.end());
  Points burned, restored;
  for (const LotPart& part : parts) burned += part.points;
  {
    Statement select = TRY(Statement::prepare(
        ledger.database(),
        "SELECT lot_id, SUM(amount) FROM transfers WHERE code = 'restore_burn' "
        "AND credit_account = ?1 AND receipt_id IS ?2 AND line IS ?3 "
        "AND flags IN ('none', 'post_pending') AND lot_id IS NOT NULL GROUP BY lot_id"));
    TRY(select.bind_int64(1, account.value));
    TRY(bind_receipt_line(select, receipt_id, line));
    while (TRY(select.step()) == Step::row) {
      Points back(select.column_int64(1));
      restored += back;
      // Earlier restores took the parts of a lot from the last one back (as below).
      for (auto part = open.rbegin(); part != open.rend() && back > Points(0); ++part) {
        if (part->lot.value != select.column_int64(0)) continue;
        const Points undo = min_of(back, part->points);
        part->points -= undo;
        back -= undo;
      }
    }
  }
  if (points > burned - restored) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(what) + ": " + receipt_line_name(receipt_id, line) + " burned " +
                          std::to_string(burned.value()) + " points from account " +
                          std::to_string(account.value) + " and " +
                          std::to_string(restored.value()) + " are back already; cannot restore " +
                          std::to_string(points.value()));
  }
  const AccountId redemption = TRY(chain_account(ledger, transaction, AccountKind::redemption, at));
  std::vector<LotMove> moves;
  Points left = points;
  for (auto part = open.rbegin(); part != open.rend() && left > Points(0); ++part) {
    const Points give = min_of(left, part->points);
    if (give == Points(0)) continue;
    const TransferId id =
        TRY(move(ledger, transaction,
                 LotTransfer{redemption, account, give, TransferCode::restore_burn, receipt_id,
                             line, "return", part->lot, at},
                 give.value()));
    moves.push_back(LotMove{part->lot, give, id});
    left -= give;
  }
  LOYALTY_ASSERT(left == Points(0));  // the parts' open amounts add up to burned - restored
  return moves;
}

}  // namespace

Result<std::vector<LotMove>> restore_burn(Ledger& ledger, const Transaction& transaction,
                                          AccountId account, std::string_view receipt_id,
                                          std::optional<std::uint32_t> line, Points points,
                                          Timestamp at) {
  TRY(check_points("restore_burn", points));
  TRY(lot_account(ledger, account));
  const std::vector<LotPart> parts =
      TRY(burned_parts(ledger.database(), account, receipt_id, line));
  if (parts.empty()) {
    return make_error(ErrorCode::not_found, "restore_burn: " + receipt_line_name(receipt_id, line) +
                                                " burned no points from lots of account " +
                                                std::to_string(account.value));
  }
  return give_back(ledger, transaction, "restore_burn", account, receipt_id, line, parts, points,
                   at);
}

namespace {

struct Earned {
  std::vector<Lot> lots;  // newest first
  Points points;          // what the line earned into the account
  Points reversed;        // what reverse_earn took back already
};

// The lots of `account` that `receipt_id` created for `lot_line` (nullopt: for the whole receipt),
// and what reverse_earn transfers for `line` took back already.
Result<Earned> earned_lots(const Database& db, AccountId account, std::string_view receipt_id,
                           std::optional<std::uint32_t> lot_line,
                           std::optional<std::uint32_t> line) {
  // A receipt's lots are found through their earn transfers (transfers_by_receipt): lots have no
  // index by account that would not scan them all. Lots of no receipt (grants) are scanned.
  Statement select = TRY(Statement::prepare(
      db,
      receipt_id.empty()
          ? "SELECT lot_id, points, remaining FROM lots WHERE account = ?1 AND receipt_id IS ?2 "
            "AND line IS ?3 ORDER BY lot_id DESC LIMIT ?4"
          : "SELECT l.lot_id, l.points, l.remaining FROM transfers t JOIN lots l ON "
            "l.lot_id = t.lot_id WHERE t.receipt_id = ?2 AND t.code = 'earn' "
            "AND t.credit_account = ?1 AND t.lot_id IS NOT NULL AND l.account = ?1 "
            "AND l.line IS ?3 ORDER BY l.lot_id DESC LIMIT ?4"));
  TRY(select.bind_int64(1, account.value));
  TRY(bind_receipt_line(select, receipt_id, lot_line));
  TRY(select.bind_int64(4, static_cast<std::int64_t>(limits::customer_lots_max)));
  Earned earned;
  while (TRY(select.step()) == Step::row) {
    Lot lot;
    lot.id = LotId{select.column_int64(0)};
    lot.account = account;
    lot.points = Points(select.column_int64(1));
    lot.remaining = Points(select.column_int64(2));
    earned.points += lot.points;
    earned.lots.push_back(lot);
  }
  Statement reversed = TRY(Statement::prepare(
      db,
      "SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE code = 'reverse_earn' "
      "AND debit_account = ?1 AND receipt_id IS ?2 AND line IS ?3 "
      "AND flags IN ('none', 'post_pending')"));
  TRY(reversed.bind_int64(1, account.value));
  TRY(bind_receipt_line(reversed, receipt_id, line));
  const Step step = TRY(reversed.step());
  LOYALTY_ASSERT(step == Step::row);  // an aggregate always yields a row
  earned.reversed = Points(reversed.column_int64(0));
  return earned;
}

}  // namespace

namespace {

// Takes `points` back from `lots` (newest first) and covers what they no longer hold with an
// overdraft the owner of `account` owes; every transfer names `line`.
Result<std::vector<LotMove>> take_back(Ledger& ledger, const Transaction& transaction,
                                       const Account& owner, std::string_view receipt_id,
                                       std::optional<std::uint32_t> line, Points points,
                                       const std::vector<Lot>& lots, Timestamp at) {
  const AccountId account = owner.id;
  const AccountId issuance = TRY(chain_account(ledger, transaction, AccountKind::issuance, at));
  // Points an open receipt holds stay in their lot: that receipt commits as it was quoted, and
  // what the return cannot take becomes the customer's debt instead. A hold that names no lot
  // keeps the account's available balance at 0 or above.
  const LotHolds holds = TRY(lot_holds(ledger, account));
  Points spare = max_of(TRY(ledger.balance(account)).available(), Points(0));
  std::vector<LotMove> moves;
  Points left = points;
  for (const Lot& lot : lots) {
    const Points take = min_of(min_of(left, lot.remaining - holds.in(lot.id)), spare);
    spare -= take;
    if (take == Points(0)) continue;
    const TransferId id = TRY(move(ledger, transaction,
                                   LotTransfer{account, issuance, take, TransferCode::reverse_earn,
                                               receipt_id, line, "return", lot.id, at},
                                   -take.value()));
    moves.push_back(LotMove{lot.id, take, id});
    left -= take;
  }
  if (left > Points(0)) {
    // Spent or expired already: the customer owes the shortfall on the receivable account.
    TRY(take_as_overdraft(ledger, transaction, account, owner.owner, issuance, left,
                          TransferCode::reverse_earn, receipt_id, line, "return", at));
  }
  return moves;
}

Status check_reversible(std::string_view what, const std::string& name, AccountId account,
                        Points earned, Points reversed, Points points) {
  if (points <= earned - reversed) return {};
  return make_error(ErrorCode::invalid_argument,
                    std::string(what) + ": " + name + " earned " + std::to_string(earned.value()) +
                        " points into account " + std::to_string(account.value) + " and " +
                        std::to_string(reversed.value()) +
                        " are reversed already; cannot reverse " + std::to_string(points.value()));
}

}  // namespace

Result<std::vector<LotMove>> reverse_earn(Ledger& ledger, const Transaction& transaction,
                                          AccountId account, std::string_view receipt_id,
                                          std::optional<std::uint32_t> line, Points points,
                                          Timestamp at) {
  TRY(check_points("reverse_earn", points));
  const Account owner = TRY(lot_account(ledger, account));
  const Earned earned = TRY(earned_lots(ledger.database(), account, receipt_id, line, line));
  const std::string name = receipt_line_name(receipt_id, line);
  if (earned.lots.empty()) {
    return make_error(
        ErrorCode::not_found,
        "reverse_earn: " + name + " created no lot in account " + std::to_string(account.value));
  }
  TRY(check_reversible("reverse_earn", name, account, earned.points, earned.reversed, points));
  return take_back(ledger, transaction, owner, receipt_id, line, points, earned.lots, at);
}

Result<std::vector<LotMove>> reverse_receipt_earn(Ledger& ledger, const Transaction& transaction,
                                                  AccountId account, std::string_view receipt_id,
                                                  std::optional<std::uint32_t> line,
                                                  Points line_earned, Points points, Timestamp at) {
  TRY(check_points("reverse_receipt_earn", points));
  const Account owner = TRY(lot_account(ledger, account));
  const Earned earned =
      TRY(earned_lots(ledger.database(), account, receipt_id, std::nullopt, line));
  const std::string name = receipt_line_name(receipt_id, line);
  if (earned.lots.empty()) {
    return make_error(ErrorCode::not_found,
                      "reverse_receipt_earn: " + receipt_line_name(receipt_id, std::nullopt) +
                          " created no lot in account " + std::to_string(account.value));
  }
  TRY(check_reversible("reverse_receipt_earn", name, account, line_earned, earned.reversed,
                       points));
  return take_back(ledger, transaction, owner, receipt_id, line, points, earned.lots, at);
}

Result<std::vector<LotMove>> restore_burn_parts(Ledger& ledger, const Transaction& transaction,
                                                AccountId account, std::string_view receipt_id,
                                                std::uint32_t line, std::span<const LotPart> parts,
                                                Points points, Timestamp at) {
  TRY(check_points("restore_burn_parts", points));
  TRY(lot_account(ledger, account));
  return give_back(ledger, transaction, "restore_burn_parts", account, receipt_id, line, parts,
                   points, at);
}

}  // namespace loyalty::storage
