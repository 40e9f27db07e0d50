// handle_request: the API's paths and methods (api.h); and GET /v1/uplink/state, which is one
// store call.

#include <string>

#include "loyalty/core/json.h"
#include "loyalty/sync/api.h"
#include "service/log_lines.h"
#include "service/responses.h"
#include "service/routes.h"

namespace loyalty::sync::service {

namespace {

constexpr std::size_t path_bytes_shown_max = 100;

bool wrong_method(const HttpsRequest& request, std::string_view expected,
                  const HttpsResponder& respond) {
  if (request.method == expected) return false;
  respond(error_response(
      405, "method " + request.method + " is not allowed here; use " + std::string(expected)));
  return true;
}

bool has_parameters(const RequestTarget& target, const HttpsResponder& respond) {
  if (!target.has_query) return false;
  respond(error_response(400, std::string(target.path) + " takes no query parameters"));
  return true;
}

}  // namespace

void handle_request(const StatePtr& state, const TerminalIdentity& peer, HttpsRequest request,
                    HttpsResponder respond) {
  const RequestTarget target = split_target(request.target);
  if (target.path == api::batches_path) {
    if (wrong_method(request, "POST", respond) || has_parameters(target, respond)) return;
    return handle_batch(state, peer, std::move(request), std::move(respond));
  }
  if (target.path == api::uplink_state_path) {
    if (wrong_method(request, "GET", respond) || has_parameters(target, respond)) return;
    return handle_uplink_state(state, peer, std::move(respond));
  }
  if (target.path == api::downlink_path) {
    if (wrong_method(request, "GET", respond)) return;
    Result<DownlinkQuery> query = parse_downlink_query(target.query);
    if (!query.ok()) return respond(error_response(400, query.error().message));
    return handle_downlink(state, peer, *query, std::move(respond));
  }
  respond(error_response(404, "no such path " +
                                  json::quote(target.path.substr(0, path_bytes_shown_max)) +
                                  " (the API has " + std::string(api::batches_path) + ", " +
                                  std::string(api::uplink_state_path) + " and " +
                                  std::string(api::downlink_path) + ")"));
}

void handle_uplink_state(const StatePtr& state, const TerminalIdentity& peer,
                         HttpsResponder respond) {
  auto work = [peer](HqStore& store) { return store.uplink_state(peer); };
  auto done = [peer, respond](const StatePtr& alive, Result<Ack> ack) {
    if (ack.ok()) return respond(ack_response(*ack));
    ++alive->counters.store_failures;
    alive->options.log("uplink state for " + terminal_name(peer) +
                       " failed: " + cut_for_log(ack.error().message));
    respond(error_response(503, "HQ's store failed: " + ack.error().message + "; retry later"));
  };
  if (!run_on_worker(state, std::move(work), std::move(done))) {
    ++state->counters.store_failures;
    respond(error_response(503, "HQ is busy; retry later"));
  }
}

}  // namespace loyalty::sync::service
