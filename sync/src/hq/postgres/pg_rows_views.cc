// PgRows: the read-only views (terminals, alerts, a customer's history, the totals). The totals
// are three statements, each over tables of one Citus co-location group.

#include <algorithm>

#include "hq/postgres/pg_rows.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr PgStatement terminal_statuses_sql{
    "hq_terminal_statuses",
    "SELECT t.store_id, t.terminal_id, t.epoch, c.held_seq, c.applied_seq, "
    "(SELECT COUNT(*) FROM journal j WHERE j.store_id = t.store_id AND "
    "j.terminal_id = t.terminal_id AND j.epoch = t.epoch AND j.seq > c.held_seq), "
    "t.last_batch_at, (SELECT MAX(j.created_at) FROM journal j WHERE j.store_id = t.store_id AND "
    "j.terminal_id = t.terminal_id AND j.epoch = t.epoch), t.quarantined, t.reason, "
    "t.quarantined_at FROM terminals t JOIN chains c ON c.store_id = t.store_id AND "
    "c.terminal_id = t.terminal_id AND c.epoch = t.epoch ORDER BY t.store_id, t.terminal_id"};
constexpr PgStatement all_alerts_sql{
    "hq_all_alerts",
    "SELECT alert_id, store_id, terminal_id, message, raised_at FROM alerts ORDER BY alert_id"};
constexpr PgStatement history_sql{
    "hq_history",
    "SELECT entry_id, debit, credit, points, code, at, store_id, terminal_id, seq, receipt_id "
    "FROM entries WHERE owner = $1 ORDER BY entry_id DESC LIMIT $2"};
constexpr PgStatement journal_totals_sql{
    "hq_journal_totals",
    "SELECT (SELECT COUNT(*) FROM journal), (SELECT COUNT(*) FROM journal j JOIN chains c ON "
    "c.store_id = j.store_id AND c.terminal_id = j.terminal_id AND c.epoch = j.epoch "
    "WHERE j.kind = 'checkout' AND j.seq <= c.applied_seq)"};
// SQLite: SUM(CASE WHEN code IN (plus) THEN points ELSE -points END) over plus and minus codes.
constexpr PgStatement entry_totals_sql{
    "hq_entry_totals",
    "SELECT (COALESCE(SUM(points) FILTER (WHERE code = 'earn'), 0) - "
    "COALESCE(SUM(points) FILTER (WHERE code = 'reverse_earn'), 0))::bigint, "
    "(COALESCE(SUM(points) FILTER (WHERE code IN ('burn', 'reward')), 0) - "
    "COALESCE(SUM(points) FILTER (WHERE code = 'restore_burn'), 0))::bigint, "
    "COALESCE(SUM(points) FILTER (WHERE code = 'donate'), 0)::bigint, "
    "COALESCE(SUM(points) FILTER (WHERE code = 'expire'), 0)::bigint FROM entries "
    "WHERE code IN ('earn', 'reverse_earn', 'burn', 'reward', 'restore_burn', 'donate', "
    "'expire')"};
constexpr PgStatement customer_totals_sql{
    "hq_customer_totals",
    "SELECT COALESCE(SUM(balance_points), 0)::bigint, COALESCE(SUM(owed_points), 0)::bigint "
    "FROM customers"};

constexpr std::string_view scan_entries_sql =
    "SELECT at, store_id, code, points, debit, credit FROM entries WHERE at >= $1::bigint AND "
    "at < $2::bigint";

std::optional<Timestamp> optional_time(const PgResult& rows, int row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return Timestamp{rows.int64(row, column)};
}

}  // namespace

Result<std::vector<TerminalStatus>> PgRows::terminal_statuses() {
  const PgResult rows = TRY(db_.run(terminal_statuses_sql));
  std::vector<TerminalStatus> statuses;
  statuses.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    TerminalStatus status;
    status.terminal = {rows.text(row, 0), rows.text(row, 1)};
    status.epoch = rows.text(row, 2);
    status.held_seq = rows.int64(row, 3);
    status.applied_seq = rows.int64(row, 4);
    status.stored_beyond = rows.int64(row, 5);
    status.last_batch_at = optional_time(rows, row, 6);
    status.last_event_at = optional_time(rows, row, 7);
    status.quarantined = rows.boolean(row, 8);
    status.quarantine_reason = rows.text(row, 9);
    status.quarantined_at = optional_time(rows, row, 10);
    statuses.push_back(std::move(status));
  }
  return statuses;
}

Result<std::vector<Alert>> PgRows::all_alerts() {
  const PgResult rows = TRY(db_.run(all_alerts_sql));
  std::vector<Alert> alerts;
  alerts.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    alerts.push_back(Alert{rows.int64(row, 0),
                           {rows.text(row, 1), rows.text(row, 2)},
                           rows.text(row, 3),
                           Timestamp{rows.int64(row, 4)}});
  }
  return alerts;
}

Result<std::vector<HqEntry>> PgRows::history(std::string_view pseudonym, std::size_t limit) {
  const PgResult rows =
      TRY(db_.run(history_sql, PgParams().text(pseudonym).int64(static_cast<std::int64_t>(limit))));
  std::vector<HqEntry> entries;
  entries.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    entries.push_back(HqEntry{rows.int64(row, 0),
                              rows.text(row, 1),
                              rows.text(row, 2),
                              rows.int64(row, 3),
                              rows.text(row, 4),
                              Timestamp{rows.int64(row, 5)},
                              {rows.text(row, 6), rows.text(row, 7)},
                              rows.int64(row, 8),
                              rows.text(row, 9)});
  }
  std::reverse(entries.begin(), entries.end());
  return entries;
}

Result<HqTotals> PgRows::sum_totals() {
  HqTotals totals;
  const PgResult journal = TRY(db_.run(journal_totals_sql));
  totals.events = journal.int64(0, 0);
  totals.receipts = journal.int64(0, 1);
  const PgResult entries = TRY(db_.run(entry_totals_sql));
  totals.points_issued = entries.int64(0, 0);
  totals.points_redeemed = entries.int64(0, 1);
  totals.points_donated = entries.int64(0, 2);
  totals.points_expired = entries.int64(0, 3);
  const PgResult customers = TRY(db_.run(customer_totals_sql));
  totals.liability_points = customers.int64(0, 0);
  totals.overdraft_points = customers.int64(0, 1);
  return totals;
}

Status PgRows::scan_entries(Timestamp from, Timestamp until,
                            const std::function<Status(const LedgerEntryRow&)>& visit) {
  return stream(scan_entries_sql, PgParams().int64(from.unix_seconds).int64(until.unix_seconds),
                [&visit](const PgResult& rows, int row) -> Status {
                  return visit(LedgerEntryRow{Timestamp{rows.int64(row, 0)}, rows.text(row, 1),
                                              rows.text(row, 2), rows.int64(row, 3),
                                              rows.text(row, 4), rows.text(row, 5)});
                });
}

Result<LedgerStock> PgRows::ledger_stock(Timestamp until) {
  // rows.h's SQL, shared with SQLite; the sums are numeric here, the stock fits int64.
  const std::string sql = "SELECT (a)::bigint, (b)::bigint FROM (" + std::string(ledger_stock_sql) +
                          "$1::bigint) AS stock(a, b)";
  const PgResult row = TRY(db_.query(sql, PgParams().int64(until.unix_seconds)));
  LedgerStock stock;
  if (row.rows() == 1) {
    stock.liability_points = row.int64(0, 0);
    stock.overdraft_points = row.int64(0, 1);
  }
  return stock;
}

}  // namespace loyalty::sync::hq::pg
