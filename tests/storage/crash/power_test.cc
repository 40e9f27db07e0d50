// Crash safety under I/O errors and power cuts (issue 3): checkouts run on a real ledger file
// through FaultVfs (crash/fault_vfs.h), a SQLite VFS shim that, after a random number of file
// operations, fails every further one (an I/O error) or goes dead and later rolls every file back
// to what was synced (a power cut, optionally keeping a random part of the unsynced writes: torn
// and reordered writes). After each fault the ledger is closed, the files restored, and the
// ledger reopened without the shim, which must prove what the SIGKILL test proves: every
// acknowledged receipt is there exactly once (and replays with the same result), an
// unacknowledged one is either entirely there or entirely absent, the invariants hold, and each
// customer's points and lots match the committed receipts.
//
// The receipts are a pure function of their number, as in crash/kill_test.cc, so the test
// recomputes each customer's points and coupon counters from the set of committed receipts
// without reading the transfers; the receipts and that proof are shared with the SIGKILL test
// (crash/crash_support.h). docs/storage.md ("Crash test: I/O errors and power cuts").

#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crash/crash_support.h"
#include "crash/fault_vfs.h"
#include "loyalty/storage/database.h"

namespace loyalty::storage::test {
namespace {

constexpr std::uint64_t power_seed_default = 0x5eed'c0de'0003'0004ULL;
constexpr int power_cycles_default = 120;
const CrashReceipts power_receipts{"P-", /*coupons=*/true};

// --- The shim itself --------------------------------------------------------------------------

// A file opened directly through a VFS (no SQLite connection), for the shim's own tests.
class RawFile {
 public:
  RawFile(sqlite3_vfs* vfs, const std::string& path)
      : storage_((static_cast<std::size_t>(vfs->szOsFile) + sizeof(std::max_align_t) - 1) /
                 sizeof(std::max_align_t)) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB;
    REQUIRE(vfs->xOpen(vfs, path.c_str(), file(), flags, nullptr) == SQLITE_OK);
    open_ = true;
  }
  ~RawFile() { close(); }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;

  int write(const std::string& bytes, std::int64_t offset) {
    return file()->pMethods->xWrite(file(), bytes.data(), static_cast<int>(bytes.size()), offset);
  }
  int sync() { return file()->pMethods->xSync(file(), SQLITE_SYNC_NORMAL); }
  int truncate(std::int64_t size) { return file()->pMethods->xTruncate(file(), size); }
  void close() {
    if (open_) file()->pMethods->xClose(file());
    open_ = false;
  }

 private:
  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(storage_.data()); }

  std::vector<std::max_align_t> storage_;
  bool open_ = false;
};

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  std::string bytes;
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, f)) > 0;) {
    bytes.append(buffer, got);
  }
  std::fclose(f);
  return bytes;
}

TEST_CASE("the fault VFS rolls a file back to its synced bytes on a power cut",
          "[storage][crash][fault_vfs]") {
  TempDir dir;
  const std::string path = dir.file("raw.bin");
  REQUIRE(sqlite3_initialize() == SQLITE_OK);
  FaultVfs vfs("loyalty-fault-unit-restore");
  sqlite3_vfs* shim = sqlite3_vfs_find(vfs.name().c_str());
  REQUIRE(shim != nullptr);

  const std::string synced = std::string(1000, 'A') + std::string(500, 'B');
  {
    RawFile file(shim, path);
    REQUIRE(file.write(std::string(1000, 'A'), 0) == SQLITE_OK);
    REQUIRE(file.write(std::string(700, 'B'), 1000) == SQLITE_OK);
    REQUIRE(file.truncate(1500) == SQLITE_OK);
    REQUIRE(file.sync() == SQLITE_OK);
    CHECK(vfs.undo_entries() == 0);
    // Unsynced: an overwrite, an append, an overwrite of the append, a truncate below the synced
    // size and an append after it.
    REQUIRE(file.write(std::string(300, 'C'), 200) == SQLITE_OK);
    REQUIRE(file.write(std::string(2000, 'D'), 1500) == SQLITE_OK);
    REQUIRE(file.write(std::string(100, 'E'), 1600) == SQLITE_OK);
    REQUIRE(file.truncate(1200) == SQLITE_OK);
    REQUIRE(file.write(std::string(50, 'F'), 1200) == SQLITE_OK);
    CHECK(vfs.undo_entries() == 3);  // appends past the end need none
    vfs.arm(FaultMode::power_cut, 0);
    CHECK(file.write("G", 0) == SQLITE_IOERR_WRITE);
    CHECK(file.sync() == SQLITE_IOERR_FSYNC);
    CHECK(vfs.tripped());
  }
  CHECK(read_file(path).size() == 1250);  // the OS still has the unsynced bytes
  REQUIRE(vfs.power_restore() == "");
  CHECK(read_file(path) == synced);
  CHECK(vfs.undo_entries() == 0);
}

