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
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_hq_ingest: %s\n", what.c_str());
  std::exit(2);
}

template <class T>
T ok_or_die(Result<T> result, const std::string& what) {
  if (!result.ok()) die(what + ": " + result.error().message);
  return std::move(result).value();
}
void ok_or_die(const Status& status, const std::string& what) {
  if (!status.ok()) die(what + ": " + status.error().message);
}

struct Options {
  std::int64_t events = 100'000;
  int terminals = 50;
  int batch = 500;
  int threads = 8;
  int blocks = 50;
  std::string dir;
  bool keep = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      const std::string prefix = std::string(name) + "=";
      return a.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (const char* v = value("--events")) {
      o.events = std::atoll(v);
    } else if (const char* v = value("--terminals")) {
      o.terminals = std::atoi(v);
    } else if (const char* v = value("--batch")) {
      o.batch = std::atoi(v);
    } else if (const char* v = value("--threads")) {
      o.threads = std::atoi(v);
    } else if (const char* v = value("--blocks")) {
      o.blocks = std::atoi(v);
    } else if (const char* v = value("--dir")) {
      o.dir = v;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a.rfind("--benchmark_", 0) != 0) {
      die("unknown flag " + a);
    }
  }
  if (o.events < o.terminals || o.terminals < 1 || o.batch < 1 || o.batch > 1000 || o.threads < 1) {
    die("bad flags");
  }
  return o;
}

// A terminal's chain: checkout events with an annex like the ledger writes, hashed and linked.
std::vector<WireEvent> make_chain(const TerminalIdentity& t, const std::string& epoch,
                                  std::int64_t count, int index) {
  std::vector<WireEvent> events;
  events.reserve(static_cast<std::size_t>(count));
  std::string link;
  for (std::int64_t seq = 1; seq <= count; ++seq) {
    WireEvent e;
    e.seq = seq;
    e.kind = "checkout";
    e.receipt_id = t.terminal_id + "-R" + std::to_string(seq);
    char customer[40];
    std::snprintf(customer, sizeof customer, "ps1_%08x%024x", index,
                  static_cast<unsigned>(seq % 97));
    const std::int64_t spend = 1000 + (seq * 37) % 9000;
    const std::int64_t points = spend / 100;
    e.payload = "{\"receipt_id\":\"" + e.receipt_id +
                "\",\"currency\":\"EUR\",\"totals\":{\"gross\":" + std::to_string(spend) +
                ",\"discount\":0,\"net\":" + std::to_string(spend) +
                "},\"points\":{\"earned\":" + std::to_string(points) +
                ",\"burned\":0},\"tier\":{\"before\":null,\"after\":null,\"review_at\":null},"
                "\"lines\":[{\"sku\":\"4006381333931\",\"quantity\":1,\"unit_price\":" +
                std::to_string(spend) + "}]}";
    e.annex = std::string("{\"key_id\":\"pk1\",\"customer\":\"") + customer +
              "\",\"spend_minor\":" + std::to_string(spend) +
              ",\"movements\":[{\"code\":\"earn\",\"debit\":\"issuance\",\"credit\":"
              "\"customer_points:" +
              customer + "\",\"points\":" + std::to_string(points) +
              ",\"source\":\"earn.base\",\"line\":null,\"lot\":null}]}";
    e.created_at = Timestamp{1796634000 + seq};
    e.prev_hash = link;
    e.payload_hash = storage::sha256_hex(storage::event_hash_input(
        t.terminal_id, epoch, e.seq, e.kind, e.receipt_id, e.payload, e.annex));
    link = e.payload_hash;
    events.push_back(std::move(e));
  }
  return events;
}

