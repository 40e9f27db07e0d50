// Backtest: start, add, finish (loyalty/sync/backtest.h). The caller's thread batches the events
// it is given; each worker thread quotes the batches it takes into its own Tally; finish() merges
// them.

#include "loyalty/sync/backtest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "backtest/batch_queue.h"
#include "backtest/requoter.h"
#include "backtest/tally.h"

namespace loyalty::sync {

using Clock = std::chrono::steady_clock;

struct Backtest::State {
  State(const Program& program, BacktestOptions options_in)
      : options(std::move(options_in)),
        shared(program, options),
        queue(backtest_batches_queued_max * options.threads) {}

  void run_worker(std::size_t index);
  void flush();
  void report_progress();

  BacktestOptions options;
  backtest::Shared shared;
  backtest::BatchQueue queue;
  std::vector<backtest::Tally> tallies;  // one per worker
  std::vector<std::thread> workers;
  std::atomic<std::int64_t> receipts_done{0};
  std::int64_t events_seen = 0;
  std::int64_t next_order = 0;
  backtest::JobBatch pending;
  Clock::time_point started = Clock::now();
  Clock::time_point last_progress = started;
  bool finished = false;
};

void Backtest::State::run_worker(std::size_t index) {
  backtest::Requoter requoter(shared);
  backtest::Tally& tally = tallies[index];
  while (std::optional<backtest::JobBatch> batch = queue.pop()) {  // until closed and drained
    std::int64_t receipts = 0;
    for (const backtest::Job& job : *batch) {  // at most backtest_batch_events_max
      requoter.process(job.event, job.order, tally);
      if (job.event.kind == "checkout") ++receipts;
    }
    receipts_done.fetch_add(receipts, std::memory_order_relaxed);
  }
}

void Backtest::State::flush() {
  if (pending.empty()) return;
  queue.push(std::move(pending));
  pending = backtest::JobBatch();
  pending.reserve(backtest_batch_events_max);
}

void Backtest::State::report_progress() {
  if (!options.progress) return;
  options.progress(BacktestProgress{receipts_done.load(std::memory_order_relaxed), events_seen});
}

namespace {

Status check_date(std::string_view date, std::string_view name) {
  if (date.empty()) return {};
  Result<CivilDate> parsed = parse_date(date);
  if (!parsed.ok()) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(name) + ": " + parsed.error().message);
  }
  return {};
}

Status check_options(const BacktestOptions& options) {
  if (options.threads < 1 || options.threads > limits::hq_backtest_threads_max) {
    return make_error(ErrorCode::invalid_argument,
                      "threads: must be between 1 and " +
                          std::to_string(limits::hq_backtest_threads_max) + ", got " +
                          std::to_string(options.threads));
  }
  if (options.tier_changes_listed_max > backtest_tier_changes_listed_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "tier_changes_listed_max: at most " + std::to_string(backtest_tier_changes_listed_max));
  }
  if (options.quoted_programs.size() > backtest_quoted_programs_max ||
      std::count(options.quoted_programs.begin(), options.quoted_programs.end(), nullptr) > 0) {
    return make_error(ErrorCode::invalid_argument,
                      "quoted_programs: at most " + std::to_string(backtest_quoted_programs_max) +
                          " programs, none null");
  }
  TRY(check_date(options.from_date, "from"));
  TRY(check_date(options.to_date, "to"));
  if (!options.from_date.empty() && !options.to_date.empty() &&
      options.to_date < options.from_date) {
    return make_error(ErrorCode::invalid_argument,
                      "to: " + options.to_date + " is before from: " + options.from_date);
  }
  return {};
}

}  // namespace

Backtest::Backtest(std::unique_ptr<State> state) : state_(std::move(state)) {}
Backtest::Backtest(Backtest&&) noexcept = default;
Backtest& Backtest::operator=(Backtest&&) noexcept = default;

Backtest::~Backtest() {
  if (!state_ || state_->finished) return;
  state_->queue.close();
  for (std::thread& worker : state_->workers) worker.join();
}

Result<Backtest> Backtest::start(const Program& program, BacktestOptions options) {
  TRY(check_options(options));
  std::sort(options.stores_filter.begin(), options.stores_filter.end());
  options.stores_filter.erase(
      std::unique(options.stores_filter.begin(), options.stores_filter.end()),
      options.stores_filter.end());
  auto state = std::make_unique<State>(program, std::move(options));
  state->tallies.resize(state->options.threads);
  state->pending.reserve(backtest_batch_events_max);
  for (std::size_t i = 0; i < state->options.threads; ++i) {
    state->workers.emplace_back([raw = state.get(), i] { raw->run_worker(i); });
  }
  return Backtest(std::move(state));
}

Status Backtest::add(JournalEvent event) {
  State& state = *state_;
  if (state.finished) {
    return make_error(ErrorCode::invalid_argument, "the backtest is finished: start a new one");
  }
  ++state.events_seen;
  const BacktestOptions& options = state.options;
  const bool in_period = (options.from_date.empty() || event.business_date >= options.from_date) &&
                         (options.to_date.empty() || event.business_date <= options.to_date);
  const bool in_stores = options.stores_filter.empty() ||
                         std::binary_search(options.stores_filter.begin(),
                                            options.stores_filter.end(), event.store_id);
  // Only checkouts are compared and refunds counted; every other kind is skipped silently.
  if (in_period && in_stores && (event.kind == "checkout" || event.kind == "refund")) {
    state.pending.push_back(backtest::Job{std::move(event), state.next_order++});
    if (state.pending.size() >= backtest_batch_events_max) state.flush();
  }
  if (options.progress) {
    const Clock::time_point now = Clock::now();
    if (now - state.last_progress >= std::chrono::milliseconds(backtest_progress_interval_ms)) {
      state.last_progress = now;
      state.report_progress();
    }
  }
  return {};
}

Result<BacktestResult> Backtest::finish() {
  State& state = *state_;
  if (state.finished) {
    return make_error(ErrorCode::invalid_argument, "the backtest is finished already");
  }
  state.flush();
  state.queue.close();
  for (std::thread& worker : state.workers) worker.join();
  state.finished = true;
  backtest::Tally merged;
  for (backtest::Tally& tally : state.tallies) merged.merge(std::move(tally));
  BacktestResult result;
  const Program& program = state.shared.program;
  result.program_id = program.program_id;
  result.program_version = program.version;
  result.from_date = state.options.from_date;
  result.to_date = state.options.to_date;
  result.time_zone = std::string(state.shared.zone->name());
  result.stores_filter = state.options.stores_filter;
  merged.fill(state.shared.target, state.options.tier_changes_listed_max, result);
  result.threads = state.options.threads;
  result.elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - state.started).count();
  state.report_progress();
  return result;
}

}  // namespace loyalty::sync
