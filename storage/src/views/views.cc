// The ledger's read-only views (views.h): plain SELECTs over the accounts, lots, receipts,
// refunds and events tables (schema: schema/versions.cc).
#include "loyalty/storage/views.h"

#include <algorithm>

#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

Result<std::optional<AccountId>> find_points_account(Ledger& ledger,
                                                     std::string_view customer_id) {
  Statement find = TRY(Statement::prepare(
      ledger.database(), "SELECT id FROM accounts WHERE kind = 'customer_points' AND owner = ?1"));
  TRY(find.bind_text(1, customer_id));
  if (TRY(find.step()) == Step::done) return std::optional<AccountId>();
  return std::optional<AccountId>(AccountId{find.column_int64(0)});
}

Result<std::vector<LotView>> live_lots(Ledger& ledger, AccountId account, Timestamp at) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT lot_id, remaining, active_from, expires_at FROM lots WHERE account = ?1 AND "
      "remaining > 0 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY lot_id LIMIT ?3"));
  TRY(select.bind_int64(1, account.value));
  TRY(select.bind_int64(2, at.unix_seconds));
  TRY(select.bind_int64(3, static_cast<std::int64_t>(limits::balance_lots_max)));
  std::vector<LotView> lots;
  while (TRY(select.step()) == Step::row) {  // bounded by LIMIT
    LotView lot;
    lot.lot_id = select.column_int64(0);
    lot.remaining = Points{select.column_int64(1)};
    lot.active_from = Timestamp{select.column_int64(2)};
    if (!select.column_is_null(3)) lot.expires_at = Timestamp{select.column_int64(3)};
    lots.push_back(lot);
  }
  return lots;
}

}  // namespace

Result<CustomerBalance> customer_balance(Ledger& ledger, std::string_view customer_id,
                                         Timestamp at) {
  CustomerBalance view;
  view.customer_id = std::string(customer_id);
  const std::optional<AccountId> account = TRY(find_points_account(ledger, customer_id));
  if (!account) return view;
  view.has_account = true;
  view.balance = TRY(ledger.balance(*account));
  view.lots = TRY(live_lots(ledger, *account, at));
  return view;
}

Result<std::optional<StoredReceipt>> find_stored_receipt(Ledger& ledger,
                                                         std::string_view receipt_id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      // A committed receipt's quote is its event's payload (result NULL): stored once.
      "SELECT r.state, r.customer_id, COALESCE(r.result, e.payload), r.event_seq, r.quoted_at, "
      "r.updated_at FROM receipts r LEFT JOIN events e ON e.seq = r.event_seq "
      "WHERE r.receipt_id = ?1"));
  TRY(select.bind_text(1, receipt_id));
  if (TRY(select.step()) != Step::row) return std::optional<StoredReceipt>();
  StoredReceipt receipt;
  receipt.receipt_id = std::string(receipt_id);
  const std::optional<ReceiptState> state = parse_receipt_state(select.column_text(0));
  LOYALTY_ASSERT(state.has_value());  // CHECKed by the schema
  receipt.state = *state;
  if (!select.column_is_null(1)) receipt.customer_id = select.column_text(1);
  receipt.quote_json = select.column_text(2);
  receipt.event_seq = select.column_is_null(3) ? 0 : select.column_int64(3);
  receipt.quoted_at = Timestamp{select.column_is_null(4) ? 0 : select.column_int64(4)};
  receipt.updated_at = Timestamp{select.column_int64(5)};
  return std::optional<StoredReceipt>(std::move(receipt));
}

Result<std::vector<HistoryEntry>> customer_history(Ledger& ledger, std::string_view customer_id,
                                                   std::size_t entries_max) {
  const std::size_t limit = std::clamp<std::size_t>(entries_max, 1, limits::history_entries_max);
  // Receipts and the refunds of them, newest first; ties by id so the order is stable.
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT 'receipt', r.receipt_id, r.receipt_id, r.state, r.updated_at, r.event_seq, "
      "COALESCE(r.result, e.payload) FROM receipts r LEFT JOIN events e ON e.seq = r.event_seq "
      "WHERE r.customer_id = ?1 "
      "UNION ALL "
      "SELECT 'refund', f.refund_id, f.receipt_id, NULL, f.created_at, f.event_seq, f.result "
      "FROM refunds f JOIN receipts r ON r.receipt_id = f.receipt_id WHERE r.customer_id = ?1 "
      "ORDER BY 5 DESC, 6 DESC, 2 DESC LIMIT ?2"));
  TRY(select.bind_text(1, customer_id));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(limit)));
  std::vector<HistoryEntry> entries;
  while (TRY(select.step()) == Step::row) {  // bounded by LIMIT
    HistoryEntry entry;
    entry.kind = select.column_text(0) == "refund" ? HistoryEntry::Kind::refund
                                                   : HistoryEntry::Kind::receipt;
    entry.id = select.column_text(1);
    entry.receipt_id = select.column_text(2);
    if (!select.column_is_null(3)) entry.state = parse_receipt_state(select.column_text(3));
    entry.at = Timestamp{select.column_int64(4)};
    entry.event_seq = select.column_is_null(5) ? 0 : select.column_int64(5);
    entry.result_json = select.column_text(6);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace loyalty::storage
