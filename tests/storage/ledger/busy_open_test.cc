// Ledger::open and ledger writes while another program holds the file's lock: open waits up to the
// busy timeout (from its first statement on), and a lock held longer is ErrorCode::busy, which
// the caller may retry; never io_error, and never a refusal of the ledger.

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "ledger/ledger_support.h"
#include "loyalty/storage/ledger.h"
#include "sqlite/lock_holder.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;
using Clock = std::chrono::steady_clock;

// An existing ledger file, closed.
std::string make_ledger(const TempDir& dir) {
  const std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);
  make_accounts(ledger);
  return path;
}

// A connection that holds the whole file (locking_mode=EXCLUSIVE keeps the lock of its first
// write until it closes), as a program in the middle of a long write or a WAL recovery would.
constexpr const char* hold_exclusively =
    "PRAGMA locking_mode=EXCLUSIVE; BEGIN IMMEDIATE; "
    "UPDATE meta SET value = value WHERE key = 'terminal_id'; COMMIT";

TEST_CASE("Ledger::open waits for a program that holds the ledger file's lock",
          "[storage][ledger][busy]") {
  TempDir dir;
  const std::string path = make_ledger(dir);
  LockHolder holder(path, hold_exclusively, "", std::chrono::milliseconds(300));
  REQUIRE(holder.wait_until_held() == SQLITE_OK);
  LedgerOptions options = test_options();
  options.database.busy_timeout_ms = 10'000;
  const Clock::time_point start = Clock::now();
  Result<Ledger> ledger = Ledger::open(path, options);
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!ledger.ok()) FAIL("open failed: " << ledger.error().message);
  CHECK(waited.count() >= 200);
  CHECK(waited.count() < 10'000);
  CHECK(ledger->check()->problems.empty());
}

TEST_CASE("Ledger::open under a lock held past the busy timeout is busy, and succeeds retried",
          "[storage][ledger][busy]") {
  TempDir dir;
  const std::string path = make_ledger(dir);
  LedgerOptions options = test_options();
  options.database.busy_timeout_ms = 20;
  {
    LockHolder holder(path, hold_exclusively, "", std::chrono::milliseconds(400));
    REQUIRE(holder.wait_until_held() == SQLITE_OK);
    Result<Ledger> busy = Ledger::open(path, options);
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().code == ErrorCode::busy);
    // The first statement that reads the file, to compile the PRAGMA, meets the lock.
    CHECK(busy.error().message ==
          "prepare \"PRAGMA journal_mode=WAL\": database is locked" + std::string(busy_hint));
  }  // the holder has closed
  Result<Ledger> retried = Ledger::open(path, options);
  if (!retried.ok()) FAIL("retried open failed: " << retried.error().message);
}

TEST_CASE("A ledger write while another connection writes is busy", "[storage][ledger][busy]") {
  TempDir dir;
  const std::string path = make_ledger(dir);
  LedgerOptions options = test_options();
  options.database.busy_timeout_ms = 0;
  Ledger first = open_ledger(path);
  Ledger second = open_ledger(path, options);
  Transaction writing = begin(first);
  Result<Transaction> blocked = second.begin();
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.error().code == ErrorCode::busy);
  CHECK(blocked.error().message ==
        "exec \"BEGIN IMMEDIATE\": database is locked" + std::string(busy_hint));
  // A checkpoint recorded by a check must wait for the write lock too, and says so the same way.
  Result<LedgerReport> report = second.check_and_checkpoint(test_now);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == ErrorCode::busy);
  commit(writing);
  CHECK(second.begin().ok());
}

}  // namespace
}  // namespace loyalty::storage
