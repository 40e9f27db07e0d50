// The service's log lines (log_lines.h).

#include "service/log_lines.h"

#include "loyalty/core/limits.h"

namespace loyalty::sync::service {

std::string terminal_name(const TerminalIdentity& terminal) {
  return terminal.store_id + "/" + terminal.terminal_id;
}

std::string cut_for_log(std::string_view message) {
  if (message.size() <= limits::hq_log_message_bytes_max) return std::string(message);
  return std::string(message.substr(0, limits::hq_log_message_bytes_max)) + "...";
}

std::string batch_stored_line(const TerminalIdentity& peer, const Batch& batch,
                              const IngestOutcome& outcome) {
  std::string line = "batch " + terminal_name(peer) + " epoch " + batch.epoch + " seq " +
                     std::to_string(batch.from_seq) + ".." + std::to_string(batch.to_seq) + ": " +
                     ack_status_name(outcome.ack.status);
  if (outcome.ack.status == AckStatus::quarantined) {
    line += " (" + cut_for_log(outcome.ack.message) + ")";
  }
  return line + ", held_seq " + std::to_string(outcome.ack.held_seq) + ", " +
         std::to_string(outcome.events_stored) + " new, " +
         std::to_string(outcome.events_duplicate) + " duplicate";
}

std::string batch_refused_line(const TerminalIdentity& peer, int status, std::string_view message) {
  return "batch from " + terminal_name(peer) + " refused (" + std::to_string(status) +
         "): " + cut_for_log(message);
}

}  // namespace loyalty::sync::service
