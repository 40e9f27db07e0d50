// bench_ledger_open: how long Ledger::open takes on a ledger of N events (default 1,000,000), when
// it verifies what was written since the checkpoint (OpenCheck::since_checkpoint, the default)
// against the full check over the whole history (OpenCheck::full: what open did before it kept a
// checkpoint, the baseline), in the same run, on the same file.
//
//   full       Ledger::open with OpenCheck::full: every invariant over every row.
//   since K    Ledger::open with the checkpoint K events (and their transfers and lots) before the
//              end, for K = 0, 1,000 and 100,000: before each timed open the program puts the
//              checkpoint back where it was (untimed), so every open verifies the same K events
//              and moves the checkpoint to the end (a write and an fsync, as in production).
//
// Each open is timed from the call to Ledger::open to its return (the Database is opened, the
// schema read, meta read, the check, the checkpoint written); closing is not timed. The cases
// are interleaved (one open of each in turn; the full check every few rounds) so that noise from
// the host hits all of them. Then each part of the check (check_parts(), the invariants) is timed
// alone over the whole history and since each checkpoint.
//
// The ledger is generated fast, not through the checkout: accounts through the Ledger API, then
// direct SQL inserts through the ledger's own Database in transactions of 20,000 events, with
// hashes from events.h's canonical encoding. Per event i: an earn transfer creating lot i for
// customer i mod C; every 4th also burns 1 point of it, every 8th holds 2 and posts the hold,
// every 16th holds 1 and voids it; the event (kind "checkout", a JSON payload of --payload-bytes).
// So 1,000,000 events make 1,625,000 transfers and 1,000,000 lots, and the ledger passes check().
//
// Flags: --events=N (default 1000000), --customers=N (default N/50), --payload-bytes=N (default
// 1200, about a small receipt's quote JSON), --opens=N (timed opens per since case, default 30),
// --full-opens=N (default 5), --dir=PATH (default: the build tree), --keep (leave the file).
// Google Benchmark's --benchmark_* flags are ignored. Exit 2 on a setup failure. The file goes in
// a fresh directory under --dir and is deleted at the end; the program checks the free space
// first. docs/PERFORMANCE.md ("Opening a ledger") records the figures.

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench_stats.h"
#include "ledger/check_internal.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

#ifndef LOYALTY_BENCH_WORK_DIR
#define LOYALTY_BENCH_WORK_DIR "."
#endif

