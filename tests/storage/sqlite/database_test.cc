#include "loyalty/storage/database.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>

#include "loyalty/core/result.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using test::TempDir;

Database open_ok(const std::string& path, const DatabaseOptions& options = {}) {
  Result<Database> db = Database::open(path, options);
  if (!db.ok()) FAIL("open failed: " << db.error().message);
  return std::move(db).value();
}

std::string pragma_text(const Database& db, const std::string& sql) {
  Result<Statement> statement = Statement::prepare(db, sql);
  REQUIRE(statement.ok());
  REQUIRE(statement->step().value() == Step::row);
  return statement->column_text(0);
}

std::int64_t count_rows(const Database& db, const std::string& table) {
  Result<Statement> statement = Statement::prepare(db, "SELECT COUNT(*) FROM " + table);
  REQUIRE(statement.ok());
  REQUIRE(statement->step().value() == Step::row);
  return statement->column_int64(0);
}

TEST_CASE("Database::open creates the file in WAL mode with synchronous=FULL by default",
          "[storage][database]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Database db = open_ok(path);
  CHECK(std::filesystem::exists(path));
  CHECK(db.path() == path);
  CHECK(pragma_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(pragma_text(db, "PRAGMA synchronous") == "2");  // FULL
  CHECK(pragma_text(db, "PRAGMA foreign_keys") == "1");
  CHECK(pragma_text(db, "PRAGMA busy_timeout") == "5000");
}

TEST_CASE("Durability::normal sets synchronous=NORMAL, still in WAL mode", "[storage][database]") {
  TempDir dir;
  Database db =
      open_ok(dir.file("ledger.db"),
              DatabaseOptions().with_durability(Durability::normal).with_busy_timeout_ms(250));
  CHECK(pragma_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(pragma_text(db, "PRAGMA synchronous") == "1");  // NORMAL
  CHECK(pragma_text(db, "PRAGMA busy_timeout") == "250");
}

TEST_CASE("synchronous is set by every open, not inherited from the file", "[storage][database]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database relaxed = open_ok(path, DatabaseOptions().with_durability(Durability::normal));
    CHECK(pragma_text(relaxed, "PRAGMA synchronous") == "1");
  }
  Database strict = open_ok(path);
  CHECK(pragma_text(strict, "PRAGMA synchronous") == "2");
  CHECK(pragma_text(strict, "PRAGMA journal_mode") == "wal");  // WAL is stored in the file
}

TEST_CASE("Database::open rejects a bad busy timeout and names a path it cannot open",
          "[storage][database]") {
  TempDir dir;
  Result<Database> bad_timeout =
      Database::open(dir.file("ledger.db"), DatabaseOptions().with_busy_timeout_ms(-1));
  REQUIRE_FALSE(bad_timeout.ok());
  CHECK(bad_timeout.error().code == ErrorCode::invalid_argument);
  CHECK(bad_timeout.error().message == "busy_timeout_ms -1 is outside 0..60000");

  const std::string missing = dir.file("no-such-dir/ledger.db");
  Result<Database> no_dir = Database::open(missing);
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.error().code == ErrorCode::io_error);
  CHECK(no_dir.error().message == "open " + missing + ": unable to open database file");
}

TEST_CASE("Statement binds, steps and reads columns", "[storage][database]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  REQUIRE(db.exec("CREATE TABLE t (a INTEGER NOT NULL, b TEXT, UNIQUE (a))").ok());
  Result<Statement> insert = Statement::prepare(db, "INSERT INTO t (a, b) VALUES (?1, ?2)");
  REQUIRE(insert.ok());
  REQUIRE(insert->bind_int64(1, -9'000'000'000'000'000'000).ok());
  REQUIRE(insert->bind_text(2, "héllo").ok());
  REQUIRE(insert->run().ok());
  insert->reset();
  REQUIRE(insert->bind_int64(1, 7).ok());
  REQUIRE(insert->bind_null(2).ok());
  REQUIRE(insert->run().ok());

  Result<Statement> select = Statement::prepare(db, "SELECT a, b FROM t ORDER BY a");
  REQUIRE(select.ok());
  REQUIRE(select->step().value() == Step::row);
  CHECK(select->column_int64(0) == -9'000'000'000'000'000'000);
  CHECK(select->column_text(1) == "héllo");
  CHECK_FALSE(select->column_is_null(1));
  REQUIRE(select->step().value() == Step::row);
  CHECK(select->column_int64(0) == 7);
  CHECK(select->column_is_null(1));
  CHECK(select->column_text(1).empty());
  CHECK(select->step().value() == Step::done);

  // A constraint violation is a conflict naming the statement; the statement stays usable.
  insert->reset();
  REQUIRE(insert->bind_int64(1, 7).ok());
  Status duplicate = insert->run();
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == ErrorCode::conflict);
  CHECK(duplicate.error().message ==
        "step \"INSERT INTO t (a, b) VALUES (?1, ?2)\": UNIQUE constraint failed: t.a");
  insert->reset();
  REQUIRE(insert->bind_int64(1, 8).ok());
  CHECK(insert->run().ok());
  CHECK(count_rows(db, "t") == 3);
}

