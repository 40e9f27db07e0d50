// Where sync with HQ plugs into loyaltyd. The daemon tells its SyncLink about every event the
// ledger wrote (the event chain is the outbox) and asks it for its state, which /v1/health, the
// event stream and the till panel show.
// - OfflineSync, when the configuration has no [sync] section: everything stays in the ledger and
//   the state is "offline" (redemption stays held to each card's offline floor limit);
// - HqLink (hq_link.h): the sync client of loyalty::sync on its own threads, shipping the outbox
//   from the last seq HQ holds and applying what HQ sends on the storage thread.
//
// Thread-safety: the loop's thread only.
#pragma once

#include <cstdint>
#include <string>

#include "loyalty/core/json.h"

namespace loyalty::daemon {

enum class SyncState { offline, syncing, in_sync, quarantined };
const char* sync_state_name(SyncState state);

class SyncLink {
 public:
  virtual ~SyncLink() = default;
  virtual SyncState state() const = 0;
  // The ledger wrote events up to `seq` (a commit, a refund): there is more to ship.
  virtual void ledger_advanced(std::int64_t seq) = 0;
  // The last seq HQ acknowledged; 0 when none.
  virtual std::int64_t acknowledged_seq() const = 0;
  // The details as one JSON value where `out` expects one: an object (backlog, rate, time left,
  // last error), or null without a link to HQ.
  virtual void write_detail(json::Writer& out) const { out.null(); }
  // Stops the link's threads before the storage thread stops.
  virtual void stop() {}
};

class OfflineSync final : public SyncLink {
 public:
  SyncState state() const override { return SyncState::offline; }
  void ledger_advanced(std::int64_t seq) override {
    if (seq > pending_through_) pending_through_ = seq;
  }
  std::int64_t acknowledged_seq() const override { return 0; }
  std::int64_t pending_through() const { return pending_through_; }

 private:
  std::int64_t pending_through_ = 0;
};

}  // namespace loyalty::daemon
