// What the HQ ingest benchmarks share (bench_hq_ingest: the SQLite store; bench_hq_postgres:
// PostgreSQL): the failure exit, the development PKI with one client certificate per terminal,
// the terminals' chains of checkout events (hashed and linked as a till's ledger writes them),
// the batches cut from them, and the terminals shipping their batches to an HqService over
// HTTPS with mutual TLS from a few client threads, each batch's Ack checked.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/events.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"

namespace hq_bench {

using loyalty::Result;
using loyalty::Status;
using loyalty::Timestamp;
using loyalty::sync::Batch;
using loyalty::sync::TerminalIdentity;
using loyalty::sync::TlsFiles;
using loyalty::sync::WireEvent;
using Clock = std::chrono::steady_clock;

// The program's name in failure messages; main() sets it first.
inline const char* program_name = "bench";

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program_name, what.c_str());
  std::exit(2);
}

template <class T>
T ok_or_die(Result<T> result, const std::string& what) {
  if (!result.ok()) die(what + ": " + result.error().message);
  return std::move(result).value();
}
inline void ok_or_die(const Status& status, const std::string& what) {
  if (!status.ok()) die(what + ": " + status.error().message);
}

// CPU seconds (user + system) of RUSAGE_SELF, RUSAGE_THREAD (the calling thread) or
// RUSAGE_CHILDREN (the children waited for).
inline double cpu_seconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
inline double thread_cpu_seconds() { return cpu_seconds(RUSAGE_THREAD); }

// --- Flags --------------------------------------------------------------------------------------

// The flags both benchmarks take; each program sets its own defaults.
struct IngestFlags {
  std::int64_t events = 0;
  int terminals = 0;
  int batch = 500;
  int threads = 8;
  std::string dir;  // default: the build tree (a real disk, where /tmp may be tmpfs)
  bool keep = false;
};

// The value of "--name=value" in `arg`, or null.
inline const char* flag_value(const char* arg, const char* name) {
  const std::size_t length = std::strlen(name);
  return std::strncmp(arg, name, length) == 0 && arg[length] == '=' ? arg + length + 1 : nullptr;
}

// Takes `arg` when it is one of IngestFlags' (--events, --terminals, --batch, --threads, --dir,
// --keep); false when it is not.
inline bool ingest_flag(const char* arg, IngestFlags& flags) {
  if (const char* v = flag_value(arg, "--events")) {
    flags.events = std::atoll(v);
  } else if (const char* v = flag_value(arg, "--terminals")) {
    flags.terminals = std::atoi(v);
  } else if (const char* v = flag_value(arg, "--batch")) {
    flags.batch = std::atoi(v);
  } else if (const char* v = flag_value(arg, "--threads")) {
    flags.threads = std::atoi(v);
  } else if (const char* v = flag_value(arg, "--dir")) {
    flags.dir = v;
  } else if (std::strcmp(arg, "--keep") == 0) {
    flags.keep = true;
  } else {
    return false;
  }
  return true;
}

// --- The PKI ------------------------------------------------------------------------------------

// The development CA in DIR/ca, HQ's certificate for 127.0.0.1 in DIR/server and one client
// certificate per terminal in DIR/t<i>. Terminal i is till-<i> of store-<i / 5>.
inline std::vector<TerminalIdentity> make_pki(const std::string& dir, int terminals,
                                              Timestamp now) {
  using namespace loyalty::sync;
  ok_or_die(ca_init(CaInit{dir + "/ca", "bench CA", 30, now}), "ca init");
  CaIssue server;
  server.ca_directory = dir + "/ca";
  server.out_directory = dir + "/server";
  server.server_names = {"127.0.0.1"};
  server.not_before = now;
  ok_or_die(ca_issue(server), "ca issue server");
  std::vector<TerminalIdentity> identities;
  for (int i = 0; i < terminals; ++i) {
    TerminalIdentity t{"store-" + std::to_string(i / 5), "till-" + std::to_string(i)};
    CaIssue issue;
    issue.ca_directory = dir + "/ca";
    issue.out_directory = dir + "/t" + std::to_string(i);
    issue.terminal = t;
    issue.not_before = now;
    ok_or_die(ca_issue(issue), "ca issue terminal");
    identities.push_back(t);
  }
  return identities;
}

inline TlsFiles server_tls(const std::string& dir) {
  return TlsFiles{dir + "/server/server.crt", dir + "/server/server.key", dir + "/ca/ca.crt"};
}

inline TlsFiles terminal_tls(const std::string& dir, int index) {
  const std::string prefix = dir + "/t" + std::to_string(index);
  return TlsFiles{prefix + "/terminal.crt", prefix + "/terminal.key", prefix + "/ca.crt"};
}

// --- The chains ---------------------------------------------------------------------------------

