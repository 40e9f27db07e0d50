// HqService: loyalty-hq's HTTPS service. It serves the HTTP API of api.h over an HttpsServer
// (mutual TLS, https.h) and keeps the chain's HqStore (hq_store.h) behind it.
//
// HqStore calls block (SQLite with synchronous=FULL waits for fsync), so none runs on the
// io_context's thread: a small pool of worker threads runs them, each with its own store object
// from `store_factory`, and posts each answer back to the io thread, where the responder is
// called. Besides answering requests the service
// - applies the journal to the HQ ledger after every batch that stored new events (coalesced:
//   at most one apply waits while one runs), and every apply_interval;
// - holds downlink long polls and answers them as soon as something is there for the terminal.
//   What is published may come from another process writing the same store (`loyalty-hq
//   publish`), so while polls wait it asks the store for its latest version every
//   watch_interval, and again after each apply that changed customers.
//
// It logs one line per batch through `log` (terminal ids, seq numbers, counts and refusal
// reasons; never event payloads, keys or card numbers).
//
// Thread-safety: start() runs before the io_context runs or on its thread; stop() and the
// destructor on the io_context's thread or once it no longer runs. stats() and port() may be
// called from any thread. `clock` and `log` are called on the io_context's thread only;
// `store_factory` once on each worker thread, at start.
//
// Ownership: the service borrows `io`, which must outlive it; it owns its server, its TLS
// context, its workers and their stores.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"

namespace loyalty::sync {

// Opens one store object (e.g. open_sqlite_hq_store on the HQ's file); called once per worker.
using HqStoreFactory = std::function<Result<std::unique_ptr<HqStore>>()>;
// The current time, for what the store records (received_at, apply's expiry).
using HqClock = std::function<Timestamp()>;
// Receives one log line, without its newline.
using HqLog = std::function<void(std::string_view line)>;

struct HqServiceOptions {
  std::string listen_address = "127.0.0.1";          // an IP address: "0.0.0.0", "::"
  std::uint16_t listen_port = 8443;                  // 0: any free port (see HqService::port)
  TlsFiles tls;                                      // HQ's certificate and key, the terminals' CA
  std::size_t workers = limits::hq_workers_default;  // 1..limits::hq_workers_max
  HqStoreFactory store_factory;                      // required
  HqClock clock;                                     // empty: the system clock
  HqLog log;                                         // empty: standard error
  HttpsServerOptions server;
  std::chrono::milliseconds watch_interval{limits::hq_watch_interval_ms};
  std::chrono::milliseconds apply_interval{limits::hq_apply_interval_ms};
};

// What the service did since it started. A snapshot; the counters only grow.
struct HqServiceStats {
  std::int64_t batches = 0;               // batches answered 200 (accepted or quarantined)
  std::int64_t events_stored = 0;         // new events those batches brought
  std::int64_t events_duplicate = 0;      // events HQ held already
  std::int64_t quarantines = 0;           // batches answered "quarantined"
  std::int64_t batches_refused = 0;       // batches answered 400 or 403 (nothing stored)
  std::int64_t store_failures = 0;        // requests answered 503
  std::int64_t events_applied = 0;        // events the service's applies brought to the HQ ledger
  std::int64_t long_polls_answered = 0;   // downlink long polls answered with items
  std::int64_t long_polls_timed_out = 0;  // ... and with none at their deadline
};

class HqService {
 public:
  // Loads the TLS files, opens a store on each worker and listens. Errors: invalid_argument for
  // options that cannot work (no store factory, workers out of range), the TLS context's errors
  // naming the file, the first store that fails to open, and io_error when it cannot listen.
  static Result<std::unique_ptr<HqService>> start(boost::asio::io_context& io,
                                                  HqServiceOptions options);
  ~HqService();
  HqService(const HqService&) = delete;
  HqService& operator=(const HqService&) = delete;

  // The port it listens on (the chosen one when listen_port was 0).
  std::uint16_t port() const { return port_; }
  // Stops listening, closes every connection (waiting polls are dropped), stops the timers and
  // joins the workers after the store call each may be in; queued work is dropped (a client
  // whose request was dropped retries). Idempotent.
  void stop();
  HqServiceStats stats() const;

  struct State;  // the service's shared state (src/service/service_state.h)

 private:
  HqService(std::shared_ptr<State> state, std::uint16_t port)
      : state_(std::move(state)), port_(port) {}

  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace loyalty::sync
