// bench_checkout: a 20-line checkout (quote plus durable commit) against a bare SQLite
// transaction that inserts the same number of rows, side by side in one process.
//
//   A  Till::checkout of a new 20-line receipt for a known customer who has points (it burns some
//      from lots and earns new lots), on a ledger file opened with the default durability
//      (journal_mode=WAL, synchronous=FULL). Timed end to end: hash, BEGIN IMMEDIATE, ledger view,
//      quote, writes, event, receipt row, COMMIT (fsync of the WAL).
//   B  BEGIN; R × INSERT into a plain table; COMMIT; on a second file in the same directory,
//      opened by the same storage::Database::open (WAL, synchronous=FULL), where R is the number
//      of rows one checkout inserts or updates (sqlite3_total_changes() across one checkout,
//      trigger-made changes included), measured before the run.
//
// The two run interleaved (A B, B A, A B, ...) so that noise from the host hits both; warm-up
// iterations are discarded. Two workloads, each against its own bare side: customers whose points
// are in two lots (a burn takes one), and customers with 40 small lots (a burn spans 8). After each
// pair both files get a PASSIVE WAL checkpoint, as a till does between customers; it is timed
// apart and reported amortised per checkout beside the untimed verdict, and as "checkout +
// checkpoint" against "bare + checkpoint". Target: checkout p50 <= 1.3 x bare p50 and p99 <=
// 1.5 x bare p99, in each workload. A plain main(), not Google Benchmark: the target is about
// percentiles of individual latencies. docs/PERFORMANCE.md ("Checkout") records the figures.
//
// Flags: --iterations=N (timed pairs, default 2000), --warmup=N (default 200), --customers=N
// (default: enough that each has at most 4 checkouts), --dir=PATH (where the two files go;
// default: the build tree, a real disk where /tmp may be tmpfs), --sync=full|normal (normal: both
// sides without an fsync per commit, for profiling only), --keep (leave the files),
// --no-breakdown, --no-idle-checkpoint (by default both files get a PASSIVE WAL checkpoint
// between pairs, timed apart from the checkout, as a till checkpoints between customers:
// Till::idle), --lots=2|40 (run one workload only, for profiling), --enforce (exit 1 when the
// target is missed; without it the verdict is only printed, so `make bench` runs the other
// benchmarks too). Google Benchmark's --benchmark_* flags are ignored. Exit 2 on a setup failure.

#include <sqlite3.h>
#include <stdlib.h>  // mkdtemp
#include <sys/statfs.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "bench_stats.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

#ifndef LOYALTY_BENCH_WORK_DIR
#define LOYALTY_BENCH_WORK_DIR "."
#endif

namespace {

using Clock = std::chrono::steady_clock;
using loyalty::Timestamp;
namespace storage = loyalty::storage;

constexpr double target_p50_ratio = 1.3;
constexpr double target_p99_ratio = 1.5;

// Tuesday 2026-03-17 11:30 UTC+1, as in bench_quote.
constexpr Timestamp checkout_time{1773743400};
// Each customer's points before the run, in lots that expire before anything the run earns, so
// every burn of the run takes from them (soonest expiry first) and one checkout writes the same
// rows all along: at most `checkouts_per_customer_max` × redeem_points <= seed_points. The
// workloads split them into 2 lots of 400 or 40 lots of 20 (a burn of 150 then spans 8 lots).
constexpr std::int64_t seed_points = 800;
constexpr int many_lots = 40;
constexpr int checkouts_per_customer_max = 4;
constexpr int probe_checkouts = 5;
constexpr int traced_checkouts = 200;
constexpr std::int64_t redeem_points = 150;

// A grocery program with the mechanics of an ordinary till: base earn, an earn rate and an earn
// multiplier on categories, line and basket discounts, member prices, a stamp card, and points as
// tender (1 point = 0.01, at most 50 % of the receipt).
constexpr std::string_view program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "bench-checkout",
  "version": 1,
  "currency": "EUR",
  "currency_exponent": 2,
  "utc_offset_minutes": 60,
  "earn": {
    "base": {"points": 1, "per_minor": 100},
    "rounding": "floor",
    "base_on": "net_after_points",
    "excluded": {"categories": ["tobacco"]},
    "expiry_days": 365
  },
  "burn": {
    "enabled": true,
    "rate": {"points": 1, "value_minor": 1},
    "cap_bp": 5000,
    "min_balance": 0,
    "excluded": {"categories": ["tobacco"]}
  },
  "groups": [{"id": "basket-offers", "mode": "best_for_customer"}],
  "rules": [
    {"id": "own-brand-2x", "kind": "earn_rate", "items": {"categories": ["own-brand"]},
     "points": 2, "per_minor": 100, "rounding": "floor"},
    {"id": "produce-x3", "kind": "earn_multiplier", "items": {"categories": ["produce"]},
     "multiplier_percent": 300, "rounding": "floor"},
    {"id": "member-prices", "kind": "member_price", "priority": 10,
     "prices": [{"sku": "MILK-1L", "price_minor": 99}, {"sku": "BREAD-RYE", "price_minor": 179}]},
    {"id": "yogurt-20", "kind": "percent_off", "priority": 20,
     "items": {"categories": ["yogurt"]}, "percent_bp": 2000, "scope": "line"},
    {"id": "basket-5", "kind": "percent_off", "priority": 80, "group": "basket-offers",
     "percent_bp": 500, "scope": "basket"},
    {"id": "coffee-card", "kind": "stamp_card", "items": {"skus": ["COFFEE-CUP"]},
     "card_id": "coffee", "stamps_required": 10}
  ]
})json";

