// PgRows: what apply() reads and writes besides the owners' states (pg_rows_owners.cc): the
// pending chains and their events, the notes and indexes of recorded events, the entries.
// Many rows go as arrays in one statement (unnest), not one statement per row.

#include <set>
#include <tuple>

#include "hq/postgres/pg_rows.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr PgStatement pending_chains_sql{
    "hq_pending_chains",
    "SELECT c.store_id, c.terminal_id, c.epoch, c.applied_seq, c.held_seq FROM chains c "
    "JOIN terminals t ON t.store_id = c.store_id AND t.terminal_id = c.terminal_id "
    "WHERE NOT t.quarantined AND c.applied_seq < c.held_seq "
    "ORDER BY c.store_id, c.terminal_id, c.retired_at IS NULL, c.started_at, c.epoch"};
constexpr PgStatement chain_events_sql{
    "hq_chain_events",
    "SELECT created_at, store_id, terminal_id, epoch, seq, kind, receipt_id, payload, annex "
    "FROM journal WHERE store_id = $1 AND terminal_id = $2 AND epoch = $3 AND seq > $4 AND "
    "seq <= $5 ORDER BY seq LIMIT $6"};
// held_seq >= the new applied_seq: false only when a release dropped events of the chain and
// committed while this apply read them.
constexpr PgStatement set_applied_sql{
    "hq_set_applied",
    "UPDATE chains SET applied_seq = $4 WHERE store_id = $1 AND terminal_id = $2 AND "
    "epoch = $3 AND held_seq >= $4"};
constexpr PgStatement insert_notes_sql{
    "hq_insert_notes",
    "INSERT INTO apply_notes (store_id, terminal_id, epoch, seq, note) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) "
    "ON CONFLICT (store_id, terminal_id, epoch, seq) DO UPDATE SET note = EXCLUDED.note"};
constexpr PgStatement insert_customer_events_sql{
    "hq_insert_customer_events",
    "INSERT INTO customer_events (pseudonym, created_at, store_id, terminal_id, epoch, seq) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], "
    "$6::bigint[]) ON CONFLICT DO NOTHING"};
constexpr PgStatement customer_versions_sql{
    "hq_customer_versions",
    "SELECT pseudonym, state_version FROM customers WHERE pseudonym = ANY($1::text[])"};
constexpr PgStatement insert_store_customers_sql{
    "hq_insert_store_customers",
    "INSERT INTO store_customers (store_id, pseudonym, state_version) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING"};
constexpr PgStatement owner_event_keys_sql{
    "hq_owner_event_keys",
    "SELECT store_id, terminal_id, epoch, seq FROM customer_events WHERE pseudonym = $1 "
    "ORDER BY created_at, store_id, terminal_id, epoch, seq"};
constexpr PgStatement events_by_key_sql{
    "hq_events_by_key",
    "SELECT j.created_at, j.store_id, j.terminal_id, j.epoch, j.seq, j.kind, j.receipt_id, "
    "j.payload, j.annex FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) "
    "AS k(store_id, terminal_id, epoch, seq) JOIN journal j ON j.store_id = k.store_id AND "
    "j.terminal_id = k.terminal_id AND j.epoch = k.epoch AND j.seq = k.seq"};
// Numbered as SQLite numbers rowids (one more than the largest), in the order given, under the
// appliers' lock.
constexpr PgStatement insert_entries_sql{
    "hq_insert_entries",
    "INSERT INTO entries (owner, entry_id, debit, credit, points, code, at, store_id, "
    "terminal_id, epoch, seq, receipt_id) "
    "SELECT u.owner, m.base + u.n, u.debit, u.credit, u.points, u.code, u.at, u.store_id, "
    "u.terminal_id, u.epoch, u.seq, u.receipt_id FROM unnest($1::text[], $2::text[], "
    "$3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], "
    "$10::bigint[], $11::text[]) WITH ORDINALITY AS u(owner, debit, credit, points, code, at, "
    "store_id, terminal_id, epoch, seq, receipt_id, n) CROSS JOIN (SELECT COALESCE(MAX(entry_id), "
    "0) AS base FROM entries) m ORDER BY u.n"};
constexpr PgStatement delete_entries_sql{"hq_delete_entries",
                                         "DELETE FROM entries WHERE owner = $1"};
constexpr PgStatement lots_due_sql{
    "hq_lots_due",
    "SELECT DISTINCT owner FROM lots WHERE expires_at IS NOT NULL AND expires_at <= $1 "
    "ORDER BY owner"};

