// SqliteRows: what apply() reads and writes (pending chains, their events, the event index, the
// pseudonyms' states through owner_rows.cc, entries, lots due).

#include "hq/sqlite/owner_rows.h"
#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

constexpr std::string_view event_columns =
    "j.created_at, j.store_id, j.terminal_id, j.epoch, j.seq, j.kind, j.receipt_id, j.payload, "
    "j.annex";

StoredEvent stored_row(const Statement& row) {
  return StoredEvent{EventKey{Timestamp{row.column_int64(0)}, row.column_text(1),
                              row.column_text(2), row.column_text(3), row.column_int64(4)},
                     row.column_text(5), row.column_text(6), row.column_text(7),
                     row.column_text(8)};
}

}  // namespace

Result<std::vector<PendingChain>> SqliteRows::pending_chains() {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT c.store_id, c.terminal_id, c.epoch, c.applied_seq, c.held_seq FROM chains c "
      "JOIN terminals t ON t.store_id = c.store_id AND t.terminal_id = c.terminal_id "
      "WHERE t.quarantined = 0 AND c.applied_seq < c.held_seq "
      "ORDER BY c.store_id, c.terminal_id, c.retired_at IS NULL, c.started_at"));
  std::vector<PendingChain> chains;
  while (TRY(select.step()) == Step::row) {
    chains.push_back(PendingChain{{select.column_text(0), select.column_text(1)},
                                  select.column_text(2),
                                  select.column_int64(3),
                                  select.column_int64(4)});
  }
  return chains;
}

Result<std::vector<StoredEvent>> SqliteRows::chain_events(const PendingChain& chain,
                                                          std::int64_t after_seq,
                                                          std::int64_t up_to_seq,
                                                          std::size_t limit) {
  Statement select = TRY(Statement::prepare(
      db_, "SELECT " + std::string(event_columns) +
               " FROM journal j WHERE j.store_id = ?1 AND j.terminal_id = ?2 AND j.epoch = ?3 "
               "AND j.seq > ?4 AND j.seq <= ?5 ORDER BY j.seq LIMIT ?6"));
  TRY(select.bind_text(1, chain.terminal.store_id));
  TRY(select.bind_text(2, chain.terminal.terminal_id));
  TRY(select.bind_text(3, chain.epoch));
  TRY(select.bind_int64(4, after_seq));
  TRY(select.bind_int64(5, up_to_seq));
  TRY(select.bind_int64(6, static_cast<std::int64_t>(limit)));
  std::vector<StoredEvent> events;
  while (TRY(select.step()) == Step::row) events.push_back(stored_row(select));
  return events;
}

Status SqliteRows::set_applied(const TerminalIdentity& terminal, std::string_view epoch,
                               std::int64_t applied_seq) {
  Statement update = TRY(Statement::prepare(
      db_,
      "UPDATE chains SET applied_seq = ?4 WHERE store_id = ?1 AND terminal_id = ?2 AND "
      "epoch = ?3"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, epoch));
  TRY(update.bind_int64(4, applied_seq));
  return update.run();
}

Status SqliteRows::record_events(std::span<const RecordedEvent> events) {
  Statement note = TRY(Statement::prepare(
      db_,
      "INSERT OR REPLACE INTO apply_notes (store_id, terminal_id, epoch, seq, note) "
      "VALUES (?1, ?2, ?3, ?4, ?5)"));
  Statement index = TRY(Statement::prepare(
      db_,
      "INSERT OR IGNORE INTO customer_events (pseudonym, created_at, store_id, terminal_id, "
      "epoch, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  Statement store = TRY(Statement::prepare(
      db_, "INSERT OR IGNORE INTO store_customers (store_id, pseudonym) VALUES (?1, ?2)"));
  for (const RecordedEvent& recorded : events) {
    const ParsedEvent& event = *recorded.event;
    if (!event.note.empty()) {
      TRY(note.bind_text(1, event.key.store_id));
      TRY(note.bind_text(2, event.key.terminal_id));
      TRY(note.bind_text(3, event.key.epoch));
      TRY(note.bind_int64(4, event.key.seq));
      TRY(note.bind_text(5, event.note));
      TRY(note.run());
      note.reset();
    }
    for (const std::string& owner : recorded.owners) {
      TRY(index.bind_text(1, owner));
      TRY(index.bind_int64(2, event.key.created_at.unix_seconds));
      TRY(index.bind_text(3, event.key.store_id));
      TRY(index.bind_text(4, event.key.terminal_id));
      TRY(index.bind_text(5, event.key.epoch));
      TRY(index.bind_int64(6, event.key.seq));
      TRY(index.run());
      index.reset();
      TRY(store.bind_text(1, event.key.store_id));
      TRY(store.bind_text(2, owner));
      TRY(store.run());
      store.reset();
    }
  }
  return {};
}

Result<std::vector<StoredEvent>> SqliteRows::owner_events(std::string_view pseudonym) {
  Statement select = TRY(Statement::prepare(
      db_, "SELECT " + std::string(event_columns) +
               " FROM customer_events ce JOIN journal j ON j.store_id = ce.store_id AND "
               "j.terminal_id = ce.terminal_id AND j.epoch = ce.epoch AND j.seq = ce.seq "
               "WHERE ce.pseudonym = ?1 ORDER BY ce.created_at, ce.store_id, ce.terminal_id, "
               "ce.epoch, ce.seq"));
  TRY(select.bind_text(1, pseudonym));
  std::vector<StoredEvent> events;
  while (TRY(select.step()) == Step::row) events.push_back(stored_row(select));
  return events;
}

Result<std::vector<OwnerState>> SqliteRows::load_owners(std::span<const std::string> pseudonyms) {
  std::vector<OwnerState> states;
  states.reserve(pseudonyms.size());
  for (const std::string& pseudonym : pseudonyms) states.push_back(TRY(load_owner(db_, pseudonym)));
  return states;
}

Status SqliteRows::save_owners(std::span<const OwnerState* const> states, Timestamp changed_at) {
  for (const OwnerState* state : states) TRY(save_owner(db_, *state, changed_at));
  return {};
}

Status SqliteRows::insert_entries(std::span<const OwnedEntries> runs) {
  return hq::insert_entries(db_, runs);
}

Status SqliteRows::delete_entries(std::string_view owner) {
  return hq::delete_entries(db_, owner);
}

Result<std::vector<std::string>> SqliteRows::owners_with_lots_due(Timestamp now) {
  Statement select = TRY(Statement::prepare(
      db_, "SELECT DISTINCT owner FROM lots WHERE expires_at IS NOT NULL AND expires_at <= ?1"));
  TRY(select.bind_int64(1, now.unix_seconds));
  std::vector<std::string> owners;
  while (TRY(select.step()) == Step::row) owners.push_back(select.column_text(0));
  return owners;
}

}  // namespace loyalty::sync::hq