TEST_CASE("the fault VFS keeps synced bytes and mixes unsynced ones on a harsh power cut",
          "[storage][crash][fault_vfs]") {
  REQUIRE(sqlite3_initialize() == SQLITE_OK);
  FaultVfs vfs("loyalty-fault-unit-harsh");
  sqlite3_vfs* shim = sqlite3_vfs_find(vfs.name().c_str());
  REQUIRE(shim != nullptr);
  std::mt19937_64 random(7);
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    TempDir dir;
    const std::string path = dir.file("raw.bin");
    vfs.reset();
    {
      RawFile file(shim, path);
      REQUIRE(file.write(std::string(4096, 'A'), 0) == SQLITE_OK);
      REQUIRE(file.sync() == SQLITE_OK);
      REQUIRE(file.write(std::string(4096, 'B'), 1024) == SQLITE_OK);
      REQUIRE(file.write(std::string(1024, 'C'), 4096) == SQLITE_OK);  // overwrites B
    }
    REQUIRE(vfs.power_restore(&random) == "");
    const std::string bytes = read_file(path);
    REQUIRE(bytes.size() >= 4096);
    REQUIRE(bytes.size() <= 5120);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      INFO("byte " << i << " is " << bytes[i]);
      // Each byte holds a value some write gave it (or zero, past the synced size).
      if (i < 1024) {
        REQUIRE(bytes[i] == 'A');
      } else if (i < 4096) {
        REQUIRE((bytes[i] == 'A' || bytes[i] == 'B'));
      } else {
        REQUIRE((bytes[i] == 'B' || bytes[i] == 'C' || bytes[i] == '\0'));
      }
    }
  }
}

TEST_CASE("the fault VFS fails every operation after the budget and keeps what was written",
          "[storage][crash][fault_vfs]") {
  TempDir dir;
  const std::string path = dir.file("raw.bin");
  REQUIRE(sqlite3_initialize() == SQLITE_OK);
  FaultVfs vfs("loyalty-fault-unit-ioerr");
  sqlite3_vfs* shim = sqlite3_vfs_find(vfs.name().c_str());
  REQUIRE(shim != nullptr);
  {
    RawFile file(shim, path);
    vfs.arm(FaultMode::io_error, 2);
    CHECK(file.write("ab", 0) == SQLITE_OK);
    CHECK(file.write("cd", 2) == SQLITE_OK);
    CHECK_FALSE(vfs.tripped());
    CHECK(file.write("ef", 4) == SQLITE_IOERR_WRITE);
    CHECK(file.sync() == SQLITE_IOERR_FSYNC);
    CHECK(file.truncate(0) == SQLITE_IOERR_TRUNCATE);
    CHECK(vfs.tripped());
    CHECK(vfs.operations() == 5);
  }
  vfs.reset();
  CHECK(read_file(path) == "abcd");  // an I/O error is not a power cut: nothing is undone
}

