// Helpers shared by lots/lots.cc, lots/holds.cc, lots/returns.cc and lots/expiry.cc, and by the
// checkout. Not part of the public API.
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

// The ledger's request for `request` (the views it holds stay borrowed).
TransferRequest transfer_request(const LotTransfer& request);
// Writes the transfer and moves the lot's remaining by `delta` (negative: points leave the lot).
Result<TransferId> move(Ledger& ledger, const Transaction& transaction, const LotTransfer& request,
                        std::int64_t delta);
// Moves the lot's remaining by `delta`; the caller writes the transfer naming the lot.
Status move_remaining(Ledger& ledger, LotId lot, std::int64_t delta);

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

// What open receipts hold in an account's lots. A hold names the lot it reserves
// (hold_from_lots); a pending debit that names none (a hold written by an older release, or a
// pending transfer made with Ledger::create_pending alone) is `unattributed` and comes out of the
// lots a burn would take first.
struct LotHolds {
  std::vector<LotPart> held;  // per lot, by lot id
  Points unattributed;
  Points in(LotId lot) const;
};
Result<LotHolds> lot_holds(Ledger& ledger, AccountId account);

// A lot with points remaining, and the part of them no open receipt holds.
struct SpareLot {
  LotId lot;
  Points remaining;
  Points spare;  // remaining less what holds reserve in it
  Timestamp active_from;
  std::optional<Timestamp> expires_at;
  bool usable = false;  // active and not expired at the time asked
};
enum class LotSelection { usable, all };
// The account's lots with points remaining (at most limits::customer_lots_max), soonest expiry
// first (lots without expiry last, ties by creation), with what is spare in each at `at`;
// LotSelection::usable keeps only those active and not expired at `at`.
Result<std::vector<SpareLot>> spare_lots(Ledger& ledger, AccountId account, Timestamp at,
                                         LotSelection selection);

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
  // Which lots count as available (active, not expired); nullopt: at `at`. A hold written by an
  // older release, committed later, burns what was available when its receipt was quoted.
  std::optional<Timestamp> available_at;
};

// burn_from_lots() with any credit account, code and source: takes only what no open receipt
// holds; writes nothing and fails with conflict, naming what is available, when the available
// lots hold too little.
Result<std::vector<LotMove>> take_from_lots(Ledger& ledger, const Transaction& transaction,
                                            const LotTake& take);
// The same plan, written as one pending transfer per lot that names the lot: the points are held
// for an open receipt, and no other take, return or expiry touches them until post_holds() or a
// void releases them. Returns the pending transfers.
Result<std::vector<LotMove>> hold_from_lots(Ledger& ledger, const Transaction& transaction,
                                            const LotTake& take);

// The open holds of `receipt_id` (pending transfers not yet posted or voided), in the order they
// were made; `lot` is empty for a hold an older release wrote.
struct OpenHold {
  TransferId id;
  std::optional<LotId> lot;
  Points amount;
};
Result<std::vector<OpenHold>> open_holds(Ledger& ledger, std::string_view receipt_id);
// Voids every open hold of `receipt_id`: the points are released.
Status void_holds(Ledger& ledger, const Transaction& transaction, std::string_view receipt_id,
                  Timestamp at);
// Posts every open hold of `receipt_id` (the points leave the lots they reserve) in the order
// they were made, and returns what they moved; io_error for a hold that names no lot.
Result<Points> post_holds(Ledger& ledger, const Transaction& transaction,
                          std::string_view receipt_id, Timestamp at);

// "receipt r-1 line 2" or "receipt r-1" for messages.
std::string receipt_line_name(std::string_view receipt_id, std::optional<std::uint32_t> line);

}  // namespace loyalty::storage::lots_internal
