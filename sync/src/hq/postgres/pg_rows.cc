// PgRows: transactions, terminals, chains, alerts and the versions counter.

#include "hq/postgres/pg_rows.h"

#include "loyalty/core/limits.h"

namespace loyalty::sync::hq::pg {

namespace {

// The ingest's staging table (insert_events): per session, emptied by every commit.
constexpr std::string_view session_setup =
    "CREATE TEMP TABLE IF NOT EXISTS journal_staging (LIKE journal INCLUDING DEFAULTS) "
    "ON COMMIT DELETE ROWS";

constexpr PgStatement load_terminal_sql{
    "hq_load_terminal",
    "SELECT epoch, quarantined, reason FROM terminals WHERE store_id = $1 AND terminal_id = $2"};
constexpr PgStatement load_terminal_locked_sql{
    "hq_load_terminal_locked",
    "SELECT epoch, quarantined, reason FROM terminals WHERE store_id = $1 AND terminal_id = $2 "
    "FOR UPDATE"};
constexpr PgStatement insert_terminal_sql{
    "hq_insert_terminal",
    "INSERT INTO terminals (store_id, terminal_id, epoch) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING"};
constexpr PgStatement set_terminal_epoch_sql{
    "hq_set_terminal_epoch",
    "UPDATE terminals SET epoch = $3 WHERE store_id = $1 AND terminal_id = $2"};
constexpr PgStatement touch_terminal_sql{
    "hq_touch_terminal",
    "UPDATE terminals SET last_batch_at = $3 WHERE store_id = $1 AND terminal_id = $2"};
constexpr PgStatement set_quarantine_sql{
    "hq_set_quarantine",
    "UPDATE terminals SET quarantined = true, reason = $3, quarantined_at = $4 "
    "WHERE store_id = $1 AND terminal_id = $2 AND NOT quarantined"};
constexpr PgStatement clear_quarantine_sql{
    "hq_clear_quarantine",
    "UPDATE terminals SET quarantined = false, reason = '', quarantined_at = NULL "
    "WHERE store_id = $1 AND terminal_id = $2"};
constexpr PgStatement load_chain_sql{
    "hq_load_chain",
    "SELECT held_seq, held_hash, applied_seq FROM chains WHERE store_id = $1 AND "
    "terminal_id = $2 AND epoch = $3"};
constexpr PgStatement load_chain_locked_sql{
    "hq_load_chain_locked",
    "SELECT held_seq, held_hash, applied_seq FROM chains WHERE store_id = $1 AND "
    "terminal_id = $2 AND epoch = $3 FOR UPDATE"};
constexpr PgStatement insert_chain_sql{
    "hq_insert_chain",
    "INSERT INTO chains (store_id, terminal_id, epoch, started_at) VALUES ($1, $2, $3, $4)"};
constexpr PgStatement retire_chain_sql{
    "hq_retire_chain",
    "UPDATE chains SET retired_at = $4 WHERE store_id = $1 AND terminal_id = $2 AND epoch = $3"};
constexpr PgStatement save_chain_sql{
    "hq_save_chain",
    "UPDATE chains SET held_seq = $4, held_hash = $5, applied_seq = $6 WHERE store_id = $1 AND "
    "terminal_id = $2 AND epoch = $3"};
constexpr PgStatement lock_sql{"hq_lock", "SELECT pg_advisory_xact_lock($1::bigint)"};
// As SQLite numbers a rowid: one more than the largest (under the alerts' lock).
constexpr PgStatement raise_alert_sql{
    "hq_raise_alert",
    "INSERT INTO alerts (store_id, alert_id, terminal_id, message, raised_at) "
    "SELECT $1::text, COALESCE(MAX(alert_id), 0) + 1, $2::text, $3::text, $4::bigint FROM alerts"};
constexpr PgStatement next_version_sql{
    "hq_next_version",
    "UPDATE versions SET value = value + $1::bigint WHERE name = 'downlink' RETURNING value"};

PgParams terminal_params(const TerminalIdentity& terminal) {
  PgParams params;
  params.text(terminal.store_id).text(terminal.terminal_id);
  return params;
}

}  // namespace

Result<std::unique_ptr<PgRows>> PgRows::create(PgConnection connection) {
  TRY(connection.set_session_setup(std::string(session_setup)));
  return std::unique_ptr<PgRows>(new PgRows(std::move(connection)));
}

// --- Transactions ---

Status PgRows::begin(bool write) {
  TRY(db_.begin(write ? PgTransaction::write : PgTransaction::read));
  write_ = write;
  apply_locked_ = false;
  alerts_locked_ = false;
  staging_used_ = false;
  return {};
}

Status PgRows::commit() { return db_.commit(); }

void PgRows::rollback() noexcept { db_.rollback(); }

Status PgRows::lock_apply() {
  if (apply_locked_) return {};
  TRY(db_.run(lock_sql, PgParams().int64(apply_lock_key)));
  apply_locked_ = true;
  return {};
}

Status PgRows::stream(std::string_view query, const PgParams& params,
                      const std::function<Status(const PgResult&, int)>& visit) {
  constexpr std::string_view cursor = "hq_scan";
  TRY(db_.query("DECLARE " + std::string(cursor) + " NO SCROLL CURSOR FOR " + std::string(query),
                params));
  const std::string fetch = "FETCH FORWARD " + std::to_string(limits::hq_pg_scan_fetch_rows_max) +
                            " FROM " + std::string(cursor);
  // Chunk after chunk until the cursor runs dry: each bounded by limits::hq_pg_scan_fetch_rows_max
  // rows, their number by the rows the query selects.
  Status visited;
  while (visited.ok()) {
    const PgResult rows = TRY(db_.query(fetch));
    for (int row = 0; row < rows.rows() && visited.ok(); ++row) visited = visit(rows, row);
    if (rows.rows() < static_cast<int>(limits::hq_pg_scan_fetch_rows_max)) break;
  }
  const Status closed = db_.exec("CLOSE " + std::string(cursor));
  TRY(std::move(visited));
  return closed;
}

// --- Terminals and their chains ---

Result<std::optional<TerminalRow>> PgRows::load_terminal(const TerminalIdentity& terminal) {
  const PgResult row = TRY(
      db_.run(write_ ? load_terminal_locked_sql : load_terminal_sql, terminal_params(terminal)));
  if (row.rows() == 0) return std::optional<TerminalRow>();
  return std::optional<TerminalRow>(TerminalRow{row.text(0, 0), row.boolean(0, 1), row.text(0, 2)});
}

Status PgRows::insert_terminal(const TerminalIdentity& terminal, std::string_view epoch) {
  const PgResult inserted =
      TRY(db_.run(insert_terminal_sql, terminal_params(terminal).text(epoch)));
  if (inserted.affected() == 0) {
    // Another connection added the terminal after this transaction looked for it (its first
    // batch, sent twice at once): the retry finds it.
    return make_error(ErrorCode::busy, "terminal " + terminal.store_id + "/" +
                                           terminal.terminal_id +
                                           " was added by another connection meanwhile; run it "
                                           "again");
  }
  return {};
}

Status PgRows::set_terminal_epoch(const TerminalIdentity& terminal, std::string_view epoch) {
  TRY(db_.run(set_terminal_epoch_sql, terminal_params(terminal).text(epoch)));
  return {};
}

Status PgRows::touch_terminal(const TerminalIdentity& terminal, Timestamp last_batch_at) {
  TRY(db_.run(touch_terminal_sql, terminal_params(terminal).int64(last_batch_at.unix_seconds)));
  return {};
}

Status PgRows::set_quarantine(const TerminalIdentity& terminal, std::string_view reason,
                              Timestamp at) {
  TRY(db_.run(set_quarantine_sql, terminal_params(terminal).text(reason).int64(at.unix_seconds)));
  return {};
}

Status PgRows::clear_quarantine(const TerminalIdentity& terminal) {
  TRY(db_.run(clear_quarantine_sql, terminal_params(terminal)));
  return {};
}

Result<std::optional<ChainRow>> PgRows::load_chain(const TerminalIdentity& terminal,
                                                   std::string_view epoch) {
  const PgResult row = TRY(db_.run(write_ ? load_chain_locked_sql : load_chain_sql,
                                   terminal_params(terminal).text(epoch)));
  if (row.rows() == 0) return std::optional<ChainRow>();
  return std::optional<ChainRow>(
      ChainRow{std::string(epoch), row.int64(0, 0), row.text(0, 1), row.int64(0, 2)});
}

Status PgRows::insert_chain(const TerminalIdentity& terminal, std::string_view epoch,
                            Timestamp now) {
  TRY(db_.run(insert_chain_sql, terminal_params(terminal).text(epoch).int64(now.unix_seconds)));
  return {};
}

Status PgRows::retire_chain(const TerminalIdentity& terminal, std::string_view epoch,
                            Timestamp now) {
  TRY(db_.run(retire_chain_sql, terminal_params(terminal).text(epoch).int64(now.unix_seconds)));
  return {};
}

Status PgRows::save_chain(const TerminalIdentity& terminal, const ChainRow& chain) {
  TRY(db_.run(save_chain_sql, terminal_params(terminal)
                                  .text(chain.epoch)
                                  .int64(chain.held_seq)
                                  .text(chain.held_hash)
                                  .int64(chain.applied_seq)));
  return {};
}

Status PgRows::raise_alert(const TerminalIdentity& terminal, std::string_view message,
                           Timestamp at) {
  if (!alerts_locked_) {
    TRY(db_.run(lock_sql, PgParams().int64(alerts_lock_key)));
    alerts_locked_ = true;
  }
  TRY(db_.run(raise_alert_sql, terminal_params(terminal).text(message).int64(at.unix_seconds)));
  return {};
}

Result<std::int64_t> PgRows::reserve_versions(std::int64_t count) {
  LOYALTY_ASSERT(count >= 1);
  const PgResult row = TRY(db_.run(next_version_sql, PgParams().int64(count)));
  if (row.rows() != 1) {
    return make_error(ErrorCode::internal, "the HQ store's versions counter is missing");
  }
  return row.int64(0, 0) - count + 1;
}

}  // namespace loyalty::sync::hq::pg
