// HqLink: loyaltyd's SyncLink to HQ (sync_link.h), the sync client of loyalty::sync
// (sync/client.h) on its own threads.
//
// The client reads and writes the ledger through the storage thread (StorageWorker::call), so
// the ledger keeps its one connection and every write stays one transaction there. What it
// reports comes back to the loop: "sync.status" on the event stream (at once when the till goes
// offline, comes back or is quarantined; otherwise at most once a second, the latest status last,
// so a sale's brief "catching up" does not flood the stream) and "sync.applied" after each
// downlink answer; both also refresh the till panel, whose offline badge shows the state.
//
// Ownership: borrows the loop, the worker, the service and the hub, which must outlive it; stop()
// before the worker stops. Thread-safety: the loop's thread (start, stop, the SyncLink calls);
// its callbacks post to the loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "config/config.h"
#include "events/event_hub.h"
#include "loyalty/core/result.h"
#include "loyalty/sync/client.h"
#include "service/storage_worker.h"
#include "service/till_service.h"
#include "sync/sync_link.h"

namespace loyalty::daemon {

struct HqLinkContext {
  boost::asio::io_context* loop = nullptr;
  StorageWorker* worker = nullptr;
  TillService* service = nullptr;
  EventHub* hub = nullptr;
  std::function<Timestamp()> clock;
  std::function<void()>
      on_applied;  // on the loop, after each downlink answer that changed the ledger
};

class HqLink final : public SyncLink {
 public:
  // Reads the trusted keys' files and starts the client. Errors name the configuration key.
  static Result<std::unique_ptr<HqLink>> start(const SyncConfig& config,
                                               const std::string& store_id, HqLinkContext context);
  ~HqLink() override;

  SyncState state() const override;
  void ledger_advanced(std::int64_t seq) override;
  std::int64_t acknowledged_seq() const override;
  void write_detail(json::Writer& out) const override;
  void stop() override;

 private:
  explicit HqLink(HqLinkContext context);
  void on_status(const sync::SyncStatus& status);  // on the loop
  void publish_latest();

  HqLinkContext context_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<sync::SyncClient> client_;
  sync::SyncStatus latest_;
  sync::SyncStatus last_published_;
  std::chrono::steady_clock::time_point published_at_{};
  boost::asio::steady_timer trailing_;
  bool trailing_pending_ = false;
};

}  // namespace loyalty::daemon