// What a chain's checkout events look like. The defaults are bench_hq_ingest's events: one
// receipt line, an annex with one earn movement (no lot, no tier report), 97 customers per
// terminal.
struct ChainShape {
  int lines = 1;              // receipt lines in each payload
  bool lot_and_tier = false;  // the earn movement's lot and the annex's tier report (docs/sync.md)
  Timestamp first_created_at{1796634000};  // seq s is created at first_created_at + s
  // The pseudonym of event `seq` of terminal `index`; empty: "ps1_<index><seq % 97>".
  std::function<std::string(int index, std::int64_t seq)> customer;
};

// A terminal's chain: checkout events with an annex like the ledger writes, hashed and linked.
inline std::vector<WireEvent> make_chain(const TerminalIdentity& t, const std::string& epoch,
                                         std::int64_t count, int index,
                                         const ChainShape& shape = {}) {
  std::vector<WireEvent> events;
  events.reserve(static_cast<std::size_t>(count));
  std::string link;
  for (std::int64_t seq = 1; seq <= count; ++seq) {
    WireEvent e;
    e.seq = seq;
    e.kind = "checkout";
    e.receipt_id = t.terminal_id + "-R" + std::to_string(seq);
    std::string customer;
    if (shape.customer) {
      customer = shape.customer(index, seq);
    } else {
      char text[40];
      std::snprintf(text, sizeof text, "ps1_%08x%024x", index, static_cast<unsigned>(seq % 97));
      customer = text;
    }
    const std::int64_t spend = 1000 + (seq * 37) % 9000;
    const std::int64_t points = spend / 100;
    std::string lines =
        "{\"sku\":\"4006381333931\",\"quantity\":1,\"unit_price\":" + std::to_string(spend) + "}";
    for (int line = 1; line < shape.lines; ++line) {
      char sku[16];
      std::snprintf(sku, sizeof sku, "40%011lld",
                    static_cast<long long>((seq * 7919 + line * 104729) % 100000000000LL));
      lines += std::string(",{\"sku\":\"") + sku +
               "\",\"quantity\":" + std::to_string(1 + (seq + line) % 3) +
               ",\"unit_price\":" + std::to_string(99 + (seq * line * 13) % 2000) + "}";
    }
    e.payload = "{\"receipt_id\":\"" + e.receipt_id +
                "\",\"currency\":\"EUR\",\"totals\":{\"gross\":" + std::to_string(spend) +
                ",\"discount\":0,\"net\":" + std::to_string(spend) +
                "},\"points\":{\"earned\":" + std::to_string(points) +
                ",\"burned\":0},\"tier\":{\"before\":null,\"after\":null,\"review_at\":null},"
                "\"lines\":[" +
                lines + "]}";
    e.created_at = Timestamp{shape.first_created_at.unix_seconds + seq};
    const std::string lot = shape.lot_and_tier
                                ? "{\"active_from\":\"" + loyalty::format_timestamp(e.created_at) +
                                      "\",\"expires_at\":\"2027-12-31T23:59:59Z\"}"
                                : std::string("null");
    e.annex = std::string("{\"key_id\":\"pk1\",\"customer\":\"") + customer +
              "\",\"spend_minor\":" + std::to_string(spend) +
              ",\"movements\":[{\"code\":\"earn\",\"debit\":\"issuance\",\"credit\":"
              "\"customer_points:" +
              customer + "\",\"points\":" + std::to_string(points) +
              ",\"source\":\"earn.base\",\"line\":null,\"lot\":" + lot + "}]";
    if (shape.lot_and_tier) {
      e.annex +=
          ",\"tier\":{\"after\":\"base\",\"review_at\":\"2027-12-07T09:00:00Z\","
          "\"period_reset\":false,\"period_spend_delta\":" +
          std::to_string(spend) + ",\"period_points_delta\":" + std::to_string(points) +
          ",\"period_spend\":" + std::to_string(spend) +
          ",\"period_points\":" + std::to_string(points) + "}";
    }
    e.annex += "}";
    e.prev_hash = link;
    e.payload_hash = loyalty::storage::sha256_hex(loyalty::storage::event_hash_input(
        t.terminal_id, epoch, e.seq, e.kind, e.receipt_id, e.payload, e.annex));
    link = e.payload_hash;
    events.push_back(std::move(e));
  }
  return events;
}