Batch slice(const TerminalIdentity& t, const std::string& epoch,
            const std::vector<WireEvent>& chain, std::size_t from, std::size_t to) {
  Batch b;
  b.store_id = t.store_id;
  b.terminal_id = t.terminal_id;
  b.epoch = epoch;
  b.from_seq = chain[from].seq;
  b.to_seq = chain[to - 1].seq;
  b.prev_hash = chain[from].prev_hash;
  b.events.assign(chain.begin() + static_cast<std::ptrdiff_t>(from),
                  chain.begin() + static_cast<std::ptrdiff_t>(to));
  return b;
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
  const Options o = parse(argc, argv);
  std::string base = o.dir.empty() ? std::string(LOYALTY_BENCH_WORK_DIR) : o.dir;
  std::filesystem::create_directories(base);
  std::string pattern = base + "/hq-ingest-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp in " + base + ": " + std::strerror(errno));
  const std::string dir = pattern;
  const Timestamp now{static_cast<std::int64_t>(std::time(nullptr))};

  // The development CA, HQ's certificate and one certificate per terminal.
  ok_or_die(ca_init(CaInit{dir + "/ca", "bench CA", 30, now}), "ca init");
  CaIssue server;
  server.ca_directory = dir + "/ca";
  server.out_directory = dir + "/server";
  server.server_names = {"127.0.0.1"};
  server.not_before = now;
  ok_or_die(ca_issue(server), "ca issue server");
  std::vector<TerminalIdentity> terminals;
  for (int i = 0; i < o.terminals; ++i) {
    TerminalIdentity t{"store-" + std::to_string(i / 5), "till-" + std::to_string(i)};
    CaIssue issue;
    issue.ca_directory = dir + "/ca";
    issue.out_directory = dir + "/t" + std::to_string(i);
    issue.terminal = t;
    issue.not_before = now;
    ok_or_die(ca_issue(issue), "ca issue terminal");
    terminals.push_back(t);
  }
  const std::string epoch = "00000000000000aa";
  const std::int64_t per_terminal = o.events / o.terminals;
  std::vector<std::vector<WireEvent>> chains;
  for (int i = 0; i < o.terminals; ++i) {
    chains.push_back(make_chain(terminals[static_cast<std::size_t>(i)], epoch, per_terminal, i));
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
  service_options.tls =
      TlsFiles{dir + "/server/server.crt", dir + "/server/server.key", dir + "/ca/ca.crt"};
  service_options.workers = 2;
  const std::string hq_path = dir + "/hq.db";
  service_options.store_factory = [hq_path] { return open_sqlite_hq_store(hq_path); };
  service_options.log = [](std::string_view) {};
  auto service = ok_or_die(HqService::start(io, service_options), "HqService::start");
  std::thread io_thread([&io] { io.run(); });

  // Each client thread takes terminals round-robin and ships each one's chain in order.
  std::mutex latencies_mutex;
  std::vector<double> latencies_ms;
  std::atomic<std::int64_t> acked{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < o.threads; ++c) {
    clients.emplace_back([&, c] {
      std::vector<double> mine;
      for (int i = c; i < o.terminals; i += o.threads) {
        const std::string prefix = dir + "/t" + std::to_string(i) + "/terminal";
        auto tls = make_client_context(
            TlsFiles{prefix + ".crt", prefix + ".key", dir + "/t" + std::to_string(i) + "/ca.crt"});
        if (!tls.ok()) {
          std::fprintf(stderr, "client tls: %s\n", tls.error().message.c_str());
          failed = true;
          return;
        }
        HttpsClient client(*tls, HttpsClientOptions{"127.0.0.1", service->port()});
        const auto& chain = chains[static_cast<std::size_t>(i)];
        for (std::size_t from = 0; from < chain.size(); from += static_cast<std::size_t>(o.batch)) {
          const std::size_t to = std::min(chain.size(), from + static_cast<std::size_t>(o.batch));
          HttpsRequest request;
          request.method = "POST";
          request.target = std::string(api::batches_path);
          request.content_type = std::string(api::json_type);
          request.content_encoding = std::string(api::zstd_encoding);
          request.body =
              encode_batch(slice(terminals[static_cast<std::size_t>(i)], epoch, chain, from, to));
          const auto sent = Clock::now();
          auto response = client.request(request, std::chrono::seconds(60));
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
          if (!response.ok() || response->status != 200) {
            std::fprintf(stderr, "batch: %s\n",
                         response.ok() ? response->body.c_str() : response.error().message.c_str());
            failed = true;
            return;
          }
          auto ack = decode_ack_json(response->body);
          if (!ack.ok() || ack->held_seq != chain[to - 1].seq) {
            std::fprintf(stderr, "ack: unexpected %s\n", response->body.c_str());
            failed = true;
            return;
          }
          acked += static_cast<std::int64_t>(to - from);
        }
      }
      std::lock_guard lock(latencies_mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : clients) t.join();
  const double ingest_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed || acked != total) die("ingest failed");

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

  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    service->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  guard.reset();
  io.stop();
  io_thread.join();

  std::sort(latencies_ms.begin(), latencies_ms.end());
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