struct LineSpec {
  const char* sku;
  const char* category;
  int unit_price_minor;
  int quantity;
};

// 20 lines: 2 member prices, 3 yogurts, 4 produce, 4 own-brand, a coffee (stamp), 6 others.
constexpr LineSpec receipt_lines[20] = {
    {"MILK-1L", "dairy", 129, 2},          {"BREAD-RYE", "bakery", 219, 1},
    {"YOG-NAT-500", "yogurt", 189, 1},     {"YOG-STR-150", "yogurt", 69, 4},
    {"YOG-GRK-400", "yogurt", 249, 1},     {"APPLES-1KG", "produce", 299, 1},
    {"BANANAS", "produce", 179, 1},        {"TOMATOES-500", "produce", 249, 2},
    {"SALAD-MIX", "produce", 199, 1},      {"OB-PASTA-500", "own-brand", 89, 3},
    {"OB-RICE-1KG", "own-brand", 159, 1},  {"OB-TUNA-160", "own-brand", 129, 2},
    {"OB-COOKIES", "own-brand", 119, 1},   {"COFFEE-CUP", "coffee-bar", 250, 1},
    {"SALMON-300G", "fish", 899, 1},       {"OLIVE-OIL-1L", "pantry", 1149, 1},
    {"CHEESE-GOUDA", "cheese", 459, 1},    {"EGGS-10", "eggs", 329, 1},
    {"DETERGENT-2L", "household", 799, 1}, {"CHOCOLATE-100", "sweets", 149, 3},
};

std::string work_dir;  // removed by die(), unless --keep
bool keep_work_dir = false;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_checkout: %s\n", what.c_str());
  if (!work_dir.empty() && !keep_work_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir, ignored);
  }
  std::exit(2);
}

template <typename T>
T value_or_die(loyalty::Result<T> result, const char* what) {
  if (!result.ok()) die(std::string(what) + ": " + result.error().message);
  return std::move(result).value();
}

void ok_or_die(const loyalty::Status& status, const char* what) {
  if (!status.ok()) die(std::string(what) + ": " + status.error().message);
}

