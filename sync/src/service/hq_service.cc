// HqService: start (TLS, workers, listening, timers), stop and stats. The requests' handling is
// in router.cc and the files it names.

#include "loyalty/sync/hq_service.h"

#include <chrono>
#include <iostream>
#include <string>
#include <utility>

#include "service/routes.h"
#include "service/service_state.h"

namespace loyalty::sync {

namespace {

Timestamp system_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count()};
}

void log_to_stderr(std::string_view line) { std::cerr << line << '\n' << std::flush; }

Status check_options(const HqServiceOptions& options) {
  if (!options.store_factory) {
    return make_error(ErrorCode::invalid_argument, "the HQ service needs a store factory");
  }
  if (options.workers < 1 || options.workers > limits::hq_workers_max) {
    return make_error(ErrorCode::invalid_argument,
                      "the HQ service needs 1.." + std::to_string(limits::hq_workers_max) +
                          " workers, not " + std::to_string(options.workers));
  }
  if (options.watch_interval.count() <= 0 || options.apply_interval.count() <= 0) {
    return make_error(ErrorCode::invalid_argument,
                      "the HQ service's watch and apply intervals must be positive");
  }
  return Status();
}

}  // namespace

Result<std::unique_ptr<HqService>> HqService::start(boost::asio::io_context& io,
                                                    HqServiceOptions options) {
  TRY(check_options(options));
  if (!options.clock) options.clock = system_now;
  if (!options.log) options.log = log_to_stderr;
  auto state = std::make_shared<State>(io, std::move(options));
  state->tls.emplace(TRY(make_server_context(state->options.tls)));
  state->pool =
      TRY(service::WorkerPool::start(state->options.store_factory, state->options.workers));
  std::weak_ptr<State> weak = state;
  auto handler = [weak](const TerminalIdentity& peer, HttpsRequest request,
                        HttpsResponder respond) {
    const service::StatePtr alive = weak.lock();
    if (!alive || alive->stopped) return;  // the connection is closing
    service::handle_request(alive, peer, std::move(request), std::move(respond));
  };
  state->server =
      std::make_unique<HttpsServer>(io, *state->tls, std::move(handler), state->options.server);
  Result<std::uint16_t> port =
      state->server->listen(state->options.listen_address, state->options.listen_port);
  if (!port.ok()) {
    state->server->stop();
    state->pool->stop();
    return std::move(port).error();
  }
  service::start_watch_timer(state);
  service::start_apply_timer(state);
  return std::unique_ptr<HqService>(new HqService(std::move(state), *port));
}

HqService::~HqService() { stop(); }

void HqService::stop() {
  State& state = *state_;
  if (state.stopped) return;
  state.stopped = true;
  state.server->stop();
  state.watch_timer.cancel();
  state.apply_timer.cancel();
  state.polls.clear();  // their connections are closed: the responders are no-ops
  state.pool->stop();
}

HqServiceStats HqService::stats() const {
  const service::Counters& c = state_->counters;
  HqServiceStats stats;
  stats.batches = c.batches.load();
  stats.events_stored = c.events_stored.load();
  stats.events_duplicate = c.events_duplicate.load();
  stats.quarantines = c.quarantines.load();
  stats.batches_refused = c.batches_refused.load();
  stats.store_failures = c.store_failures.load();
  stats.events_applied = c.events_applied.load();
  stats.long_polls_answered = c.long_polls_answered.load();
  stats.long_polls_timed_out = c.long_polls_timed_out.load();
  return stats;
}

}  // namespace loyalty::sync
