#include "loyalty/storage/transaction.h"

#include <utility>

namespace loyalty::storage {

Result<Transaction> Transaction::begin(Database& db, TransactionKind kind) {
  TRY(db.exec(kind == TransactionKind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&db, kind);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // A destructor cannot report: if ROLLBACK itself fails, SQLite has already rolled back (the
  // only failures left are a closed connection or no transaction to roll back).
  static_cast<void>(db_->exec("ROLLBACK"));
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), kind_(other.kind_) {}

Status Transaction::commit() {
  LOYALTY_ASSERT(db_ != nullptr);
  Status status = db_->exec("COMMIT");
  // A failed COMMIT (SQLITE_BUSY, a full disk) may leave the transaction open: the destructor
  // then rolls it back, so keep db_ in that case.
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace loyalty::storage