void sqlite_or_die(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    die(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

std::string receipt_json(const std::string& receipt_id) {
  std::string json = "{\"receipt_id\": \"" + receipt_id +
                     "\", \"store_id\": \"fm-014\", \"currency\": \"EUR\", \"lines\": [";
  for (std::size_t i = 0; i < std::size(receipt_lines); ++i) {
    const LineSpec& l = receipt_lines[i];
    if (i > 0) json += ", ";
    json += std::string("{\"sku\": \"") + l.sku + "\", \"category\": \"" + l.category +
            "\", \"unit_price_minor\": " + std::to_string(l.unit_price_minor);
    if (l.quantity != 1) json += ", \"quantity\": " + std::to_string(l.quantity);
    json += "}";
  }
  json += "], \"redeem\": {\"points\": " + std::to_string(redeem_points) + "}}";
  return json;
}

loyalty::Receipt make_receipt(const std::string& receipt_id) {
  return value_or_die(loyalty::load_receipt(receipt_json(receipt_id)), "load_receipt");
}

std::string customer_id(int index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "bench-cust-%04d", index);
  return buffer;
}

loyalty::CustomerState make_customer(int index) {
  const std::string json = "{\"customer_id\": \"" + customer_id(index) +
                           "\", \"tier\": \"\", \"purchase_count\": 12, "
                           "\"segments\": [\"coffee-buyers\"]}";
  return value_or_die(loyalty::load_customer(json), "load_customer");
}

// --- Statistics ---------------------------------------------------------------------------------

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

using loyalty_bench::percentile;  // nearest rank (bench_stats.h)

Percentiles percentiles_of(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  Percentiles p;
  p.p50 = percentile(samples, 50);
  p.p90 = percentile(samples, 90);
  p.p99 = percentile(samples, 99);
  p.max = samples.empty() ? 0 : samples.back();
  double sum = 0;
  for (double s : samples) sum += s;
  p.mean = samples.empty() ? 0 : sum / static_cast<double>(samples.size());
  return p;
}

void print_row(const char* name, const Percentiles& p) {
  std::printf("  %-28s %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, p.p50, p.p90, p.p99, p.max, p.mean);
}

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// --- The two sides ------------------------------------------------------------------------------

struct Options {
  int iterations = 2000;
  int warmup = 200;
  int customers = 0;  // 0: enough that none has more than checkouts_per_customer_max
  std::string dir;
  bool keep = false;
  bool breakdown = true;
  bool enforce = false;
  bool idle_checkpoint = true;
  int only_lots = 0;  // --lots=N: run only the workload whose customers have N lots (profiling)
  // --sync=normal: both sides at synchronous=NORMAL (no fsync per commit), for profiling the CPU
  // part; not the target's configuration, and the verdict says so.
  storage::Durability durability = storage::Durability::full;
};

struct CheckoutSide {
  storage::Ledger ledger;
  loyalty::Program program;
  std::vector<loyalty::CustomerState> customers;
  storage::Till till;
  std::int64_t next_receipt = 1;
  std::int64_t next_customer = 0;

  CheckoutSide(storage::Ledger l, loyalty::Program p)
      : ledger(std::move(l)), program(std::move(p)), till(ledger) {}
  // The Till points at `ledger`: not copyable or movable.
  CheckoutSide(const CheckoutSide&) = delete;
  CheckoutSide& operator=(const CheckoutSide&) = delete;

  // One checkout of a fresh receipt for the next customer of the pool; returns microseconds.
  double run_one(const char* prefix = "BC") {
    char id[48];
    std::snprintf(id, sizeof id, "%s-%08" PRId64, prefix, next_receipt++);
    const loyalty::Receipt receipt = make_receipt(id);  // built outside the timed call
    const loyalty::CustomerState& customer = customers[static_cast<std::size_t>(
        next_customer++ % static_cast<std::int64_t>(customers.size()))];
    const Clock::time_point start = Clock::now();
    loyalty::Result<storage::CheckoutResult> result =
        till.checkout(program, &customer, receipt, checkout_time);
    const double us = micros_since(start);
    if (!result.ok()) die("checkout " + std::string(id) + ": " + result.error().message);
    if (result.value().replayed) die("checkout " + std::string(id) + " was a replay");
    return us;
  }
};

std::unique_ptr<CheckoutSide> open_checkout_side(const std::string& path,
                                                 storage::Durability durability, int customer_count,
                                                 int lots_per_customer) {
  storage::LedgerOptions options;
  options.database.durability = durability;
  options.terminal_id = "bench-terminal";
  options.epoch = 0x5eedc0de0c4ec0u;
  options.now = plus_days(checkout_time, -30);
  auto owned = std::make_unique<CheckoutSide>(
      value_or_die(storage::Ledger::open(path, options), "Ledger::open"),
      value_or_die(loyalty::load_program(program_json), "load_program"));
  CheckoutSide& side = *owned;
  ok_or_die(side.till.store_program(program_json, options.now), "store_program");
  // Every customer earned `seed_points` before, in `lots_per_customer` lots (older purchases).
  storage::Transaction transaction = value_or_die(side.ledger.begin(), "begin");
  for (int i = 0; i < customer_count; ++i) {
    side.customers.push_back(make_customer(i));
    const storage::AccountId account = value_or_die(
        side.ledger.find_or_create_account(transaction, storage::AccountKind::customer_points,
                                           customer_id(i), options.now),
        "find_or_create_account");
    for (int lot = 0; lot < lots_per_customer; ++lot) {
      storage::LotCredit credit;
      credit.account = account;
      credit.points = loyalty::Points(seed_points / lots_per_customer);
      credit.active_from = plus_days(options.now, lot - 60);
      credit.expires_at = plus_days(options.now, 300 + 5 * lot / (lots_per_customer / 2));
      credit.receipt_id = "";
      credit.source = "seed";
      credit.at = options.now;
      value_or_die(storage::credit_lot(side.ledger, transaction, credit), "credit_lot");
    }
  }
  ok_or_die(transaction.commit(), "commit of the seed lots");
  return owned;
}

struct BareSide {
  storage::Database db;
  sqlite3_stmt* insert = nullptr;
  int rows = 0;
  std::int64_t next_id = 1;

  BareSide(storage::Database d, int r) : db(std::move(d)), rows(r) {
    ok_or_die(db.exec("CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, label TEXT NOT "
                      "NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL)"),
              "create table bare");
    sqlite_or_die(
        db.handle(),
        sqlite3_prepare_v3(db.handle(),
                           "INSERT INTO bare (id, label, amount, at) VALUES (?1, ?2, ?3, ?4)", -1,
                           SQLITE_PREPARE_PERSISTENT, &insert, nullptr),
        "prepare insert");
  }
  ~BareSide() { sqlite3_finalize(insert); }
  BareSide(const BareSide&) = delete;
  BareSide& operator=(const BareSide&) = delete;

  // BEGIN; `rows` inserts; COMMIT. Returns microseconds.
  double run_one() {
    sqlite3* h = db.handle();
    char label[48];
    const Clock::time_point start = Clock::now();
    sqlite_or_die(h, sqlite3_exec(h, "BEGIN", nullptr, nullptr, nullptr), "BEGIN");
    for (int r = 0; r < rows; ++r) {
      const std::int64_t id = next_id++;
      const int n = std::snprintf(label, sizeof label, "BC-%08" PRId64 ":%d", id / 64, r);
      sqlite3_bind_int64(insert, 1, id);
      sqlite3_bind_text(insert, 2, label, n, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 3, id % 1000);
      sqlite3_bind_int64(insert, 4, checkout_time.unix_seconds);
      sqlite_or_die(h, sqlite3_step(insert), "insert");
      sqlite3_reset(insert);
    }
    sqlite_or_die(h, sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr), "COMMIT");
    return micros_since(start);
  }
};

// --- Breakdown helpers --------------------------------------------------------------------------

// Per-statement time of the checkout's SQL, from sqlite3_trace_v2(SQLITE_TRACE_PROFILE) (top-level
// statements; the time of a statement includes its triggers). SQLITE_TRACE_STMT counts trigger
// programs entered ("-- TRIGGER name").
struct SqlProfile {
  struct Entry {
    std::int64_t count = 0;
    double ns = 0;
  };
  std::map<std::string, Entry> by_sql;
  std::map<std::string, std::int64_t> triggers;
  std::int64_t statements = 0;
};

int trace_callback(unsigned type, void* context, void* p, void* x) {
  auto* profile = static_cast<SqlProfile*>(context);
  auto* stmt = static_cast<sqlite3_stmt*>(p);
  if (type == SQLITE_TRACE_PROFILE) {
    const char* sql = sqlite3_sql(stmt);
    std::string key = sql != nullptr ? sql : "?";
    std::replace(key.begin(), key.end(), '\n', ' ');
    SqlProfile::Entry& e = profile->by_sql[key];
    e.count += 1;
    e.ns += static_cast<double>(*static_cast<sqlite3_int64*>(x));
    profile->statements += 1;
  } else if (type == SQLITE_TRACE_STMT) {
    const char* text = static_cast<const char*>(x);
    if (text != nullptr && std::strncmp(text, "--", 2) == 0) profile->triggers[text] += 1;
  }
  return 0;
}

// The size of the WAL after a TRUNCATE checkpoint and one transaction: what one commit appends.
std::int64_t wal_bytes_of_one(sqlite3* db, const std::string& db_path,
                              const std::function<void()>& transaction) {
  sqlite_or_die(
      db, sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr),
      "wal_checkpoint(TRUNCATE)");
  transaction();
  std::error_code ec;
  const auto size = std::filesystem::file_size(db_path + "-wal", ec);
  return ec ? -1 : static_cast<std::int64_t>(size);
}

