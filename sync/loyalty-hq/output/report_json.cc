// loyalty-hq's report JSON (report_json.h).

#include "output/report_json.h"

#include <optional>
#include <string>

namespace loyalty::hq {

namespace {

void optional_time(json::Writer& out, const std::optional<Timestamp>& at) {
  if (at) {
    out.value(format_timestamp(*at));
  } else {
    out.null();
  }
}

void text_or_null(json::Writer& out, const std::string& text) {
  if (text.empty()) {
    out.null();
  } else {
    out.value(text);
  }
}

void write_entry(json::Writer& out, const sync::HqEntry& entry) {
  out.begin_object();
  out.key("entry_id");
  out.value(entry.entry_id);
  out.key("debit");
  out.value(entry.debit);
  out.key("credit");
  out.value(entry.credit);
  out.key("points");
  out.value(entry.points);
  out.key("code");
  out.value(entry.code);
  out.key("at");
  out.value(format_timestamp(entry.at));
  out.key("store");
  text_or_null(out, entry.terminal.store_id);
  out.key("terminal");
  text_or_null(out, entry.terminal.terminal_id);
  out.key("seq");
  out.value(entry.seq);
  out.key("receipt_id");
  text_or_null(out, entry.receipt_id);
  out.end_object();
}

}  // namespace

void write_terminal(json::Writer& out, const sync::TerminalStatus& status, Timestamp now) {
  out.begin_object();
  out.key("store");
  out.value(status.terminal.store_id);
  out.key("terminal");
  out.value(status.terminal.terminal_id);
  out.key("epoch");
  out.value(status.epoch);
  out.key("held_seq");
  out.value(status.held_seq);
  out.key("applied_seq");
  out.value(status.applied_seq);
  out.key("stored_beyond");
  out.value(status.stored_beyond);
  out.key("lag_seconds");
  if (status.last_batch_at) {
    out.value(now.unix_seconds - status.last_batch_at->unix_seconds);
  } else {
    out.null();
  }
  out.key("last_batch_at");
  optional_time(out, status.last_batch_at);
  out.key("quarantined");
  out.value(status.quarantined);
  out.key("reason");
  if (status.quarantined) {
    out.value(status.quarantine_reason);
  } else {
    out.null();
  }
  out.end_object();
}

void write_alert(json::Writer& out, const sync::Alert& alert) {
  out.begin_object();
  out.key("alert_id");
  out.value(alert.alert_id);
  out.key("store");
  out.value(alert.terminal.store_id);
  out.key("terminal");
  out.value(alert.terminal.terminal_id);
  out.key("message");
  out.value(alert.message);
  out.key("raised_at");
  out.value(format_timestamp(alert.raised_at));
  out.end_object();
}

void write_totals(json::Writer& out, const sync::HqTotals& totals) {
  out.begin_object();
  out.key("events");
  out.value(totals.events);
  out.key("receipts");
  out.value(totals.receipts);
  out.key("points_issued");
  out.value(totals.points_issued);
  out.key("points_redeemed");
  out.value(totals.points_redeemed);
  out.key("points_donated");
  out.value(totals.points_donated);
  out.key("points_expired");
  out.value(totals.points_expired);
  out.key("liability_points");
  out.value(totals.liability_points);
  out.key("overdraft_points");
  out.value(totals.overdraft_points);
  out.end_object();
}

void write_customer(json::Writer& out, const sync::CustomerReport& report) {
  out.begin_object();
  out.key("pseudonym");
  out.value(report.pseudonym);
  out.key("balance_points");
  out.value(report.balance_points);
  out.key("overdraft_points");
  out.value(report.overdraft_points);
  out.key("tier");
  if (report.tier) {
    out.value(*report.tier);
  } else {
    out.null();
  }
  out.key("review_at");
  if (report.review_at) {
    out.value(format_timestamp(*report.review_at));
  } else {
    out.null();
  }
  out.key("period_spend_minor");
  out.value(report.period_spend);
  out.key("period_points");
  out.value(report.period_points);
  out.key("receipts");
  out.value(report.receipts);
  out.key("spend_minor");
  out.value(report.spend_minor);
  out.key("flagged");
  out.value(report.flagged);
  out.key("history");
  out.begin_array();
  for (const sync::HqEntry& entry : report.history) write_entry(out, entry);
  out.end_array();
  out.end_object();
}

void write_apply_report(json::Writer& out, const sync::ApplyReport& report) {
  out.begin_object();
  out.key("events_applied");
  out.value(report.events_applied);
  out.key("customers_reprojected");
  out.value(report.customers_reprojected);
  out.key("entries_written");
  out.value(report.entries_written);
  out.end_object();
}

}  // namespace loyalty::hq
