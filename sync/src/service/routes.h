// The HQ service's request handlers, one file each (api.h): the router, POST /v1/batches,
// GET /v1/uplink/state and GET /v1/downlink; the long polls' watcher; the applies.
//
// Thread-safety: every function runs on the io_context's thread.
#pragma once

#include "loyalty/sync/https.h"
#include "service/request_target.h"
#include "service/service_state.h"

namespace loyalty::sync::service {

// Routes a request by path and method (404, 405) to the handlers below.
void handle_request(const StatePtr& state, const TerminalIdentity& peer, HttpsRequest request,
                    HttpsResponder respond);

void handle_batch(const StatePtr& state, const TerminalIdentity& peer, HttpsRequest request,
                  HttpsResponder respond);
void handle_uplink_state(const StatePtr& state, const TerminalIdentity& peer,
                         HttpsResponder respond);
void handle_downlink(const StatePtr& state, const TerminalIdentity& peer,
                     const DownlinkQuery& query, HttpsResponder respond);

// Long polls (long_polls.cc): holds `poll` until something is there for it or its deadline.
void park_poll(const StatePtr& state, ParkedPoll poll);
// Looks in the store (on a worker) for what the held polls wait for and answers those it can;
// coalesced: one look at a time, one more at most after it.
void look_for_polls(const StatePtr& state);
// Answers the polls whose deadline passed with an empty Downlink.
void expire_polls(HqService::State& state, std::chrono::steady_clock::time_point now);
// Every watch_interval: expire_polls, look_for_polls when polls wait, a retried apply.
void start_watch_timer(const StatePtr& state);

// Applies (apply_runs.cc): one HqStore::apply on a worker, coalesced like look_for_polls; a
// full pass is followed by another, an apply that changed something by look_for_polls.
void schedule_apply(const StatePtr& state);
// Every apply_interval: schedule_apply.
void start_apply_timer(const StatePtr& state);

}  // namespace loyalty::sync::service