// Which B-tree (table, index, or "page 1") each page of the WAL belongs to, from the frames'
// headers and the dbstat virtual table (SQLite built with SQLITE_ENABLE_DBSTAT_VTAB, as Debian's
// is): " receipts 2, transfers 1, ...". Read right after one transaction (wal_bytes_of_one).
std::string wal_pages_by_btree(sqlite3* db, const std::string& db_path) {
  std::FILE* wal = std::fopen((db_path + "-wal").c_str(), "rb");
  if (wal == nullptr) return " (no WAL)";
  std::vector<std::uint32_t> pages;
  unsigned char header[24];
  std::vector<unsigned char> page(4096);
  if (std::fseek(wal, 32, SEEK_SET) == 0) {
    while (std::fread(header, 1, sizeof header, wal) == sizeof header &&
           std::fread(page.data(), 1, page.size(), wal) == page.size()) {
      pages.push_back((std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                      (std::uint32_t{header[2]} << 8) | header[3]);
    }
  }
  std::fclose(wal);
  std::map<std::string, int> by_name;
  sqlite3_stmt* find = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM dbstat WHERE pageno = ?1", -1, &find, nullptr) !=
      SQLITE_OK) {
    return " (dbstat unavailable)";
  }
  for (std::uint32_t number : pages) {
    sqlite3_bind_int64(find, 1, number);
    std::string name = number == 1 ? "page 1" : "free or new";
    if (sqlite3_step(find) == SQLITE_ROW && number != 1) {
      name = reinterpret_cast<const char*>(sqlite3_column_text(find, 0));
    }
    sqlite3_reset(find);
    by_name[name] += 1;
  }
  sqlite3_finalize(find);
  std::string out;
  for (const auto& [name, count] : by_name) out += " " + name + " " + std::to_string(count) + ",";
  if (!out.empty()) out.pop_back();
  return out;
}

const char* filesystem_name(const std::string& dir) {
  struct statfs info {};
  if (statfs(dir.c_str(), &info) != 0) return "unknown";
  switch (static_cast<unsigned long>(info.f_type)) {
    case 0x01021994UL:
      return "tmpfs (RAM: fsync costs nothing; use --dir on a disk)";
    case 0xEF53UL:
      return "ext2/3/4";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683EUL:
      return "btrfs";
    case 0x794C7630UL:
      return "overlayfs";
    default:
      return "other";
  }
}

bool flag_value(const char* arg, const char* name, std::string& out) {
  const std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  out = arg + n + 1;
  return true;
}

int int_flag(const std::string& text, const char* name, int min) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < min || value > 10'000'000) {
    die(std::string(name) + ": expected an integer >= " + std::to_string(min) + ", got '" + text +
        "'");
  }
  return static_cast<int>(value);
}

Options parse_options(int argc, char** argv);

// The pool size that gives nobody more than checkouts_per_customer_max checkouts.
int customers_needed(const Options& o) {
  const int total = probe_checkouts + o.warmup + o.iterations + traced_checkouts + 1;
  return std::max(100, (total + checkouts_per_customer_max - 1) / checkouts_per_customer_max);
}

