// Transaction: a scope guard over BEGIN / COMMIT / ROLLBACK on a Database.
//
// A write transaction starts with BEGIN IMMEDIATE: it takes the write lock at once, so two
// writers never both read and then collide at their first write (which SQLite would report as
// SQLITE_BUSY without waiting). A read transaction (BEGIN DEFERRED) gives one consistent snapshot.
// If commit() was not called, or failed, the destructor rolls back: an early return or a TRY
// leaves nothing behind.
//
// Ownership: borrows the Database, which must outlive it. Move-only; a moved-from Transaction
// does nothing when destroyed. Thread-safety: that of its Database.
#pragma once

#include "loyalty/core/result.h"
#include "loyalty/storage/database.h"

namespace loyalty::storage {

enum class TransactionKind { write, read };

class Transaction {
 public:
  static Result<Transaction> begin(Database& db, TransactionKind kind = TransactionKind::write);

  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // COMMIT. After a successful commit the transaction is finished; after a failed one it is still
  // open and the destructor rolls it back.
  Status commit();

  bool is_write() const { return kind_ == TransactionKind::write; }
  // The database this transaction runs on (borrowed).
  Database& database() const {
    LOYALTY_ASSERT(db_ != nullptr);
    return *db_;
  }

 private:
  Transaction(Database* db, TransactionKind kind) : db_(db), kind_(kind) {}

  Database* db_ = nullptr;  // borrowed; nullptr once committed, rolled back or moved from
  TransactionKind kind_ = TransactionKind::write;
};

}  // namespace loyalty::storage