// Events [from, to) of a chain as one batch.
inline Batch slice(const TerminalIdentity& t, const std::string& epoch,
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

// --- The service ------------------------------------------------------------------------------

// Stops `service` on its io thread, which runs `io` (kept running by a work guard), and then the
// io thread.
inline void stop_service(boost::asio::io_context& io, loyalty::sync::HqService& service,
                         std::thread& io_thread) {
  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    service.stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  io.stop();
  io_thread.join();
}

// --- Shipping ---------------------------------------------------------------------------------

struct ShipOptions {
  std::uint16_t port = 0;
  int batch = 500;
  int threads = 8;
  // false: each client thread ships one terminal's whole chain, then the next terminal's (its
  // connection opened for the first batch); true: each thread opens its terminals' connections
  // and ships batch 1 of each, then batch 2 of each, ..., so every terminal's kept-alive
  // connection is open for the whole run, as when a chain's tills all sync through the night.
  bool interleave = false;
  // The wire bodies (encode_batch) per terminal, batch by batch, made before the clock starts
  // (as the terminals' own CPUs would); null: each batch is encoded in the timed loop.
  const std::vector<std::vector<std::string>>* bodies = nullptr;
};

struct ShipResult {
  double seconds = 0;                // the first request to the last Ack
  std::vector<double> latencies_ms;  // every batch's round trip, sorted
  std::int64_t acked = 0;            // events acknowledged with the batch's last seq
  bool failed = false;
  double client_cpu_seconds = 0;  // the client threads' CPU (TLS, and encoding when not made)
};

// The terminals ship their chains to HQ on 127.0.0.1:port; every Ack must hold the batch's
// last seq. Terminal i's client certificate is terminal_tls(dir, i).
inline ShipResult ship(const std::string& dir, const std::vector<TerminalIdentity>& terminals,
                       const std::string& epoch, const std::vector<std::vector<WireEvent>>& chains,
                       const ShipOptions& o) {
  namespace api = loyalty::sync::api;
  using loyalty::sync::HttpsClient;
  using loyalty::sync::HttpsClientOptions;
  using loyalty::sync::HttpsRequest;
  ShipResult result;
  std::mutex mutex;
  std::atomic<std::int64_t> acked{0};
  std::atomic<bool> failed{false};
  const std::size_t step = static_cast<std::size_t>(o.batch);

  struct Terminal {
    int index = 0;
    std::unique_ptr<boost::asio::ssl::context> tls;
    std::unique_ptr<HttpsClient> client;
  };
  // Sends batch `number` of terminal t; false on any failure (reported on stderr).
  auto send = [&](Terminal& t, std::size_t number, std::vector<double>& mine) {
    const std::size_t i = static_cast<std::size_t>(t.index);
    const auto& chain = chains[i];
    const std::size_t from = number * step;
    const std::size_t to = std::min(chain.size(), from + step);
    HttpsRequest request;
    request.method = "POST";
    request.target = std::string(api::batches_path);
    request.content_type = std::string(api::json_type);
    request.content_encoding = std::string(api::zstd_encoding);
    request.body = o.bodies != nullptr ? (*o.bodies)[i][number]
                                       : encode_batch(slice(terminals[i], epoch, chain, from, to));
    const auto sent = Clock::now();
    auto response = t.client->request(request, std::chrono::seconds(120));
    mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    if (!response.ok() || response->status != 200) {
      std::fprintf(stderr, "batch: %s\n",
                   response.ok() ? response->body.c_str() : response.error().message.c_str());
      return false;
    }
    auto ack = loyalty::sync::decode_ack_json(response->body);
    if (!ack.ok() || ack->held_seq != chain[to - 1].seq) {
      std::fprintf(stderr, "ack: unexpected %s\n", response->body.c_str());
      return false;
    }
    acked += static_cast<std::int64_t>(to - from);
    return true;
  };
  auto open = [&](int index, Terminal& t) {
    auto tls = loyalty::sync::make_client_context(terminal_tls(dir, index));
    if (!tls.ok()) {
      std::fprintf(stderr, "client tls: %s\n", tls.error().message.c_str());
      return false;
    }
    t.index = index;
    t.tls = std::make_unique<boost::asio::ssl::context>(std::move(tls).value());
    t.client = std::make_unique<HttpsClient>(*t.tls, HttpsClientOptions{"127.0.0.1", o.port});
    return true;
  };

  const int count = static_cast<int>(terminals.size());
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < o.threads; ++c) {
    clients.emplace_back([&, c] {
      const double cpu_before = thread_cpu_seconds();
      std::vector<double> mine;
      if (!o.interleave) {
        for (int i = c; i < count && !failed; i += o.threads) {
          Terminal t;
          if (!open(i, t)) {
            failed = true;
            break;
          }
          const std::size_t batches =
              (chains[static_cast<std::size_t>(i)].size() + step - 1) / step;
          for (std::size_t n = 0; n < batches; ++n) {
            if (!send(t, n, mine)) {
              failed = true;
              break;
            }
          }
        }
      } else {
        std::vector<Terminal> mine_terminals;
        for (int i = c; i < count; i += o.threads) {
          mine_terminals.emplace_back();
          if (!open(i, mine_terminals.back())) failed = true;
        }
        for (std::size_t n = 0; !failed; ++n) {
          bool any = false;
          for (Terminal& t : mine_terminals) {
            if (n * step >= chains[static_cast<std::size_t>(t.index)].size()) continue;
            any = true;
            if (!send(t, n, mine)) {
              failed = true;
              break;
            }
          }
          if (!any) break;
        }
      }
      const double cpu = thread_cpu_seconds() - cpu_before;
      std::lock_guard lock(mutex);
      result.latencies_ms.insert(result.latencies_ms.end(), mine.begin(), mine.end());
      result.client_cpu_seconds += cpu;
    });
  }
  for (std::thread& t : clients) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.acked = acked;
  result.failed = failed;
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

}  // namespace hq_bench
