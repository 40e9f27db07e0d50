// The uplink: ships the ledger's events from where HQ says it holds them (client.h).
//
// Resume rule: HQ is the only authority on what it holds. After (re)connecting, and after any
// failure, the loop asks GET /v1/uplink/state; each Ack then says how far HQ holds the chain,
// and the next batch starts right after that. A batch HQ answered but did not advance (it holds
// a gap, or quarantined the terminal) is not sent again in a tight loop: the loop waits a
// trickle interval first.

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "client/client_impl.h"
#include "loyalty/core/json.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/backoff.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/sync_progress.h"

namespace loyalty::sync::client {
namespace {

using namespace std::chrono_literals;

std::string error_text(const HttpsResponse& response) {
  Result<json::Value> body = json::parse(response.body);
  if (body.ok() && body->is_object()) {
    const json::Value* error = body->find("error");
    if (error != nullptr && error->is_string()) return error->as_string();
  }
  return "HTTP " + std::to_string(response.status);
}

Batch make_batch(const SyncClientOptions& options, const TerminalLedger::Head& head,
                 std::vector<storage::EventRow> rows) {
  Batch batch;
  batch.store_id = options.store_id;
  batch.terminal_id = head.terminal_id;
  batch.epoch = head.epoch;
  batch.from_seq = rows.front().seq;
  batch.to_seq = rows.back().seq;
  batch.prev_hash = rows.front().prev_hash;  // the payload_hash of from_seq - 1
  for (storage::EventRow& row : rows) {
    WireEvent event;
    event.seq = row.seq;
    event.kind = std::move(row.kind);
    event.receipt_id = std::move(row.receipt_id);
    event.payload = std::move(row.payload);
    event.payload_hash = std::move(row.payload_hash);
    event.prev_hash = std::move(row.prev_hash);
    event.created_at = row.created_at;
    event.annex = std::move(row.annex);
    batch.events.push_back(std::move(event));
  }
  return batch;
}

class Uplink {
 public:
  explicit Uplink(Shared& shared)
      : shared_(shared),
        client_(shared, &Shared::uplink_client),
        https_(client_.https()),
        backoff_(shared.options.backoff_initial, shared.options.backoff_max,
                 std::random_device{}()) {}

  void run() {
    run_with_retries(
        shared_, https_, backoff_, &Shared::uplink_ok, "uplink", [this] { return step(); },
        [this] { known_ = false; });  // ask HQ where to resume
  }

 private:
  // One exchange: the resume point, a batch, or an idle wait. Fails for anything that needs a
  // reconnect and a backoff.
  Status step() {
    const TerminalLedger::Head head = TRY(shared_.ledger->head());
    // The backlog as far as the terminal knows, also while HQ cannot be reached.
    shared_.update([&](SyncStatus& s) {
      s.local_seq = head.last_seq;
      s.backlog = std::max<std::int64_t>(0, head.last_seq - held_seq_);
    });
    if (!known_) TRY(fetch_state(head));
    if (held_seq_ >= head.last_seq || stalled_) {
      stalled_ = false;
      wait_for_events(head.last_seq);
      return Status();
    }
    std::vector<storage::EventRow> rows =
        TRY(shared_.ledger->events_since(held_seq_, shared_.options.batch_events));
    // Events written since `head` was read ship with the next batch: HQ's answer is judged
    // against `head`, and must not name a seq beyond it.
    std::erase_if(rows, [&](const storage::EventRow& row) { return row.seq > head.last_seq; });
    if (rows.empty()) return Status();
    const std::int64_t to_seq = rows.back().seq;
    const Batch batch = make_batch(shared_.options, head, std::move(rows));
    HttpsRequest request;
    request.method = "POST";
    request.target = std::string(api::batches_path);
    request.content_type = std::string(api::json_type);
    request.content_encoding = std::string(api::zstd_encoding);
    request.body = encode_batch(batch);
    const HttpsResponse response = TRY(https_.request(request, shared_.options.request_timeout));
    if (response.status != 200) {
      return make_error(ErrorCode::io_error, "HQ refused batch " + std::to_string(batch.from_seq) +
                                                 ".." + std::to_string(to_seq) + ": " +
                                                 error_text(response));
    }
    const Ack ack = TRY(decode_ack_json(response.body));
    const std::int64_t before = held_seq_;
    TRY(take_ack(ack, head));
    const std::int64_t acknowledged = std::max<std::int64_t>(0, held_seq_ - before);
    progress_.acknowledged(acknowledged, Progress::Clock::now());
    if (held_seq_ < to_seq) stalled_ = true;  // HQ did not take it all: wait before resending
    report(head, acknowledged);
    return Status();
  }