Options parse_options(int argc, char** argv) {
  Options o;
  o.dir = LOYALTY_BENCH_WORK_DIR;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (flag_value(argv[i], "--iterations", v)) {
      o.iterations = int_flag(v, "--iterations", 1);
    } else if (flag_value(argv[i], "--warmup", v)) {
      o.warmup = int_flag(v, "--warmup", 0);
    } else if (flag_value(argv[i], "--customers", v)) {
      o.customers = int_flag(v, "--customers", 1);
    } else if (flag_value(argv[i], "--dir", v)) {
      o.dir = v;
    } else if (flag_value(argv[i], "--sync", v)) {
      if (v != "full" && v != "normal") die("--sync: expected full or normal, got '" + v + "'");
      o.durability = v == "full" ? storage::Durability::full : storage::Durability::normal;
    } else if (flag_value(argv[i], "--lots", v)) {
      o.only_lots = int_flag(v, "--lots", 2);
      if (o.only_lots != 2 && o.only_lots != many_lots) die("--lots: expected 2 or 40");
    } else if (std::strncmp(argv[i], "--benchmark_", 12) == 0) {
      // `make bench BENCH_ARGS=--benchmark_filter=...` passes Google Benchmark's flags to every
      // bench program; they do not apply to this one.
      std::printf("bench_checkout: ignoring %s (a Google Benchmark flag)\n", argv[i]);
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      o.keep = true;
    } else if (std::strcmp(argv[i], "--no-breakdown") == 0) {
      o.breakdown = false;
    } else if (std::strcmp(argv[i], "--enforce") == 0) {
      o.enforce = true;
    } else if (std::strcmp(argv[i], "--no-idle-checkpoint") == 0) {
      o.idle_checkpoint = false;
    } else {
      die(std::string("unknown argument '") + argv[i] +
          "'; flags: --iterations=N --warmup=N --customers=N --dir=PATH --sync=full|normal --keep "
          "--no-breakdown --no-idle-checkpoint --lots=2|40 --enforce");
    }
  }
  if (o.customers == 0) o.customers = customers_needed(o);
  return o;
}

struct Workload {
  const char* name;
  const char* file_suffix;
  int lots_per_customer;
};

struct WorkloadResult {
  const char* name = "";
  std::unique_ptr<CheckoutSide> checkout;
  std::unique_ptr<BareSide> bare;
  std::string ledger_path, bare_path;
  int rows = 0;
  Percentiles a, b, checkpoint_a, checkpoint_b;
  double r50 = 0, r99 = 0, with_checkpoint_r50 = 0, with_checkpoint_r99 = 0;
  bool ok50 = false, ok99 = false;
};

// R: the most rows one of a few probe checkouts inserts or updates, trigger-made changes included.
int probe_rows(CheckoutSide& checkout) {
  sqlite3* db = checkout.ledger.database().handle();
  int rows = 0;
  std::printf("  probe checkouts, rows changed:");
  for (int i = 0; i < probe_checkouts; ++i) {
    const int before = sqlite3_total_changes(db);
    checkout.run_one("PROBE");
    const int changed = sqlite3_total_changes(db) - before;
    std::printf(" %d", changed);
    rows = std::max(rows, changed);  // the bare side gets the most
  }
  std::printf("\n");
  return rows;
}

// The quote of a probe receipt, to show (and check) the work one checkout does.
void describe_quote(CheckoutSide& checkout, const Options& options, int lots_per_customer) {
  loyalty::Quoter quoter;
  loyalty::Quote quote;
  loyalty::CustomerState customer = checkout.customers[0];
  customer.lots.push_back({"lot-1", loyalty::Points(seed_points), plus_days(checkout_time, -90),
                           plus_days(checkout_time, 270)});
  const loyalty::Receipt receipt = make_receipt("SANITY");
  ok_or_die(quoter.quote(checkout.program, &customer, receipt, checkout_time, quote), "quote");
  std::printf("  receipt: 20 lines, gross %" PRId64 ", discounts %" PRId64
              " in %zu entries, points tender %" PRId64 ", earned %" PRId64
              " points in %zu entries, %zu stamp movements; %d customers with %" PRId64
              " points each in %d lots before the run (at most %d checkouts each)\n",
              quote.gross_total.value(), quote.discount_total.value(), quote.discounts.size(),
              quote.points_tender_total.value(), quote.earned_total.value(), quote.earns.size(),
              quote.stamps.size(), options.customers, seed_points, lots_per_customer,
              checkouts_per_customer_max);
  if (quote.discounts.empty() || quote.earns.empty() ||
      quote.burned_total.value() != redeem_points) {
    die("the quote does not discount, earn and burn; the benchmark would not measure real work");
  }
}

