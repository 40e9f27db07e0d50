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

#include "hq/store.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq {

namespace {

ParsedEvent parse_stored(const StoredEvent& row) {
  return parse_event(row.key, row.kind, row.receipt_id, row.payload, row.annex);
}

// Up to `budget` events of the chain after its applied_seq; records the new applied_seq.
Status take_events(HqRows& rows, const PendingChain& chain, std::size_t budget,
                   std::vector<ParsedEvent>& out) {
  const std::vector<StoredEvent> stored =
      TRY(rows.chain_events(chain, chain.applied_seq, chain.held_seq, budget));
  std::int64_t applied = chain.applied_seq;
  for (const StoredEvent& row : stored) {
    out.push_back(parse_stored(row));
    applied = row.key.seq;
  }
  return rows.set_applied(chain.terminal, chain.epoch, applied);
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
  std::vector<NewEntry> entries;
  bool reprojected = false;
  bool changed = false;  // the state needs a new state_version
};

// Projects `state`'s new events (or all its events again, when they do not all sort after what
// it applied) and the sweep; `state` becomes what save_owners writes, once given its new
// state_version when `changed`. Its entries are written by the caller.
Result<OwnerRun> project_owner(HqRows& rows, OwnerState& state,
                               const std::vector<const ParsedEvent*>& events, Timestamp now) {
  const auto before = visible(state);
  OwnerRun run;
  if (appendable(state, events)) {
    for (const ParsedEvent* event : events) project_event(state, *event, run.entries);
  } else {
    run.reprojected = true;
    TRY(rows.delete_entries(state.pseudonym));
    OwnerState fresh;
    fresh.pseudonym = state.pseudonym;
    fresh.swept_through = state.swept_through;
    fresh.state_version = state.state_version;
    state = std::move(fresh);
    const std::vector<StoredEvent> all = TRY(rows.owner_events(state.pseudonym));
    for (const StoredEvent& row : all) project_event(state, parse_stored(row), run.entries);
    if (state.swept_through && *state.swept_through > now) now = *state.swept_through;
  }
  sweep(state, now, run.entries);
  run.changed = visible(state) != before || state.state_version == 0;
  return run;
}

}  // namespace

Result<ApplyReport> RowStore::apply(Timestamp now, std::size_t events_max) {
  const std::size_t budget = std::clamp<std::size_t>(events_max, 1, limits::hq_apply_events_max);
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, true));
  std::vector<ParsedEvent> events;
  for (const PendingChain& chain : TRY(rows_->pending_chains())) {
    if (events.size() >= budget) break;
    TRY(take_events(*rows_, chain, budget - events.size(), events));
  }
  std::sort(events.begin(), events.end(),
            [](const ParsedEvent& a, const ParsedEvent& b) { return a.key < b.key; });
  std::map<std::string, std::vector<const ParsedEvent*>> by_owner;
  std::vector<NewEntry> chain_entries;
  std::vector<RecordedEvent> recorded;
  recorded.reserve(events.size());
  for (const ParsedEvent& event : events) {
    RecordedEvent record{&event, event_owners(event)};
    for (const std::string& owner : record.owners) by_owner[owner].push_back(&event);
    ownerless_entries(event, chain_entries);
    recorded.push_back(std::move(record));
  }
  TRY(rows_->record_events(recorded));
  for (const std::string& owner : TRY(rows_->owners_with_lots_due(now))) by_owner[owner];
  ApplyReport report;
  report.events_applied = static_cast<std::int64_t>(events.size());
  report.entries_written = static_cast<std::int64_t>(chain_entries.size());

  std::vector<std::string> owners;
  owners.reserve(by_owner.size());
  for (const auto& entry : by_owner) owners.push_back(entry.first);
  std::vector<OwnerState> states = TRY(rows_->load_owners(owners));
  LOYALTY_ASSERT(states.size() == owners.size());
  // One round trip each for the versions and the entries of the whole call: numbered in the
  // owners' order, as one call per owner would number them.
  std::vector<OwnerRun> runs;
  runs.reserve(owners.size());
  std::int64_t changed = 0;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    runs.push_back(TRY(project_owner(*rows_, states[i], by_owner[owners[i]], now)));
    report.entries_written += static_cast<std::int64_t>(runs.back().entries.size());
    if (runs.back().reprojected) ++report.customers_reprojected;
    if (runs.back().changed) ++changed;
  }
  if (changed > 0) {
    std::int64_t version = TRY(rows_->reserve_versions(changed));
    for (std::size_t i = 0; i < owners.size(); ++i) {
      if (runs[i].changed) states[i].state_version = version++;
    }
  }
  std::vector<OwnedEntries> written;
  written.reserve(owners.size() + 1);
  written.push_back(OwnedEntries{"", chain_entries});
  for (std::size_t i = 0; i < owners.size(); ++i) {
    written.push_back(OwnedEntries{owners[i], runs[i].entries});
  }
  TRY(rows_->insert_entries(written));
  std::vector<const OwnerState*> saved;
  saved.reserve(states.size());
  for (OwnerState& state : states) saved.push_back(&state);
  TRY(rows_->save_owners(saved, now));
  TRY(transaction.commit());
  return report;
}

}  // namespace loyalty::sync::hq
