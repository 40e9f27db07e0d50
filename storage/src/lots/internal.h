// Helpers shared by lots/lots.cc, lots/returns.cc and lots/expiry.cc. Not part of the public API.
// Thread-safety: that of the Ledger passed in.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/lots.h"

namespace loyalty::storage::lots_internal {

// One posted transfer that names `lot` (or no lot), between two accounts.
struct LotTransfer {
  AccountId debit;
  AccountId credit;
  Points amount;
  TransferCode code = TransferCode::burn;
  std::string_view receipt_id;
  std::optional<std::uint32_t> line;
  std::string_view source;
  std::optional<LotId> lot;
  Timestamp at;
};

// Writes the transfer and moves the lot's remaining by `delta` (negative: points leave the lot).
Result<TransferId> move(Ledger& ledger, const Transaction& transaction, const LotTransfer& request,
                        std::int64_t delta);

// Takes `owed` points the customer's lots no longer hold out of `account` anyway, as an explicit
// debt: overdraft_receivable(owner) → account (code overdraft), then account → `credit` with
// `code`, neither naming a lot. The customer's next earnings repay the receivable first.
Status take_as_overdraft(Ledger& ledger, const Transaction& transaction, AccountId account,
                         std::string_view owner, AccountId credit, Points owed, TransferCode code,
                         std::string_view receipt_id, std::optional<std::uint32_t> line,
                         std::string_view source, Timestamp at);

// The chain-wide account of `kind` (owner ""), created if missing.
Result<AccountId> chain_account(Ledger& ledger, const Transaction& transaction, AccountKind kind,
                                Timestamp at);

// Fails with invalid_argument unless 1 <= points <= limits::points_max; `what` names the call.
Status check_points(std::string_view what, Points points);

// Fails unless the account exists and holds lots (customer_points or company_points).
Result<Account> lot_account(Ledger& ledger, AccountId id);

// Points leaving an account's available lots (soonest expiry first), each lot's part as one posted
// transfer account → credit naming the lot. The views must stay valid during the call.
struct LotTake {
  AccountId account;  // a customer_points or company_points account
  AccountId credit;   // redemption (burn), donation (donate)...
  Points points;
  TransferCode code = TransferCode::burn;
  std::string_view receipt_id;
  std::optional<std::uint32_t> line;
  std::string_view source;
  Timestamp at;
  // Which lots count as available (active, not expired); nullopt: at `at`. A held receipt
  // committed later burns what was available when it was quoted: the hold promised those points.
  std::optional<Timestamp> available_at;
};

// burn_from_lots() with any credit account, code and source: writes nothing and fails with
// conflict, naming what is available, when the available lots hold too little.
Result<std::vector<LotMove>> take_from_lots(Ledger& ledger, const Transaction& transaction,
                                            const LotTake& take);

// "receipt r-1 line 2" or "receipt r-1" for messages.
std::string receipt_line_name(std::string_view receipt_id, std::optional<std::uint32_t> line);

}  // namespace loyalty::storage::lots_internal