// One workload: its own ledger and bare file, R probed, then the interleaved timed pairs, each
// followed by both files' idle checkpoint, timed apart.
WorkloadResult run_workload(const Workload& workload, const Options& options,
                            const std::string& dir) {
  WorkloadResult r;
  r.name = workload.name;
  r.ledger_path = dir + "/ledger" + workload.file_suffix + ".db";
  r.bare_path = dir + "/bare" + workload.file_suffix + ".db";
  std::printf("\nworkload: %s\n", workload.name);
  r.checkout = open_checkout_side(r.ledger_path, options.durability, options.customers,
                                  workload.lots_per_customer);
  CheckoutSide& checkout = *r.checkout;
  r.rows = probe_rows(checkout);
  describe_quote(checkout, options, workload.lots_per_customer);
  std::printf(
      "  R = %d rows per checkout (sqlite3_total_changes() across one checkout: rows "
      "inserted or updated, trigger updates included)\n",
      r.rows);
  r.bare = std::make_unique<BareSide>(
      value_or_die(storage::Database::open(
                       r.bare_path, storage::DatabaseOptions{}.with_durability(options.durability)),
                   "Database::open (bare)"),
      r.rows);
  BareSide& bare = *r.bare;
  sqlite3* ledger_db = checkout.ledger.database().handle();

  // Interleaved: pair i runs A then B when i is even, B then A when odd.
  std::vector<double> a_samples, b_samples, ca_samples, cb_samples, a_total, b_total;
  std::vector<double> changes;  // rows changed by each timed checkout, to confirm R
  const Clock::time_point run_start = Clock::now();
  for (int i = 0; i < options.warmup + options.iterations; ++i) {
    double a = 0, b = 0, ca = 0, cb = 0;
    const int before = sqlite3_total_changes(ledger_db);
    if (i % 2 == 0) {
      a = checkout.run_one();
      b = bare.run_one();
    } else {
      b = bare.run_one();
      a = checkout.run_one();
    }
    const int changed = sqlite3_total_changes(ledger_db) - before;
    if (options.idle_checkpoint) {
      // Between customers, the same for both files: what a till does while idle.
      Clock::time_point start = Clock::now();
      value_or_die(checkout.till.idle(), "Till::idle");
      ca = micros_since(start);
      start = Clock::now();
      value_or_die(bare.db.checkpoint(), "Database::checkpoint (bare)");
      cb = micros_since(start);
    }
    if (i >= options.warmup) {
      a_samples.push_back(a);
      b_samples.push_back(b);
      ca_samples.push_back(ca);
      cb_samples.push_back(cb);
      a_total.push_back(a + ca);
      b_total.push_back(b + cb);
      changes.push_back(changed);
    }
  }
  const double run_seconds = micros_since(run_start) / 1e6;

  r.a = percentiles_of(a_samples);
  r.b = percentiles_of(b_samples);
  r.checkpoint_a = percentiles_of(ca_samples);
  r.checkpoint_b = percentiles_of(cb_samples);
  const Percentiles at = percentiles_of(a_total);
  const Percentiles bt = percentiles_of(b_total);
  const std::size_t half = a_samples.size() / 2;
  const auto split = [half](const std::vector<double>& s, bool first_half) {
    const auto mid = s.begin() + static_cast<std::ptrdiff_t>(half);
    return first_half ? percentiles_of({s.begin(), mid}) : percentiles_of({mid, s.end()});
  };

  std::printf("%d interleaved pairs after %d warm-up pairs, %.1f s; latency in microseconds\n",
              options.iterations, options.warmup, run_seconds);
  std::printf("  %-28s %9s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "max", "mean");
  print_row("checkout (Till::checkout)", r.a);
  print_row("bare (BEGIN; R INSERT; COMMIT)", r.b);
  print_row("  checkout, first half", split(a_samples, true));
  print_row("  checkout, second half", split(a_samples, false));
  print_row("  bare, first half", split(b_samples, true));
  print_row("  bare, second half", split(b_samples, false));
  if (options.idle_checkpoint) {
    print_row("idle checkpoint, ledger", r.checkpoint_a);
    print_row("idle checkpoint, bare", r.checkpoint_b);
    print_row("checkout + its checkpoint", at);
    print_row("bare + its checkpoint", bt);
  }

  const Percentiles c = percentiles_of(changes);
  std::printf(
      "  rows changed per timed checkout: p50 %.0f, max %.0f, mean %.1f (bare inserts R = %d)\n",
      c.p50, c.max, c.mean, r.rows);
  if (c.mean > r.rows) {
    std::printf(
        "  WARNING: the checkouts changed more rows than R on average; the bare side is "
        "too light\n");
  }
  r.r50 = r.a.p50 / r.b.p50;
  r.r99 = r.a.p99 / r.b.p99;
  r.ok50 = r.r50 <= target_p50_ratio;
  r.ok99 = r.r99 <= target_p99_ratio;
  r.with_checkpoint_r50 = at.p50 / bt.p50;
  r.with_checkpoint_r99 = at.p99 / bt.p99;
  std::printf("  ratio p50 checkout/bare = %.2f (target <= %.1f): %s\n", r.r50, target_p50_ratio,
              r.ok50 ? "PASS" : "FAIL");
  std::printf("  ratio p99 checkout/bare = %.2f (target <= %.1f): %s\n", r.r99, target_p99_ratio,
              r.ok99 ? "PASS" : "FAIL");
  if (options.idle_checkpoint) {
    std::printf(
        "  with the idle checkpoint counted: amortised %.1f us per checkout (bare %.1f), "
        "ratio p50 %.2f, p99 %.2f\n",
        r.checkpoint_a.mean, r.checkpoint_b.mean, r.with_checkpoint_r50, r.with_checkpoint_r99);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);

  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  std::string pattern = (std::filesystem::path(options.dir) / "bench_checkout.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) die("cannot create a directory under " + options.dir);
  const std::string dir = std::filesystem::canonical(pattern).string();
  work_dir = dir;
  keep_work_dir = options.keep;
  std::printf("bench_checkout: files in %s (%s)\n", dir.c_str(), filesystem_name(dir));
  const bool full = options.durability == storage::Durability::full;
  std::printf("  SQLite %s, journal_mode=WAL, synchronous=%s on both files%s\n",
              sqlite3_libversion(), full ? "FULL" : "NORMAL",
              full ? "" : " (--sync=normal: NOT the target's setting)");

  std::vector<WorkloadResult> results;
  const Workload workloads[] = {{"2 lots per customer (a burn takes 1)", "", 2},
                                {"40 lots per customer (a burn spans 8)", "-many-lots", many_lots}};
  for (const Workload& workload : workloads) {
    if (options.only_lots != 0 && workload.lots_per_customer != options.only_lots) continue;
    results.push_back(run_workload(workload, options, dir));
  }
  WorkloadResult& first = results.front();
  CheckoutSide& checkout = *first.checkout;
  BareSide& bare = *first.bare;
  sqlite3* ledger_db = checkout.ledger.database().handle();
  const std::string& ledger_path = first.ledger_path;
  const std::string& bare_path = first.bare_path;
  const int rows_per_checkout = first.rows;

  if (options.breakdown) {
    std::printf("\nbreakdown (not part of the verdict)\n");
    // 1. The quote alone, in memory: a warm Quoter, the customer with two lots.
    {
      loyalty::Quoter quoter;
      loyalty::Quote quote;
      loyalty::CustomerState customer = checkout.customers[1];
      customer.lots.push_back({"lot-1", loyalty::Points(seed_points / 2),
                               plus_days(checkout_time, -90), plus_days(checkout_time, 270)});
      customer.lots.push_back({"lot-2", loyalty::Points(seed_points / 2),
                               plus_days(checkout_time, -85), plus_days(checkout_time, 275)});
      const loyalty::Receipt receipt = make_receipt("BC-QUOTE-ONLY");
      std::vector<double> quote_us, json_us;
      for (int i = 0; i < 2200; ++i) {
        Clock::time_point start = Clock::now();
        ok_or_die(quoter.quote(checkout.program, &customer, receipt, checkout_time, quote),
                  "quote");
        const double q = micros_since(start);
        start = Clock::now();
        const std::string json = loyalty::quote_to_json(receipt, quote, false);
        const double j = micros_since(start);
        if (i >= 200) {
          quote_us.push_back(q);
          json_us.push_back(j);
        }
      }
      std::printf("  %-28s %9s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "max", "mean");
      print_row("Quoter::quote only", percentiles_of(quote_us));
      print_row("quote_to_json (compact)", percentiles_of(json_us));
      // What one receipt stores: the quote JSON (in its event), the documents (receipt row).
      sqlite3_stmt* sizes = nullptr;
      sqlite_or_die(
          ledger_db,
          sqlite3_prepare_v2(ledger_db,
                             "SELECT length(e.payload), length(r.customer_json), "
                             "length(r.receipt_json) FROM receipts r JOIN events e ON "
                             "e.seq = r.event_seq WHERE r.receipt_id = "
                             "(SELECT min(receipt_id) FROM receipts WHERE receipt_id LIKE 'BC-%')",
                             -1, &sizes, nullptr),
          "prepare sizes");
      if (sqlite3_step(sizes) == SQLITE_ROW) {
        std::printf(
            "  one checkout stores: the quote JSON once, %d bytes (the event's payload), and in "
            "the "
            "receipt row the customer JSON, %d bytes, and the receipt JSON, %d bytes\n",
            sqlite3_column_int(sizes, 0), sqlite3_column_int(sizes, 1),
            sqlite3_column_int(sizes, 2));
      }
      sqlite3_finalize(sizes);
    }

    // 2. SQL statements of the checkout, from SQLite's profile trace over 200 more checkouts.
    {
      SqlProfile profile;
      const int traced = traced_checkouts;
      sqlite3_trace_v2(ledger_db, SQLITE_TRACE_PROFILE | SQLITE_TRACE_STMT, trace_callback,
                       &profile);
      std::vector<double> traced_us;
      for (int i = 0; i < traced; ++i) traced_us.push_back(checkout.run_one("TRACE"));
      sqlite3_trace_v2(ledger_db, 0, nullptr, nullptr);
      double total_ns = 0;
      for (const auto& [sql, e] : profile.by_sql) total_ns += e.ns;
      const Percentiles t = percentiles_of(traced_us);
      std::int64_t trigger_entries = 0, trigger_statements = 0;
      for (const auto& [name, count] : profile.triggers) {
        (name.rfind("-- TRIGGER ", 0) == 0 ? trigger_entries : trigger_statements) += count;
      }
      std::printf(
          "\n  per checkout (%d traced checkouts, mean %.1f us with tracing on): %.1f "
          "top-level SQL statements, %.1f trigger programs entered running %.1f trigger "
          "statements, %.1f us inside SQLite statements (COMMIT included), %.1f us "
          "outside (C++: hash, ledger view, quote, JSON, statement preparation)\n",
          traced, t.mean, static_cast<double>(profile.statements) / traced,
          static_cast<double>(trigger_entries) / traced,
          static_cast<double>(trigger_statements) / traced, total_ns / 1e3 / traced,
          t.mean - total_ns / 1e3 / traced);
      std::vector<std::pair<std::string, SqlProfile::Entry>> entries(profile.by_sql.begin(),
                                                                     profile.by_sql.end());
      std::sort(entries.begin(), entries.end(),
                [](const auto& x, const auto& y) { return x.second.ns > y.second.ns; });
      std::printf("  %8s %8s %8s  %s\n", "us/ckout", "runs/ck", "us/run", "statement (by time)");
      for (std::size_t i = 0; i < entries.size() && i < 14; ++i) {
        const auto& [sql, e] = entries[i];
        std::printf("  %8.1f %8.2f %8.1f  %.100s\n", e.ns / 1e3 / traced,
                    static_cast<double>(e.count) / traced,
                    e.ns / 1e3 / static_cast<double>(e.count), sql.c_str());
      }
      std::printf("  trigger programs entered per checkout:");
      for (const auto& [name, count] : profile.triggers) {
        std::printf(" %s x%.1f;", name.c_str() + 3, static_cast<double>(count) / traced);
      }
      std::printf("\n");
    }

    // 3. What one commit appends to the WAL (bytes synced by the commit's fsync).
    {
      const std::int64_t a_wal =
          wal_bytes_of_one(ledger_db, ledger_path, [&] { checkout.run_one("WAL"); });
      const std::int64_t b_wal =
          wal_bytes_of_one(bare.db.handle(), bare_path, [&] { bare.run_one(); });
      std::printf("\n  WAL appended by one commit: checkout %" PRId64 " bytes (%" PRId64
                  " pages of 4096 + headers), bare %" PRId64 " bytes (%" PRId64 " pages)\n",
                  a_wal, a_wal / 4120, b_wal, b_wal / 4120);
      std::printf("  the checkout's pages by B-tree:%s\n",
                  wal_pages_by_btree(ledger_db, ledger_path).c_str());
    }

    // 4. The same pair with synchronous=NORMAL (no fsync per commit): the CPU part of each side.
    {
      const std::string n_ledger = dir + "/ledger-normal.db";
      const std::string n_bare = dir + "/bare-normal.db";
      std::unique_ptr<CheckoutSide> owned_nc =
          open_checkout_side(n_ledger, storage::Durability::normal, options.customers, 2);
      CheckoutSide& nc = *owned_nc;
      BareSide nb(
          value_or_die(storage::Database::open(n_bare, storage::DatabaseOptions{}.with_durability(
                                                           storage::Durability::normal)),
                       "Database::open (bare, normal)"),
          rows_per_checkout);
      std::vector<double> na, nbs;
      const int n = std::min(options.iterations, 1000);
      for (int i = 0; i < options.warmup + n; ++i) {
        double x = 0, y = 0;
        if (i % 2 == 0) {
          x = nc.run_one();
          y = nb.run_one();
        } else {
          y = nb.run_one();
          x = nc.run_one();
        }
        if (i >= options.warmup) {
          na.push_back(x);
          nbs.push_back(y);
        }
      }
      std::printf("\n  synchronous=NORMAL (no fsync per commit), %d interleaved pairs:\n", n);
      std::printf("  %-28s %9s %9s %9s %9s %9s\n", "", "p50", "p90", "p99", "max", "mean");
      print_row("checkout, NORMAL", percentiles_of(na));
      print_row("bare, NORMAL", percentiles_of(nbs));
    }
  }

  bool all_ok = true;
  for (const WorkloadResult& r : results) {
    std::printf(
        "\nbench_checkout [%s]: R=%d checkout p50 %.1f us p99 %.1f us; bare p50 %.1f us p99 %.1f "
        "us; ratio p50 %.2f (<= %.1f %s), p99 %.2f (<= %.1f %s); with the idle checkpoint "
        "(%.1f us a checkout, amortised) p50 %.2f, p99 %.2f",
        r.name, r.rows, r.a.p50, r.a.p99, r.b.p50, r.b.p99, r.r50, target_p50_ratio,
        r.ok50 ? "PASS" : "FAIL", r.r99, target_p99_ratio, r.ok99 ? "PASS" : "FAIL",
        r.checkpoint_a.mean, r.with_checkpoint_r50, r.with_checkpoint_r99);
    all_ok = all_ok && r.ok50 && r.ok99;
  }
  std::printf("\n");
  std::fflush(stdout);

  if (!options.keep) {
    std::filesystem::remove_all(dir, ec);
  } else {
    std::printf("bench_checkout: kept %s\n", dir.c_str());
  }
  if (options.enforce && !all_ok) return 1;
  return 0;
}