  Status fetch_state(const TerminalLedger::Head& head) {
    HttpsRequest request;
    request.target = std::string(api::uplink_state_path);
    const HttpsResponse response = TRY(https_.request(request, shared_.options.request_timeout));
    if (response.status != 200) {
      return make_error(ErrorCode::io_error,
                        "HQ refused the uplink state request: " + error_text(response));
    }
    const Ack ack = TRY(decode_ack_json(response.body));
    TRY(take_ack(ack, head));
    known_ = true;
    report(head, 0);
    return Status();
  }

  // Takes HQ's resume point. An Ack for another epoch (the ledger was re-created since HQ last
  // heard from it) means HQ holds nothing of this one yet.
  Status take_ack(const Ack& ack, const TerminalLedger::Head& head) {
    if (ack.epoch == head.epoch) {
      if (ack.held_seq > head.last_seq) {
        return make_error(ErrorCode::conflict, "HQ holds seq " + std::to_string(ack.held_seq) +
                                                   " of epoch " + head.epoch +
                                                   ", beyond this ledger's last event " +
                                                   std::to_string(head.last_seq));
      }
      held_seq_ = ack.held_seq;
    } else {
      held_seq_ = 0;
    }
    {
      std::lock_guard lock(shared_.mutex);
      shared_.uplink_ok = true;
    }
    shared_.update([&](SyncStatus& s) {
      s.quarantine_reason = ack.status == AckStatus::quarantined
                                ? (ack.message.empty() ? "quarantined by HQ" : ack.message)
                                : "";
      s.last_contact = shared_.now();
      s.last_error.clear();
      s.retry_in_ms = 0;
    });
    return Status();
  }

  void report(const TerminalLedger::Head& head, std::int64_t acknowledged) {
    const auto now = Progress::Clock::now();
    const std::int64_t backlog = std::max<std::int64_t>(0, head.last_seq - held_seq_);
    const std::int64_t rate = progress_.rate_per_second(now);
    const std::optional<std::int64_t> eta = progress_.eta_seconds(backlog, now);
    shared_.update([&](SyncStatus& s) {
      s.held_seq = held_seq_;
      s.local_seq = head.last_seq;
      s.backlog = backlog;
      s.events_sent += acknowledged;
      s.rate_per_second = rate;
      s.eta_seconds = backlog > 0 ? eta : std::optional<std::int64_t>(0);
    });
    if (backlog > 0 && acknowledged > 0 && backlog >= large_backlog) {
      shared_.log("sync uplink: catching up, " + std::to_string(held_seq_) + " of " +
                  std::to_string(head.last_seq) + " events at HQ, " + std::to_string(rate) +
                  " events/s" +
                  (eta ? ", about " + std::to_string(*eta) + " s left" : std::string()));
    }
  }

  // Waits for ledger_advanced() past `seen`, the trickle interval, or stop().
  void wait_for_events(std::int64_t seen) {
    std::unique_lock lock(shared_.mutex);
    shared_.wake.wait_for(lock, shared_.options.trickle,
                          [&] { return shared_.stopping.load() || shared_.advanced_to > seen; });
  }

  static constexpr std::int64_t large_backlog = 1000;
  Shared& shared_;
  LoopClient client_;
  HttpsClient& https_;
  Backoff backoff_;
  Progress progress_;
  bool known_ = false;
  bool stalled_ = false;
  std::int64_t held_seq_ = 0;
};

}  // namespace

void run_uplink(Shared& shared) { Uplink(shared).run(); }

}  // namespace loyalty::sync::client
