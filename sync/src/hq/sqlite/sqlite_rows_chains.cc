// SqliteRows: transactions, terminals, chains, alerts and the versions counter.

#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

Status SqliteRows::begin(bool write) {
  LOYALTY_ASSERT(!transaction_.has_value());
  transaction_.emplace(TRY(storage::Transaction::begin(
      db_, write ? storage::TransactionKind::write : storage::TransactionKind::read)));
  return {};
}

Status SqliteRows::commit() {
  LOYALTY_ASSERT(transaction_.has_value());
  TRY(transaction_->commit());
  transaction_.reset();
  return {};
}

void SqliteRows::rollback() noexcept { transaction_.reset(); }

Result<std::optional<TerminalRow>> SqliteRows::load_terminal(const TerminalIdentity& terminal) {
  Statement select = TRY(
      Statement::prepare(db_,
                         "SELECT epoch, quarantined, reason FROM terminals WHERE store_id = ?1 AND "
                         "terminal_id = ?2"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  if (TRY(select.step()) != Step::row) return std::optional<TerminalRow>();
  return std::optional<TerminalRow>(
      TerminalRow{select.column_text(0), select.column_int64(1) != 0, select.column_text(2)});
}

Status SqliteRows::insert_terminal(const TerminalIdentity& terminal, std::string_view epoch) {
  Statement insert = TRY(Statement::prepare(
      db_, "INSERT INTO terminals (store_id, terminal_id, epoch) VALUES (?1, ?2, ?3)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, epoch));
  return insert.run();
}

Status SqliteRows::set_terminal_epoch(const TerminalIdentity& terminal, std::string_view epoch) {
  Statement update = TRY(Statement::prepare(
      db_, "UPDATE terminals SET epoch = ?3 WHERE store_id = ?1 AND terminal_id = ?2"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, epoch));
  return update.run();
}

Status SqliteRows::touch_terminal(const TerminalIdentity& terminal, Timestamp last_batch_at) {
  Statement touch = TRY(Statement::prepare(
      db_, "UPDATE terminals SET last_batch_at = ?3 WHERE store_id = ?1 AND terminal_id = ?2"));
  TRY(touch.bind_text(1, terminal.store_id));
  TRY(touch.bind_text(2, terminal.terminal_id));
  TRY(touch.bind_int64(3, last_batch_at.unix_seconds));
  return touch.run();
}

Status SqliteRows::set_quarantine(const TerminalIdentity& terminal, std::string_view reason,
                                  Timestamp at) {
  Statement update = TRY(Statement::prepare(
      db_,
      "UPDATE terminals SET quarantined = 1, reason = ?3, quarantined_at = ?4 WHERE "
      "store_id = ?1 AND terminal_id = ?2 AND quarantined = 0"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, reason));
  TRY(update.bind_int64(4, at.unix_seconds));
  return update.run();
}

Status SqliteRows::clear_quarantine(const TerminalIdentity& terminal) {
  Statement clear = TRY(Statement::prepare(
      db_,
      "UPDATE terminals SET quarantined = 0, reason = '', quarantined_at = NULL WHERE "
      "store_id = ?1 AND terminal_id = ?2"));
  TRY(clear.bind_text(1, terminal.store_id));
  TRY(clear.bind_text(2, terminal.terminal_id));
  return clear.run();
}

Result<std::optional<ChainRow>> SqliteRows::load_chain(const TerminalIdentity& terminal,
                                                       std::string_view epoch) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT held_seq, held_hash, applied_seq FROM chains WHERE store_id = ?1 AND "
      "terminal_id = ?2 AND epoch = ?3"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  TRY(select.bind_text(3, epoch));
  if (TRY(select.step()) != Step::row) return std::optional<ChainRow>();
  return std::optional<ChainRow>(ChainRow{std::string(epoch), select.column_int64(0),
                                          select.column_text(1), select.column_int64(2)});
}

Status SqliteRows::insert_chain(const TerminalIdentity& terminal, std::string_view epoch,
                                Timestamp now) {
  Statement insert = TRY(Statement::prepare(
      db_,
      "INSERT INTO chains (store_id, terminal_id, epoch, started_at) VALUES (?1, ?2, ?3, ?4)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, epoch));
  TRY(insert.bind_int64(4, now.unix_seconds));
  return insert.run();
}

Status SqliteRows::retire_chain(const TerminalIdentity& terminal, std::string_view epoch,
                                Timestamp now) {
  Statement retire = TRY(Statement::prepare(
      db_,
      "UPDATE chains SET retired_at = ?4 WHERE store_id = ?1 AND terminal_id = ?2 AND "
      "epoch = ?3"));
  TRY(retire.bind_text(1, terminal.store_id));
  TRY(retire.bind_text(2, terminal.terminal_id));
  TRY(retire.bind_text(3, epoch));
  TRY(retire.bind_int64(4, now.unix_seconds));
  return retire.run();
}

Status SqliteRows::save_chain(const TerminalIdentity& terminal, const ChainRow& chain) {
  Statement update = TRY(Statement::prepare(
      db_,
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

Status SqliteRows::raise_alert(const TerminalIdentity& terminal, std::string_view message,
                               Timestamp at) {
  Statement insert = TRY(Statement::prepare(
      db_,
      "INSERT INTO alerts (store_id, terminal_id, message, raised_at) VALUES (?1, ?2, ?3, ?4)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, message));
  TRY(insert.bind_int64(4, at.unix_seconds));
  return insert.run();
}

Result<std::int64_t> SqliteRows::reserve_versions(std::int64_t count) {
  LOYALTY_ASSERT(count >= 1);
  Statement update = TRY(Statement::prepare(
      db_, "UPDATE versions SET value = value + ?1 WHERE name = 'downlink' RETURNING value"));
  TRY(update.bind_int64(1, count));
  if (TRY(update.step()) != Step::row) {
    return make_error(ErrorCode::internal, "the HQ store's versions counter is missing");
  }
  const std::int64_t last = update.column_int64(0);
  TRY(update.step());
  return last - count + 1;
}

}  // namespace loyalty::sync::hq
