// Database: the one RAII owner of a SQLite connection (sqlite3*), opened with the ledger's
// durability settings. Statements (statement.h) and transactions (transaction.h) borrow it.
//
// Ownership: a Database owns its sqlite3* and its cache of prepared statements, and closes both in
// its destructor. It is move-only; a
// moved-from Database is empty (handle() == nullptr) and may only be destroyed or assigned to.
// Every Statement and Transaction made from it must be destroyed before it.
//
// Thread-safety: none. A Database, and everything borrowed from it, is used by one thread at a
// time (the connection is opened with SQLITE_OPEN_NOMUTEX). Other processes or connections may use
// the same file: SQLite's locks serialise writers, and busy_timeout_ms bounds the wait.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

struct sqlite3;

namespace loyalty::storage {

class StatementCache;  // sqlite/statement_cache.h (internal)

// What a committed transaction survives. Both use the write-ahead log (journal_mode=WAL).
enum class Durability {
  // synchronous=FULL: the WAL is synced on every commit; a committed transaction survives a crash
  // of the program and a power cut. The default: a point promised to a customer must not vanish.
  full,
  // synchronous=NORMAL: the WAL is synced only at checkpoints; a committed transaction survives a
  // crash of the program, but the last ones may be lost on a power cut. Only when asked for.
  normal,
};

struct DatabaseOptions {
  Durability durability = Durability::full;
  // How long to wait for another connection's lock; 0..limits::sqlite_busy_timeout_ms_max.
  std::int64_t busy_timeout_ms = 5000;
  // The SQLite VFS to open the file with, by its registered name; "" is SQLite's default. Tests
  // register fault-injecting VFSes (power cuts, I/O errors) and name them here.
  std::string vfs;

  DatabaseOptions& with_durability(Durability value) {
    durability = value;
    return *this;
  }
  DatabaseOptions& with_busy_timeout_ms(std::int64_t value) {
    busy_timeout_ms = value;
    return *this;
  }
};

class Database {
 public:
  // Opens (creating if missing) the database file at `path` and sets busy_timeout first (so that
  // entering WAL mode waits for another connection's lock instead of failing), then
  // journal_mode=WAL, synchronous (FULL or NORMAL) and foreign_keys=ON. Fails with busy when
  // another connection's lock outlasts the busy timeout (retryable), io_error naming the path and
  // SQLite's message, or invalid_argument for bad options.
  static Result<Database> open(const std::string& path, const DatabaseOptions& options = {});

  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements that return no rows of interest (DDL, PRAGMA, BEGIN...).
  Status exec(std::string_view sql);

  // Copies what the WAL holds back into the database file without waiting for readers or writers
  // (a PASSIVE checkpoint), so that the next commits start the WAL afresh. SQLite also
  // checkpoints by itself inside a COMMIT once the WAL passes 1000 pages; a program that calls
  // this while it is idle (a till between customers) keeps that work off its commits. Returns the
  // WAL's frames and how many of them are now in the database file.
  struct Checkpoint {
    int wal_frames = 0;
    int checkpointed = 0;
  };
  Result<Checkpoint> checkpoint();

  // The rowid of the last row an INSERT statement (not a trigger) added on this connection. Read
  // right after the insert's step: cheaper than INSERT ... RETURNING, which materialises a
  // result set.
  std::int64_t last_insert_rowid() const;

  // The borrowed connection, for statements and tests; owned by this Database.
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // The prepared statements kept for reuse (Statement::prepare); nullptr when empty.
  StatementCache* statement_cache() const { return cache_.get(); }

 private:
  Database(sqlite3* db, std::string path);
  void close();

  sqlite3* db_ = nullptr;
  std::string path_;
  // On the heap so its address survives moves of the Database; destroyed before db_ closes.
  std::unique_ptr<StatementCache> cache_;
};

// An Error for a failed SQLite call on `db`, by the primary result code (extended codes included):
//   SQLITE_CONSTRAINT (and RAISE(ABORT) in triggers)  ErrorCode::conflict
//   SQLITE_BUSY, SQLITE_LOCKED                        ErrorCode::busy, retryable: the message ends
//                                                     " (busy: another connection or statement
//                                                     holds the lock; try again)"
//   anything else                                     ErrorCode::io_error
// The message is "<operation>: <sqlite3_errmsg>" (sqlite3_errstr when `db` is nullptr).
Error sqlite_error(sqlite3* db, int result_code, std::string_view operation);

}  // namespace loyalty::storage
