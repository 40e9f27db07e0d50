// PgRows: the pseudonyms' projection states (customers and lots rows), loaded and saved for many
// pseudonyms at once: two statements to load, four to save, whatever their number.

#include <map>

#include "hq/postgres/pg_rows.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr PgStatement load_customers_sql{
    "hq_load_customers",
    "SELECT pseudonym, tier, receipts, spend_minor, owed_points, flagged, flagged_at, "
    "cleared_at, next_lot_no, last_at, last_store, last_terminal, last_epoch, last_seq, "
    "swept_through, state_version, review_at, period_spend, period_points, tier_at, tier_store, "
    "tier_terminal, tier_epoch, tier_seq FROM customers WHERE pseudonym = ANY($1::text[])"};
constexpr PgStatement load_lots_sql{
    "hq_load_lots",
    "SELECT owner, lot_no, account, points, remaining, active_from, expires_at FROM lots "
    "WHERE owner = ANY($1::text[]) ORDER BY owner, lot_no"};
// SQLite's INSERT OR REPLACE of the whole row.
constexpr PgStatement save_customers_sql{
    "hq_save_customers",
    "INSERT INTO customers (pseudonym, tier, receipts, spend_minor, balance_points, owed_points, "
    "flagged, flagged_at, cleared_at, next_lot_no, last_at, last_store, last_terminal, "
    "last_epoch, last_seq, swept_through, state_version, review_at, period_spend, "
    "period_points, tier_at, tier_store, tier_terminal, tier_epoch, tier_seq, changed_at) "
    "SELECT *, $26::bigint FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::bigint[], $7::boolean[], $8::bigint[], $9::bigint[], $10::bigint[], "
    "$11::bigint[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], "
    "$17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::text[], "
    "$23::text[], $24::text[], $25::bigint[]) "
    "ON CONFLICT (pseudonym) DO UPDATE SET tier = EXCLUDED.tier, receipts = EXCLUDED.receipts, "
    "spend_minor = EXCLUDED.spend_minor, balance_points = EXCLUDED.balance_points, "
    "owed_points = EXCLUDED.owed_points, flagged = EXCLUDED.flagged, "
    "flagged_at = EXCLUDED.flagged_at, cleared_at = EXCLUDED.cleared_at, "
    "next_lot_no = EXCLUDED.next_lot_no, last_at = EXCLUDED.last_at, "
    "last_store = EXCLUDED.last_store, last_terminal = EXCLUDED.last_terminal, "
    "last_epoch = EXCLUDED.last_epoch, last_seq = EXCLUDED.last_seq, "
    "swept_through = EXCLUDED.swept_through, state_version = EXCLUDED.state_version, "
    "review_at = EXCLUDED.review_at, period_spend = EXCLUDED.period_spend, "
    "period_points = EXCLUDED.period_points, tier_at = EXCLUDED.tier_at, "
    "tier_store = EXCLUDED.tier_store, tier_terminal = EXCLUDED.tier_terminal, "
    "tier_epoch = EXCLUDED.tier_epoch, tier_seq = EXCLUDED.tier_seq, "
    "changed_at = EXCLUDED.changed_at"};
// store_customers' copy of the state version (pg_schema.cc).
constexpr PgStatement sync_store_versions_sql{
    "hq_sync_store_versions",
    "UPDATE store_customers s SET state_version = u.state_version "
    "FROM unnest($1::text[], $2::bigint[]) AS u(pseudonym, state_version) "
    "WHERE s.pseudonym = u.pseudonym AND s.state_version <> u.state_version"};
constexpr PgStatement delete_lots_sql{"hq_delete_lots",
                                      "DELETE FROM lots WHERE owner = ANY($1::text[])"};
constexpr PgStatement insert_lots_sql{
    "hq_insert_lots",
    "INSERT INTO lots (owner, lot_no, account, points, remaining, active_from, expires_at) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::bigint[])"};

std::optional<Timestamp> optional_time(const PgResult& rows, int row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return Timestamp{rows.int64(row, column)};
}

// An event key in five columns from `first`; none when its time is NULL (as the SQLite backend
// reads it: the other four columns then do not matter).
std::optional<EventKey> optional_key(const PgResult& rows, int row, int first) {
  if (rows.is_null(row, first)) return std::nullopt;
  return EventKey{Timestamp{rows.int64(row, first)}, rows.text(row, first + 1),
                  rows.text(row, first + 2), rows.text(row, first + 3), rows.int64(row, first + 4)};
}

OwnerState owner_from(const PgResult& rows, int row) {
  OwnerState state;
  state.pseudonym = rows.text(row, 0);
  state.tier = rows.optional_text(row, 1);
  state.receipts = rows.int64(row, 2);
  state.spend_minor = rows.int64(row, 3);
  state.owed_points = rows.int64(row, 4);
  state.flagged = rows.boolean(row, 5);
  state.flagged_at = optional_time(rows, row, 6);
  state.cleared_at = optional_time(rows, row, 7);
  state.next_lot_no = rows.int64(row, 8);
  state.last = optional_key(rows, row, 9);
  state.swept_through = optional_time(rows, row, 14);
  state.state_version = rows.int64(row, 15);
  state.review_at = optional_time(rows, row, 16);
  state.period_spend = rows.int64(row, 17);
  state.period_points = rows.int64(row, 18);
  state.tier_from = optional_key(rows, row, 19);
  return state;
}

