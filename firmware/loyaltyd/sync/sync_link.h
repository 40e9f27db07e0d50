// The seam where sync with HQ plugs into loyaltyd (the sync component, loyalty::sync, is not
// built yet). The daemon tells its SyncLink about every event the ledger wrote (the event chain is
// the outbox) and asks it for its state, which /v1/health, the event stream and the till panel
// show. OfflineSync, the local implementation used until then, keeps everything in the ledger and
// reports "offline": redemption stays held to each card's offline floor limit.
//
// A real link will run on its own strand or thread, ship the outbox from the last seq HQ holds,
// and apply what HQ sends through storage::apply_hq_update on the storage thread.
//
// Thread-safety: the loop's thread only.
#pragma once

#include <cstdint>
#include <string>

namespace loyalty::daemon {

enum class SyncState { offline, syncing, in_sync };
const char* sync_state_name(SyncState state);

class SyncLink {
 public:
  virtual ~SyncLink() = default;
  virtual SyncState state() const = 0;
  // The ledger wrote events up to `seq` (a commit, a refund): there is more to ship.
  virtual void ledger_advanced(std::int64_t seq) = 0;
  // The last seq HQ acknowledged; 0 when none.
  virtual std::int64_t acknowledged_seq() const = 0;
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
