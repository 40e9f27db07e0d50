// Statement: the one RAII owner of a prepared SQLite statement (sqlite3_stmt*).
//
// Ownership: owns its sqlite3_stmt* until it is destroyed, then hands it back to its Database's
// statement cache (reset, bindings cleared) or finalizes it; move-only, a moved-from Statement is
// empty. It borrows the Database it was prepared on, which must outlive it.
//
// Thread-safety: none; the thread that uses its Database uses it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/storage/database.h"

struct sqlite3_stmt;

namespace loyalty::storage {

enum class Step { row, done };

class Statement {
 public:
  // Compiles exactly one SQL statement, or reuses one the Database compiled before for the same
  // text. Fails naming the SQL and SQLite's message: busy when the schema is locked by another
  // connection (retryable), io_error otherwise.
  static Result<Statement> prepare(const Database& db, std::string_view sql);

  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite (?1, ?2...). The text is copied.
  Status bind_int64(int index, std::int64_t value);
  Status bind_text(int index, std::string_view value);
  Status bind_null(int index);

  // One step: Step::row while rows come, then Step::done. Errors name the SQL: a constraint
  // violation or RAISE(ABORT) is ErrorCode::conflict, a lock another connection held past the
  // busy timeout ErrorCode::busy (retryable), anything else io_error.
  Result<Step> step();
  // Steps to the end, for statements that return no rows.
  Status run();

  // Columns of the current row, numbered from 0. Valid only after step() returned Step::row.
  std::int64_t column_int64(int index) const;
  std::string column_text(int index) const;  // NULL reads as ""
  bool column_is_null(int index) const;

  // Makes the statement ready to run again and clears its bindings.
  void reset();

 private:
  Statement(sqlite3_stmt* stmt, StatementCache* cache) : stmt_(stmt), cache_(cache) {}
  Status check_bind(int result_code, int index);
  void release();

  sqlite3_stmt* stmt_ = nullptr;
  StatementCache* cache_ = nullptr;  // where stmt_ goes back to; nullptr: finalize it
};

}  // namespace loyalty::storage
