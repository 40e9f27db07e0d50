// Row helpers shared by the SqliteHqStore's methods, and open_sqlite_hq_store().

#include <algorithm>

#include "hq/store.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

Result<std::optional<TerminalRow>> load_terminal(storage::Database& db,
                                                 const TerminalIdentity& terminal) {
  Statement select = TRY(
      Statement::prepare(db,
                         "SELECT epoch, quarantined, reason FROM terminals WHERE store_id = ?1 AND "
                         "terminal_id = ?2"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  if (TRY(select.step()) != Step::row) return std::optional<TerminalRow>();
  return std::optional<TerminalRow>(
      TerminalRow{select.column_text(0), select.column_int64(1) != 0, select.column_text(2)});
}

Result<std::optional<ChainRow>> load_chain(storage::Database& db, const TerminalIdentity& terminal,
                                           std::string_view epoch) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT held_seq, held_hash, applied_seq FROM chains WHERE store_id = ?1 AND "
      "terminal_id = ?2 AND epoch = ?3"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  TRY(select.bind_text(3, epoch));
  if (TRY(select.step()) != Step::row) return std::optional<ChainRow>();
  return std::optional<ChainRow>(ChainRow{std::string(epoch), select.column_int64(0),
                                          select.column_text(1), select.column_int64(2)});
}

Status save_chain(storage::Database& db, const TerminalIdentity& terminal, const ChainRow& chain) {
  Statement update = TRY(Statement::prepare(
      db,
      "UPDATE chains SET held_seq = ?4, held_hash = ?5, applied_seq = ?6 WHERE store_id = ?1 "
      "AND terminal_id = ?2 AND epoch = ?3"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, chain.epoch));
  TRY(update.bind_int64(4, chain.held_seq));
  TRY(update.bind_text(5, chain.held_hash));
  TRY(update.bind_int64(6, chain.applied_seq));
  return update.run();
}

Status advance_held(storage::Database& db, const TerminalIdentity& terminal, ChainRow& chain) {
  Statement next = TRY(
      Statement::prepare(db,
                         "SELECT seq, payload_hash, prev_hash FROM journal WHERE store_id = ?1 AND "
                         "terminal_id = ?2 AND epoch = ?3 AND seq > ?4 ORDER BY seq"));
  TRY(next.bind_text(1, terminal.store_id));
  TRY(next.bind_text(2, terminal.terminal_id));
  TRY(next.bind_text(3, chain.epoch));
  TRY(next.bind_int64(4, chain.held_seq));
  // Bounded by the rows above held_seq, which ingest bounded batch by batch.
  while (TRY(next.step()) == Step::row) {
    if (next.column_int64(0) != chain.held_seq + 1) break;
    if (next.column_text(2) != chain.held_hash) break;
    chain.held_seq = next.column_int64(0);
    chain.held_hash = next.column_text(1);
  }
  return save_chain(db, terminal, chain);
}

Status raise_alert(storage::Database& db, const TerminalIdentity& terminal,
                   std::string_view message, Timestamp at) {
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO alerts (store_id, terminal_id, message, raised_at) VALUES (?1, ?2, ?3, ?4)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, message));
  TRY(insert.bind_int64(4, at.unix_seconds));
  return insert.run();
}

Status quarantine(storage::Database& db, const TerminalIdentity& terminal, std::string_view reason,
                  Timestamp at) {
  // The first reason stays until an operator releases the terminal; every cause is an alert.
  Statement update = TRY(Statement::prepare(
      db,
      "UPDATE terminals SET quarantined = 1, reason = ?3, quarantined_at = ?4 WHERE "
      "store_id = ?1 AND terminal_id = ?2 AND quarantined = 0"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, reason));
  TRY(update.bind_int64(4, at.unix_seconds));
  TRY(update.run());
  return raise_alert(db, terminal, "quarantined: " + std::string(reason), at);
}

Result<std::int64_t> next_version(storage::Database& db) {
  Statement update = TRY(Statement::prepare(
      db, "UPDATE versions SET value = value + 1 WHERE name = 'downlink' RETURNING value"));
  if (TRY(update.step()) != Step::row) {
    return make_error(ErrorCode::internal, "the HQ store's versions counter is missing");
  }
  const std::int64_t version = update.column_int64(0);
  TRY(update.step());
  return version;
}

Ack make_ack(const TerminalIdentity& terminal, const std::optional<TerminalRow>& row,
             const std::optional<ChainRow>& chain) {
  Ack ack;
  ack.terminal_id = terminal.terminal_id;
  if (!row) return ack;
  ack.epoch = row->epoch;
  if (chain) {
    ack.held_seq = chain->held_seq;
    ack.held_hash = chain->held_hash;
  }
  if (row->quarantined) {
    ack.status = AckStatus::quarantined;
    ack.message = row->reason;
  }
  return ack;
}

}  // namespace loyalty::sync::hq

namespace loyalty::sync {

Result<std::unique_ptr<HqStore>> open_sqlite_hq_store(const std::string& path,
                                                      const SqliteHqOptions& options) {
  if (options.busy_timeout_ms < 0 || options.busy_timeout_ms > limits::sqlite_busy_timeout_ms_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "busy_timeout_ms must be 0.." + std::to_string(limits::sqlite_busy_timeout_ms_max));
  }
  storage::Database db =
      TRY(storage::Database::open(path, storage::DatabaseOptions{}
                                            .with_durability(storage::Durability::full)
                                            .with_busy_timeout_ms(options.busy_timeout_ms)));
  Result<storage::SchemaState> migrated = storage::migrate(db, hq::hq_migrations());
  if (!migrated.ok()) {
    return make_error(migrated.error().code, "HQ store " + path + ": " + migrated.error().message);
  }
  return std::unique_ptr<HqStore>(std::make_unique<hq::SqliteHqStore>(std::move(db)));
}

}  // namespace loyalty::sync
