// Lots: earning into a new lot, burning soonest-expiring first, reading a lot, and the helpers
// lots/returns.cc and lots/expiry.cc share.

#include "loyalty/storage/lots.h"

#include <string>
#include <utility>

#include "lots/internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace lots_internal {

Status take_as_overdraft(Ledger& ledger, const Transaction& transaction, AccountId account,
                         std::string_view owner, AccountId credit, Points owed, TransferCode code,
                         std::string_view receipt_id, std::optional<std::uint32_t> line,
                         std::string_view source, Timestamp at) {
  const AccountId receivable =
      TRY(ledger.find_or_create_account(transaction, AccountKind::overdraft_receivable, owner, at));
  TRY(move(ledger, transaction,
           LotTransfer{receivable, account, owed, TransferCode::overdraft, receipt_id, line, source,
                       std::nullopt, at},
           0));
  TRY(move(ledger, transaction,
           LotTransfer{account, credit, owed, code, receipt_id, line, source, std::nullopt, at},
           0));
  return {};
}

TransferRequest transfer_request(const LotTransfer& request) {
  TransferRequest transfer;
  transfer.debit = request.debit;
  transfer.credit = request.credit;
  transfer.amount = request.amount;
  transfer.code = request.code;
  transfer.receipt_id = request.receipt_id;
  transfer.line = request.line;
  transfer.source = request.source;
  transfer.lot = request.lot;
  transfer.at = request.at;
  return transfer;
}

Result<TransferId> move(Ledger& ledger, const Transaction& transaction, const LotTransfer& request,
                        std::int64_t delta) {
  // A lot moves by the whole amount or not at all (the earn that creates it moves it by 0).
  LOYALTY_ASSERT(delta == 0 || delta == request.amount.value() || delta == -request.amount.value());
  LOYALTY_ASSERT(delta == 0 || request.lot.has_value());
  const TransferId id = TRY(ledger.transfer(transaction, transfer_request(request)));
  if (request.lot && delta != 0) TRY(move_remaining(ledger, *request.lot, delta));
  return id;
}

Status move_remaining(Ledger& ledger, LotId lot, std::int64_t delta) {
  Statement update = TRY(Statement::prepare(
      ledger.database(), "UPDATE lots SET remaining = remaining + ?1 WHERE lot_id = ?2"));
  TRY(update.bind_int64(1, delta));
  TRY(update.bind_int64(2, lot.value));
  return update.run();
}

Result<AccountId> chain_account(Ledger& ledger, const Transaction& transaction, AccountKind kind,
                                Timestamp at) {
  return ledger.find_or_create_account(transaction, kind, "", at);
}

Status check_points(std::string_view what, Points points) {
  if (points > Points(0) && points <= Points(limits::points_max)) return {};
  return make_error(ErrorCode::invalid_argument,
                    std::string(what) + ": points " + std::to_string(points.value()) +
                        " is outside 1.." + std::to_string(limits::points_max));
}

Result<Account> lot_account(Ledger& ledger, AccountId id) {
  Account account = TRY(ledger.account(id));
  if (account.kind == AccountKind::customer_points || account.kind == AccountKind::company_points) {
    return account;
  }
  return make_error(ErrorCode::invalid_argument,
                    "account " + std::to_string(id.value) + " (" + account_kind_name(account.kind) +
                        ":" + account.owner +
                        ") holds no lots: only customer_points and company_points accounts do");
}

std::string receipt_line_name(std::string_view receipt_id, std::optional<std::uint32_t> line) {
  std::string name = "receipt \"" + std::string(receipt_id) + "\"";
  if (line) name += " line " + std::to_string(*line);
  return name;
}

}  // namespace lots_internal

using namespace lots_internal;

namespace {

Result<LotId> insert_lot(const Database& db, const LotCredit& credit) {
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO lots (account, points, remaining, active_from, expires_at, receipt_id, line, "
      "created_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7)"));
  TRY(insert.bind_int64(1, credit.account.value));
  TRY(insert.bind_int64(2, credit.points.value()));
  TRY(insert.bind_int64(3, credit.active_from.unix_seconds));
  TRY(credit.expires_at ? insert.bind_int64(4, credit.expires_at->unix_seconds)
                        : insert.bind_null(4));
  TRY(credit.receipt_id.empty() ? insert.bind_null(5) : insert.bind_text(5, credit.receipt_id));
  TRY(credit.line ? insert.bind_int64(6, *credit.line) : insert.bind_null(6));
  TRY(insert.bind_int64(7, credit.at.unix_seconds));
  TRY(insert.run());
  const LotId id{db.last_insert_rowid()};
  return id;
}

