// The checkout flow's rows: receipts, stored programs, counters, holds, and the customer's state
// as the ledger knows it.

#include <algorithm>
#include <string>

#include "checkout/internal.h"
#include "lots/internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::checkout_internal {

namespace {

// Reads the customer's own counters into the matching list of `customer`, in key order. The
// chain-wide coupon uses are read by load_chain_counts, for the coupons a receipt presents.
Status load_counters(Ledger& ledger, std::string_view customer_id, CustomerState& customer) {
  // One range of the primary key (customer_id, kind, key), already in order: no IN list, no sort.
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT kind, key, count FROM counters WHERE customer_id = ?1 ORDER BY customer_id, kind, "
      "key LIMIT ?2"));
  TRY(select.bind_text(1, customer_id));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(4 * limits::customer_counters_max)));
  customer.stamps.clear();
  customer.coupon_uses.clear();
  customer.event_awards.clear();
  while (TRY(select.step()) == Step::row) {
    const std::string kind = select.column_text(0);
    Counter counter{select.column_text(1), select.column_int64(2)};
    if (counter.count == 0) continue;
    if (kind == "stamps") customer.stamps.push_back(std::move(counter));
    if (kind == "coupon_uses") customer.coupon_uses.push_back(std::move(counter));
    if (kind == "event_awards") customer.event_awards.push_back(std::move(counter));
  }
  return Status();
}

}  // namespace

Result<std::optional<ReceiptRow>> find_receipt(Ledger& ledger, std::string_view receipt_id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      // A committed receipt's quote is its event's payload (result NULL): stored once.
      "SELECT r.request_hash, r.state, COALESCE(r.result, e.payload), r.event_seq, r.program_id, "
      "r.program_version, r.customer_id, r.customer_json, r.receipt_json, r.quoted_at, "
      "r.created_at, r.offline, r.chain_json, r.reserved, r.time_zone FROM receipts r "
      "LEFT JOIN events e ON e.seq = r.event_seq WHERE r.receipt_id = ?1"));
  TRY(select.bind_text(1, receipt_id));
  if (TRY(select.step()) != Step::row) return std::optional<ReceiptRow>();
  ReceiptRow row;
  row.receipt_id = std::string(receipt_id);
  row.request_hash = select.column_text(0);
  const std::optional<ReceiptState> state = parse_receipt_state(select.column_text(1));
  LOYALTY_ASSERT(state.has_value());  // CHECKed by the schema
  row.state = *state;
  row.result = select.column_text(2);
  row.event_seq = select.column_is_null(3) ? 0 : select.column_int64(3);
  row.program_id = select.column_text(4);
  row.program_version = select.column_int64(5);
  if (!select.column_is_null(6)) row.customer_id = select.column_text(6);
  row.customer_json = select.column_text(7);
  row.receipt_json = select.column_text(8);
  row.quoted_at = Timestamp{select.column_int64(9)};
  row.created_at = Timestamp{select.column_int64(10)};
  row.offline = select.column_int64(11) != 0;
  if (!select.column_is_null(12)) row.chain_json = select.column_text(12);
  if (!select.column_is_null(13)) row.reserved_json = select.column_text(13);
  if (!select.column_is_null(14)) row.time_zone = select.column_text(14);
  if (row.receipt_json.empty()) {
    return make_error(ErrorCode::conflict, receipt_name(receipt_id) +
                                               " was written without the checkout flow; it "
                                               "cannot be committed or refunded here");
  }
  return std::optional<ReceiptRow>(std::move(row));
}

Status insert_receipt(Ledger& ledger, const ReceiptRow& row, Timestamp at) {
  Statement insert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO receipts (receipt_id, request_hash, state, result, event_seq, created_at, "
      "updated_at, program_id, program_version, customer_id, customer_json, receipt_json, "
      "quoted_at, offline, chain_json, reserved, time_zone) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"));
  TRY(insert.bind_text(1, row.receipt_id));
  TRY(insert.bind_text(2, row.request_hash));
  TRY(insert.bind_text(3, receipt_state_name(row.state)));
  // The quote of a committed receipt is in its event already.
  TRY(row.state == ReceiptState::committed ? insert.bind_null(4) : insert.bind_text(4, row.result));
  if (row.event_seq > 0) {
    TRY(insert.bind_int64(5, row.event_seq));
  } else {
    TRY(insert.bind_null(5));
  }
  TRY(insert.bind_int64(6, at.unix_seconds));
  TRY(insert.bind_text(7, row.program_id));
  TRY(insert.bind_int64(8, row.program_version));
  if (row.customer_id) {
    TRY(insert.bind_text(9, *row.customer_id));
  } else {
    TRY(insert.bind_null(9));
  }
  TRY(insert.bind_text(10, row.customer_json));
  TRY(insert.bind_text(11, row.receipt_json));
  TRY(insert.bind_int64(12, row.quoted_at.unix_seconds));
  TRY(insert.bind_int64(13, row.offline ? 1 : 0));
  TRY(row.chain_json.empty() ? insert.bind_null(14) : insert.bind_text(14, row.chain_json));
  TRY(row.reserved_json ? insert.bind_text(15, *row.reserved_json) : insert.bind_null(15));
  TRY(row.time_zone.empty() ? insert.bind_null(16) : insert.bind_text(16, row.time_zone));
  return insert.run();
}

