// One line of text for each HQ store result (ingest outcomes, apply reports, terminals, alerts,
// totals, a customer's report with its history), so that tests can compare two stores' answers
// exactly and show the difference when they are not equal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::test {

inline std::string describe(const IngestOutcome& outcome) {
  const Ack& ack = outcome.ack;
  return std::to_string(static_cast<int>(ack.status)) + " " + ack.terminal_id + " " + ack.epoch +
         " " + std::to_string(ack.held_seq) + " " + ack.held_hash + " [" + ack.message +
         "] stored " + std::to_string(outcome.events_stored) + " duplicate " +
         std::to_string(outcome.events_duplicate);
}

inline std::string describe(const ApplyReport& report) {
  return "applied " + std::to_string(report.events_applied) + " reprojected " +
         std::to_string(report.customers_reprojected) + " entries " +
         std::to_string(report.entries_written);
}

inline std::string optional_time(const std::optional<Timestamp>& at) {
  return at ? std::to_string(at->unix_seconds) : "-";
}

inline std::string describe(const std::vector<TerminalStatus>& statuses) {
  std::string out;
  for (const TerminalStatus& s : statuses) {
    out += s.terminal.store_id + "/" + s.terminal.terminal_id + " " + s.epoch + " held " +
           std::to_string(s.held_seq) + " applied " + std::to_string(s.applied_seq) + " beyond " +
           std::to_string(s.stored_beyond) + " batch " + optional_time(s.last_batch_at) +
           " event " + optional_time(s.last_event_at) + (s.quarantined ? " quarantined " : " ") +
           s.quarantine_reason + " " + optional_time(s.quarantined_at) + "\n";
  }
  return out;
}

inline std::string describe(const std::vector<Alert>& alerts) {
  std::string out;
  for (const Alert& a : alerts) {
    out += std::to_string(a.alert_id) + " " + a.terminal.store_id + "/" + a.terminal.terminal_id +
           " " + std::to_string(a.raised_at.unix_seconds) + " " + a.message + "\n";
  }
  return out;
}

inline std::string describe(const HqTotals& t) {
  return "events " + std::to_string(t.events) + " receipts " + std::to_string(t.receipts) +
         " issued " + std::to_string(t.points_issued) + " redeemed " +
         std::to_string(t.points_redeemed) + " donated " + std::to_string(t.points_donated) +
         " expired " + std::to_string(t.points_expired) + " liability " +
         std::to_string(t.liability_points) + " overdraft " + std::to_string(t.overdraft_points);
}

inline std::string describe(const std::optional<CustomerReport>& report) {
  if (!report) return "none";
  const CustomerReport& r = *report;
  std::string out = r.pseudonym + " balance " + std::to_string(r.balance_points) + " overdraft " +
                    std::to_string(r.overdraft_points) + " tier " + r.tier.value_or("-") +
                    " review " + optional_time(r.review_at) + " period " +
                    std::to_string(r.period_spend) + "/" + std::to_string(r.period_points) +
                    " receipts " + std::to_string(r.receipts) + " spend " +
                    std::to_string(r.spend_minor) + (r.flagged ? " flagged" : "") + "\n";
  for (const HqEntry& e : r.history) {
    out += "  " + std::to_string(e.entry_id) + " " + e.debit + " -> " + e.credit + " " +
           std::to_string(e.points) + " " + e.code + " " + std::to_string(e.at.unix_seconds) + " " +
           e.terminal.store_id + "/" + e.terminal.terminal_id + " " + std::to_string(e.seq) + " " +
           e.receipt_id + "\n";
  }
  return out;
}

}  // namespace loyalty::sync::test
