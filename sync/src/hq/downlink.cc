// publish(), downlink() and latest_version(): the versioned items HQ sends terminals.
//
// Published items and customer states share one version counter, so a terminal's "after" covers
// both. Customer items are not stored: they are made when asked, from the customers whose events
// the terminal's store sent and whose HQ state changed after `after`.

#include <algorithm>

#include "hq/store.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq {

namespace {

Result<std::vector<DownlinkItem>> published_after(HqRows& rows, std::string_view store_id,
                                                  std::int64_t after, std::size_t items_max) {
  std::vector<DownlinkItem> items;
  for (const StoredItem& stored : TRY(rows.items_after(store_id, after, items_max))) {
    DownlinkBody body = TRY(decode_body(stored.kind, stored.body, stored.large));
    items.push_back(
        DownlinkItem{stored.version, stored.store_id, stored.published_at, std::move(body)});
  }
  return items;
}

Result<std::vector<DownlinkItem>> customers_after(HqRows& rows, const TerminalIdentity& terminal,
                                                  std::int64_t after, std::size_t items_max) {
  std::int64_t as_of_seq = 0;
  const std::optional<TerminalRow> row = TRY(rows.load_terminal(terminal));
  if (row) {
    const std::optional<ChainRow> chain = TRY(rows.load_chain(terminal, row->epoch));
    if (chain) as_of_seq = chain->applied_seq;
  }
  std::vector<DownlinkItem> items;
  for (CustomerItemRow& stored : TRY(rows.customers_after(terminal.store_id, after, items_max))) {
    CustomerItem item;
    item.pseudonym = std::move(stored.pseudonym);
    item.balance_points = stored.balance_points;
    item.as_of_seq = as_of_seq;
    item.expires_at = stored.expires_at;
    item.tier = std::move(stored.tier);
    item.flagged = stored.flagged;
    item.review_at = stored.review_at;
    item.period_spend = stored.period_spend;
    item.period_points = stored.period_points;
    items.push_back(DownlinkItem{stored.state_version, terminal.store_id, stored.changed_at,
                                 std::move(item)});
  }
  return items;
}

}  // namespace

Result<std::int64_t> RowStore::publish(std::string_view store_id, const DownlinkBody& body,
                                       Timestamp now) {
  if (store_id.size() > limits::sync_id_bytes_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "store id is longer than " + std::to_string(limits::sync_id_bytes_max) + " bytes");
  }
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, true));
  StoredItem item;
  item.version = TRY(rows_->next_version());
  item.store_id = store_id;
  item.published_at = now;
  item.kind = body_kind(body);
  item.body = encode_body(body, item.large);
  TRY(rows_->insert_item(item));
  TRY(transaction.commit());
  return item.version;
}

Result<Downlink> RowStore::downlink(const TerminalIdentity& terminal, std::int64_t after,
                                    std::size_t items_max) {
  const std::size_t limit = std::clamp<std::size_t>(items_max, 1, limits::sync_downlink_items_max);
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  Downlink answer;
  answer.after = after;
  answer.items = TRY(published_after(*rows_, terminal.store_id, after, limit));
  std::vector<DownlinkItem> customers = TRY(customers_after(*rows_, terminal, after, limit));
  std::move(customers.begin(), customers.end(), std::back_inserter(answer.items));
  std::sort(answer.items.begin(), answer.items.end(),
            [](const DownlinkItem& a, const DownlinkItem& b) { return a.version < b.version; });
  if (answer.items.size() > limit) answer.items.resize(limit);
  answer.latest = TRY(rows_->latest_for(terminal.store_id));
  TRY(transaction.commit());
  return answer;
}

Result<std::int64_t> RowStore::latest_version(std::string_view store_id) {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  const std::int64_t latest = TRY(rows_->latest_for(store_id));
  TRY(transaction.commit());
  return latest;
}

}  // namespace loyalty::sync::hq
