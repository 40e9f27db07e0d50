// Locks held by another connection: Database::open waits for them (busy_timeout is set before the
// first statement that needs a lock), and a lock not released in time is ErrorCode::busy — a
// retryable error naming the operation — never io_error. Every case uses two real connections to
// one file.

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "loyalty/core/result.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"
#include "sqlite/lock_holder.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using test::LockHolder;
using test::TempDir;
using Clock = std::chrono::steady_clock;

using test::busy_hint;

// A raw connection outside the storage API, as another program would hold one.
struct RawConnection {
  sqlite3* db = nullptr;
  explicit RawConnection(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  }
  ~RawConnection() { sqlite3_close(db); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  int exec(const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
};

std::string journal_mode(const Database& db) {
  Statement statement = Statement::prepare(db, "PRAGMA journal_mode").value();
  REQUIRE(statement.step().value() == Step::row);
  return statement.column_text(0);
}

// A file in SQLite's default (rollback journal) mode with one table, as a new ledger file looks
// to the first program that opens it, or a file another tool created.
void make_rollback_file(const std::string& path) {
  RawConnection connection(path);
  REQUIRE(connection.exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)") == SQLITE_OK);
}

TEST_CASE("Database::open waits for a reader's lock before it switches the file to WAL",
          "[storage][database][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_rollback_file(path);
  // A read transaction in rollback mode holds a SHARED lock; entering WAL needs an EXCLUSIVE one.
  LockHolder reader(path, "BEGIN; SELECT * FROM t", "COMMIT", std::chrono::milliseconds(300));
  REQUIRE(reader.wait_until_held() == SQLITE_OK);
  const Clock::time_point start = Clock::now();
  Result<Database> db = Database::open(path, DatabaseOptions().with_busy_timeout_ms(10'000));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!db.ok()) FAIL("open failed: " << db.error().message);
  CHECK(journal_mode(db.value()) == "wal");
  CHECK(waited.count() >= 200);    // it waited for the reader...
  CHECK(waited.count() < 10'000);  // ...and not for the whole timeout
}

TEST_CASE("Database::open waits for a connection that holds a WAL file exclusively",
          "[storage][database][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  { REQUIRE(Database::open(path).ok()); }  // now a WAL file
  // locking_mode=EXCLUSIVE keeps the lock of the first write until the connection closes.
  LockHolder holder(path, "PRAGMA locking_mode=EXCLUSIVE; CREATE TABLE t (a INTEGER)", "",
                    std::chrono::milliseconds(300));
  REQUIRE(holder.wait_until_held() == SQLITE_OK);
  const Clock::time_point start = Clock::now();
  Result<Database> db = Database::open(path, DatabaseOptions().with_busy_timeout_ms(10'000));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!db.ok()) FAIL("open failed: " << db.error().message);
  CHECK(journal_mode(db.value()) == "wal");
  CHECK(waited.count() >= 200);
  CHECK(waited.count() < 10'000);
}

TEST_CASE("Database::open reports a lock that outlasts its busy timeout as busy",
          "[storage][database][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  make_rollback_file(path);
  LockHolder reader(path, "BEGIN; SELECT * FROM t", "COMMIT", std::chrono::milliseconds(500));
  REQUIRE(reader.wait_until_held() == SQLITE_OK);
  Result<Database> db = Database::open(path, DatabaseOptions().with_busy_timeout_ms(20));
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().code == ErrorCode::busy);
  CHECK(db.error().message ==
        "step \"PRAGMA journal_mode=WAL\": database is locked" + std::string(busy_hint));
}

TEST_CASE("A second writer that cannot get the write lock is busy, not io_error",
          "[storage][database][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Result<Database> first = Database::open(path);
  Result<Database> second = Database::open(path, DatabaseOptions().with_busy_timeout_ms(0));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  Result<Transaction> held = Transaction::begin(first.value());
  REQUIRE(held.ok());
  Result<Transaction> blocked = Transaction::begin(second.value());
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().code == ErrorCode::busy);
  CHECK(blocked.error().message ==
        "exec \"BEGIN IMMEDIATE\": database is locked" + std::string(busy_hint));
  // Once the lock is released, the same call succeeds: the error was worth retrying.
  REQUIRE(held->commit().ok());
  Result<Transaction> retried = Transaction::begin(second.value());
  CHECK(retried.ok());
}

TEST_CASE("A write from a snapshot another connection has moved past is busy (BUSY_SNAPSHOT)",
          "[storage][database][busy]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Database reader = Database::open(path).value();
  Database writer = Database::open(path).value();
  REQUIRE(reader.exec("CREATE TABLE t (a INTEGER)").ok());
  Transaction snapshot = Transaction::begin(reader, TransactionKind::read).value();
  {
    Statement select = Statement::prepare(reader, "SELECT COUNT(*) FROM t").value();
    REQUIRE(select.step().value() == Step::row);  // the read snapshot starts here
  }
  REQUIRE(writer.exec("INSERT INTO t VALUES (1)").ok());
  // The reader's snapshot is older than the last commit, so it cannot become a writer; waiting
  // would not help (SQLite does not call the busy handler), but a new transaction would.
  Statement insert = Statement::prepare(reader, "INSERT INTO t VALUES (2)").value();
  Status status = insert.run();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::busy);
  CHECK(status.error().message ==
        "step \"INSERT INTO t VALUES (2)\": database is locked" + std::string(busy_hint));
}

TEST_CASE("A table locked by the connection's own unfinished read is busy (SQLITE_LOCKED)",
          "[storage][database][busy]") {
  TempDir dir;
  Database db = Database::open(dir.file("ledger.db")).value();
  REQUIRE(db.exec("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)").ok());
  Statement reading = Statement::prepare(db, "SELECT a FROM t").value();
  REQUIRE(reading.step().value() == Step::row);  // still reading t
  Status dropped = db.exec("DROP TABLE t");
  REQUIRE_FALSE(dropped.ok());
  CHECK(dropped.error().code == ErrorCode::busy);
  CHECK(dropped.error().message ==
        "exec \"DROP TABLE t\": database table is locked" + std::string(busy_hint));
}

TEST_CASE("Constraint violations stay conflict and other failures io_error",
          "[storage][database][busy]") {
  TempDir dir;
  Database db = Database::open(dir.file("ledger.db")).value();
  const Error constraint = sqlite_error(db.handle(), SQLITE_CONSTRAINT_UNIQUE, "insert");
  CHECK(constraint.code == ErrorCode::conflict);
  CHECK(sqlite_error(nullptr, SQLITE_IOERR_FSYNC, "commit").code == ErrorCode::io_error);
  CHECK(sqlite_error(nullptr, SQLITE_IOERR_FSYNC, "commit").message == "commit: disk I/O error");
  CHECK(sqlite_error(nullptr, SQLITE_FULL, "commit").code == ErrorCode::io_error);
  CHECK(sqlite_error(nullptr, SQLITE_BUSY_RECOVERY, "read").code == ErrorCode::busy);
  CHECK(sqlite_error(nullptr, SQLITE_BUSY_TIMEOUT, "read").code == ErrorCode::busy);
  CHECK(sqlite_error(nullptr, SQLITE_LOCKED_SHAREDCACHE, "read").code == ErrorCode::busy);
  CHECK(sqlite_error(nullptr, SQLITE_BUSY, "read").message ==
        "read: database is locked" + std::string(busy_hint));
}

}  // namespace
}  // namespace loyalty::storage