TEST_CASE("through the fault VFS a power cut drops commits that were not synced",
          "[storage][crash][fault_vfs]") {
  // The shim has teeth: with synchronous=OFF a commit is never synced and the power cut takes it;
  // with synchronous=FULL (the ledger's setting) it survives.
  TempDir dir;
  const std::string path = dir.file("t.db");
  REQUIRE(sqlite3_initialize() == SQLITE_OK);
  FaultVfs vfs("loyalty-fault-unit-sql");
  DatabaseOptions options;
  options.vfs = vfs.name();
  {
    Result<Database> db = Database::open(path, options);
    REQUIRE(db.ok());
    REQUIRE(db->exec("CREATE TABLE t (x INTEGER)").ok());
    REQUIRE(db->exec("INSERT INTO t VALUES (1)").ok());  // synchronous=FULL: durable
    REQUIRE(db->exec("PRAGMA synchronous=OFF").ok());
    REQUIRE(db->exec("INSERT INTO t VALUES (2)").ok());  // committed, never synced
    vfs.arm(FaultMode::power_cut, 0);
  }
  CHECK(vfs.tripped());  // closing tried to checkpoint, and failed
  REQUIRE(vfs.power_restore() == "");
  Result<Database> db = Database::open(path);
  REQUIRE(db.ok());
  Statement select = Statement::prepare(db.value(), "SELECT group_concat(x) FROM t").value();
  REQUIRE(select.step().value() == Step::row);
  CHECK(select.column_text(0) == "1");
}

// --- The crash test ---------------------------------------------------------------------------

// What checkout() returned when it acknowledged a receipt.
struct Acked {
  std::string quote_json;
  std::int64_t event_seq = 0;
};

// Receipt n, checked out again, replays with the result it was acknowledged with.
void check_replays(Till& till, const Program& program, std::int64_t n, const Acked& first) {
  INFO("replaying " << power_receipts.id(n));
  const CustomerState c = customer(power_receipts.customer_id(n));
  Result<CheckoutResult> again = till.checkout(program, &c, power_receipts.receipt(n), test_now);
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->quote_json == first.quote_json);
  CHECK(again->event_seq == first.event_seq);
}