namespace {

using Clock = std::chrono::steady_clock;
using loyalty::Timestamp;
namespace storage = loyalty::storage;
namespace check = loyalty::storage::ledger_check;

constexpr std::string_view terminal_id = "bench/till-1";
constexpr std::uint64_t epoch = 0x0be4c0de0000000fULL;
constexpr Timestamp created_at{1'767'225'600};  // 2026-01-01
constexpr std::int64_t events_per_transaction = 20'000;
constexpr std::int64_t since_cases[] = {0, 1'000, 100'000};

struct Options {
  std::int64_t events = 1'000'000;
  std::int64_t customers = 0;  // 0: events / 50
  std::int64_t payload_bytes = 1200;
  int opens = 30;
  int full_opens = 5;
  std::string dir = LOYALTY_BENCH_WORK_DIR;
  bool keep = false;
};

std::string work_dir;
bool keep_work_dir = false;

void remove_work_dir() {
  if (work_dir.empty() || keep_work_dir) return;
  std::error_code ignored;
  std::filesystem::remove_all(work_dir, ignored);
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_ledger_open: %s\n", message.c_str());
  remove_work_dir();
  std::exit(2);
}

template <class T>
T value_or_die(loyalty::Result<T> result, const std::string& what) {
  if (!result.ok()) die(what + ": " + result.error().message);
  return std::move(result).value();
}

void ok_or_die(const loyalty::Status& status, const std::string& what) {
  if (!status.ok()) die(what + ": " + status.error().message);
}

double millis_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool flag_value(std::string_view arg, std::string_view name, std::string_view& value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  value = arg.substr(name.size() + 1);
  return true;
}

std::int64_t positive(std::string_view flag, std::string_view text) {
  char* end = nullptr;
  const std::string copy(text);
  const long long value = std::strtoll(copy.c_str(), &end, 10);
  if (end == copy.c_str() || *end != '\0' || value < 1) {
    die(std::string(flag) + " must be a whole number >= 1, got \"" + copy + "\"");
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view value;
    if (flag_value(arg, "--events", value)) {
      options.events = positive("--events", value);
    } else if (flag_value(arg, "--customers", value)) {
      options.customers = positive("--customers", value);
    } else if (flag_value(arg, "--payload-bytes", value)) {
      options.payload_bytes = std::max<std::int64_t>(40, positive("--payload-bytes", value));
    } else if (flag_value(arg, "--opens", value)) {
      options.opens = static_cast<int>(positive("--opens", value));
    } else if (flag_value(arg, "--full-opens", value)) {
      options.full_opens = static_cast<int>(positive("--full-opens", value));
    } else if (flag_value(arg, "--dir", value)) {
      options.dir = std::string(value);
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg.starts_with("--benchmark_")) {
      std::printf("bench_ledger_open: ignoring %s (not a Google Benchmark program)\n", argv[i]);
    } else {
      die("unknown flag " + std::string(arg) +
          " (expected --events=N --customers=N --payload-bytes=N --opens=N --full-opens=N "
          "--dir=PATH --keep)");
    }
  }
  if (options.customers == 0) options.customers = std::max<std::int64_t>(1, options.events / 50);
  return options;
}

storage::LedgerOptions ledger_options(storage::OpenCheck open_check) {
  storage::LedgerOptions options;
  options.terminal_id = std::string(terminal_id);
  options.epoch = epoch;
  options.now = created_at;
  options.open_check = open_check;
  return options;
}

// --- Generating the ledger ----------------------------------------------------------------------

// The statements of the generator, prepared once on the ledger's connection.
struct Writer {
  storage::Database& db;
  std::string epoch_hex;
  std::int64_t customers;
  std::string payload_pad;
  std::string prev_hash;
  storage::Statement lot;
  storage::Statement transfer;
  storage::Statement event;

  Writer(storage::Database& database, std::int64_t customer_count, std::int64_t payload_bytes)
      : db(database),
        customers(customer_count),
        payload_pad(static_cast<std::size_t>(payload_bytes - 37), 'x'),
        lot(value_or_die(storage::Statement::prepare(
                             db,
                             "INSERT INTO lots (lot_id, account, points, remaining, active_from, "
                             "receipt_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)"),
                         "prepare lot")),
        transfer(value_or_die(
            storage::Statement::prepare(
                db,
                "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, "
                "pending_id, receipt_id, source, lot_id, event_seq, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'bench', ?8, ?9, ?10)"),
            "prepare transfer")),
        event(value_or_die(storage::Statement::prepare(
                               db,
                               "INSERT INTO events (seq, terminal_id, epoch, kind, receipt_id, "
                               "payload, payload_hash, prev_hash, created_at) "
                               "VALUES (?1, ?2, ?3, 'checkout', ?4, ?5, ?6, ?7, ?8)"),
                           "prepare event")) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016" PRIx64, epoch);
    epoch_hex = hex;
  }

  std::int64_t add_transfer(std::int64_t debit, std::int64_t credit, std::int64_t amount,
                            const char* code, const char* flags, std::int64_t pending_id,
                            const std::string& receipt, std::int64_t seq) {
    transfer.reset();
    ok_or_die(transfer.bind_int64(1, debit), "bind");
    ok_or_die(transfer.bind_int64(2, credit), "bind");
    ok_or_die(transfer.bind_int64(3, amount), "bind");
    ok_or_die(transfer.bind_text(4, code), "bind");
    ok_or_die(transfer.bind_text(5, flags), "bind");
    ok_or_die(pending_id > 0 ? transfer.bind_int64(6, pending_id) : transfer.bind_null(6), "bind");
    ok_or_die(transfer.bind_text(7, receipt), "bind");
    ok_or_die(transfer.bind_int64(8, seq), "bind");  // lot i belongs to event i
    ok_or_die(transfer.bind_null(9), "bind");        // as the checkout writes them (event_seq NULL)
    ok_or_die(transfer.bind_int64(10, created_at.unix_seconds + seq), "bind");
    ok_or_die(transfer.run(), "insert transfer");
    return db.last_insert_rowid();
  }

  void add_event(std::int64_t seq, const std::string& receipt) {
    const std::string payload = "{\"receipt_id\":\"" + receipt + "\",\"pad\":\"" + payload_pad +
                                "\"}";  // 37 bytes besides the pad
    const std::string hash = storage::sha256_hex(
        storage::event_hash_input(terminal_id, epoch_hex, seq, "checkout", receipt, payload));
    event.reset();
    ok_or_die(event.bind_int64(1, seq), "bind");
    ok_or_die(event.bind_text(2, terminal_id), "bind");
    ok_or_die(event.bind_text(3, epoch_hex), "bind");
    ok_or_die(event.bind_text(4, receipt), "bind");
    ok_or_die(event.bind_text(5, payload), "bind");
    ok_or_die(event.bind_text(6, hash), "bind");
    ok_or_die(event.bind_text(7, prev_hash), "bind");
    ok_or_die(event.bind_int64(8, created_at.unix_seconds + seq), "bind");
    ok_or_die(event.run(), "insert event");
    prev_hash = hash;
  }

  // Event `seq`: its lot, earn, and (by seq) a burn, a posted hold or a voided hold.
  void add_receipt(std::int64_t seq) {
    constexpr std::int64_t issuance = 1, redemption = 2;
    const std::int64_t customer = 3 + (seq - 1) % customers;
    char receipt[24];
    std::snprintf(receipt, sizeof receipt, "B-%09" PRId64, seq % 1'000'000'000);
    const std::int64_t points = 10 + seq % 90;
    const std::int64_t taken = (seq % 4 == 0 ? 1 : 0) + (seq % 8 == 1 ? 2 : 0);
    lot.reset();
    ok_or_die(lot.bind_int64(1, seq), "bind");
    ok_or_die(lot.bind_int64(2, customer), "bind");
    ok_or_die(lot.bind_int64(3, points), "bind");
    ok_or_die(lot.bind_int64(4, points - taken), "bind");
    ok_or_die(lot.bind_int64(5, created_at.unix_seconds + seq), "bind");
    ok_or_die(lot.bind_text(6, receipt), "bind");
    ok_or_die(lot.run(), "insert lot");
    add_transfer(issuance, customer, points, "earn", "none", 0, receipt, seq);
    if (seq % 4 == 0) add_transfer(customer, redemption, 1, "burn", "none", 0, receipt, seq);
    if (seq % 8 == 1) {
      const std::int64_t hold =
          add_transfer(customer, redemption, 2, "burn", "pending", 0, receipt, seq);
      add_transfer(customer, redemption, 2, "burn", "post_pending", hold, receipt, seq);
    }
    if (seq % 16 == 3) {
      const std::int64_t hold =
          add_transfer(customer, redemption, 1, "burn", "pending", 0, receipt, seq);
      add_transfer(customer, redemption, 1, "burn", "void_pending", hold, receipt, seq);
    }
    add_event(seq, receipt);
  }
};

// Appends events first_seq..last_seq (and their rows) in transactions of events_per_transaction.
void append_events(storage::Ledger& ledger, Writer& writer, std::int64_t first_seq,
                   std::int64_t last_seq) {
  for (std::int64_t seq = first_seq; seq <= last_seq;) {
    storage::Transaction transaction = value_or_die(ledger.begin(), "begin");
    const std::int64_t batch_end = std::min(last_seq, seq + events_per_transaction - 1);
    for (; seq <= batch_end; ++seq) writer.add_receipt(seq);
    ok_or_die(transaction.commit(), "commit");
  }
}

void create_accounts(storage::Ledger& ledger, std::int64_t customers) {
  storage::Transaction transaction = value_or_die(ledger.begin(), "begin");
  const auto make = [&](storage::AccountKind kind, const std::string& owner) {
    value_or_die(ledger.find_or_create_account(transaction, kind, owner, created_at), "account");
  };
  make(storage::AccountKind::issuance, "");    // 1
  make(storage::AccountKind::redemption, "");  // 2
  for (std::int64_t i = 0; i < customers; ++i) {
    char owner[24];
    std::snprintf(owner, sizeof owner, "c-%07" PRId64, i);
    make(storage::AccountKind::customer_points, owner);  // 3...
  }
  ok_or_die(transaction.commit(), "commit");
}

storage::LedgerCheckpoint checkpoint_of(const storage::Ledger& ledger) {
  const std::optional<storage::LedgerCheckpoint> checkpoint =
      value_or_die(ledger.checkpoint(), "checkpoint");
  if (!checkpoint) die("the ledger has no checkpoint after open");
  return *checkpoint;
}

// Builds the ledger and returns the checkpoints K events before its end, for each since case.
std::vector<storage::LedgerCheckpoint> generate(const std::string& path, const Options& options) {
  std::vector<storage::LedgerCheckpoint> checkpoints(std::size(since_cases));
  std::int64_t written = 0;
  bool accounts_made = false;
  for (std::size_t c = std::size(since_cases); c-- > 0;) {  // 100,000 first, then 1,000, then 0
    const std::int64_t until = options.events - std::min(options.events, since_cases[c]);
    storage::Ledger ledger = value_or_die(
        storage::Ledger::open(path, ledger_options(storage::OpenCheck::since_checkpoint)),
        "Ledger::open");
    if (!accounts_made) create_accounts(ledger, options.customers);
    accounts_made = true;
    Writer writer(ledger.database(), options.customers, options.payload_bytes);
    if (written > 0) {
      storage::Statement last =
          value_or_die(storage::Statement::prepare(
                           ledger.database(), "SELECT payload_hash FROM events WHERE seq = ?1"),
                       "prepare");
      ok_or_die(last.bind_int64(1, written), "bind");
      value_or_die(last.step(), "step");
      writer.prev_hash = last.column_text(0);
    }
    append_events(ledger, writer, written + 1, until);
    written = until;
    ok_or_die(ledger.database().exec("PRAGMA wal_checkpoint(TRUNCATE)"), "wal_checkpoint");
    // Opening again verifies what was appended and moves the checkpoint to the end: the
    // checkpoint K events before the end of the finished ledger.
    storage::Ledger reopened = value_or_die(
        storage::Ledger::open(path, ledger_options(storage::OpenCheck::since_checkpoint)),
        "Ledger::open after appending");
    checkpoints[c] = checkpoint_of(reopened);
  }
  return checkpoints;
}

// --- Timing
// ---------------------------------------------------------------------------------------

void put_checkpoint(const std::string& path, const storage::LedgerCheckpoint& checkpoint) {
  storage::Database db = value_or_die(storage::Database::open(path), "Database::open");
  storage::Transaction transaction = value_or_die(storage::Transaction::begin(db), "begin");
  ok_or_die(check::write_checkpoint(db, checkpoint), "write_checkpoint");
  ok_or_die(transaction.commit(), "commit");
}

double time_open(const std::string& path, storage::OpenCheck open_check) {
  const Clock::time_point start = Clock::now();
  loyalty::Result<storage::Ledger> ledger = storage::Ledger::open(path, ledger_options(open_check));
  const double ms = millis_since(start);
  if (!ledger.ok()) die("Ledger::open: " + ledger.error().message);
  return ms;
}

struct Samples {
  std::string name;
  std::vector<double> ms;
  double p50() const { return loyalty_bench::percentile(ms, 50); }
  double p99() const { return loyalty_bench::percentile(ms, 99); }
};

void print_samples(std::vector<Samples>& cases) {
  std::printf("\n%-34s %5s %12s %12s %12s\n", "Ledger::open", "n", "p50 ms", "p99 ms", "max ms");
  for (Samples& samples : cases) {
    std::sort(samples.ms.begin(), samples.ms.end());
    std::printf("%-34s %5zu %12.2f %12.2f %12.2f\n", samples.name.c_str(), samples.ms.size(),
                samples.p50(), samples.p99(), samples.ms.back());
  }
  std::printf("\n%-34s %12s %12s\n", "full check / since checkpoint", "p50", "p99");
  for (std::size_t i = 1; i < cases.size(); ++i) {
    std::printf("%-34s %11.0fx %11.0fx\n", cases[i].name.c_str(), cases[0].p50() / cases[i].p50(),
                cases[0].p99() / cases[i].p99());
  }
}

// One open of each since case in turn (checkpoint put back first, untimed), and a full open every
// `opens / full_opens` rounds.
void time_opens(const std::string& path, const std::vector<storage::LedgerCheckpoint>& checkpoints,
                const Options& options) {
  std::vector<Samples> cases = {{"full check (baseline)", {}}};
  for (const std::int64_t since : since_cases) {
    cases.push_back(
        {"since checkpoint, " + std::to_string(std::min(since, options.events)) + " new events",
         {}});
  }
  const int full_every = std::max(1, options.opens / options.full_opens);
  for (int round = 0; round < options.opens; ++round) {
    if (round % full_every == 0 && static_cast<int>(cases[0].ms.size()) < options.full_opens) {
      cases[0].ms.push_back(time_open(path, storage::OpenCheck::full));
    }
    for (std::size_t c = 0; c < checkpoints.size(); ++c) {
      put_checkpoint(path, checkpoints[c]);
      cases[c + 1].ms.push_back(time_open(path, storage::OpenCheck::since_checkpoint));
    }
  }
  print_samples(cases);
}

// Each part of the check alone, over the whole history and since each checkpoint (one read
// snapshot per run, as the check has).
void time_parts(const std::string& path,
                const std::vector<storage::LedgerCheckpoint>& checkpoints) {
  Clock::time_point start = Clock::now();
  storage::Database db = value_or_die(storage::Database::open(path), "Database::open");
  const double open_ms = millis_since(start);
  storage::Transaction snapshot =
      value_or_die(storage::Transaction::begin(db, storage::TransactionKind::read), "begin");
  start = Clock::now();
  const storage::LedgerCheckpoint end = value_or_die(check::ledger_end(db), "ledger_end");
  std::printf(
      "\nDatabase::open (pragmas) %.2f ms; ledger_end (the end's ids and the totals digest "
      "over %" PRId64 " accounts) %.2f ms\n",
      open_ms, end.account_id, millis_since(start));
  std::printf("%-42s %12s", "part of the check (ms, one run)", "whole");
  for (const std::int64_t since : since_cases) std::printf(" %9s %-6" PRId64, "since", since);
  std::printf("\n");
  for (const check::CheckPart& part : check::check_parts()) {
    std::printf("%-42.*s", static_cast<int>(part.name.size()), part.name.data());
    std::vector<check::Scope> scopes = {check::Scope{}};
    for (const storage::LedgerCheckpoint& checkpoint : checkpoints) {
      scopes.push_back(check::Scope{&checkpoint, &end});
    }
    for (const check::Scope& scope : scopes) {
      storage::LedgerReport report;
      const Clock::time_point part_start = Clock::now();
      ok_or_die(part.run(db, scope, report), std::string(part.name));
      const double ms = millis_since(part_start);
      if (!report.ok()) die(std::string(part.name) + " found: " + report.first_problems());
      std::printf(" %16.2f", ms);
    }
    std::printf("\n");
  }
  ok_or_die(snapshot.commit(), "commit");
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  // About 1 KB of rows and indexes per event besides its payload, and as much again for the WAL.
  const double bytes_needed =
      2.0 * static_cast<double>(options.events) * static_cast<double>(options.payload_bytes + 1000);
  struct statvfs space {};
  if (statvfs(options.dir.c_str(), &space) == 0 &&
      static_cast<double>(space.f_bavail) * static_cast<double>(space.f_frsize) < bytes_needed) {
    die("not enough free space in " + options.dir + " for " + std::to_string(options.events) +
        " events (about " + std::to_string(static_cast<long long>(bytes_needed / 1e9)) + " GB)");
  }
  std::string pattern = (std::filesystem::path(options.dir) / "bench_ledger_open.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) die("cannot create a directory under " + options.dir);
  work_dir = std::filesystem::canonical(pattern).string();
  keep_work_dir = options.keep;
  const std::string path = work_dir + "/ledger.db";

  const Clock::time_point start = Clock::now();
  const std::vector<storage::LedgerCheckpoint> checkpoints = generate(path, options);
  std::printf("bench_ledger_open: %" PRId64 " events (payload %" PRId64 " bytes), %" PRId64
              " customers, %" PRId64 " transfers, %" PRId64
              " lots; %.2f GB in %s; generated in "
              "%.1f s\n",
              options.events, options.payload_bytes, options.customers,
              checkpoints.front().transfer_id, checkpoints.front().lot_id,
              static_cast<double>(std::filesystem::file_size(path)) / 1e9, work_dir.c_str(),
              millis_since(start) / 1000);
  time_opens(path, checkpoints, options);
  time_parts(path, checkpoints);
  remove_work_dir();
  return 0;
}
