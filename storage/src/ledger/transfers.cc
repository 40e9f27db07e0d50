// Ledger: posted transfers, and pending transfers with their post and void.

#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

std::string name_of(const Account& account) {
  return "account " + std::to_string(account.id.value) + " (" + account_kind_name(account.kind) +
         ":" + account.owner + ")";
}

// What every transfer, points or money, must satisfy before its accounts are read.
Status validate_common(std::int64_t amount, std::int64_t amount_max, AccountId debit,
                       AccountId credit, std::string_view receipt_id, std::string_view source) {
  if (amount <= 0 || amount > amount_max) {
    return make_error(ErrorCode::invalid_argument, "transfer amount " + std::to_string(amount) +
                                                       " is outside 1.." +
                                                       std::to_string(amount_max));
  }
  if (debit == credit) {
    return make_error(ErrorCode::invalid_argument, "transfer debits and credits the same account " +
                                                       std::to_string(debit.value));
  }
  if (receipt_id.size() > limits::ledger_text_bytes_max ||
      source.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "transfer receipt_id or source is longer than " +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  return {};
}

Status validate_request(const TransferRequest& request) {
  return validate_common(request.amount.value(), limits::points_max, request.debit, request.credit,
                         request.receipt_id, request.source);
}

Status require_points(const Account& account) {
  if (account.unit == Unit::points) return {};
  return make_error(ErrorCode::invalid_argument,
                    name_of(account) + " counts money in minor units, not points");
}

struct PendingRow {
  TransferId id;
  AccountId debit;
  AccountId credit;
  Points amount;
  std::string flags;
  std::string code;
  std::string receipt_id;
  std::optional<std::int64_t> line;
  std::string source;
  std::optional<std::int64_t> lot;
};

Result<PendingRow> load_transfer(const Database& db, TransferId id) {
  Statement statement = TRY(Statement::prepare(
      db,
      "SELECT debit_account, credit_account, amount, flags, code, receipt_id, line, source, "
      "lot_id FROM transfers WHERE id = ?1"));
  TRY(statement.bind_int64(1, id.value));
  if (TRY(statement.step()) != Step::row) {
    return make_error(ErrorCode::not_found,
                      "transfer " + std::to_string(id.value) + " does not exist");
  }
  PendingRow row;
  row.id = id;
  row.debit = AccountId{statement.column_int64(0)};
  row.credit = AccountId{statement.column_int64(1)};
  row.amount = Points(statement.column_int64(2));
  row.flags = statement.column_text(3);
  row.code = statement.column_text(4);
  row.receipt_id = statement.column_text(5);
  if (!statement.column_is_null(6)) row.line = statement.column_int64(6);
  row.source = statement.column_text(7);
  if (!statement.column_is_null(8)) row.lot = statement.column_int64(8);
  return row;
}

// The transfer that already posted or voided `pending`, if any.
Result<std::optional<PendingRow>> resolution_of(const Database& db, TransferId pending) {
  Statement statement =
      TRY(Statement::prepare(db, "SELECT id FROM transfers WHERE pending_id = ?1"));
  TRY(statement.bind_int64(1, pending.value));
  if (TRY(statement.step()) != Step::row) return std::optional<PendingRow>();
  return std::optional<PendingRow>(TRY(load_transfer(db, TransferId{statement.column_int64(0)})));
}

// Inserts one row. Text and optional columns are bound as given; `pending_id` is 0 for none.
Result<TransferId> insert_row(const Database& db, const PendingRow& row, std::string_view flags,
                              TransferId pending_id, Timestamp at) {
  Statement statement = TRY(Statement::prepare(
      db,
      "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, pending_id, "
      "receipt_id, line, source, lot_id, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  TRY(statement.bind_int64(1, row.debit.value));
  TRY(statement.bind_int64(2, row.credit.value));
  TRY(statement.bind_int64(3, row.amount.value()));
  TRY(statement.bind_text(4, row.code));
  TRY(statement.bind_text(5, flags));
  TRY(pending_id.value != 0 ? statement.bind_int64(6, pending_id.value) : statement.bind_null(6));
  TRY(row.receipt_id.empty() ? statement.bind_null(7) : statement.bind_text(7, row.receipt_id));
  TRY(row.line ? statement.bind_int64(8, *row.line) : statement.bind_null(8));
  TRY(statement.bind_text(9, row.source));
  TRY(row.lot ? statement.bind_int64(10, *row.lot) : statement.bind_null(10));
  TRY(statement.bind_int64(11, at.unix_seconds));
  TRY(statement.run());
  const TransferId id{db.last_insert_rowid()};
  return id;
}

}  // namespace

Result<TransferId> Ledger::insert_checked(const Transaction& transaction,
                                          const TransferRequest& request, std::string_view flags) {
  assert_ours(transaction);
  TRY(validate_request(request));
  const Account debit = TRY(account(request.debit));
  const Account credit = TRY(account(request.credit));
  TRY(require_points(debit));
  TRY(require_points(credit));
  if (debit.balance_floor) {
    const Balance before = TRY(balance(debit.id));
    const Points after = before.available() - request.amount;
    if (after < Points(*debit.balance_floor)) {
      return make_error(
          ErrorCode::conflict,
          name_of(debit) + " has " + std::to_string(before.available().value()) +
              " points available; debiting " + std::to_string(request.amount.value()) +
              " would take it below its floor " + std::to_string(*debit.balance_floor));
    }
  }
  PendingRow row;
  row.debit = request.debit;
  row.credit = request.credit;
  row.amount = request.amount;
  row.code = transfer_code_name(request.code);
  row.receipt_id = std::string(request.receipt_id);
  if (request.line) row.line = *request.line;
  row.source = std::string(request.source);
  if (request.lot) row.lot = request.lot->value;
  return insert_row(db_, row, flags, TransferId{0}, request.at);
}

Result<TransferId> Ledger::transfer(const Transaction& transaction,
                                    const TransferRequest& request) {
  return insert_checked(transaction, request, "none");
}

Result<TransferId> Ledger::transfer_money(const Transaction& transaction,
                                          const MoneyTransferRequest& request) {
  assert_ours(transaction);
  TRY(validate_common(request.amount.value(), limits::amount_minor_max, request.debit,
                      request.credit, request.receipt_id, request.source));
  for (const AccountId id : {request.debit, request.credit}) {
    const Account account = TRY(this->account(id));
    if (account.unit != Unit::minor) {
      return make_error(ErrorCode::invalid_argument,
                        name_of(account) + " counts points, not money in minor units");
    }
    // Settlement accounts have no floor; a floor on a money account is not supported.
    LOYALTY_ASSERT(!account.balance_floor);
  }
  PendingRow row;
  row.debit = request.debit;
  row.credit = request.credit;
  row.amount = Points(request.amount.value());  // the amount column holds either unit
  row.code = transfer_code_name(request.code);
  row.receipt_id = std::string(request.receipt_id);
  row.source = std::string(request.source);
  return insert_row(db_, row, "none", TransferId{0}, request.at);
}

Result<TransferId> Ledger::create_pending(const Transaction& transaction,
                                          const TransferRequest& request) {
  return insert_checked(transaction, request, "pending");
}

Result<TransferId> Ledger::post_pending(const Transaction& transaction, TransferId pending,
                                        std::optional<Points> amount, Timestamp at) {
  return resolve_pending(transaction, pending, amount, at, true);
}

Result<TransferId> Ledger::void_pending(const Transaction& transaction, TransferId pending,
                                        Timestamp at) {
  return resolve_pending(transaction, pending, std::nullopt, at, false);
}

Result<TransferId> Ledger::resolve_pending(const Transaction& transaction, TransferId pending,
                                           std::optional<Points> amount, Timestamp at, bool post) {
  assert_ours(transaction);
  const char* verb = post ? "post" : "void";
  PendingRow row = TRY(load_transfer(db_, pending));
  const std::string name = "transfer " + std::to_string(pending.value);
  if (row.flags != "pending") {
    return make_error(ErrorCode::invalid_argument,
                      "cannot " + std::string(verb) + " " + name + ": it is not pending");
  }
  const std::optional<PendingRow> earlier = TRY(resolution_of(db_, pending));
  if (earlier) {
    const char* done = earlier->flags == "post_pending" ? "posted" : "voided";
    return make_error(ErrorCode::conflict, "cannot " + std::string(verb) + " pending " + name +
                                               ": it was already " + done + " by transfer " +
                                               std::to_string(earlier->id.value));
  }
  if (amount && (*amount <= Points(0) || *amount > row.amount)) {
    return make_error(ErrorCode::invalid_argument,
                      "cannot post " + std::to_string(amount->value()) + " of pending " + name +
                          ": it holds " + std::to_string(row.amount.value()));
  }
  // A post moves `amount` (all by default) and releases the rest; a void moves nothing and
  // records the full amount it released.
  if (post && amount) row.amount = *amount;
  return insert_row(db_, row, post ? "post_pending" : "void_pending", pending, at);
}

}  // namespace loyalty::storage
