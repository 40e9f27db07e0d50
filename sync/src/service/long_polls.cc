// Long polls: the downlink requests HQ holds, the look in the store for what they wait for, and
// the watch timer that drives both.
//
// A look runs on a worker over a snapshot of the held polls: latest_version once per store that
// has polls, then downlink() for each poll that is behind it. Back on the io thread, the polls
// still held that got items are answered; the rest keep waiting. Publishing may happen in
// another process, so nothing tells the service about it: the timer looks every watch_interval
// while polls wait.

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/limits.h"
#include "service/responses.h"
#include "service/routes.h"

namespace loyalty::sync::service {

namespace {

struct PollLook {
  std::uint64_t id = 0;
  TerminalIdentity terminal;
  std::int64_t after = 0;
  std::size_t items_max = 0;
};

struct PollFound {
  std::uint64_t id = 0;
  Downlink downlink;
};

// On a worker: the polls of `looks` that have items now. A store that fails is skipped (its
// polls wait for the next look).
std::vector<PollFound> look(HqStore& store, const std::vector<PollLook>& looks) {
  std::map<std::string, std::int64_t> latest;  // store id -> latest version
  std::vector<PollFound> found;
  for (const PollLook& poll : looks) {
    auto known = latest.find(poll.terminal.store_id);
    if (known == latest.end()) {
      Result<std::int64_t> version = store.latest_version(poll.terminal.store_id);
      if (!version.ok()) continue;
      known = latest.emplace(poll.terminal.store_id, *version).first;
    }
    if (known->second <= poll.after) continue;
    Result<Downlink> downlink = store.downlink(poll.terminal, poll.after, poll.items_max);
    if (downlink.ok() && !downlink->items.empty()) {
      found.push_back(PollFound{poll.id, std::move(downlink).value()});
    }
  }
  return found;
}

void answer_found(const StatePtr& state, std::vector<PollFound> found) {
  for (PollFound& item : found) {
    auto held = std::find_if(state->polls.begin(), state->polls.end(),
                             [&item](const ParkedPoll& poll) { return poll.id == item.id; });
    if (held == state->polls.end()) continue;  // timed out meanwhile
    HttpsResponder respond = std::move(held->respond);
    state->polls.erase(held);
    ++state->counters.long_polls_answered;
    respond(downlink_response(item.downlink));
  }
}

void arm_watch_timer(const StatePtr& state) {
  std::weak_ptr<HqService::State> weak = state;
  state->watch_timer.expires_after(state->options.watch_interval);
  state->watch_timer.async_wait([weak](boost::system::error_code error) {
    const StatePtr alive = weak.lock();
    if (error || !alive || alive->stopped) return;
    expire_polls(*alive, std::chrono::steady_clock::now());
    if (!alive->polls.empty()) look_for_polls(alive);
    if (alive->apply_again && !alive->apply_running) schedule_apply(alive);
    arm_watch_timer(alive);
  });
}

}  // namespace

void park_poll(const StatePtr& state, ParkedPoll poll) {
  if (state->polls.size() >= limits::hq_long_polls_max) {  // bounded; the terminal asks again
    return poll.respond(downlink_response(Downlink{poll.after, poll.latest, {}}));
  }
  poll.id = ++state->polls_parked;
  state->polls.push_back(std::move(poll));
  // Something may have been published between the store's answer and now.
  look_for_polls(state);
}

void look_for_polls(const StatePtr& state) {
  if (state->check_running) {
    state->check_again = true;
    return;
  }
  std::vector<PollLook> looks;
  looks.reserve(state->polls.size());
  for (const ParkedPoll& poll : state->polls) {
    looks.push_back(PollLook{poll.id, poll.terminal, poll.after, poll.items_max});
  }
  if (looks.empty()) return;
  auto work = [looks = std::move(looks)](HqStore& store) { return look(store, looks); };
  auto done = [](const StatePtr& alive, std::vector<PollFound> found) {
    alive->check_running = false;
    answer_found(alive, std::move(found));
    if (alive->check_again) {
      alive->check_again = false;
      look_for_polls(alive);
    }
  };
  state->check_running = run_on_worker(state, std::move(work), std::move(done));
}

void expire_polls(HqService::State& state, std::chrono::steady_clock::time_point now) {
  std::vector<ParkedPoll> expired;
  auto keep = std::stable_partition(state.polls.begin(), state.polls.end(),
                                    [now](const ParkedPoll& poll) { return poll.deadline > now; });
  std::move(keep, state.polls.end(), std::back_inserter(expired));
  state.polls.erase(keep, state.polls.end());
  for (ParkedPoll& poll : expired) {
    ++state.counters.long_polls_timed_out;
    poll.respond(downlink_response(Downlink{poll.after, poll.latest, {}}));
  }
}

void start_watch_timer(const StatePtr& state) { arm_watch_timer(state); }

}  // namespace loyalty::sync::service
