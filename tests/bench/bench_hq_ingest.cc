// bench_hq_ingest: loyalty-hq's ingest on its embedded SQLite store, over HTTPS with mutual TLS,
// against a bare SQLite insert of the same rows, side by side in one run.
//
//   A  HqService (2 workers) on loopback with real certificates from the development CA; 50
//      terminals, each its own client certificate and kept-alive HttpsClient, ship their chains
//      of events (checkout events with a ledger annex, real hashes and links) in batches of
//      --batch events, from --threads client threads. Timed from the first request to the last
//      Ack: every batch zstd-compressed, sent, decompressed, every hash recomputed, stored
//      idempotently in one transaction with synchronous=FULL (fsync) and acknowledged.
//   B  The same rows into a plain table of the same columns on a second SQLite file in the same
//      directory (WAL, synchronous=FULL), one transaction per batch, one thread: what the disk
//      and SQLite cost without the protocol.
//
// Reported: events per second of each, the ratio, batch round trips (p50, p99), and the
// background cost HQ pays after ingest: the time until its ledger has applied every event
// (HqStore::apply, run by the service).
//
//   C  Blocklist latency: a terminal's sync client (its ledger a real SQLite file) long-polls the
//      same service; a card is blocked at HQ (HqStore::publish from another store object, as
//      `loyalty-hq publish block` does) and the time until the terminal's ledger refuses it
//      (the block is in its blocked_pseudonyms) is measured, --blocks times (default 50).
//
// docs/PERFORMANCE.md ("Sync") records the figures.
//
// Flags: --events=N (default 100000), --terminals=N (50), --batch=N (500), --threads=N (8),
// --blocks=N (50), --dir=PATH (default: the build tree, a real disk where /tmp may be tmpfs),
// --keep.
// Exit 2 on a setup failure.

#include <sqlite3.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "hq_bench_common.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/client.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"

namespace {

using namespace loyalty;
using namespace loyalty::sync;
using hq_bench::Clock;
using hq_bench::die;
using hq_bench::ok_or_die;

struct Options : hq_bench::IngestFlags {
  Options() {
    events = 100'000;
    terminals = 50;
  }
  int blocks = 50;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (hq_bench::ingest_flag(argv[i], o)) continue;
    if (const char* v = hq_bench::flag_value(argv[i], "--blocks")) {
      o.blocks = std::atoi(v);
    } else if (a.rfind("--benchmark_", 0) != 0) {
      die("unknown flag " + a);
    }
  }
  if (o.events < o.terminals || o.terminals < 1 || o.batch < 1 || o.batch > 1000 || o.threads < 1) {
    die("bad flags");
  }
  return o;
}

