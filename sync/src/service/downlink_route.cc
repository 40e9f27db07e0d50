// GET /v1/downlink (api.h): the items after `after` for the terminal, at once when there are
// some or the terminal does not wait; otherwise the request is parked (long_polls.cc) until
// something is published for it or its wait runs out.

#include <utility>

#include "service/log_lines.h"
#include "service/responses.h"
#include "service/routes.h"

namespace loyalty::sync::service {

void handle_downlink(const StatePtr& state, const TerminalIdentity& peer,
                     const DownlinkQuery& query, HttpsResponder respond) {
  // The wait counts from the request's arrival, not from the store's answer.
  const auto deadline = std::chrono::steady_clock::now() + query.wait;
  auto work = [peer, query](HqStore& store) {
    return store.downlink(peer, query.after, query.items_max);
  };
  auto done = [peer, query, deadline, respond](const StatePtr& alive, Result<Downlink> downlink) {
    if (!downlink.ok()) {
      ++alive->counters.store_failures;
      alive->options.log("downlink for " + terminal_name(peer) +
                         " failed: " + cut_for_log(downlink.error().message));
      return respond(
          error_response(503, "HQ's store failed: " + downlink.error().message + "; retry later"));
    }
    if (!downlink->items.empty() || query.wait.count() == 0) {
      return respond(downlink_response(*downlink));
    }
    park_poll(alive, ParkedPoll{0, peer, query.after, query.items_max, downlink->latest, deadline,
                                respond});
  };
  if (!run_on_worker(state, std::move(work), std::move(done))) {
    ++state->counters.store_failures;
    respond(error_response(503, "HQ is busy; retry later"));
  }
}

}  // namespace loyalty::sync::service
