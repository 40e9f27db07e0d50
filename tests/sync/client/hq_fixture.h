// A loyalty-hq service in the test process (HqService on its own io thread, a real SQLite store
// or any other the test opens, and real certificates), and a terminal ledger on a real SQLite file, for the sync client's
// end-to-end tests.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"
#include "loyalty/sync/client.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "tls/test_pki.h"

namespace loyalty::sync::test {

inline Timestamp fixed_now() { return Timestamp{1796634000}; }  // 2026-12-07T09:00:00Z

class HqThread {
 public:
  HqThread(const TestPki& pki, std::string db_path, std::uint16_t port = 0)
      : HqThread(pki, [path = std::move(db_path)] { return open_sqlite_hq_store(path); }, port) {}
  // The store each worker (and store()) opens: `factory`.
  HqThread(const TestPki& pki, HqStoreFactory factory, std::uint16_t port = 0)
      : factory_(std::move(factory)) {
    HqServiceOptions options;
    options.listen_port = port;
    options.tls = pki.server_files();
    options.workers = 2;
    options.store_factory = factory_;
    options.log = [](std::string_view) {};
    options.watch_interval = std::chrono::milliseconds(50);
    auto started = HqService::start(io_, options);
    REQUIRE(started.ok());
    service_ = std::move(started).value();
    port_ = service_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HqThread() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    std::promise<void> done;
    boost::asio::post(io_, [this, &done] {
      service_->stop();
      done.set_value();
    });
    done.get_future().wait();
    guard_.reset();
    io_.stop();
    thread_.join();
    service_.reset();
  }
  std::uint16_t port() const { return port_; }
  HqServiceStats stats() const { return service_->stats(); }
  // Another store object on the same store (what `loyalty-hq publish` or `status` would open).
  std::unique_ptr<HqStore> store() const {
    auto opened = factory_();
    REQUIRE(opened.ok());
    return std::move(opened).value();
  }

 private:
  HqStoreFactory factory_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<HqService> service_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

inline storage::Ledger open_terminal_ledger(const std::string& path, std::uint64_t epoch = 7) {
  storage::LedgerOptions options;
  options.terminal_id = TestPki::terminal().terminal_id;
  options.epoch = epoch;
  options.now = fixed_now();
  auto ledger = storage::Ledger::open(path, options);
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

// Appends `count` events (kind "note": journaled at HQ, a no-op for its ledger) in one
// transaction; returns the last seq.
inline std::int64_t append_notes(storage::Ledger& ledger, int count) {
  auto transaction = storage::Transaction::begin(ledger.database());
  REQUIRE(transaction.ok());
  std::int64_t last = 0;
  for (int i = 0; i < count; ++i) {
    auto row = storage::append_event(ledger, *transaction, "note", "",
                                     "{\"n\":" + std::to_string(i) + "}", fixed_now());
    REQUIRE(row.ok());
    last = row->seq;
  }
  REQUIRE(transaction->commit().ok());
  return last;
}

inline SyncClientOptions client_options(const TestPki& pki, std::uint16_t port) {
  SyncClientOptions options;
  options.store_id = TestPki::terminal().store_id;
  options.hq_host = "127.0.0.1";
  options.hq_port = port;
  options.tls = pki.terminal_files();
  options.batch_events = 100;
  options.trickle = std::chrono::milliseconds(50);
  options.long_poll = std::chrono::milliseconds(2000);
  options.request_timeout = std::chrono::milliseconds(3000);
  options.backoff_initial = std::chrono::milliseconds(20);
  options.backoff_max = std::chrono::milliseconds(200);
  options.clock = fixed_now;
  return options;
}

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace loyalty::sync::test
