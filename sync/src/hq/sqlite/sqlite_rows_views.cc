// SqliteRows: the read-only views (terminals, alerts, a customer's history, the totals).

#include <algorithm>

#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

std::optional<Timestamp> optional_time(const Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return Timestamp{row.column_int64(column)};
}

Result<std::int64_t> scalar(storage::Database& db, std::string_view sql) {
  Statement select = TRY(Statement::prepare(db, sql));
  if (TRY(select.step()) != Step::row) return std::int64_t{0};
  return select.column_int64(0);
}

}  // namespace

Result<std::vector<TerminalStatus>> SqliteRows::terminal_statuses() {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT t.store_id, t.terminal_id, t.epoch, c.held_seq, c.applied_seq, "
      "(SELECT COUNT(*) FROM journal j WHERE j.store_id = t.store_id AND "
      "j.terminal_id = t.terminal_id AND j.epoch = t.epoch AND j.seq > c.held_seq), "
      "t.last_batch_at, (SELECT MAX(j.created_at) FROM journal j WHERE "
      "j.store_id = t.store_id AND j.terminal_id = t.terminal_id AND j.epoch = t.epoch), "
      "t.quarantined, t.reason, t.quarantined_at FROM terminals t JOIN chains c ON "
      "c.store_id = t.store_id AND c.terminal_id = t.terminal_id AND c.epoch = t.epoch "
      "ORDER BY t.store_id, t.terminal_id"));
  std::vector<TerminalStatus> statuses;
  while (TRY(select.step()) == Step::row) {
    TerminalStatus status;
    status.terminal = {select.column_text(0), select.column_text(1)};
    status.epoch = select.column_text(2);
    status.held_seq = select.column_int64(3);
    status.applied_seq = select.column_int64(4);
    status.stored_beyond = select.column_int64(5);
    status.last_batch_at = optional_time(select, 6);
    status.last_event_at = optional_time(select, 7);
    status.quarantined = select.column_int64(8) != 0;
    status.quarantine_reason = select.column_text(9);
    status.quarantined_at = optional_time(select, 10);
    statuses.push_back(std::move(status));
  }
  return statuses;
}

Result<std::vector<Alert>> SqliteRows::all_alerts() {
  Statement select = TRY(
      Statement::prepare(db_,
                         "SELECT alert_id, store_id, terminal_id, message, raised_at FROM alerts "
                         "ORDER BY alert_id"));
  std::vector<Alert> alerts;
  while (TRY(select.step()) == Step::row) {
    alerts.push_back(Alert{select.column_int64(0),
                           {select.column_text(1), select.column_text(2)},
                           select.column_text(3),
                           Timestamp{select.column_int64(4)}});
  }
  return alerts;
}

Result<std::vector<HqEntry>> SqliteRows::history(std::string_view pseudonym, std::size_t limit) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT entry_id, debit, credit, points, code, at, store_id, terminal_id, seq, "
      "receipt_id FROM entries WHERE owner = ?1 ORDER BY entry_id DESC LIMIT ?2"));
  TRY(select.bind_text(1, pseudonym));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(limit)));
  std::vector<HqEntry> entries;
  while (TRY(select.step()) == Step::row) {
    entries.push_back(HqEntry{select.column_int64(0),
                              select.column_text(1),
                              select.column_text(2),
                              select.column_int64(3),
                              select.column_text(4),
                              Timestamp{select.column_int64(5)},
                              {select.column_text(6), select.column_text(7)},
                              select.column_int64(8),
                              select.column_text(9)});
  }
  std::reverse(entries.begin(), entries.end());
  return entries;
}

Result<HqTotals> SqliteRows::sum_totals() {
  HqTotals totals;
  totals.events = TRY(scalar(db_, "SELECT COUNT(*) FROM journal"));
  totals.receipts = TRY(
      scalar(db_,
             "SELECT COUNT(*) FROM journal j JOIN chains c ON c.store_id = j.store_id AND "
             "c.terminal_id = j.terminal_id AND c.epoch = j.epoch WHERE j.kind = 'checkout' AND "
             "j.seq <= c.applied_seq"));
  auto sum_codes = [this](std::string_view plus, std::string_view minus) -> Result<std::int64_t> {
    return scalar(db_, "SELECT COALESCE(SUM(CASE WHEN code IN (" + std::string(plus) +
                           ") THEN points ELSE -points END), 0) FROM entries WHERE code IN (" +
                           std::string(plus) + (minus.empty() ? "" : ", ") + std::string(minus) +
                           ")");
  };
  totals.points_issued = TRY(sum_codes("'earn'", "'reverse_earn'"));
  totals.points_redeemed = TRY(sum_codes("'burn', 'reward'", "'restore_burn'"));
  totals.points_donated = TRY(sum_codes("'donate'", ""));
  totals.points_expired = TRY(sum_codes("'expire'", ""));
  totals.liability_points =
      TRY(scalar(db_, "SELECT COALESCE(SUM(balance_points), 0) FROM customers"));
  totals.overdraft_points = TRY(scalar(db_, "SELECT COALESCE(SUM(owed_points), 0) FROM customers"));
  return totals;
}

Status SqliteRows::scan_entries(Timestamp from, Timestamp until,
                                const std::function<Status(const LedgerEntryRow&)>& visit) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT at, store_id, code, points, debit, credit FROM entries WHERE at >= ?1 AND "
      "at < ?2"));
  TRY(select.bind_int64(1, from.unix_seconds));
  TRY(select.bind_int64(2, until.unix_seconds));
  while (TRY(select.step()) == Step::row) {
    TRY(visit(LedgerEntryRow{Timestamp{select.column_int64(0)}, select.column_text(1),
                             select.column_text(2), select.column_int64(3), select.column_text(4),
                             select.column_text(5)}));
  }
  return {};
}

Result<LedgerStock> SqliteRows::ledger_stock(Timestamp until) {
  Statement select = TRY(Statement::prepare(db_, std::string(ledger_stock_sql) + "?1"));
  TRY(select.bind_int64(1, until.unix_seconds));
  LedgerStock stock;
  if (TRY(select.step()) == Step::row) {
    stock.liability_points = select.column_int64(0);
    stock.overdraft_points = select.column_int64(1);
  }
  return stock;
}

}  // namespace loyalty::sync::hq
