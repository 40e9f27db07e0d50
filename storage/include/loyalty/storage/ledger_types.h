// The value types of the ledger: account kinds, transfer codes, ids, balances and transfer
// requests. docs/storage.md explains which account each kind of transfer debits and credits.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/time.h"
#include "loyalty/core/units.h"

namespace loyalty::storage {

enum class AccountKind : std::uint8_t {
  customer_points,       // owner: customer id; floor 0
  company_points,        // owner: company id (B2B dual accrual); floor 0
  partner_settlement,    // owner: partner id; money in minor units, not points (see unit)
  issuance,              // owner: "" (chain); the source of every point earned; unbounded
  redemption,            // owner: ""; receives points burned as tender or for rewards
  breakage,              // owner: ""; receives points that expired
  overdraft_receivable,  // owner: customer id; what a customer owes after an offline overdraft
  donation,              // owner: charity id; receives donated points
  operator_settlement,   // owner: "" (chain); money in minor units: the other side of every
                         // partner_settlement transfer
};
inline constexpr int account_kind_count = 9;

// "customer_points", "issuance"... as stored in accounts.kind.
const char* account_kind_name(AccountKind kind);
std::optional<AccountKind> parse_account_kind(std::string_view name);

// What an account counts. Points and money never meet in one transfer.
enum class Unit : std::uint8_t { points, minor };
const char* unit_name(Unit unit);
Unit unit_of(AccountKind kind);
// The lowest balance (credits - debits, posted and pending) an account of this kind may reach;
// nullopt: unbounded. Customers and companies never go below 0: an overdraft is an explicit
// transfer from their overdraft_receivable account (docs/storage.md).
std::optional<std::int64_t> default_balance_floor(AccountKind kind);

// Why points moved; stored in transfers.code. A post or void copies its pending transfer's code.
enum class TransferCode : std::uint8_t {
  earn,                // issuance → customer (or company)
  burn,                // customer → redemption: points as tender
  reward,              // customer → redemption: a catalogue reward
  donate,              // customer → donation
  expire,              // customer → breakage
  reverse_earn,        // customer → issuance: a returned line takes back what it earned
  restore_burn,        // redemption → customer: a returned line gives back what it burned
  overdraft,           // overdraft_receivable → customer: covers a burn the balance lacked
  overdraft_recovery,  // customer → overdraft_receivable: later earning repays it
  correction,          // any → any: corrects an earlier transfer, which stays
  // Money (minor units) between a coalition partner and the operator; the balance of
  // partner_settlement is what the operator owes the partner (negative: what the partner owes).
  settle_issued,  // partner_settlement → operator_settlement: the partner pays for points it issued
  settle_redeemed,  // operator_settlement → partner_settlement: the operator pays for points burned
  settle_reversal,  // either way: a return takes back part of an earlier settlement
};
inline constexpr int transfer_code_count = 13;
const char* transfer_code_name(TransferCode code);
std::optional<TransferCode> parse_transfer_code(std::string_view name);

// Ids are the SQLite row ids; no implicit conversions.
struct AccountId {
  std::int64_t value = 0;
  auto operator<=>(const AccountId&) const = default;
};
struct TransferId {
  std::int64_t value = 0;
  auto operator<=>(const TransferId&) const = default;
};
struct LotId {
  std::int64_t value = 0;
  auto operator<=>(const LotId&) const = default;
};

struct Account {
  AccountId id;
  AccountKind kind = AccountKind::customer_points;
  std::string owner;
  Unit unit = Unit::points;
  std::optional<std::int64_t> balance_floor;
};

// An account's balance split like TigerBeetle's: posted transfers count in full; pending ones
// (not yet posted or voided) are held apart. A pending debit already reduces what is available.
struct Balance {
  Points credits_posted;
  Points debits_posted;
  Points credits_pending;
  Points debits_pending;

  Points posted() const { return credits_posted - debits_posted; }
  Points available() const { return posted() - debits_pending; }
  bool operator==(const Balance&) const = default;
};

// One movement of money (minor units) between two accounts that count money.
struct MoneyTransferRequest {
  AccountId debit;
  AccountId credit;
  Minor amount;  // 1..limits::amount_minor_max
  TransferCode code = TransferCode::settle_issued;
  std::string_view receipt_id;
  std::string_view source;  // e.g. "partner:fuel-co"
  Timestamp at;
};

// One movement of points from `debit` to `credit`. The views must stay valid during the call.
struct TransferRequest {
  AccountId debit;
  AccountId credit;
  Points amount;  // 1..limits::points_max
  TransferCode code = TransferCode::earn;
  std::string_view receipt_id;        // "" when not from a receipt
  std::optional<std::uint32_t> line;  // receipt line, when the transfer is for one line
  std::string_view source;            // the quote's explanation label, e.g. "rule:double-tuesday"
  std::optional<LotId> lot;           // the lot earned or burned, when there is one
  Timestamp at;
};

}  // namespace loyalty::storage
