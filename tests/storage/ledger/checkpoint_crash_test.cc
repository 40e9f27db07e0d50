// Crash safety of the checkpoint: open() records it in one write transaction, so a power cut or
// an I/O error at any point of an open that moves it leaves the checkpoint it had or the new one,
// whole, and the ledger opens afterwards. Each cycle cuts the power (or fails the disk) after the
// n-th file operation of that open, for every n until the open completes (crash/fault_vfs.h).

#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include "crash/fault_vfs.h"
#include "ledger/ledger_support.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "temp_dir.h"

namespace loyalty::storage::test {
namespace {

constexpr Timestamp later{test_now.unix_seconds + 3600};

LedgerOptions reopen_options(const std::string& vfs) {
  LedgerOptions options = test_options();
  options.now = later;
  options.database.vfs = vfs;
  return options;
}

std::optional<LedgerCheckpoint> stored_checkpoint(const std::string& path) {
  LedgerOptions options = test_options();
  options.refuse_broken = false;
  Result<Ledger> ledger = Ledger::open(path, options);
  if (!ledger.ok()) FAIL("open failed: " << ledger.error().message);
  Result<std::optional<LedgerCheckpoint>> checkpoint = ledger->checkpoint();
  if (!checkpoint.ok()) FAIL("checkpoint failed: " << checkpoint.error().message);
  return *checkpoint;
}

// A ledger whose checkpoint (at its empty start) is three events and a transfer behind its end,
// all in the main file (no WAL), so that a copy of the file is the whole ledger.
void make_base(const std::string& path) {
  Ledger ledger = open_ledger(path);
  const Accounts accounts = make_accounts(ledger);
  move_points(ledger, accounts.issuance, accounts.ben, 5, TransferCode::correction);
  Transaction transaction = begin(ledger);
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(append_event(ledger, transaction, "sale", "", "{}", test_now).ok());
  }
  commit(transaction);
  REQUIRE(ledger.database().exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
}

TEST_CASE(
    "A power cut or an I/O error while open records the checkpoint leaves the old one or "
    "the new one",
    "[storage][checkpoint][crash]") {
  TempDir dir;
  const std::string base = dir.file("base.db");
  const std::string path = dir.file("ledger.db");
  make_base(base);
  const LedgerCheckpoint old_checkpoint = stored_checkpoint(base).value();
  REQUIRE(old_checkpoint.event_seq == 0);

  FaultVfs vfs("checkpoint-crash");
  auto fresh_copy = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::filesystem::copy_file(base, path);
    vfs.reset();
  };
  // The operations one open (and its close) performs, and the checkpoint it records.
  fresh_copy();
  { REQUIRE(Ledger::open(path, reopen_options(vfs.name())).ok()); }
  const std::int64_t operations = vfs.operations();
  const LedgerCheckpoint new_checkpoint = stored_checkpoint(path).value();
  REQUIRE(new_checkpoint.event_seq == 3);
  REQUIRE(operations > 10);

  std::mt19937_64 random(0x5eedc0de0015c4e7ULL);
  int kept_old = 0;
  int kept_new = 0;
  for (std::int64_t budget = 0; budget < operations; ++budget) {
    const bool power_cut = budget % 2 == 0;
    fresh_copy();
    vfs.arm(power_cut ? FaultMode::power_cut : FaultMode::io_error, budget);
    { static_cast<void>(Ledger::open(path, reopen_options(vfs.name()))); }  // may fail: the fault
    vfs.disarm();
    if (power_cut) REQUIRE(vfs.power_restore(budget % 4 == 0 ? &random : nullptr) == "");
    INFO("budget " << budget << (power_cut ? " (power cut)" : " (I/O error)"));
    const std::optional<LedgerCheckpoint> after = stored_checkpoint(path);
    REQUIRE(after.has_value());
    CHECK((*after == old_checkpoint || *after == new_checkpoint));
    (*after == old_checkpoint ? kept_old : kept_new) += 1;
    // And the ledger opens, with its checkpoint at the end.
    Result<Ledger> reopened = Ledger::open(path, reopen_options(""));
    if (!reopened.ok()) FAIL("reopen failed: " << reopened.error().message);
    CHECK(reopened->checkpoint().value() == new_checkpoint);
    CHECK(reopened->check()->problems.empty());
  }
  // Both outcomes happen: the faults land before and after the checkpoint's commit.
  CHECK(kept_old > 0);
  CHECK(kept_new > 0);
}

}  // namespace
}  // namespace loyalty::storage::test