StoredEvent stored_event(const PgResult& rows, int row) {
  return StoredEvent{EventKey{Timestamp{rows.int64(row, 0)}, rows.text(row, 1), rows.text(row, 2),
                              rows.text(row, 3), rows.int64(row, 4)},
                     rows.text(row, 5), rows.text(row, 6), rows.text(row, 7), rows.text(row, 8)};
}

using ChainKey = std::tuple<std::string, std::string, std::string, std::int64_t>;

}  // namespace

Result<std::vector<PendingChain>> PgRows::pending_chains() {
  if (write_) TRY(lock_apply());
  const PgResult rows = TRY(db_.run(pending_chains_sql));
  std::vector<PendingChain> chains;
  chains.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    chains.push_back(PendingChain{{rows.text(row, 0), rows.text(row, 1)},
                                  rows.text(row, 2),
                                  rows.int64(row, 3),
                                  rows.int64(row, 4)});
  }
  return chains;
}

Result<std::vector<StoredEvent>> PgRows::chain_events(const PendingChain& chain,
                                                      std::int64_t after_seq,
                                                      std::int64_t up_to_seq, std::size_t limit) {
  const PgResult rows =
      TRY(db_.run(chain_events_sql, PgParams()
                                        .text(chain.terminal.store_id)
                                        .text(chain.terminal.terminal_id)
                                        .text(chain.epoch)
                                        .int64(after_seq)
                                        .int64(up_to_seq)
                                        .int64(static_cast<std::int64_t>(limit))));
  std::vector<StoredEvent> events;
  events.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) events.push_back(stored_event(rows, row));
  return events;
}

Status PgRows::set_applied(const TerminalIdentity& terminal, std::string_view epoch,
                           std::int64_t applied_seq) {
  const PgResult updated = TRY(db_.run(set_applied_sql, PgParams()
                                                            .text(terminal.store_id)
                                                            .text(terminal.terminal_id)
                                                            .text(epoch)
                                                            .int64(applied_seq)));
  if (updated.affected() == 0) {
    return make_error(ErrorCode::busy, "terminal " + terminal.store_id + "/" +
                                           terminal.terminal_id +
                                           " was released while HQ "
                                           "applied its events (epoch " +
                                           std::string(epoch) + " holds less than seq " +
                                           std::to_string(applied_seq) + " now); apply again");
  }
  return {};
}

Status PgRows::record_events(std::span<const RecordedEvent> events) {
  if (write_) TRY(lock_apply());
  // INSERT OR REPLACE of SQLite: the last note of a key wins.
  std::map<ChainKey, std::string> notes;
  PgArray pseudonyms, created, stores, terminals, epochs, seqs;
  std::set<std::pair<std::string, std::string>> store_customers;
  for (const RecordedEvent& recorded : events) {
    LOYALTY_ASSERT(recorded.event != nullptr);
    const ParsedEvent& event = *recorded.event;
    const EventKey& key = event.key;
    if (!event.note.empty()) {
      notes[ChainKey{key.store_id, key.terminal_id, key.epoch, key.seq}] = event.note;
    }
    for (const std::string& owner : recorded.owners) {
      pseudonyms.text(owner);
      created.int64(key.created_at.unix_seconds);
      stores.text(key.store_id);
      terminals.text(key.terminal_id);
      epochs.text(key.epoch);
      seqs.int64(key.seq);
      store_customers.emplace(key.store_id, owner);
    }
  }
  if (!notes.empty()) {
    PgArray note_stores, note_terminals, note_epochs, note_seqs, note_texts;
    for (const auto& [key, note] : notes) {
      note_stores.text(std::get<0>(key));
      note_terminals.text(std::get<1>(key));
      note_epochs.text(std::get<2>(key));
      note_seqs.int64(std::get<3>(key));
      note_texts.text(note);
    }
    TRY(db_.run(insert_notes_sql, PgParams()
                                      .array(note_stores)
                                      .array(note_terminals)
                                      .array(note_epochs)
                                      .array(note_seqs)
                                      .array(note_texts)));
  }
  if (pseudonyms.size() == 0) return {};
  TRY(db_.run(insert_customer_events_sql, PgParams()
                                              .array(pseudonyms)
                                              .array(created)
                                              .array(stores)
                                              .array(terminals)
                                              .array(epochs)
                                              .array(seqs)));
  // A store's new customer starts at the customer's current state version (pg_schema.cc); the
  // versions are read first, so that no statement joins the two groups of tables.
  std::set<std::string> owners;
  for (const auto& pair : store_customers) owners.insert(pair.second);
  PgArray owner_list;
  for (const std::string& owner : owners) owner_list.text(owner);
  const PgResult versions = TRY(db_.run(customer_versions_sql, PgParams().array(owner_list)));
  std::map<std::string, std::int64_t> version_of;
  for (int row = 0; row < versions.rows(); ++row) {
    version_of[versions.text(row, 0)] = versions.int64(row, 1);
  }
  PgArray sc_stores, sc_pseudonyms, sc_versions;
  for (const auto& [store, pseudonym] : store_customers) {
    sc_stores.text(store);
    sc_pseudonyms.text(pseudonym);
    const auto found = version_of.find(pseudonym);
    sc_versions.int64(found == version_of.end() ? 0 : found->second);
  }
  TRY(db_.run(insert_store_customers_sql,
              PgParams().array(sc_stores).array(sc_pseudonyms).array(sc_versions)));
  return {};
}