TEST_CASE("Prepared statements are reused clean and the same SQL can run nested",
          "[storage][database]") {
  TempDir dir;
  Database db = open_ok(dir.file("cache.db"));
  REQUIRE(db.exec("CREATE TABLE t (k INTEGER, v TEXT); "
                  "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')")
              .ok());
  constexpr std::string_view by_key = "SELECT v FROM t WHERE k >= ?1 ORDER BY k";
  {
    Statement outer = Statement::prepare(db, by_key).value();
    REQUIRE(outer.bind_int64(1, 2).ok());
    REQUIRE(outer.step().value() == Step::row);
    CHECK(outer.column_text(0) == "two");
    // The same SQL while `outer` is mid-way: a second compiled statement, its own cursor.
    Statement inner = Statement::prepare(db, by_key).value();
    REQUIRE(inner.bind_int64(1, 3).ok());
    REQUIRE(inner.step().value() == Step::row);
    CHECK(inner.column_text(0) == "three");
    CHECK(inner.step().value() == Step::done);
    REQUIRE(outer.step().value() == Step::row);
    CHECK(outer.column_text(0) == "three");
  }
  // Back from the cache: reset (the cursor starts over) and bindings cleared (?1 is NULL, so
  // nothing matches) — nothing leaks from the last use.
  Statement again = Statement::prepare(db, by_key).value();
  CHECK(again.step().value() == Step::done);
  again.reset();
  REQUIRE(again.bind_int64(1, 1).ok());
  REQUIRE(again.step().value() == Step::row);
  CHECK(again.column_text(0) == "one");
  // Two statements were compiled for the text and both are kept: no third was compiled.
  int compiled = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.handle(), s)) {
    if (std::string_view(sqlite3_sql(s)) == by_key) ++compiled;
  }
  CHECK(compiled == 2);
}

TEST_CASE("Statement::prepare names the SQL it cannot compile", "[storage][database]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  Result<Statement> bad = Statement::prepare(db, "SELECT * FROM nowhere");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::io_error);
  CHECK(bad.error().message == "prepare \"SELECT * FROM nowhere\": no such table: nowhere");
}

TEST_CASE("Transaction commits, and rolls back when destroyed uncommitted", "[storage][database]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    REQUIRE(db.exec("CREATE TABLE t (a INTEGER)").ok());
    {
      Result<Transaction> transaction = Transaction::begin(db);
      REQUIRE(transaction.ok());
      REQUIRE(db.exec("INSERT INTO t VALUES (1)").ok());
      REQUIRE(transaction->commit().ok());
    }
    {
      Result<Transaction> transaction = Transaction::begin(db);
      REQUIRE(transaction.ok());
      REQUIRE(db.exec("INSERT INTO t VALUES (2)").ok());
      CHECK(count_rows(db, "t") == 2);
    }  // rolled back here
    CHECK(count_rows(db, "t") == 1);
  }
  Database reopened = open_ok(path);
  CHECK(count_rows(reopened, "t") == 1);
}

// Locks held by other connections (busy) are tested in sqlite/busy_test.cc.

TEST_CASE("A Statement can be moved and move-assigned", "[storage][database]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  Result<Statement> one = Statement::prepare(db, "SELECT 1");
  Result<Statement> two = Statement::prepare(db, "SELECT 2");
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  Statement statement = std::move(one).value();
  statement = std::move(two).value();  // finalizes "SELECT 1"
  REQUIRE(statement.step().value() == Step::row);
  CHECK(statement.column_int64(0) == 2);
}

TEST_CASE("A moved-from Database and Transaction are empty", "[storage][database]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  REQUIRE(db.exec("CREATE TABLE t (a INTEGER)").ok());
  Database moved = std::move(db);
  CHECK(db.handle() == nullptr);  // NOLINT: testing the moved-from state
  CHECK(moved.handle() != nullptr);
  {
    Result<Transaction> transaction = Transaction::begin(moved);
    REQUIRE(transaction.ok());
    REQUIRE(moved.exec("INSERT INTO t VALUES (1)").ok());
    Transaction taken = std::move(transaction).value();
    REQUIRE(taken.commit().ok());
  }  // the moved-from Transaction must not roll back the committed one
  CHECK(count_rows(moved, "t") == 1);
}

}  // namespace
}  // namespace loyalty::storage
