// apply(): the journal's held events into the HQ ledger, as a deterministic projection ordered by
// (created_at, store, terminal, epoch, seq).
//
// Incremental: a pseudonym whose new events all sort after its last applied event (and after the
// latest expiry apply(now) booked for it by itself) gets them appended; otherwise its part of the
// ledger is rebuilt: its entries and lots are dropped and all its applied events replayed in
// order. Either way the result is what one replay of everything would give, whatever the order in
// which batches arrived.

#include <algorithm>
#include <map>
#include <set>

#include "hq/owner_rows.h"
#include "hq/store.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

struct PendingChain {
  TerminalIdentity terminal;
  std::string epoch;
  std::int64_t applied_seq = 0;
  std::int64_t held_seq = 0;
};

Result<std::vector<PendingChain>> pending_chains(storage::Database& db) {
  Statement select = TRY(Statement::prepare(
      db,
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

constexpr std::string_view event_columns =
    "j.created_at, j.store_id, j.terminal_id, j.epoch, j.seq, j.kind, j.receipt_id, j.payload, "
    "j.annex";

ParsedEvent parse_row(const Statement& row) {
  EventKey key{Timestamp{row.column_int64(0)}, row.column_text(1), row.column_text(2),
               row.column_text(3), row.column_int64(4)};
  return parse_event(std::move(key), row.column_text(5), row.column_text(6), row.column_text(7),
                     row.column_text(8));
}

// Up to `budget` events of the chain after its applied_seq; records the new applied_seq.
Status take_events(storage::Database& db, const PendingChain& chain, std::size_t budget,
                   std::vector<ParsedEvent>& out) {
  Statement select = TRY(Statement::prepare(
      db, "SELECT " + std::string(event_columns) +
              " FROM journal j WHERE j.store_id = ?1 AND j.terminal_id = ?2 AND j.epoch = ?3 "
              "AND j.seq > ?4 AND j.seq <= ?5 ORDER BY j.seq LIMIT ?6"));
  TRY(select.bind_text(1, chain.terminal.store_id));
  TRY(select.bind_text(2, chain.terminal.terminal_id));
  TRY(select.bind_text(3, chain.epoch));
  TRY(select.bind_int64(4, chain.applied_seq));
  TRY(select.bind_int64(5, chain.held_seq));
  TRY(select.bind_int64(6, static_cast<std::int64_t>(budget)));
  std::int64_t applied = chain.applied_seq;
  while (TRY(select.step()) == Step::row) {
    out.push_back(parse_row(select));
    applied = out.back().key.seq;
  }
  Statement update = TRY(Statement::prepare(
      db,
      "UPDATE chains SET applied_seq = ?4 WHERE store_id = ?1 AND terminal_id = ?2 AND "
      "epoch = ?3"));
  TRY(update.bind_text(1, chain.terminal.store_id));
  TRY(update.bind_text(2, chain.terminal.terminal_id));
  TRY(update.bind_text(3, chain.epoch));
  TRY(update.bind_int64(4, applied));
  return update.run();
}

// Notes of no-op events, the index of events by pseudonym, and the stores' customers.
Status record_event(storage::Database& db, const ParsedEvent& event,
                    const std::vector<std::string>& owners) {
  if (!event.note.empty()) {
    Statement note = TRY(Statement::prepare(
        db,
        "INSERT OR REPLACE INTO apply_notes (store_id, terminal_id, epoch, seq, note) "
        "VALUES (?1, ?2, ?3, ?4, ?5)"));
    TRY(note.bind_text(1, event.key.store_id));
    TRY(note.bind_text(2, event.key.terminal_id));
    TRY(note.bind_text(3, event.key.epoch));
    TRY(note.bind_int64(4, event.key.seq));
    TRY(note.bind_text(5, event.note));
    TRY(note.run());
  }
  for (const std::string& owner : owners) {
    Statement index = TRY(Statement::prepare(
        db,
        "INSERT OR IGNORE INTO customer_events (pseudonym, created_at, store_id, terminal_id, "
        "epoch, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    TRY(index.bind_text(1, owner));
    TRY(index.bind_int64(2, event.key.created_at.unix_seconds));
    TRY(index.bind_text(3, event.key.store_id));
    TRY(index.bind_text(4, event.key.terminal_id));
    TRY(index.bind_text(5, event.key.epoch));
    TRY(index.bind_int64(6, event.key.seq));
    TRY(index.run());
    Statement store = TRY(Statement::prepare(
        db, "INSERT OR IGNORE INTO store_customers (store_id, pseudonym) VALUES (?1, ?2)"));
    TRY(store.bind_text(1, event.key.store_id));
    TRY(store.bind_text(2, owner));
    TRY(store.run());
  }
  return {};
}

// Movements on no pseudonym's points (chain accounts only): plain entries, owner ''.
void ownerless_entries(const ParsedEvent& event, std::vector<NewEntry>& out) {
  for (const Movement& movement : event.movements) {
    if (!floor_account_owner(movement.debit).empty()) continue;
    if (!floor_account_owner(movement.credit).empty()) continue;
    out.push_back(NewEntry{movement.debit, movement.credit, movement.points, movement.code,
                           event.key.created_at, event.key, event.receipt_id});
  }
}

Result<std::vector<ParsedEvent>> owner_events(storage::Database& db, std::string_view pseudonym) {
  Statement select = TRY(Statement::prepare(
      db, "SELECT " + std::string(event_columns) +
              " FROM customer_events ce JOIN journal j ON j.store_id = ce.store_id AND "
              "j.terminal_id = ce.terminal_id AND j.epoch = ce.epoch AND j.seq = ce.seq "
              "WHERE ce.pseudonym = ?1 ORDER BY ce.created_at, ce.store_id, ce.terminal_id, "
              "ce.epoch, ce.seq"));
  TRY(select.bind_text(1, pseudonym));
  std::vector<ParsedEvent> events;
  while (TRY(select.step()) == Step::row) events.push_back(parse_row(select));
  return events;
}

// What a terminal is told about a customer; a change of it bumps the state version.
auto visible(const OwnerState& state) {
  return std::make_tuple(state.balance_points(), state.owed_points, state.tier, state.flagged,
                         state.soonest_expiry(), state.review_at, state.period_spend,
                         state.period_points);
}

// The sweep of apply(now), remembering the latest expiry it booked.
void sweep(OwnerState& state, Timestamp now, std::vector<NewEntry>& out) {
  const std::size_t before = out.size();
  sweep_expired(state, now, out);
  for (std::size_t i = before; i < out.size(); ++i) {
    if (!state.swept_through || *state.swept_through < out[i].at) state.swept_through = out[i].at;
  }
}

bool appendable(const OwnerState& state, const std::vector<const ParsedEvent*>& events) {
  if (events.empty()) return true;
  const ParsedEvent& first = *events.front();
  if (state.last && !(*state.last < first.key)) return false;
  return !state.swept_through || first.key.created_at >= *state.swept_through;
}

struct OwnerRun {
  std::int64_t entries = 0;
  bool reprojected = false;
};

Result<OwnerRun> project_owner(storage::Database& db, const std::string& pseudonym,
                               const std::vector<const ParsedEvent*>& events, Timestamp now) {
  OwnerState state = TRY(load_owner(db, pseudonym));
  const auto before = visible(state);
  std::vector<NewEntry> entries;
  OwnerRun run;
  if (appendable(state, events)) {
    for (const ParsedEvent* event : events) project_event(state, *event, entries);
  } else {
    run.reprojected = true;
    TRY(delete_entries(db, pseudonym));
    OwnerState fresh;
    fresh.pseudonym = pseudonym;
    fresh.swept_through = state.swept_through;
    fresh.state_version = state.state_version;
    state = std::move(fresh);
    const std::vector<ParsedEvent> all = TRY(owner_events(db, pseudonym));
    for (const ParsedEvent& event : all) project_event(state, event, entries);
    if (state.swept_through && *state.swept_through > now) now = *state.swept_through;
  }
  sweep(state, now, entries);
  if (visible(state) != before || state.state_version == 0) {
    state.state_version = TRY(next_version(db));
  }
  TRY(insert_entries(db, pseudonym, entries));
  TRY(save_owner(db, state, now));
  run.entries = static_cast<std::int64_t>(entries.size());
  return run;
}

Result<std::vector<std::string>> owners_with_lots_due(storage::Database& db, Timestamp now) {
  Statement select = TRY(Statement::prepare(
      db, "SELECT DISTINCT owner FROM lots WHERE expires_at IS NOT NULL AND expires_at <= ?1"));
  TRY(select.bind_int64(1, now.unix_seconds));
  std::vector<std::string> owners;
  while (TRY(select.step()) == Step::row) owners.push_back(select.column_text(0));
  return owners;
}

}  // namespace

Result<ApplyReport> SqliteHqStore::apply(Timestamp now, std::size_t events_max) {
  const std::size_t budget = std::clamp<std::size_t>(events_max, 1, limits::hq_apply_events_max);
  storage::Transaction transaction = TRY(storage::Transaction::begin(db_));
  std::vector<ParsedEvent> events;
  for (const PendingChain& chain : TRY(pending_chains(db_))) {
    if (events.size() >= budget) break;
    TRY(take_events(db_, chain, budget - events.size(), events));
  }
  std::sort(events.begin(), events.end(),
            [](const ParsedEvent& a, const ParsedEvent& b) { return a.key < b.key; });
  std::map<std::string, std::vector<const ParsedEvent*>> by_owner;
  std::vector<NewEntry> chain_entries;
  for (const ParsedEvent& event : events) {
    const std::vector<std::string> owners = event_owners(event);
    TRY(record_event(db_, event, owners));
    for (const std::string& owner : owners) by_owner[owner].push_back(&event);
    ownerless_entries(event, chain_entries);
  }
  for (const std::string& owner : TRY(owners_with_lots_due(db_, now))) by_owner[owner];
  ApplyReport report;
  report.events_applied = static_cast<std::int64_t>(events.size());
  TRY(insert_entries(db_, "", chain_entries));
  report.entries_written = static_cast<std::int64_t>(chain_entries.size());
  for (const auto& [owner, owner_events] : by_owner) {
    const OwnerRun run = TRY(project_owner(db_, owner, owner_events, now));
    report.entries_written += run.entries;
    if (run.reprojected) ++report.customers_reprojected;
  }
  TRY(transaction.commit());
  return report;
}

}  // namespace loyalty::sync::hq
