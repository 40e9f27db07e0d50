// locked_terminal_ledger (client.h): a TerminalLedger over a Ledger, one call at a time.

#include <mutex>

#include "loyalty/storage/events.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/sync/client.h"

namespace loyalty::sync {
namespace {

class LockedLedger final : public TerminalLedger {
 public:
  LockedLedger(storage::Ledger& ledger, std::function<Timestamp()> clock)
      : ledger_(ledger), clock_(std::move(clock)) {}

  Result<Head> head() override {
    std::lock_guard lock(mutex_);
    return ledger_head(ledger_);
  }
  Result<std::vector<storage::EventRow>> events_since(std::int64_t after,
                                                      std::size_t count_max) override {
    std::lock_guard lock(mutex_);
    return storage::events_since(ledger_, after, count_max);
  }
  Result<std::int64_t> downlink_version() override {
    std::lock_guard lock(mutex_);
    return storage::applied_downlink_version(ledger_);
  }
  Result<std::vector<storage::HqDeliveredKey>> signing_keys() override {
    std::lock_guard lock(mutex_);
    return storage::delivered_keys(ledger_, storage::HqDeliveredKey::Use::bundle_signing);
  }
  Result<storage::HqUpdateResult> apply(const storage::HqUpdate& update) override {
    std::lock_guard lock(mutex_);
    return storage::apply_hq_update(ledger_, update, clock_());
  }

 private:
  std::mutex mutex_;
  storage::Ledger& ledger_;
  std::function<Timestamp()> clock_;
};

}  // namespace

Result<TerminalLedger::Head> ledger_head(storage::Ledger& ledger) {
  TerminalLedger::Head head;
  head.terminal_id = ledger.terminal_id();
  head.epoch = storage::epoch_hex(ledger.epoch());
  head.last_seq = TRY(storage::last_event_seq(ledger));
  return head;
}

std::shared_ptr<TerminalLedger> locked_terminal_ledger(storage::Ledger& ledger,
                                                       std::function<Timestamp()> clock) {
  return std::make_shared<LockedLedger>(ledger, std::move(clock));
}

}  // namespace loyalty::sync
