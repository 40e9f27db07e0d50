#include "sync/worker_ledger.h"

#include "loyalty/storage/events.h"
#include "loyalty/storage/hq_update.h"

namespace loyalty::daemon {
namespace {

class WorkerLedger final : public sync::TerminalLedger {
 public:
  WorkerLedger(StorageWorker& worker, TillService& service, std::function<Timestamp()> clock)
      : worker_(worker), service_(service), clock_(std::move(clock)) {}

  Result<Head> head() override {
    return run([this] { return sync::ledger_head(service_.ledger()); });
  }
  Result<std::vector<storage::EventRow>> events_since(std::int64_t after,
                                                      std::size_t count_max) override {
    return run([this, after, count_max] {
      return storage::events_since(service_.ledger(), after, count_max);
    });
  }
  Result<std::int64_t> downlink_version() override {
    return run([this] { return storage::applied_downlink_version(service_.ledger()); });
  }
  Result<std::vector<storage::HqDeliveredKey>> signing_keys() override {
    return run([this] {
      return storage::delivered_keys(service_.ledger(),
                                     storage::HqDeliveredKey::Use::bundle_signing);
    });
  }
  Result<storage::HqUpdateResult> apply(const storage::HqUpdate& update) override {
    auto shared = std::make_shared<storage::HqUpdate>(update);  // jobs must be copyable
    return run([this, shared] {
      // HQ's tiers are ranked by the program the till runs now (on the storage thread, where the
      // program is swapped).
      for (const Tier& tier : service_.program().program.tiers.tiers) {
        shared->tier_order.push_back(tier.id);
      }
      return storage::apply_hq_update(service_.ledger(), *shared, clock_());
    });
  }

 private:
  template <class Job>
  auto run(Job job) -> decltype(job()) {
    auto result = worker_.call(std::move(job));
    if (!result) {
      return make_error(ErrorCode::busy,
                        "the ledger's queue is full or the daemon is stopping; sync retries");
    }
    return std::move(*result);
  }

  StorageWorker& worker_;
  TillService& service_;
  std::function<Timestamp()> clock_;
};

}  // namespace

std::shared_ptr<sync::TerminalLedger> worker_ledger(StorageWorker& worker, TillService& service,
                                                    std::function<Timestamp()> clock) {
  return std::make_shared<WorkerLedger>(worker, service, std::move(clock));
}

}  // namespace loyalty::daemon
