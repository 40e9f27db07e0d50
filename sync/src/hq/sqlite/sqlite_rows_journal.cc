// SqliteRows: the journal (held events, storing a batch's events, links, drops, the scan).

#include <sqlite3.h>

#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

Result<std::map<std::int64_t, HeldEvent>> SqliteRows::held_events(
    const TerminalIdentity& terminal, std::string_view epoch, std::int64_t from_seq,
    std::int64_t to_seq) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT seq, payload_hash, prev_hash FROM journal WHERE store_id = ?1 AND "
      "terminal_id = ?2 AND epoch = ?3 AND seq BETWEEN ?4 AND ?5"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  TRY(select.bind_text(3, epoch));
  TRY(select.bind_int64(4, from_seq));
  TRY(select.bind_int64(5, to_seq));
  std::map<std::int64_t, HeldEvent> held;
  while (TRY(select.step()) == Step::row) {
    held.emplace(select.column_int64(0), HeldEvent{select.column_text(1), select.column_text(2)});
  }
  return held;
}

Result<std::int64_t> SqliteRows::insert_events(const TerminalIdentity& terminal,
                                               std::string_view epoch,
                                               std::span<const NewJournalRow> rows,
                                               Timestamp now) {
  Statement insert = TRY(Statement::prepare(
      db_,
      "INSERT OR IGNORE INTO journal (store_id, terminal_id, epoch, seq, kind, receipt_id, "
      "payload, payload_hash, prev_hash, created_at, received_at, annex, business_date) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  std::int64_t stored = 0;
  for (const NewJournalRow& row : rows) {
    const WireEvent& event = *row.event;
    TRY(insert.bind_text(1, terminal.store_id));
    TRY(insert.bind_text(2, terminal.terminal_id));
    TRY(insert.bind_text(3, epoch));
    TRY(insert.bind_int64(4, event.seq));
    TRY(insert.bind_text(5, event.kind));
    TRY(insert.bind_text(6, event.receipt_id));
    TRY(insert.bind_text(7, event.payload));
    TRY(insert.bind_text(8, event.payload_hash));
    TRY(insert.bind_text(9, event.prev_hash));
    TRY(insert.bind_int64(10, event.created_at.unix_seconds));
    TRY(insert.bind_int64(11, now.unix_seconds));
    TRY(insert.bind_text(12, event.annex));
    TRY(insert.bind_text(13, row.business_date));
    TRY(insert.run());
    stored += sqlite3_changes(db_.handle());
    insert.reset();
  }
  return stored;
}

Result<std::vector<std::pair<std::int64_t, HeldEvent>>> SqliteRows::events_after(
    const TerminalIdentity& terminal, std::string_view epoch, std::int64_t after_seq,
    std::size_t limit) {
  Statement next = TRY(Statement::prepare(
      db_,
      "SELECT seq, payload_hash, prev_hash FROM journal WHERE store_id = ?1 AND "
      "terminal_id = ?2 AND epoch = ?3 AND seq > ?4 ORDER BY seq LIMIT ?5"));
  TRY(next.bind_text(1, terminal.store_id));
  TRY(next.bind_text(2, terminal.terminal_id));
  TRY(next.bind_text(3, epoch));
  TRY(next.bind_int64(4, after_seq));
  TRY(next.bind_int64(5, static_cast<std::int64_t>(limit)));
  std::vector<std::pair<std::int64_t, HeldEvent>> events;
  while (TRY(next.step()) == Step::row) {
    events.emplace_back(next.column_int64(0),
                        HeldEvent{next.column_text(1), next.column_text(2)});
  }
  return events;
}

Result<std::int64_t> SqliteRows::drop_events_from(const TerminalIdentity& terminal,
                                                  std::string_view epoch, std::int64_t from_seq) {
  Statement remove = TRY(Statement::prepare(
      db_,
      "DELETE FROM journal WHERE store_id = ?1 AND terminal_id = ?2 AND epoch = ?3 AND "
      "seq >= ?4"));
  TRY(remove.bind_text(1, terminal.store_id));
  TRY(remove.bind_text(2, terminal.terminal_id));
  TRY(remove.bind_text(3, epoch));
  TRY(remove.bind_int64(4, from_seq));
  TRY(remove.run());
  return std::int64_t{sqlite3_changes(db_.handle())};
}

namespace {

// " AND column IN (?a, ?b, ...)" for `values` bound from `next`; "" for none.
std::string in_list(std::string_view column, std::size_t count, int& next) {
  if (count == 0) return "";
  std::string sql = " AND " + std::string(column) + " IN (";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) sql += ", ";
    sql += "?" + std::to_string(next++);
  }
  return sql + ")";
}

}  // namespace

Status SqliteRows::scan_journal(const JournalScan& scan,
                                const std::function<Status(JournalEvent&&)>& visit) {
  int next = 3;
  std::string sql =
      "SELECT store_id, terminal_id, epoch, seq, kind, receipt_id, payload, annex, created_at, "
      "business_date FROM journal WHERE business_date BETWEEN ?1 AND ?2";
  sql += in_list("store_id", scan.stores.size(), next);
  sql += in_list("kind", scan.kinds.size(), next);
  sql += " ORDER BY created_at, store_id, terminal_id, epoch, seq";
  Statement select = TRY(Statement::prepare(db_, sql));
  TRY(select.bind_text(1, scan.from_date));
  TRY(select.bind_text(2, scan.to_date));
  int index = 3;
  for (const std::string& store : scan.stores) TRY(select.bind_text(index++, store));
  for (const std::string& kind : scan.kinds) TRY(select.bind_text(index++, kind));
  while (TRY(select.step()) == Step::row) {
    JournalEvent event;
    event.store_id = select.column_text(0);
    event.terminal_id = select.column_text(1);
    event.epoch = select.column_text(2);
    event.seq = select.column_int64(3);
    event.kind = select.column_text(4);
    event.receipt_id = select.column_text(5);
    event.payload = select.column_text(6);
    event.annex = select.column_text(7);
    event.created_at = Timestamp{select.column_int64(8)};
    event.business_date = select.column_text(9);
    TRY(visit(std::move(event)));
  }
  return {};
}

}  // namespace loyalty::sync::hq
