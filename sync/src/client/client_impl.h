// SyncClient's shared state and its two loops (client.h): the uplink (uplink_loop.cc) and the
// downlink (downlink_loop.cc).
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "loyalty/sync/backoff.h"
#include "loyalty/sync/client.h"
#include "loyalty/sync/https.h"

namespace loyalty::sync::client {

struct Shared {
  SyncClientOptions options;
  std::shared_ptr<TerminalLedger> ledger;
  std::optional<boost::asio::ssl::context> tls;

  std::atomic<bool> stopping{false};
  std::mutex mutex;              // guards what follows
  std::condition_variable wake;  // the uplink waits on it: new events, or stopping
  std::int64_t advanced_to = 0;  // the highest seq ledger_advanced() reported
  SyncStatus status;
  bool uplink_ok = false;
  bool downlink_ok = false;

  // Both loops' HTTPS clients, so stop() can cancel what is in flight.
  HttpsClient* uplink_client = nullptr;
  HttpsClient* downlink_client = nullptr;

  Timestamp now() const { return options.clock(); }
  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }
  // Changes the status under the lock, derives the phase, and reports a change.
  template <class Change>
  void update(Change change) {
    SyncStatus copy;
    bool changed = false;
    {
      std::lock_guard lock(mutex);
      const SyncStatus before = status;
      change(status);
      derive_phase();
      changed = !(status == before);
      copy = status;
    }
    if (changed && options.on_status) options.on_status(copy);
  }
  // Sleeps up to `wait` (false when stopping).
  bool sleep(std::chrono::milliseconds wait);

 private:
  void derive_phase();
};

// A loop's kept-alive HTTPS client to HQ, registered in `slot` (so stop() can cancel what it
// has in flight) for its lifetime.
class LoopClient {
 public:
  LoopClient(Shared& shared, HttpsClient* Shared::*slot);
  ~LoopClient();
  HttpsClient& https() { return https_; }

 private:
  Shared& shared_;
  HttpsClient* Shared::*slot_;
  HttpsClient https_;
};

// Runs `step` until stop(). After a failure: `on_failure` (the loop forgets what it knew of the
// connection), the connection dropped, the status offline with the error, and a wait from
// `backoff`; a success resets the backoff. `ok` is the loop's flag in Shared (uplink_ok...).
void run_with_retries(Shared& shared, HttpsClient& https, Backoff& backoff, bool Shared::*ok,
                      const char* name, const std::function<Status()>& step,
                      const std::function<void()>& on_failure);

void run_uplink(Shared& shared);
void run_downlink(Shared& shared);

}  // namespace loyalty::sync::client
