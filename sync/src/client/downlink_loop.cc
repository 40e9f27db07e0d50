// The downlink: long-polls HQ for the items after the version the ledger applied last, checks
// them (downlink_plan.h) and applies each answer in one ledger transaction (client.h).
//
// When the ledger refuses an answer whole (an item conflicts with what it holds: a bundle older
// than its own, a second pseudonym key), the items are applied one by one and each one the
// ledger refuses is skipped with its reason, so one bad item never stalls the downlink.

#include <random>

#include "client/client_impl.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/backoff.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/downlink_plan.h"

namespace loyalty::sync::client {
namespace {

class DownlinkLoop {
 public:
  explicit DownlinkLoop(Shared& shared)
      : shared_(shared),
        client_(shared, &Shared::downlink_client),
        https_(client_.https()),
        backoff_(shared.options.backoff_initial, shared.options.backoff_max,
                 std::random_device{}()) {}

  void run() {
    run_with_retries(
        shared_, https_, backoff_, &Shared::downlink_ok, "downlink", [this] { return step(); },
        [this] { current_ = false; });  // the next request asks without waiting
  }

 private:
  Status load_trust() {
    if (trust_loaded_) return Status();
    trusted_ = TrustedKeys();
    for (const PublicKey& key : shared_.options.trusted_keys) TRY(trusted_.add(key));
    for (const storage::HqDeliveredKey& key : TRY(shared_.ledger->signing_keys())) {
      const Status added = trusted_.add(PublicKey{key.key_id, key.material});
      if (!added.ok())
        shared_.log("sync downlink: a delivered key is not trusted: " + added.error().message);
    }
    trust_loaded_ = true;
    return Status();
  }

  Status step() {
    TRY(load_trust());
    const std::int64_t applied = TRY(shared_.ledger->downlink_version());
    // The first request after (re)connecting asks without waiting, so the terminal knows at once
    // whether it is current; later ones park at HQ until something is published.
    const auto wait = current_ ? shared_.options.long_poll : std::chrono::milliseconds(0);
    HttpsRequest request;
    request.target = std::string(api::downlink_path) + "?after=" + std::to_string(applied) +
                     "&wait_ms=" + std::to_string(wait.count());
    const HttpsResponse response =
        TRY(https_.request(request, wait + shared_.options.request_timeout));
    if (response.status != 200) {
      return make_error(ErrorCode::io_error,
                        "HQ refused the downlink request: HTTP " + std::to_string(response.status));
    }
    const Downlink downlink = TRY(decode_downlink(response.body));
    current_ = true;
    {
      std::lock_guard lock(shared_.mutex);
      shared_.downlink_ok = true;
    }
    shared_.update([&](SyncStatus& s) {
      s.last_contact = shared_.now();
      s.downlink_version = applied;
      s.last_error.clear();
      s.retry_in_ms = 0;
    });
    std::optional<DownlinkPlan> plan = plan_downlink(downlink, applied, trusted_);
    if (!plan) return Status();
    return apply(*plan);
  }

  Status apply(const DownlinkPlan& plan) {
    std::int64_t refused = static_cast<std::int64_t>(plan.refused.size());
    std::string last_refusal = plan.refused.empty() ? "" : plan.refused.back().reason;
    for (const Refusal& refusal : plan.refused) shared_.log("sync downlink: " + refusal.reason);
    Result<storage::HqUpdateResult> whole = shared_.ledger->apply(plan.update);
    if (whole.ok()) {
      if (shared_.options.on_applied && whole->event_seq != 0) shared_.options.on_applied(*whole);
    } else if (whole.error().code == ErrorCode::conflict ||
               whole.error().code == ErrorCode::invalid_argument) {
      shared_.log("sync downlink: the ledger refused " + plan.update.update_id + " (" +
                  whole.error().message + "); applying its items one by one");
      for (const storage::HqUpdate& item : plan.per_item) {
        Result<storage::HqUpdateResult> one = shared_.ledger->apply(item);
        if (one.ok()) {
          if (shared_.options.on_applied && one->event_seq != 0) shared_.options.on_applied(*one);
          continue;
        }
        if (one.error().code != ErrorCode::conflict &&
            one.error().code != ErrorCode::invalid_argument) {
          return std::move(one).error();
        }
        ++refused;
        last_refusal = "downlink item " + std::to_string(*item.downlink_version) +
                       " refused by the ledger: " + one.error().message;
        shared_.log("sync downlink: " + last_refusal);
        TRY(shared_.ledger->apply(version_only_update(*item.downlink_version)));
      }
      trust_loaded_ = false;  // keys of the refused answer may not be in the ledger
    } else {
      trust_loaded_ = false;
      return std::move(whole).error();
    }
    const std::int64_t version = *plan.update.downlink_version;
    shared_.update([&](SyncStatus& s) {
      s.downlink_version = version;
      s.items_refused += refused;
      if (!last_refusal.empty()) s.last_refusal = last_refusal;
    });
    return Status();
  }

  Shared& shared_;
  LoopClient client_;
  HttpsClient& https_;
  Backoff backoff_;
  TrustedKeys trusted_;
  bool trust_loaded_ = false;
  bool current_ = false;  // an answer came on this connection: long-poll from now on
};

}  // namespace

void run_downlink(Shared& shared) { DownlinkLoop(shared).run(); }

}  // namespace loyalty::sync::client
