// HqService::State: what the HQ service's parts share — the options, the server, the workers,
// the timers, the waiting long polls and the counters — and run_on_worker(), the one way work
// leaves the io thread and comes back.
//
// Ownership: HqService holds the only lasting reference; everything queued or posted holds a
// weak one, so a stopped service's late answers are dropped. Thread-safety: the fields marked
// "io thread" are used on the io_context's thread only; `counters` from any thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/https.h"
#include "service/worker_pool.h"

namespace loyalty::sync {

namespace service {

// A downlink request held until something is there for its terminal, or its deadline.
struct ParkedPoll {
  std::uint64_t id = 0;
  TerminalIdentity terminal;
  std::int64_t after = 0;
  std::size_t items_max = 0;
  std::int64_t latest = 0;  // what the store said when the poll was parked
  std::chrono::steady_clock::time_point deadline;
  HttpsResponder respond;
};

struct Counters {
  std::atomic<std::int64_t> batches{0};
  std::atomic<std::int64_t> events_stored{0};
  std::atomic<std::int64_t> events_duplicate{0};
  std::atomic<std::int64_t> quarantines{0};
  std::atomic<std::int64_t> batches_refused{0};
  std::atomic<std::int64_t> store_failures{0};
  std::atomic<std::int64_t> events_applied{0};
  std::atomic<std::int64_t> long_polls_answered{0};
  std::atomic<std::int64_t> long_polls_timed_out{0};
};

}  // namespace service

struct HqService::State {
  State(boost::asio::io_context& io_context, HqServiceOptions service_options)
      : io(io_context),
        options(std::move(service_options)),
        watch_timer(io_context),
        apply_timer(io_context) {}

  boost::asio::io_context& io;
  HqServiceOptions options;                      // clock and log are set
  std::optional<boost::asio::ssl::context> tls;  // outlives the server
  std::unique_ptr<service::WorkerPool> pool;
  std::unique_ptr<HttpsServer> server;
  boost::asio::steady_timer watch_timer;  // io thread
  boost::asio::steady_timer apply_timer;  // io thread
  service::Counters counters;

  // io thread:
  bool stopped = false;
  std::vector<service::ParkedPoll> polls;  // in arrival order, at most limits::hq_long_polls_max
  std::uint64_t polls_parked = 0;          // ids of ParkedPoll
  bool check_running = false;              // a look for what the polls wait for is on a worker
  bool check_again = false;                // ... and another is wanted after it
  bool apply_running = false;
  bool apply_again = false;
};

namespace service {

using StatePtr = std::shared_ptr<HqService::State>;

// Runs `work(store)` on a worker, then `done(state, result)` (a StatePtr) on the io thread unless
// the service stopped meanwhile. False when the job cannot be queued (the queue is full or the pool
// stopping); then neither runs.
template <class Work, class Done>
bool run_on_worker(const StatePtr& state, Work work, Done done) {
  std::weak_ptr<HqService::State> weak = state;
  boost::asio::io_context* io = &state->io;  // outlives the service, and so every job
  return state->pool->submit([weak, io, work = std::move(work),
                              done = std::move(done)](HqStore& store) mutable {
    auto result = work(store);
    boost::asio::post(*io, [weak, result = std::move(result), done = std::move(done)]() mutable {
      const StatePtr alive = weak.lock();
      if (!alive || alive->stopped) return;
      done(alive, std::move(result));
    });
  });
}

}  // namespace service

}  // namespace loyalty::sync
