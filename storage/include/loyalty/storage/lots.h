// Lots: points with an activation time and an expiry, on top of the ledger's transfers.
//
// Every point in a customer (or company) account that was earned through credit_lot() sits in a
// lot. Every change to a lot's `remaining` is made together with a posted transfer that names the
// lot (transfers.lot_id), so a lot's history is the list of its transfers: the earn that created
// it, one burn transfer per lot a burn touched, restores on returns, reversals and the expiry.
// docs/storage.md ("Lots") gives the rules; Ledger::check() verifies them.
//
// All functions write inside the caller's write Transaction, which must come from `ledger`
// (Ledger::begin()); nothing is committed here. They borrow the ledger for the call only.
// Thread-safety: that of the Ledger (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/ledger_types.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage {

// What credit_lot() earns. The views must stay valid during the call.
struct LotCredit {
  AccountId account;                    // a customer_points or company_points account
  Points points;                        // 1..limits::points_max
  Timestamp active_from;                // the lot can be burned from this instant on
  std::optional<Timestamp> expires_at;  // after active_from; nullopt: never expires
  std::string_view receipt_id;          // the earning receipt ("" when none)
  std::optional<std::uint32_t> line;    // its line, when the points are for one line
  std::string_view source;              // the quote's label, e.g. "rule:double-tuesday"
  Timestamp at;                         // now, for created_at
};

// One movement of points out of or back into a lot, with the transfer that made it.
struct LotMove {
  LotId lot;
  Points points;
  TransferId transfer;
  bool operator==(const LotMove&) const = default;
};

// What one expire_lots() call did.
struct ExpiryRun {
  std::vector<LotMove> expired;  // in order of expires_at, then lot id
  Points points_expired;
  // Points of due lots that open receipts hold (in the lot, or as pending debits of its account
  // that name no lot): they stay until the receipt commits (and burns them) or is cancelled (the
  // next run expires them).
  Points points_held_back;
  // True when limits::lot_expiry_batch_max lots were expired and more may be due: call again.
  bool more_due = false;
};

// Earns `credit.points` into a new lot: one transfer issuance → account (code earn, naming the
// lot). When the account is a customer's who owes an overdraft (a negative overdraft_receivable
// balance), the new lot first repays it: a transfer account → receivable (code
// overdraft_recovery, naming the lot) of min(points, owed) lowers the lot's remaining. Fails with
// invalid_argument (amount, times, text, an account that holds no lots) or not_found (account).
Result<LotId> credit_lot(Ledger& ledger, const Transaction& transaction, const LotCredit& credit);

// Burns `points` from the account's available lots (active_from <= at, not expired at `at`):
// soonest expiry first, lots without expiry last, ties by lot id (creation order). Writes one
// transfer account → redemption (code burn) per lot touched, and returns those moves in order.
// Fails with conflict, naming what is available, when the available lots hold too little.
Result<std::vector<LotMove>> burn_from_lots(Ledger& ledger, const Transaction& transaction,
                                            AccountId account, Points points, Timestamp at,
                                            std::string_view receipt_id,
                                            std::optional<std::uint32_t> line);

// A returned line gives back `points` it burned from `account`: to the lots its burns took them
// from, the lot burned last first (transfers redemption → account, code restore_burn). A lot
// that has expired since gets the points back all the same; the next expire_lots() expires them
// again. Fails with not_found when the line burned nothing, invalid_argument when `points` is
// more than the line burned and has not had back yet.
Result<std::vector<LotMove>> restore_burn(Ledger& ledger, const Transaction& transaction,
                                          AccountId account, std::string_view receipt_id,
                                          std::optional<std::uint32_t> line, Points points,
                                          Timestamp at);

// A returned line takes back `points` it earned into `account`: from what remains in the lots the
// line created, the newest lot first (transfers account → issuance, code reverse_earn). What those
// lots no longer hold (spent or expired) is the shortfall: a transfer overdraft_receivable →
// account (code overdraft) covers it, then a reverse_earn transfer without a lot takes it, so the
// customer owes it on the receivable account. Returns the moves out of lots (the shortfall is
// not a lot move). Fails with not_found when the line created no lot in the account,
// invalid_argument when `points` is more than the line earned and has not been reversed yet.
Result<std::vector<LotMove>> reverse_earn(Ledger& ledger, const Transaction& transaction,
                                          AccountId account, std::string_view receipt_id,
                                          std::optional<std::uint32_t> line, Points points,
                                          Timestamp at);

// The checkout writes a whole receipt at once: one burn transfer per lot touched (line NULL) and
// one lot per account for what the receipt earned (line NULL); the quote says how much each line
// burned and earned. These two return one line of such a receipt.

// A part of a lot that a receipt line's burn took, in burning order.
struct LotPart {
  LotId lot;
  Points points;
  bool operator==(const LotPart&) const = default;
};

// Gives back `points` of what `line` burned: to its `parts`, the part burned last first, less what
// earlier restores of the line gave back. Fails with invalid_argument when `points` is more than
// the parts hold and have not had back yet.
Result<std::vector<LotMove>> restore_burn_parts(Ledger& ledger, const Transaction& transaction,
                                                AccountId account, std::string_view receipt_id,
                                                std::uint32_t line, std::span<const LotPart> parts,
                                                Points points, Timestamp at);

// Takes back `points` of the `line_earned` points `line` (nullopt: the receipt-level awards)
// earned into the receipt's lot of `account`, like reverse_earn(): from what the lot still holds,
// the shortfall as an overdraft; the transfers name the line. Fails with not_found when the
// receipt created no lot in the account, invalid_argument when `points` is more than the line
// earned and has not been reversed yet.
Result<std::vector<LotMove>> reverse_receipt_earn(Ledger& ledger, const Transaction& transaction,
                                                  AccountId account, std::string_view receipt_id,
                                                  std::optional<std::uint32_t> line,
                                                  Points line_earned, Points points, Timestamp at);

// Turns every lot with expires_at <= at and points remaining into breakage: one transfer
// account → breakage (code expire, naming the lot) per lot, ordered by expires_at, then lot id;
// at most limits::lot_expiry_batch_max lots per call. Points an open receipt holds are not
// expired (points_held_back): a hold is a promise. Idempotent: a second run at the same `at`
// finds nothing more to do.
Result<ExpiryRun> expire_lots(Ledger& ledger, const Transaction& transaction, Timestamp at);

// A lot as stored.
struct Lot {
  LotId id;
  AccountId account;
  Points points;
  Points remaining;
  Timestamp active_from;
  std::optional<Timestamp> expires_at;
  bool operator==(const Lot&) const = default;
};
Result<Lot> lot(Ledger& ledger, LotId id);

}  // namespace loyalty::storage
