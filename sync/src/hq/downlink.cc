// publish(), downlink() and latest_version(): the versioned items HQ sends terminals.
//
// Published items and customer states share one version counter, so a terminal's "after" covers
// both. Customer items are not stored: they are made when asked, from the customers whose events
// the terminal's store sent and whose HQ state changed after `after`.

#include <algorithm>

#include "hq/store.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

Result<std::vector<DownlinkItem>> published_after(storage::Database& db, std::string_view store_id,
                                                  std::int64_t after, std::size_t items_max) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT version, store_id, published_at, kind, body, large FROM downlink_items "
      "WHERE store_id IN ('', ?1) AND version > ?2 ORDER BY version LIMIT ?3"));
  TRY(select.bind_text(1, store_id));
  TRY(select.bind_int64(2, after));
  TRY(select.bind_int64(3, static_cast<std::int64_t>(items_max)));
  std::vector<DownlinkItem> items;
  while (TRY(select.step()) == Step::row) {
    DownlinkBody body =
        TRY(decode_body(select.column_text(3), select.column_text(4), select.column_text(5)));
    items.push_back(DownlinkItem{select.column_int64(0), select.column_text(1),
                                 Timestamp{select.column_int64(2)}, std::move(body)});
  }
  return items;
}

Result<std::vector<DownlinkItem>> customers_after(storage::Database& db,
                                                  const TerminalIdentity& terminal,
                                                  std::int64_t after, std::size_t items_max) {
  std::int64_t as_of_seq = 0;
  const std::optional<TerminalRow> row = TRY(load_terminal(db, terminal));
  if (row) {
    const std::optional<ChainRow> chain = TRY(load_chain(db, terminal, row->epoch));
    if (chain) as_of_seq = chain->applied_seq;
  }
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT c.state_version, c.changed_at, c.pseudonym, c.balance_points - c.owed_points, "
      "(SELECT MIN(l.expires_at) FROM lots l WHERE l.owner = c.pseudonym), c.tier, c.flagged, "
      "c.review_at, c.period_spend, c.period_points "
      "FROM store_customers s JOIN customers c ON c.pseudonym = s.pseudonym "
      "WHERE s.store_id = ?1 AND c.state_version > ?2 ORDER BY c.state_version LIMIT ?3"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_int64(2, after));
  TRY(select.bind_int64(3, static_cast<std::int64_t>(items_max)));
  std::vector<DownlinkItem> items;
  while (TRY(select.step()) == Step::row) {
    CustomerItem item;
    item.pseudonym = select.column_text(2);
    item.balance_points = select.column_int64(3);
    item.as_of_seq = as_of_seq;
    if (!select.column_is_null(4)) item.expires_at = Timestamp{select.column_int64(4)};
    if (!select.column_is_null(5)) item.tier = select.column_text(5);
    item.flagged = select.column_int64(6) != 0;
    if (!select.column_is_null(7)) item.review_at = Timestamp{select.column_int64(7)};
    item.period_spend = select.column_int64(8);
    item.period_points = select.column_int64(9);
    items.push_back(DownlinkItem{select.column_int64(0), terminal.store_id,
                                 Timestamp{select.column_int64(1)}, std::move(item)});
  }
  return items;
}

Result<std::int64_t> latest_for(storage::Database& db, std::string_view store_id) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT MAX(COALESCE((SELECT MAX(version) FROM downlink_items WHERE store_id IN "
      "('', ?1)), 0), COALESCE((SELECT MAX(c.state_version) FROM store_customers s JOIN "
      "customers c ON c.pseudonym = s.pseudonym WHERE s.store_id = ?1), 0))"));
  TRY(select.bind_text(1, store_id));
  if (TRY(select.step()) != Step::row) return std::int64_t{0};
  return select.column_int64(0);
}

}  // namespace

Result<std::int64_t> SqliteHqStore::publish(std::string_view store_id, const DownlinkBody& body,
                                            Timestamp now) {
  if (store_id.size() > limits::sync_id_bytes_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "store id is longer than " + std::to_string(limits::sync_id_bytes_max) + " bytes");
  }
  storage::Transaction transaction = TRY(storage::Transaction::begin(db_));
  const std::int64_t version = TRY(next_version(db_));
  std::string large;
  const std::string json_text = encode_body(body, large);
  Statement insert = TRY(Statement::prepare(
      db_,
      "INSERT INTO downlink_items (version, store_id, published_at, kind, body, large) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  TRY(insert.bind_int64(1, version));
  TRY(insert.bind_text(2, store_id));
  TRY(insert.bind_int64(3, now.unix_seconds));
  TRY(insert.bind_text(4, body_kind(body)));
  TRY(insert.bind_text(5, json_text));
  TRY(insert.bind_text(6, large));
  TRY(insert.run());
  TRY(transaction.commit());
  return version;
}

Result<Downlink> SqliteHqStore::downlink(const TerminalIdentity& terminal, std::int64_t after,
                                         std::size_t items_max) {
  const std::size_t limit = std::clamp<std::size_t>(items_max, 1, limits::sync_downlink_items_max);
  storage::Transaction transaction =
      TRY(storage::Transaction::begin(db_, storage::TransactionKind::read));
  Downlink answer;
  answer.after = after;
  answer.items = TRY(published_after(db_, terminal.store_id, after, limit));
  std::vector<DownlinkItem> customers = TRY(customers_after(db_, terminal, after, limit));
  std::move(customers.begin(), customers.end(), std::back_inserter(answer.items));
  std::sort(answer.items.begin(), answer.items.end(),
            [](const DownlinkItem& a, const DownlinkItem& b) { return a.version < b.version; });
  if (answer.items.size() > limit) answer.items.resize(limit);
  answer.latest = TRY(latest_for(db_, terminal.store_id));
  TRY(transaction.commit());
  return answer;
}

Result<std::int64_t> SqliteHqStore::latest_version(std::string_view store_id) {
  return latest_for(db_, store_id);
}

}  // namespace loyalty::sync::hq
