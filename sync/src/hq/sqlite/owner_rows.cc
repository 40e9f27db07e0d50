// Loading and saving one pseudonym's projection state in SQLite (customers and lots rows, its
// entries).

#include "hq/sqlite/owner_rows.h"

#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

std::optional<Timestamp> optional_time(const Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return Timestamp{row.column_int64(column)};
}

Status bind_optional_time(Statement& statement, int index, const std::optional<Timestamp>& at) {
  if (!at) return statement.bind_null(index);
  return statement.bind_int64(index, at->unix_seconds);
}

Status load_lots(storage::Database& db, OwnerState& state) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT lot_no, account, points, remaining, active_from, expires_at FROM lots "
      "WHERE owner = ?1 ORDER BY lot_no"));
  TRY(select.bind_text(1, state.pseudonym));
  while (TRY(select.step()) == Step::row) {
    state.lots.push_back(Lot{select.column_int64(0), select.column_text(1), select.column_int64(2),
                             select.column_int64(3), Timestamp{select.column_int64(4)},
                             optional_time(select, 5)});
  }
  return {};
}

// An event key in five columns from `first` (created_at, store, terminal, epoch, seq); NULLs
// for none.
std::optional<EventKey> optional_key(const Statement& row, int first) {
  if (row.column_is_null(first)) return std::nullopt;
  return EventKey{Timestamp{row.column_int64(first)}, row.column_text(first + 1),
                  row.column_text(first + 2), row.column_text(first + 3),
                  row.column_int64(first + 4)};
}

Status bind_optional_key(Statement& statement, int first, const std::optional<EventKey>& key) {
  if (!key) {
    for (int index = first; index < first + 5; ++index) TRY(statement.bind_null(index));
    return {};
  }
  TRY(statement.bind_int64(first, key->created_at.unix_seconds));
  TRY(statement.bind_text(first + 1, key->store_id));
  TRY(statement.bind_text(first + 2, key->terminal_id));
  TRY(statement.bind_text(first + 3, key->epoch));
  return statement.bind_int64(first + 4, key->seq);
}

}  // namespace

Result<OwnerState> load_owner(storage::Database& db, std::string_view pseudonym) {
  OwnerState state;
  state.pseudonym = pseudonym;
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT tier, receipts, spend_minor, owed_points, flagged, flagged_at, cleared_at, "
      "next_lot_no, last_at, last_store, last_terminal, last_epoch, last_seq, swept_through, "
      "state_version, review_at, period_spend, period_points, tier_at, tier_store, "
      "tier_terminal, tier_epoch, tier_seq FROM customers WHERE pseudonym = ?1"));
  TRY(select.bind_text(1, pseudonym));
  if (TRY(select.step()) != Step::row) return state;
  if (!select.column_is_null(0)) state.tier = select.column_text(0);
  state.receipts = select.column_int64(1);
  state.spend_minor = select.column_int64(2);
  state.owed_points = select.column_int64(3);
  state.flagged = select.column_int64(4) != 0;
  state.flagged_at = optional_time(select, 5);
  state.cleared_at = optional_time(select, 6);
  state.next_lot_no = select.column_int64(7);
  state.last = optional_key(select, 8);
  state.swept_through = optional_time(select, 13);
  state.state_version = select.column_int64(14);
  state.review_at = optional_time(select, 15);
  state.period_spend = select.column_int64(16);
  state.period_points = select.column_int64(17);
  state.tier_from = optional_key(select, 18);
  TRY(load_lots(db, state));
  return state;
}

Status save_owner(storage::Database& db, const OwnerState& state, Timestamp changed_at) {
  Statement upsert = TRY(Statement::prepare(
      db,
      "INSERT OR REPLACE INTO customers (pseudonym, tier, receipts, spend_minor, "
      "balance_points, owed_points, flagged, flagged_at, cleared_at, next_lot_no, last_at, "
      "last_store, last_terminal, last_epoch, last_seq, swept_through, state_version, "
      "changed_at, review_at, period_spend, period_points, tier_at, tier_store, tier_terminal, "
      "tier_epoch, tier_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"));
  TRY(upsert.bind_text(1, state.pseudonym));
  if (state.tier) {
    TRY(upsert.bind_text(2, *state.tier));
  } else {
    TRY(upsert.bind_null(2));
  }
  TRY(upsert.bind_int64(3, state.receipts));
  TRY(upsert.bind_int64(4, state.spend_minor));
  TRY(upsert.bind_int64(5, state.balance_points()));
  TRY(upsert.bind_int64(6, state.owed_points));
  TRY(upsert.bind_int64(7, state.flagged ? 1 : 0));
  TRY(bind_optional_time(upsert, 8, state.flagged_at));
  TRY(bind_optional_time(upsert, 9, state.cleared_at));
  TRY(upsert.bind_int64(10, state.next_lot_no));
  TRY(bind_optional_key(upsert, 11, state.last));
  TRY(bind_optional_time(upsert, 16, state.swept_through));
  TRY(upsert.bind_int64(17, state.state_version));
  TRY(upsert.bind_int64(18, changed_at.unix_seconds));
  TRY(bind_optional_time(upsert, 19, state.review_at));
  TRY(upsert.bind_int64(20, state.period_spend));
  TRY(upsert.bind_int64(21, state.period_points));
  TRY(bind_optional_key(upsert, 22, state.tier_from));
  TRY(upsert.run());
  Statement clear = TRY(Statement::prepare(db, "DELETE FROM lots WHERE owner = ?1"));
  TRY(clear.bind_text(1, state.pseudonym));
  TRY(clear.run());
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO lots (owner, lot_no, account, points, remaining, active_from, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  for (const Lot& lot : state.lots) {
    TRY(insert.bind_text(1, state.pseudonym));
    TRY(insert.bind_int64(2, lot.lot_no));
    TRY(insert.bind_text(3, lot.account));
    TRY(insert.bind_int64(4, lot.points));
    TRY(insert.bind_int64(5, lot.remaining));
    TRY(insert.bind_int64(6, lot.active_from.unix_seconds));
    TRY(bind_optional_time(insert, 7, lot.expires_at));
    TRY(insert.run());
    insert.reset();
  }
  return {};
}

Status insert_entries(storage::Database& db, std::span<const OwnedEntries> runs) {
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO entries (owner, debit, credit, points, code, at, store_id, terminal_id, "
      "epoch, seq, receipt_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  for (const OwnedEntries& run : runs) {
    for (const NewEntry& entry : run.entries) {
      LOYALTY_ASSERT(entry.points > 0);
      TRY(insert.bind_text(1, run.owner));
      TRY(insert.bind_text(2, entry.debit));
      TRY(insert.bind_text(3, entry.credit));
      TRY(insert.bind_int64(4, entry.points));
      TRY(insert.bind_text(5, entry.code));
      TRY(insert.bind_int64(6, entry.at.unix_seconds));
      TRY(insert.bind_text(7, entry.event.store_id));
      TRY(insert.bind_text(8, entry.event.terminal_id));
      TRY(insert.bind_text(9, entry.event.epoch));
      TRY(insert.bind_int64(10, entry.event.seq));
      TRY(insert.bind_text(11, entry.receipt_id));
      TRY(insert.run());
      insert.reset();
    }
  }
  return {};
}

Status delete_entries(storage::Database& db, std::string_view owner) {
  Statement remove = TRY(Statement::prepare(db, "DELETE FROM entries WHERE owner = ?1"));
  TRY(remove.bind_text(1, owner));
  return remove.run();
}

}  // namespace loyalty::sync::hq