// What the owner of `account` owes on their overdraft_receivable account (0 when none).
Result<std::optional<std::pair<AccountId, Points>>> overdraft_owed(Ledger& ledger,
                                                                   const Account& account) {
  using Owed = std::optional<std::pair<AccountId, Points>>;
  if (account.kind != AccountKind::customer_points) return Owed();
  Statement find = TRY(Statement::prepare(
      ledger.database(), "SELECT id FROM accounts WHERE kind = ?1 AND owner = ?2"));
  TRY(find.bind_text(1, account_kind_name(AccountKind::overdraft_receivable)));
  TRY(find.bind_text(2, account.owner));
  if (TRY(find.step()) != Step::row) return Owed();
  const AccountId receivable{find.column_int64(0)};
  const Points posted = TRY(ledger.balance(receivable)).posted();
  if (posted >= Points(0)) return Owed();
  return Owed(std::pair(receivable, -posted));
}

}  // namespace

Result<LotId> credit_lot(Ledger& ledger, const Transaction& transaction, const LotCredit& credit) {
  TRY(check_points("credit_lot", credit.points));
  if (credit.expires_at && *credit.expires_at <= credit.active_from) {
    return make_error(ErrorCode::invalid_argument,
                      "credit_lot: expires_at " + format_timestamp(*credit.expires_at) +
                          " is not after active_from " + format_timestamp(credit.active_from));
  }
  if (credit.receipt_id.size() > limits::ledger_text_bytes_max ||
      credit.source.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "credit_lot: receipt_id or source is longer than " +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  const Account account = TRY(lot_account(ledger, credit.account));
  const AccountId issuance =
      TRY(chain_account(ledger, transaction, AccountKind::issuance, credit.at));
  const LotId id = TRY(insert_lot(ledger.database(), credit));
  // The lot is inserted with remaining = points, so the earn moves it by 0.
  TRY(move(ledger, transaction,
           LotTransfer{issuance, credit.account, credit.points, TransferCode::earn,
                       credit.receipt_id, credit.line, credit.source, id, credit.at},
           0));
  // A customer who owes an overdraft repays it from new points first (docs/storage.md).
  const auto owed = TRY(overdraft_owed(ledger, account));
  if (owed) {
    const Points repay = min_of(credit.points, owed->second);
    TRY(move(ledger, transaction,
             LotTransfer{credit.account, owed->first, repay, TransferCode::overdraft_recovery,
                         credit.receipt_id, credit.line, credit.source, id, credit.at},
             -repay.value()));
  }
  return id;
}

Result<std::vector<LotMove>> burn_from_lots(Ledger& ledger, const Transaction& transaction,
                                            AccountId account, Points points, Timestamp at,
                                            std::string_view receipt_id,
                                            std::optional<std::uint32_t> line) {
  TRY(check_points("burn_from_lots", points));
  TRY(lot_account(ledger, account));
  const AccountId redemption = TRY(chain_account(ledger, transaction, AccountKind::redemption, at));
  return take_from_lots(ledger, transaction,
                        LotTake{account, redemption, points, TransferCode::burn, receipt_id, line,
                                "burn", at, std::nullopt});
}

Result<Lot> lot(Ledger& ledger, LotId id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT account, points, remaining, active_from, expires_at FROM lots WHERE lot_id = ?1"));
  TRY(select.bind_int64(1, id.value));
  if (TRY(select.step()) != Step::row) {
    return make_error(ErrorCode::not_found, "lot " + std::to_string(id.value) + " does not exist");
  }
  Lot row;
  row.id = id;
  row.account = AccountId{select.column_int64(0)};
  row.points = Points(select.column_int64(1));
  row.remaining = Points(select.column_int64(2));
  row.active_from = Timestamp{select.column_int64(3)};
  if (!select.column_is_null(4)) row.expires_at = Timestamp{select.column_int64(4)};
  return row;
}

}  // namespace loyalty::storage
