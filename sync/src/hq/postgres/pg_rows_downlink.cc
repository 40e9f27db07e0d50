// PgRows: the downlink. Published items are one reference table. A store's customer items are
// the customers of store_customers whose state changed after `after`; store_customers carries
// each customer's state_version (save_owners keeps it equal to customers.state_version), so the
// store's changed customers come from the store-keyed table alone, by index
// (store_id, state_version), and only their rows are then read from the pseudonym-keyed
// customers and lots: two statements, each within one Citus co-location group, costing what the
// answer holds, not what the store ever had. (Reading the store's whole customer list first would
// cost every poll the store's every customer; reading the chain's changed customers first would
// cost it every store's.)

#include "hq/postgres/pg_rows.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr PgStatement insert_item_sql{
    "hq_insert_item",
    "INSERT INTO downlink_items (version, store_id, published_at, kind, body, large) "
    "VALUES ($1, $2, $3, $4, $5, $6)"};
constexpr PgStatement items_after_sql{
    "hq_items_after",
    "SELECT version, store_id, published_at, kind, body, large FROM downlink_items "
    "WHERE store_id IN ('', $1) AND version > $2 ORDER BY version LIMIT $3"};
// Versions are 1 or more; 0 marks a customer HQ has not saved yet (no customers row).
constexpr PgStatement store_changed_sql{
    "hq_store_changed",
    "SELECT pseudonym FROM store_customers WHERE store_id = $1 AND "
    "state_version > GREATEST($2::bigint, 0) ORDER BY state_version LIMIT $3"};
constexpr PgStatement customer_items_sql{
    "hq_customer_items",
    "SELECT c.state_version, c.changed_at, c.pseudonym, c.balance_points - c.owed_points, "
    "l.expires_at, c.tier, c.flagged, c.review_at, c.period_spend, c.period_points "
    "FROM customers c LEFT JOIN (SELECT owner, MIN(expires_at) AS expires_at FROM lots "
    "WHERE owner = ANY($1::text[]) GROUP BY owner) l ON l.owner = c.pseudonym "
    "WHERE c.pseudonym = ANY($1::text[]) AND c.state_version > $2 ORDER BY c.state_version"};
constexpr PgStatement latest_for_sql{
    "hq_latest_for",
    "SELECT GREATEST(COALESCE((SELECT MAX(version) FROM downlink_items WHERE store_id IN "
    "('', $1)), 0), COALESCE((SELECT MAX(state_version) FROM store_customers WHERE "
    "store_id = $1), 0))"};

}  // namespace

Status PgRows::insert_item(const StoredItem& item) {
  TRY(db_.run(insert_item_sql, PgParams()
                                   .int64(item.version)
                                   .text(item.store_id)
                                   .int64(item.published_at.unix_seconds)
                                   .text(item.kind)
                                   .text(item.body)
                                   .text(item.large)));
  return {};
}

Result<std::vector<StoredItem>> PgRows::items_after(std::string_view store_id, std::int64_t after,
                                                    std::size_t limit) {
  const PgResult rows =
      TRY(db_.run(items_after_sql,
                  PgParams().text(store_id).int64(after).int64(static_cast<std::int64_t>(limit))));
  std::vector<StoredItem> items;
  items.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    items.push_back(StoredItem{rows.int64(row, 0), rows.text(row, 1), Timestamp{rows.int64(row, 2)},
                               rows.text(row, 3), rows.text(row, 4), rows.text(row, 5)});
  }
  return items;
}

Result<std::vector<CustomerItemRow>> PgRows::customers_after(std::string_view store_id,
                                                             std::int64_t after,
                                                             std::size_t limit) {
  const PgResult changed =
      TRY(db_.run(store_changed_sql,
                  PgParams().text(store_id).int64(after).int64(static_cast<std::int64_t>(limit))));
  std::vector<CustomerItemRow> items;
  if (changed.rows() == 0) return items;
  PgArray pseudonyms;
  for (int row = 0; row < changed.rows(); ++row) pseudonyms.text(changed.view(row, 0));
  const PgResult rows = TRY(db_.run(customer_items_sql, PgParams().array(pseudonyms).int64(after)));
  items.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    CustomerItemRow item;
    item.state_version = rows.int64(row, 0);
    item.changed_at = Timestamp{rows.int64(row, 1)};
    item.pseudonym = rows.text(row, 2);
    item.balance_points = rows.int64(row, 3);
    if (!rows.is_null(row, 4)) item.expires_at = Timestamp{rows.int64(row, 4)};
    item.tier = rows.optional_text(row, 5);
    item.flagged = rows.boolean(row, 6);
    if (!rows.is_null(row, 7)) item.review_at = Timestamp{rows.int64(row, 7)};
    item.period_spend = rows.int64(row, 8);
    item.period_points = rows.int64(row, 9);
    items.push_back(std::move(item));
  }
  return items;
}

Result<std::int64_t> PgRows::latest_for(std::string_view store_id) {
  const PgResult row = TRY(db_.run(latest_for_sql, PgParams().text(store_id)));
  if (row.rows() == 0) return std::int64_t{0};
  return row.int64(0, 0);
}

}  // namespace loyalty::sync::hq::pg