TEST_CASE(
    "I/O errors and power cuts at random points during checkouts lose no acknowledged "
    "receipt and leave no half-written one",
    "[storage][crash]") {
  const std::int64_t cycles = env_int("LOYALTY_POWER_CYCLES", power_cycles_default);
  REQUIRE(cycles > 0);
  const auto seed = static_cast<std::uint64_t>(
      env_int("LOYALTY_POWER_SEED", static_cast<std::int64_t>(power_seed_default)));
  const bool verbose = std::getenv("LOYALTY_POWER_VERBOSE") != nullptr;
  INFO("seed " << seed << " (LOYALTY_POWER_SEED=" << seed << " repeats this run)");
  std::mt19937_64 random(seed);

  TempDir dir;
  const std::string path = dir.file("ledger.db");
  const Program program = till_program();
  {
    Ledger ledger = open_ledger(path);
    Till till(ledger);
    REQUIRE(till.store_program(till_program_json, test_now).ok());
  }
  FaultVfs vfs("loyalty-fault-crash-power");
  LedgerOptions shim_options = test_options();
  shim_options.database.vfs = vfs.name();
  // A negative control: synchronous=NORMAL does not sync commits, so power cuts must make this
  // test fail (acknowledged receipts go missing).
  if (std::getenv("LOYALTY_POWER_SYNC_NORMAL") != nullptr) {
    shim_options.database.durability = Durability::normal;
  }

  std::map<std::int64_t, Acked> acknowledged;
  std::int64_t committed_unacknowledged = 0;  // found whole after a fault without an ack
  std::int64_t next = 1;                      // the first receipt the next cycle checks out
  std::int64_t attempted = 0;  // the highest receipt number any cycle may have started
  std::int64_t faults_in_open = 0, closed_armed = 0, tripped_cycles = 0, harsh_cuts = 0;
  std::int64_t bytes_rolled_back = 0;  // what the power cuts took back, in bytes

  for (std::int64_t cycle = 0; cycle < cycles; ++cycle) {
    const FaultMode mode = cycle % 2 == 0 ? FaultMode::power_cut : FaultMode::io_error;
    const bool harsh = mode == FaultMode::power_cut && random() % 2 == 0;
    const bool fault_in_open = random() % 10 == 0;
    // Most cycles run into the fault; some stop early and close while armed, so the fault may
    // land in the checkpoint SQLite runs when the connection closes.
    const std::int64_t stop_after = random() % 4 == 0 ? 1 + random() % 40 : -1;
    // A small autocheckpoint in some cycles, so faults land in checkpoints and WAL restarts.
    const std::int64_t autocheckpoint = random() % 3 == 0 ? 5 + random() % 60 : 1000;
    const std::int64_t budget = fault_in_open ? static_cast<std::int64_t>(random() % 400)
                                              : static_cast<std::int64_t>(random() % 2000);
    INFO("cycle " << cycle << ", first receipt " << next << ", "
                  << (mode == FaultMode::power_cut ? (harsh ? "harsh power cut" : "power cut")
                                                   : "I/O error")
                  << " after " << budget << " operations" << (fault_in_open ? " from open" : "")
                  << ", stop after " << stop_after << ", autocheckpoint " << autocheckpoint);

    vfs.reset();
    if (fault_in_open) vfs.arm(mode, budget);
    std::vector<std::int64_t> acks;
    std::string failure;
    {
      Result<Ledger> ledger = Ledger::open(path, shim_options);
      if (!ledger.ok()) {
        failure = "open: " + ledger.error().message;
      } else {
        REQUIRE(ledger->database()
                    .exec("PRAGMA wal_autocheckpoint=" + std::to_string(autocheckpoint))
                    .ok());
        if (!fault_in_open) vfs.arm(mode, budget);
        Till till(ledger.value());
        for (std::int64_t n = next;; ++n) {
          if (stop_after >= 0 && static_cast<std::int64_t>(acks.size()) >= stop_after) break;
          REQUIRE(n < next + 100'000);  // a fault must come
          const CustomerState c = customer(power_receipts.customer_id(n));
          Result<CheckoutResult> result =
              till.checkout(program, &c, power_receipts.receipt(n), test_now);
          if (!result.ok()) {
            failure = "checkout " + power_receipts.id(n) + ": " + result.error().message;
            break;
          }
          INFO("acknowledged " << power_receipts.id(n));
          // Only the in-flight receipt of the last fault can be replayed.
          CHECK((!result->replayed || n == attempted));
          CHECK(result->state == ReceiptState::committed);
          acks.push_back(n);
          acknowledged[n] = Acked{result->quote_json, result->event_seq};
        }
      }
      INFO("failure: " << failure);
      // Nothing fails but through the shim.
      if (!failure.empty()) REQUIRE(vfs.tripped());
    }  // the connection is closed here (while still armed)
    if (vfs.tripped()) ++tripped_cycles;
    if (fault_in_open && vfs.tripped()) ++faults_in_open;
    if (stop_after >= 0) ++closed_armed;
    if (mode == FaultMode::power_cut) {
      if (harsh) ++harsh_cuts;
      REQUIRE(vfs.power_restore(harsh ? &random : nullptr) == "");
      bytes_rolled_back += vfs.restored_bytes();
    }
    vfs.reset();

    attempted = std::max(attempted,
                         next + static_cast<std::int64_t>(acks.size()) - (failure.empty() ? 1 : 0));
    next += static_cast<std::int64_t>(acks.size());

    // Reopen without the shim: open() runs check() and refuses a broken ledger; then the proof
    // (crash/crash_support.h).
    Ledger ledger = open_ledger(path);
    committed_unacknowledged += verify_after_crash(ledger, power_receipts, attempted, acknowledged);

    // The receipts acknowledged in this cycle replay with the result they were acknowledged with.
    const std::int64_t events_before = scalar(ledger, "SELECT COUNT(*) FROM events");
    Till till(ledger);
    for (const std::int64_t n : acks) check_replays(till, program, n, acknowledged[n]);
    CHECK(scalar(ledger, "SELECT COUNT(*) FROM events") == events_before);
    if (verbose) {
      WARN("cycle " << cycle << ": " << acks.size() << " acknowledged, "
                    << (failure.empty() ? std::string("no failure") : failure));
    }
  }

  // At the end every acknowledged receipt, from every cycle, still replays unchanged.
  {
    Ledger ledger = open_ledger(path);
    Till till(ledger);
    for (const auto& [n, first] : acknowledged) check_replays(till, program, n, first);
  }
  if (verbose) {
    WARN("receipts acknowledged: "
         << acknowledged.size() << ", found whole without an ack: " << committed_unacknowledged
         << ", cycles tripped: " << tripped_cycles << ", closed armed: " << closed_armed
         << ", harsh power cuts: " << harsh_cuts << ", faults in open: " << faults_in_open
         << ", bytes rolled back: " << bytes_rolled_back);
  }
  CHECK(acknowledged.size() > 0);
  CHECK(tripped_cycles > 0);
}

}  // namespace
}  // namespace loyalty::storage::test
