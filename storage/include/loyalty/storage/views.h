// Read-only views of the ledger for the till's screens and the POS API: a customer's balance and
// the lots that hold it, their recent receipts and refunds, and one receipt as stored.
//
// Nothing here writes. Each function reads in its own statement(s) outside any write transaction,
// so it sees the last committed state.
//
// Ownership: the Ledger is borrowed for the call. Thread-safety: as the Ledger (one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage {

struct LotView {
  std::int64_t lot_id = 0;
  Points remaining;
  Timestamp active_from;
  std::optional<Timestamp> expires_at;  // nullopt: never expires
};

struct CustomerBalance {
  std::string customer_id;
  bool has_account = false;  // false: the ledger never moved a point for this customer
  Balance balance;
  // The lots with points remaining that have not expired at the time asked, by lot id; at most
  // limits::balance_lots_max (the oldest first).
  std::vector<LotView> lots;
};

// The customer's points account (posted, pending, available) and its live lots at `at`. A
// customer without an account has a zero balance and no lots (has_account false).
Result<CustomerBalance> customer_balance(Ledger& ledger, std::string_view customer_id, Timestamp at);

// One receipt as the ledger holds it.
struct StoredReceipt {
  std::string receipt_id;
  ReceiptState state = ReceiptState::open;
  std::optional<std::string> customer_id;  // nullopt: anonymous
  std::string quote_json;                  // the quote the receipt was written with
  std::int64_t event_seq = 0;              // 0 while open, and for a cancelled receipt
  Timestamp quoted_at;                     // the `at` the receipt was quoted (and hashed) with
  Timestamp updated_at;
};

// The receipt, or nullopt when the ledger has no receipt of that id.
Result<std::optional<StoredReceipt>> find_stored_receipt(Ledger& ledger,
                                                         std::string_view receipt_id);

// One line of a customer's history: a receipt (any state) or a refund of one of their receipts.
struct HistoryEntry {
  enum class Kind { receipt, refund };
  Kind kind = Kind::receipt;
  std::string id;          // the receipt id or the refund id
  std::string receipt_id;  // the receipt (the refunded one for a refund)
  std::optional<ReceiptState> state;  // receipts only
  Timestamp at;
  std::int64_t event_seq = 0;
  std::string result_json;  // the quote of a receipt, the reversal of a refund
};

// The customer's most recent receipts and refunds, newest first, at most `entries_max` (clamped
// to 1..limits::history_entries_max). Reads the receipts of one customer without an index on
// the customer: linear in the receipts the ledger holds.
Result<std::vector<HistoryEntry>> customer_history(Ledger& ledger, std::string_view customer_id,
                                                   std::size_t entries_max);

}  // namespace loyalty::storage
