#include "loyalty/storage/ledger_types.h"

#include <array>

#include "loyalty/core/result.h"

namespace loyalty::storage {

namespace {

constexpr std::array<const char*, account_kind_count> account_kind_names = {
    "customer_points",     "company_points", "partner_settlement",   "issuance",
    "redemption",          "breakage",       "overdraft_receivable", "donation",
    "operator_settlement",
};

constexpr std::array<const char*, transfer_code_count> transfer_code_names = {
    "earn",
    "burn",
    "reward",
    "donate",
    "expire",
    "reverse_earn",
    "restore_burn",
    "overdraft",
    "overdraft_recovery",
    "correction",
    "settle_issued",
    "settle_redeemed",
    "settle_reversal",
};

}  // namespace

const char* account_kind_name(AccountKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  LOYALTY_ASSERT(index < account_kind_names.size());
  return account_kind_names[index];
}

std::optional<AccountKind> parse_account_kind(std::string_view name) {
  for (std::size_t i = 0; i < account_kind_names.size(); ++i) {
    if (name == account_kind_names[i]) return static_cast<AccountKind>(i);
  }
  return std::nullopt;
}

const char* unit_name(Unit unit) { return unit == Unit::points ? "points" : "minor"; }

Unit unit_of(AccountKind kind) {
  return kind == AccountKind::partner_settlement || kind == AccountKind::operator_settlement
             ? Unit::minor
             : Unit::points;
}

std::optional<std::int64_t> default_balance_floor(AccountKind kind) {
  switch (kind) {
    case AccountKind::customer_points:
    case AccountKind::company_points:
      return 0;
    case AccountKind::partner_settlement:
    case AccountKind::operator_settlement:
    case AccountKind::issuance:
    case AccountKind::redemption:
    case AccountKind::breakage:
    case AccountKind::overdraft_receivable:
    case AccountKind::donation:
      return std::nullopt;
  }
  LOYALTY_ASSERT(false);
  return std::nullopt;
}

const char* transfer_code_name(TransferCode code) {
  const auto index = static_cast<std::size_t>(code);
  LOYALTY_ASSERT(index < transfer_code_names.size());
  return transfer_code_names[index];
}

std::optional<TransferCode> parse_transfer_code(std::string_view name) {
  for (std::size_t i = 0; i < transfer_code_names.size(); ++i) {
    if (name == transfer_code_names[i]) return static_cast<TransferCode>(i);
  }
  return std::nullopt;
}

}  // namespace loyalty::storage
