// Applies: HqStore::apply on a worker, so HQ's ledger follows the journal within moments of a
// batch. One runs at a time and at most one more is wanted after it (apply_again), however many
// batches arrive meanwhile; a pass that hit limits::hq_apply_events_max is followed by another.
// An apply that brought events changes customer states, which waiting polls may be sent.

#include <utility>

#include "loyalty/core/limits.h"
#include "service/log_lines.h"
#include "service/routes.h"

namespace loyalty::sync::service {

namespace {

void arm_apply_timer(const StatePtr& state) {
  std::weak_ptr<HqService::State> weak = state;
  state->apply_timer.expires_after(state->options.apply_interval);
  state->apply_timer.async_wait([weak](boost::system::error_code error) {
    const StatePtr alive = weak.lock();
    if (error || !alive || alive->stopped) return;
    schedule_apply(alive);
    arm_apply_timer(alive);
  });
}

}  // namespace

void schedule_apply(const StatePtr& state) {
  if (state->apply_running) {
    state->apply_again = true;
    return;
  }
  state->apply_again = false;
  const Timestamp now = state->options.clock();
  auto work = [now](HqStore& store) { return store.apply(now, limits::hq_apply_events_max); };
  auto done = [](const StatePtr& alive, Result<ApplyReport> report) {
    alive->apply_running = false;
    if (!report.ok()) {
      // The events stay in the journal; the watch timer tries again.
      alive->apply_again = true;
      alive->options.log("apply failed: " + cut_for_log(report.error().message));
      return;
    }
    alive->counters.events_applied += report->events_applied;
    const bool full =
        report->events_applied >= static_cast<std::int64_t>(limits::hq_apply_events_max);
    if (alive->apply_again || full) schedule_apply(alive);
    if (report->events_applied > 0 || report->entries_written > 0) look_for_polls(alive);
  };
  state->apply_running = run_on_worker(state, std::move(work), std::move(done));
  if (!state->apply_running) state->apply_again = true;  // the queue is full: the timer retries
}

void start_apply_timer(const StatePtr& state) { arm_apply_timer(state); }

}  // namespace loyalty::sync::service