// Five arrays of an optional event key (NULLs for none).
struct KeyArrays {
  PgArray at, store, terminal, epoch, seq;
  void add(const std::optional<EventKey>& key) {
    if (!key) {
      at.null();
      store.null();
      terminal.null();
      epoch.null();
      seq.null();
      return;
    }
    at.int64(key->created_at.unix_seconds);
    store.text(key->store_id);
    terminal.text(key->terminal_id);
    epoch.text(key->epoch);
    seq.int64(key->seq);
  }
};

// The customers rows of save_customers_sql, one array per column.
struct CustomerArrays {
  PgArray pseudonym, tier, receipts, spend, balance, owed, flagged, flagged_at, cleared_at,
      next_lot, swept, version, review, period_spend, period_points;
  KeyArrays last_key, tier_key;

  void add(const OwnerState& state) {
    pseudonym.text(state.pseudonym);
    tier.optional_text(state.tier);
    receipts.int64(state.receipts);
    spend.int64(state.spend_minor);
    balance.int64(state.balance_points());
    owed.int64(state.owed_points);
    flagged.boolean(state.flagged);
    flagged_at.optional_time(state.flagged_at);
    cleared_at.optional_time(state.cleared_at);
    next_lot.int64(state.next_lot_no);
    last_key.add(state.last);
    swept.optional_time(state.swept_through);
    version.int64(state.state_version);
    review.optional_time(state.review_at);
    period_spend.int64(state.period_spend);
    period_points.int64(state.period_points);
    tier_key.add(state.tier_from);
  }

  // $1..$25 in the statement's column order, $26 changed_at.
  PgParams params(Timestamp changed_at) const {
    PgParams params;
    params.array(pseudonym).array(tier).array(receipts).array(spend).array(balance).array(owed);
    params.array(flagged).array(flagged_at).array(cleared_at).array(next_lot);
    params.array(last_key.at).array(last_key.store).array(last_key.terminal);
    params.array(last_key.epoch).array(last_key.seq);
    params.array(swept).array(version).array(review).array(period_spend).array(period_points);
    params.array(tier_key.at).array(tier_key.store).array(tier_key.terminal);
    params.array(tier_key.epoch).array(tier_key.seq);
    params.int64(changed_at.unix_seconds);
    return params;
  }
};

// The open lots of insert_lots_sql.
struct LotArrays {
  PgArray owner, lot_no, account, points, remaining, active_from, expires_at;

  void add(const OwnerState& state) {
    for (const Lot& lot : state.lots) {
      owner.text(state.pseudonym);
      lot_no.int64(lot.lot_no);
      account.text(lot.account);
      points.int64(lot.points);
      remaining.int64(lot.remaining);
      active_from.int64(lot.active_from.unix_seconds);
      expires_at.optional_time(lot.expires_at);
    }
  }

  PgParams params() const {
    PgParams params;
    params.array(owner).array(lot_no).array(account).array(points).array(remaining);
    params.array(active_from).array(expires_at);
    return params;
  }
};

}  // namespace

Result<std::vector<OwnerState>> PgRows::load_owners(std::span<const std::string> pseudonyms) {
  std::vector<OwnerState> states;
  if (pseudonyms.empty()) return states;
  if (write_) TRY(lock_apply());
  PgArray names;
  for (const std::string& pseudonym : pseudonyms) names.text(pseudonym);
  const PgResult customers = TRY(db_.run(load_customers_sql, PgParams().array(names)));
  std::map<std::string, OwnerState, std::less<>> found;
  for (int row = 0; row < customers.rows(); ++row) {
    OwnerState state = owner_from(customers, row);
    std::string key = state.pseudonym;
    found.emplace(std::move(key), std::move(state));
  }
  if (!found.empty()) {
    // Lots only of the pseudonyms with a customers row, as the SQLite backend reads them.
    const PgResult lots = TRY(db_.run(load_lots_sql, PgParams().array(names)));
    for (int row = 0; row < lots.rows(); ++row) {
      const auto owner = found.find(lots.view(row, 0));
      if (owner == found.end()) continue;
      owner->second.lots.push_back(Lot{lots.int64(row, 1), lots.text(row, 2), lots.int64(row, 3),
                                       lots.int64(row, 4), Timestamp{lots.int64(row, 5)},
                                       optional_time(lots, row, 6)});
    }
  }
  states.reserve(pseudonyms.size());
  for (const std::string& pseudonym : pseudonyms) {
    const auto state = found.find(pseudonym);
    if (state != found.end()) {
      states.push_back(state->second);
    } else {
      OwnerState fresh;
      fresh.pseudonym = pseudonym;
      states.push_back(std::move(fresh));
    }
  }
  return states;
}

Status PgRows::save_owners(std::span<const OwnerState* const> states, Timestamp changed_at) {
  if (states.empty()) return {};
  if (write_) TRY(lock_apply());
  // Saved one after the other, the last state of a pseudonym would stay: keep only that one.
  std::map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < states.size(); ++i) {
    LOYALTY_ASSERT(states[i] != nullptr);
    last[states[i]->pseudonym] = i;
  }
  CustomerArrays customers;
  LotArrays lots;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (last[states[i]->pseudonym] != i) continue;
    customers.add(*states[i]);
    lots.add(*states[i]);
  }
  TRY(db_.run(save_customers_sql, customers.params(changed_at)));
  TRY(db_.run(sync_store_versions_sql,
              PgParams().array(customers.pseudonym).array(customers.version)));
  TRY(db_.run(delete_lots_sql, PgParams().array(customers.pseudonym)));
  if (lots.owner.size() > 0) TRY(db_.run(insert_lots_sql, lots.params()));
  return {};
}

}  // namespace loyalty::sync::hq::pg