void sqlite_or_die(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    die(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

// B: the same rows into a plain table, one transaction per batch.
double bare_insert(const std::string& path, const std::vector<TerminalIdentity>& terminals,
                   const std::string& epoch, const std::vector<std::vector<WireEvent>>& chains,
                   int batch) {
  sqlite3* db = nullptr;
  sqlite_or_die(db, sqlite3_open(path.c_str(), &db), "open");
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "CREATE TABLE journal (store_id TEXT NOT NULL, terminal_id TEXT NOT "
                             "NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
                             " receipt_id TEXT NOT NULL, payload TEXT NOT NULL, payload_hash TEXT "
                             "NOT NULL, prev_hash TEXT NOT NULL, created_at INTEGER NOT NULL, "
                             "received_at INTEGER NOT NULL, annex TEXT NOT NULL, PRIMARY KEY "
                             "(store_id, terminal_id, epoch, seq)) WITHOUT ROWID, STRICT"}) {
    sqlite_or_die(db, sqlite3_exec(db, pragma, nullptr, nullptr, nullptr), pragma);
  }
  sqlite3_stmt* insert = nullptr;
  sqlite_or_die(db,
                sqlite3_prepare_v2(db,
                                   "INSERT INTO journal VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                                   " ?10, ?11, ?12)",
                                   -1, &insert, nullptr),
                "prepare");
  const auto start = Clock::now();
  for (std::size_t t = 0; t < terminals.size(); ++t) {
    const auto& chain = chains[t];
    for (std::size_t from = 0; from < chain.size(); from += static_cast<std::size_t>(batch)) {
      const std::size_t to = std::min(chain.size(), from + static_cast<std::size_t>(batch));
      sqlite_or_die(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "BEGIN");
      for (std::size_t i = from; i < to; ++i) {
        const WireEvent& e = chain[i];
        sqlite3_bind_text(insert, 1, terminals[t].store_id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, terminals[t].terminal_id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, epoch.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 4, e.seq);
        sqlite3_bind_text(insert, 5, e.kind.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 6, e.receipt_id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 7, e.payload.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 8, e.payload_hash.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 9, e.prev_hash.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 10, e.created_at.unix_seconds);
        sqlite3_bind_int64(insert, 11, 1796640000);
        sqlite3_bind_text(insert, 12, e.annex.c_str(), -1, SQLITE_STATIC);
        sqlite_or_die(db, sqlite3_step(insert), "insert");
        sqlite3_reset(insert);
      }
      sqlite_or_die(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "COMMIT");
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  hq_bench::program_name = "bench_hq_ingest";
  const Options o = parse(argc, argv);
  std::string base = o.dir.empty() ? std::string(LOYALTY_BENCH_WORK_DIR) : o.dir;
  std::filesystem::create_directories(base);
  std::string pattern = base + "/hq-ingest-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp in " + base + ": " + std::strerror(errno));
  const std::string dir = pattern;
  const Timestamp now{static_cast<std::int64_t>(std::time(nullptr))};

  // The development CA, HQ's certificate and one certificate per terminal.
  const std::vector<TerminalIdentity> terminals = hq_bench::make_pki(dir, o.terminals, now);
  const std::string epoch = "00000000000000aa";
  const std::int64_t per_terminal = o.events / o.terminals;
  std::vector<std::vector<WireEvent>> chains;
  for (int i = 0; i < o.terminals; ++i) {
    chains.push_back(
        hq_bench::make_chain(terminals[static_cast<std::size_t>(i)], epoch, per_terminal, i));
  }
  const std::int64_t total = per_terminal * o.terminals;
  std::printf(
      "bench_hq_ingest: %lld events from %d terminals, batches of %d, %d client threads, "
      "files in %s\n",
      static_cast<long long>(total), o.terminals, o.batch, o.threads, dir.c_str());

  // B first (the disk is then as warm for A as it was for B).
  const double bare_seconds = bare_insert(dir + "/bare.db", terminals, epoch, chains, o.batch);

  // A: the service.
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  HqServiceOptions service_options;
  service_options.listen_port = 0;
  service_options.tls = hq_bench::server_tls(dir);
  service_options.workers = 2;
  const std::string hq_path = dir + "/hq.db";
  service_options.store_factory = [hq_path] { return open_sqlite_hq_store(hq_path); };
  service_options.log = [](std::string_view) {};
  auto service = ok_or_die(HqService::start(io, service_options), "HqService::start");
  std::thread io_thread([&io] { io.run(); });

  // Each client thread takes terminals round-robin and ships each one's chain in order.
  hq_bench::ShipOptions ship_options;
  ship_options.port = service->port();
  ship_options.batch = o.batch;
  ship_options.threads = o.threads;
  const auto start = Clock::now();
  hq_bench::ShipResult shipped = hq_bench::ship(dir, terminals, epoch, chains, ship_options);
  const double ingest_seconds = shipped.seconds;
  if (shipped.failed || shipped.acked != total) die("ingest failed");
  const std::vector<double>& latencies_ms = shipped.latencies_ms;

  // The background cost: until the HQ ledger has applied every event.
  while (service->stats().events_applied < total) {
    if (std::chrono::duration<double>(Clock::now() - start).count() > 600) die("apply stalled");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double applied_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // C: blocklist latency, HQ's publish to the terminal's ledger.
  std::vector<double> block_ms;
  {
    storage::LedgerOptions ledger_options;
    ledger_options.terminal_id = terminals[0].terminal_id;
    ledger_options.now = now;
    storage::Ledger till =
        ok_or_die(storage::Ledger::open(dir + "/till.db", ledger_options), "terminal ledger");
    storage::Ledger watcher = ok_or_die(storage::Ledger::open(dir + "/till.db", ledger_options),
                                        "terminal ledger (watcher)");
    SyncClientOptions client_options;
    client_options.store_id = terminals[0].store_id;
    client_options.hq_host = "127.0.0.1";
    client_options.hq_port = service->port();
    client_options.tls =
        TlsFiles{dir + "/t0/terminal.crt", dir + "/t0/terminal.key", dir + "/t0/ca.crt"};
    client_options.long_poll = std::chrono::milliseconds(25'000);
    auto client = ok_or_die(
        SyncClient::start(client_options, locked_terminal_ledger(till, [now] { return now; })),
        "sync client");
    auto publisher = ok_or_die(open_sqlite_hq_store(hq_path), "publisher store");
    auto blocked = [&](const std::string& pseudonym) {
      auto select = ok_or_die(
          storage::Statement::prepare(watcher.database(),
                                      "SELECT 1 FROM blocked_pseudonyms WHERE pseudonym = ?1"),
          "select");
      ok_or_die(select.bind_text(1, pseudonym), "bind");
      return ok_or_die(select.step(), "step") == storage::Step::row;
    };
    // Let the client catch up on what the ingest made (customer states) first.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    for (int i = 0; i < o.blocks; ++i) {
      char pseudonym[40];
      std::snprintf(pseudonym, sizeof pseudonym, "ps1_%032x",
                    0xb10c0000u + static_cast<unsigned>(i));
      std::this_thread::sleep_for(std::chrono::milliseconds(37 * (i % 7)));  // any phase
      const auto published = Clock::now();
      ok_or_die(
          publisher->publish(terminals[0].store_id, BlockItem{pseudonym, "stolen", true}, now),
          "publish");
      while (!blocked(pseudonym)) {
        if (Clock::now() - published > std::chrono::seconds(30)) die("block never arrived");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      block_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - published).count());
    }
    client->stop();
  }
  std::sort(block_ms.begin(), block_ms.end());

  hq_bench::stop_service(io, *service, io_thread);

  const double hq_rate = static_cast<double>(total) / ingest_seconds;
  const double bare_rate = static_cast<double>(total) / bare_seconds;
  std::printf("\n  %-44s %10.0f events/s  (%.2f s)\n", "A  HQ ingest over HTTPS + mTLS", hq_rate,
              ingest_seconds);
  std::printf("  %-44s %10.0f events/s  (%.2f s)\n", "B  bare SQLite insert, same rows", bare_rate,
              bare_seconds);
  std::printf("  %-44s %10.2f\n", "A / B (throughput ratio)", hq_rate / bare_rate);
  std::printf("  %-44s p50 %.1f ms, p99 %.1f ms over %zu batches\n", "batch round trip",
              loyalty_bench::percentile(latencies_ms, 50),
              loyalty_bench::percentile(latencies_ms, 99), latencies_ms.size());
  std::printf("  %-44s %.2f s after the first batch (%.0f events/s end to end)\n",
              "HQ ledger applied every event", applied_seconds,
              static_cast<double>(total) / applied_seconds);
  std::printf("  %-44s p50 %.0f ms, p99 %.0f ms, max %.0f ms over %zu blocks\n",
              "C  blocklist: HQ publish -> terminal ledger",
              loyalty_bench::percentile(block_ms, 50), loyalty_bench::percentile(block_ms, 99),
              block_ms.empty() ? 0.0 : block_ms.back(), block_ms.size());
  if (!o.keep) std::filesystem::remove_all(dir);
  return 0;
}
