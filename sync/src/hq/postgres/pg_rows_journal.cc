// PgRows: the journal. The ingest COPYs a batch's new events into the session's staging table
// and moves them into the (partitioned) journal with one INSERT ... ON CONFLICT DO NOTHING;
// scan_journal streams through a cursor, chunk by chunk.

#include "hq/postgres/pg_rows.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr PgStatement held_events_sql{
    "hq_held_events",
    "SELECT seq, payload_hash, prev_hash FROM journal WHERE store_id = $1 AND terminal_id = $2 "
    "AND epoch = $3 AND seq BETWEEN $4 AND $5 ORDER BY seq"};
constexpr std::string_view copy_staging_sql =
    "COPY journal_staging (store_id, terminal_id, epoch, seq, kind, receipt_id, payload, "
    "payload_hash, prev_hash, created_at, received_at, annex, business_date) FROM STDIN";
constexpr PgStatement move_staging_sql{
    "hq_move_staging",
    "INSERT INTO journal (store_id, terminal_id, epoch, seq, kind, receipt_id, payload, "
    "payload_hash, prev_hash, created_at, received_at, annex, business_date) "
    "SELECT store_id, terminal_id, epoch, seq, kind, receipt_id, payload, payload_hash, "
    "prev_hash, created_at, received_at, annex, business_date FROM journal_staging "
    "ON CONFLICT DO NOTHING"};
constexpr PgStatement clear_staging_sql{"hq_clear_staging", "DELETE FROM journal_staging"};
constexpr PgStatement events_after_sql{
    "hq_events_after",
    "SELECT seq, payload_hash, prev_hash FROM journal WHERE store_id = $1 AND terminal_id = $2 "
    "AND epoch = $3 AND seq > $4 ORDER BY seq LIMIT $5"};
constexpr PgStatement drop_events_sql{
    "hq_drop_events",
    "DELETE FROM journal WHERE store_id = $1 AND terminal_id = $2 AND epoch = $3 AND seq >= $4"};

PgParams chain_params(const TerminalIdentity& terminal, std::string_view epoch) {
  PgParams params;
  params.text(terminal.store_id).text(terminal.terminal_id).text(epoch);
  return params;
}

// The scan's query: only the filters the scan has, so that the plan prunes partitions by date
// and reads journal_by_time in order.
std::string scan_sql(const JournalScan& scan, PgParams& params) {
  std::string sql =
      "SELECT store_id, terminal_id, epoch, seq, kind, receipt_id, payload, annex, created_at, "
      "business_date FROM journal WHERE business_date BETWEEN $1::date AND $2::date";
  params.text(scan.from_date).text(scan.to_date);
  auto any_of = [&](std::string_view column, const std::vector<std::string>& values) {
    PgArray array;
    for (const std::string& value : values) array.text(value);
    params.array(array);
    sql += " AND " + std::string(column) + " = ANY($" + std::to_string(params.size()) + "::text[])";
  };
  if (!scan.stores.empty()) any_of("store_id", scan.stores);
  if (!scan.kinds.empty()) any_of("kind", scan.kinds);
  sql += " ORDER BY created_at, store_id, terminal_id, epoch, seq";
  return sql;
}

}  // namespace

Result<std::map<std::int64_t, HeldEvent>> PgRows::held_events(const TerminalIdentity& terminal,
                                                              std::string_view epoch,
                                                              std::int64_t from_seq,
                                                              std::int64_t to_seq) {
  const PgResult rows =
      TRY(db_.run(held_events_sql, chain_params(terminal, epoch).int64(from_seq).int64(to_seq)));
  std::map<std::int64_t, HeldEvent> held;
  for (int row = 0; row < rows.rows(); ++row) {
    held.emplace(rows.int64(row, 0), HeldEvent{rows.text(row, 1), rows.text(row, 2)});
  }
  return held;
}

Result<std::int64_t> PgRows::insert_events(const TerminalIdentity& terminal, std::string_view epoch,
                                           std::span<const NewJournalRow> rows, Timestamp now) {
  if (rows.empty()) return std::int64_t{0};
  // The staging table empties at commit; a second call in one transaction empties it first.
  if (staging_used_) TRY(db_.run(clear_staging_sql));
  CopyRows copy;
  for (const NewJournalRow& row : rows) {
    LOYALTY_ASSERT(row.event != nullptr);
    const WireEvent& event = *row.event;
    copy.text(terminal.store_id)
        .text(terminal.terminal_id)
        .text(epoch)
        .int64(event.seq)
        .text(event.kind)
        .text(event.receipt_id)
        .text(event.payload)
        .text(event.payload_hash)
        .text(event.prev_hash)
        .int64(event.created_at.unix_seconds)
        .int64(now.unix_seconds)
        .text(event.annex)
        .text(row.business_date);
    copy.end_row();
  }
  TRY(db_.copy_in(copy_staging_sql, copy.data()));
  staging_used_ = true;
  const PgResult moved = TRY(db_.run(move_staging_sql));
  LOYALTY_ASSERT(moved.affected() >= 0 &&
                 moved.affected() <= static_cast<std::int64_t>(rows.size()));
  return moved.affected();
}

Result<std::vector<std::pair<std::int64_t, HeldEvent>>> PgRows::events_after(
    const TerminalIdentity& terminal, std::string_view epoch, std::int64_t after_seq,
    std::size_t limit) {
  const PgResult rows = TRY(db_.run(
      events_after_sql,
      chain_params(terminal, epoch).int64(after_seq).int64(static_cast<std::int64_t>(limit))));
  std::vector<std::pair<std::int64_t, HeldEvent>> events;
  events.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    events.emplace_back(rows.int64(row, 0), HeldEvent{rows.text(row, 1), rows.text(row, 2)});
  }
  return events;
}

Result<std::int64_t> PgRows::drop_events_from(const TerminalIdentity& terminal,
                                              std::string_view epoch, std::int64_t from_seq) {
  const PgResult dropped =
      TRY(db_.run(drop_events_sql, chain_params(terminal, epoch).int64(from_seq)));
  return dropped.affected();
}

Status PgRows::scan_journal(const JournalScan& scan,
                            const std::function<Status(JournalEvent&&)>& visit) {
  PgParams params;
  const std::string sql = scan_sql(scan, params);
  return stream(sql, params, [&visit](const PgResult& rows, int row) -> Status {
    JournalEvent event;
    event.store_id = rows.text(row, 0);
    event.terminal_id = rows.text(row, 1);
    event.epoch = rows.text(row, 2);
    event.seq = rows.int64(row, 3);
    event.kind = rows.text(row, 4);
    event.receipt_id = rows.text(row, 5);
    event.payload = rows.text(row, 6);
    event.annex = rows.text(row, 7);
    event.created_at = Timestamp{rows.int64(row, 8)};
    event.business_date = rows.text(row, 9);
    return visit(std::move(event));
  });
}

}  // namespace loyalty::sync::hq::pg
