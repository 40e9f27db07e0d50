// SqliteRows: the downlink's published items and customer states.

#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

Status SqliteRows::insert_item(const StoredItem& item) {
  Statement insert = TRY(Statement::prepare(
      db_,
      "INSERT INTO downlink_items (version, store_id, published_at, kind, body, large) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  TRY(insert.bind_int64(1, item.version));
  TRY(insert.bind_text(2, item.store_id));
  TRY(insert.bind_int64(3, item.published_at.unix_seconds));
  TRY(insert.bind_text(4, item.kind));
  TRY(insert.bind_text(5, item.body));
  TRY(insert.bind_text(6, item.large));
  return insert.run();
}

Result<std::vector<StoredItem>> SqliteRows::items_after(std::string_view store_id,
                                                        std::int64_t after, std::size_t limit) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT version, store_id, published_at, kind, body, large FROM downlink_items "
      "WHERE store_id IN ('', ?1) AND version > ?2 ORDER BY version LIMIT ?3"));
  TRY(select.bind_text(1, store_id));
  TRY(select.bind_int64(2, after));
  TRY(select.bind_int64(3, static_cast<std::int64_t>(limit)));
  std::vector<StoredItem> items;
  while (TRY(select.step()) == Step::row) {
    items.push_back(StoredItem{select.column_int64(0), select.column_text(1),
                               Timestamp{select.column_int64(2)}, select.column_text(3),
                               select.column_text(4), select.column_text(5)});
  }
  return items;
}

Result<std::vector<CustomerItemRow>> SqliteRows::customers_after(std::string_view store_id,
                                                                 std::int64_t after,
                                                                 std::size_t limit) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT c.state_version, c.changed_at, c.pseudonym, c.balance_points - c.owed_points, "
      "(SELECT MIN(l.expires_at) FROM lots l WHERE l.owner = c.pseudonym), c.tier, c.flagged, "
      "c.review_at, c.period_spend, c.period_points "
      "FROM store_customers s JOIN customers c ON c.pseudonym = s.pseudonym "
      "WHERE s.store_id = ?1 AND c.state_version > ?2 ORDER BY c.state_version LIMIT ?3"));
  TRY(select.bind_text(1, store_id));
  TRY(select.bind_int64(2, after));
  TRY(select.bind_int64(3, static_cast<std::int64_t>(limit)));
  std::vector<CustomerItemRow> rows;
  while (TRY(select.step()) == Step::row) {
    CustomerItemRow row;
    row.state_version = select.column_int64(0);
    row.changed_at = Timestamp{select.column_int64(1)};
    row.pseudonym = select.column_text(2);
    row.balance_points = select.column_int64(3);
    if (!select.column_is_null(4)) row.expires_at = Timestamp{select.column_int64(4)};
    if (!select.column_is_null(5)) row.tier = select.column_text(5);
    row.flagged = select.column_int64(6) != 0;
    if (!select.column_is_null(7)) row.review_at = Timestamp{select.column_int64(7)};
    row.period_spend = select.column_int64(8);
    row.period_points = select.column_int64(9);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::int64_t> SqliteRows::latest_for(std::string_view store_id) {
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT MAX(COALESCE((SELECT MAX(version) FROM downlink_items WHERE store_id IN "
      "('', ?1)), 0), COALESCE((SELECT MAX(c.state_version) FROM store_customers s JOIN "
      "customers c ON c.pseudonym = s.pseudonym WHERE s.store_id = ?1), 0))"));
  TRY(select.bind_text(1, store_id));
  if (TRY(select.step()) != Step::row) return std::int64_t{0};
  return select.column_int64(0);
}

}  // namespace loyalty::sync::hq