Status set_receipt_state(Ledger& ledger, std::string_view receipt_id, ReceiptState state,
                         std::int64_t event_seq, Timestamp at) {
  Statement update = TRY(Statement::prepare(
      ledger.database(),
      // What an open receipt reserved is counted (committed) or given back (cancelled) by now.
      // Committed, the quote is the event's payload; cancelled, it stays for inspection.
      "UPDATE receipts SET state = ?2, event_seq = ?3, updated_at = ?4, reserved = NULL, "
      "result = CASE WHEN ?2 = 'committed' THEN NULL ELSE result END WHERE receipt_id = ?1"));
  TRY(update.bind_text(1, receipt_id));
  TRY(update.bind_text(2, receipt_state_name(state)));
  if (event_seq > 0) {
    TRY(update.bind_int64(3, event_seq));
  } else {
    TRY(update.bind_null(3));
  }
  TRY(update.bind_int64(4, at.unix_seconds));
  return update.run();
}

Result<std::string> stored_program(Ledger& ledger, std::string_view program_id,
                                   std::int64_t version) {
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT bundle FROM programs WHERE program_id = ?1 AND version = ?2"));
  TRY(select.bind_text(1, program_id));
  TRY(select.bind_int64(2, version));
  if (TRY(select.step()) != Step::row) {
    return make_error(ErrorCode::not_found,
                      "program " + std::string(program_id) + " version " + std::to_string(version) +
                          " is not stored in the ledger: call Till::store_program with its "
                          "bundle first");
  }
  return select.column_text(0);
}

Status load_ledger_view(Ledger& ledger, AccountId account, Timestamp at, CustomerState& customer) {
  // What open receipts hold is not the quote's to spend: each lot shows what is spare in it.
  const std::vector<lots_internal::SpareLot> lots =
      TRY(lots_internal::spare_lots(ledger, account, at, lots_internal::LotSelection::all));
  customer.lots.clear();
  for (const lots_internal::SpareLot& spare : lots) {  // bounded by customer_lots_max
    if (spare.spare <= Points(0)) continue;
    PointsLot lot;
    lot.lot_id = "lot-" + std::to_string(spare.lot.value);
    lot.points = spare.spare;
    lot.active_from = spare.active_from;
    lot.expires_at = spare.expires_at;
    customer.lots.push_back(std::move(lot));
  }
  return load_counters(ledger, customer.customer_id, customer);
}

Status add_counter(Ledger& ledger, std::string_view customer_id, std::string_view kind,
                   std::string_view key, std::int64_t delta) {
  // Created at 0 first, then moved: SQLite checks `count >= 0` on an upsert's VALUES before it
  // sees the conflict, so a negative delta cannot go through INSERT ... ON CONFLICT.
  Statement create = TRY(Statement::prepare(
      ledger.database(),
      "INSERT OR IGNORE INTO counters (customer_id, kind, key, count) VALUES (?1, ?2, ?3, 0)"));
  TRY(create.bind_text(1, customer_id));
  TRY(create.bind_text(2, kind));
  TRY(create.bind_text(3, key));
  TRY(create.run());
  Statement upsert = TRY(Statement::prepare(
      ledger.database(),
      "UPDATE counters SET count = count + ?4 WHERE customer_id = ?1 AND kind = ?2 AND key = ?3"));
  TRY(upsert.bind_text(1, customer_id));
  TRY(upsert.bind_text(2, kind));
  TRY(upsert.bind_text(3, key));
  TRY(upsert.bind_int64(4, delta));
  Status status = upsert.run();
  if (!status.ok()) {
    return make_error(status.error().code, "counter " + std::string(kind) + " " + std::string(key) +
                                               " of customer \"" + std::string(customer_id) +
                                               "\" cannot move by " + std::to_string(delta) + ": " +
                                               status.error().message);
  }
  return Status();
}

}  // namespace loyalty::storage::checkout_internal
