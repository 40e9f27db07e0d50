// The HQ service's log lines. They name terminals by their ids and batches by their seq
// numbers; they never carry an event's payload or annex, a key, or a card number. Messages
// quoted from refusals are cut to limits::hq_log_message_bytes_max.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/sync/batch.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::service {

// "store-1/till.7".
std::string terminal_name(const TerminalIdentity& terminal);
// `message` cut to the limit, with "..." when it was longer.
std::string cut_for_log(std::string_view message);

// "batch store-1/till.7 epoch 0000000000000007 seq 1..5: accepted, held_seq 5, 5 new,
// 0 duplicate" (and ": <reason>" after "quarantined").
std::string batch_stored_line(const TerminalIdentity& peer, const Batch& batch,
                              const IngestOutcome& outcome);
// "batch from store-1/till.7 refused (400): <message>".
std::string batch_refused_line(const TerminalIdentity& peer, int status, std::string_view message);

}  // namespace loyalty::sync::service
