// POST /v1/batches (api.h): on a worker, the batch is decompressed and decoded, its hashes are
// checked and its terminal compared with the certificate's before it is ingested; nothing is
// stored for a batch that fails any of these. Back on the io thread the answer is logged and
// counted, and an apply is scheduled when the batch brought new events.

#include <optional>
#include <string>
#include <utility>

#include "loyalty/sync/api.h"
#include "service/log_lines.h"
#include "service/responses.h"
#include "service/routes.h"

namespace loyalty::sync::service {

namespace {

enum class BatchFate { stored, refused, failed };

struct BatchResult {
  BatchFate fate = BatchFate::refused;
  HttpsResponse response;
  std::optional<IngestOutcome> outcome;
  std::string log_line;
};

BatchResult refuse(const TerminalIdentity& peer, int status, const std::string& message) {
  return BatchResult{BatchFate::refused, error_response(status, message), std::nullopt,
                     batch_refused_line(peer, status, message)};
}

// Checks what the terminal sent; nullopt when the batch may be ingested.
std::optional<BatchResult> check_batch(const TerminalIdentity& peer, const HttpsRequest& request,
                                       std::optional<Batch>& batch) {
  if (request.content_encoding != api::zstd_encoding) {
    return refuse(peer, 400,
                  "a batch is sent zstd-compressed with Content-Encoding: zstd (got \"" +
                      request.content_encoding.substr(0, 32) + "\")");
  }
  Result<Batch> decoded = decode_batch(request.body);
  if (!decoded.ok()) return refuse(peer, 400, decoded.error().message);
  if (Status hashes = verify_batch_hashes(*decoded); !hashes.ok()) {
    return refuse(peer, 400, hashes.error().message);
  }
  if (decoded->store_id != peer.store_id || decoded->terminal_id != peer.terminal_id) {
    return refuse(peer, 403,
                  "the batch names terminal " + decoded->store_id + "/" + decoded->terminal_id +
                      " but the client certificate is for " + terminal_name(peer) +
                      "; a terminal sends only its own events");
  }
  batch = std::move(decoded).value();
  return std::nullopt;
}

BatchResult process_batch(HqStore& store, const TerminalIdentity& peer, const HttpsRequest& request,
                          Timestamp now) {
  std::optional<Batch> batch;
  if (std::optional<BatchResult> refused = check_batch(peer, request, batch)) return *refused;
  Result<IngestOutcome> outcome = store.ingest(peer, *batch, now);
  if (!outcome.ok()) {
    const int status = store_error_status(outcome.error());
    if (status != 503) return refuse(peer, status, outcome.error().message);
    return BatchResult{
        BatchFate::failed,
        error_response(503, "HQ's store failed: " + outcome.error().message + "; retry later"),
        std::nullopt,
        "batch from " + terminal_name(peer) +
            " not stored (503): " + cut_for_log(outcome.error().message)};
  }
  std::string line = batch_stored_line(peer, *batch, *outcome);
  HttpsResponse response = ack_response(outcome->ack);
  return BatchResult{BatchFate::stored, std::move(response), std::move(outcome).value(),
                     std::move(line)};
}

void count(service::Counters& counters, const BatchResult& result) {
  switch (result.fate) {
    case BatchFate::refused:
      ++counters.batches_refused;
      return;
    case BatchFate::failed:
      ++counters.store_failures;
      return;
    case BatchFate::stored:
      ++counters.batches;
      counters.events_stored += result.outcome->events_stored;
      counters.events_duplicate += result.outcome->events_duplicate;
      if (result.outcome->ack.status == AckStatus::quarantined) ++counters.quarantines;
      return;
  }
}

}  // namespace

void handle_batch(const StatePtr& state, const TerminalIdentity& peer, HttpsRequest request,
                  HttpsResponder respond) {
  const Timestamp now = state->options.clock();
  auto work = [peer, request = std::move(request), now](HqStore& store) {
    return process_batch(store, peer, request, now);
  };
  auto done = [respond](const StatePtr& alive, BatchResult result) {
    count(alive->counters, result);
    alive->options.log(result.log_line);
    const bool new_events = result.fate == BatchFate::stored && result.outcome->events_stored > 0;
    respond(std::move(result.response));
    if (new_events) schedule_apply(alive);
  };
  if (!run_on_worker(state, std::move(work), std::move(done))) {
    ++state->counters.store_failures;
    respond(error_response(503, "HQ is busy; retry later"));
  }
}

}  // namespace loyalty::sync::service