Result<std::vector<StoredEvent>> PgRows::owner_events(std::string_view pseudonym) {
  // Two statements, not a join of customer_events (pseudonym-keyed) with the journal
  // (store-keyed): the keys in projection order, then their rows, put in that order here.
  const PgResult keys = TRY(db_.run(owner_event_keys_sql, PgParams().text(pseudonym)));
  if (keys.rows() == 0) return std::vector<StoredEvent>();
  std::map<ChainKey, std::size_t> position;
  PgArray stores, terminals, epochs, seqs;
  for (int row = 0; row < keys.rows(); ++row) {
    position.emplace(
        ChainKey{keys.text(row, 0), keys.text(row, 1), keys.text(row, 2), keys.int64(row, 3)},
        static_cast<std::size_t>(row));
    stores.text(keys.view(row, 0));
    terminals.text(keys.view(row, 1));
    epochs.text(keys.view(row, 2));
    seqs.int64(keys.int64(row, 3));
  }
  const PgResult rows = TRY(db_.run(
      events_by_key_sql, PgParams().array(stores).array(terminals).array(epochs).array(seqs)));
  std::vector<std::optional<StoredEvent>> ordered(static_cast<std::size_t>(keys.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    StoredEvent event = stored_event(rows, row);
    const auto found = position.find(
        ChainKey{event.key.store_id, event.key.terminal_id, event.key.epoch, event.key.seq});
    LOYALTY_ASSERT(found != position.end());
    if (!ordered[found->second]) ordered[found->second] = std::move(event);
  }
  std::vector<StoredEvent> events;
  events.reserve(ordered.size());
  // An index entry whose journal row is gone has no row (as SQLite's inner join).
  for (std::optional<StoredEvent>& event : ordered) {
    if (event) events.push_back(std::move(*event));
  }
  return events;
}

Status PgRows::insert_entries(std::span<const OwnedEntries> runs) {
  std::int64_t count = 0;
  for (const OwnedEntries& run : runs) count += static_cast<std::int64_t>(run.entries.size());
  if (count == 0) return {};
  TRY(lock_apply());
  PgArray owners, debits, credits, points, codes, ats, stores, terminals, epochs, seqs, receipts;
  for (const OwnedEntries& run : runs) {
    for (const NewEntry& entry : run.entries) {
      LOYALTY_ASSERT(entry.points > 0);
      owners.text(run.owner);
      debits.text(entry.debit);
      credits.text(entry.credit);
      points.int64(entry.points);
      codes.text(entry.code);
      ats.int64(entry.at.unix_seconds);
      stores.text(entry.event.store_id);
      terminals.text(entry.event.terminal_id);
      epochs.text(entry.event.epoch);
      seqs.int64(entry.event.seq);
      receipts.text(entry.receipt_id);
    }
  }
  const PgResult inserted = TRY(db_.run(insert_entries_sql, PgParams()
                                                                .array(owners)
                                                                .array(debits)
                                                                .array(credits)
                                                                .array(points)
                                                                .array(codes)
                                                                .array(ats)
                                                                .array(stores)
                                                                .array(terminals)
                                                                .array(epochs)
                                                                .array(seqs)
                                                                .array(receipts)));
  LOYALTY_ASSERT(inserted.affected() == count);
  return {};
}

Status PgRows::delete_entries(std::string_view owner) {
  TRY(lock_apply());
  TRY(db_.run(delete_entries_sql, PgParams().text(owner)));
  return {};
}

Result<std::vector<std::string>> PgRows::owners_with_lots_due(Timestamp now) {
  if (write_) TRY(lock_apply());
  const PgResult rows = TRY(db_.run(lots_due_sql, PgParams().int64(now.unix_seconds)));
  std::vector<std::string> owners;
  owners.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) owners.push_back(rows.text(row, 0));
  return owners;
}

}  // namespace loyalty::sync::hq::pg
