// Helpers for the ledger tests: open a ledger in a TempDir, create the usual accounts, move
// points. Each fails the test on an unexpected error.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "loyalty/storage/ledger.h"
#include "temp_dir.h"

namespace loyalty::storage::test {

inline constexpr Timestamp test_now{1'795'000'000};  // 2026-11-18

inline LedgerOptions test_options() {
  LedgerOptions options;
  options.terminal_id = "store-7/till-2";
  options.epoch = 0x0123456789abcdefULL;
  options.now = test_now;
  return options;
}

inline Ledger open_ledger(const std::string& path, const LedgerOptions& options = test_options()) {
  Result<Ledger> ledger = Ledger::open(path, options);
  if (!ledger.ok()) FAIL("Ledger::open failed: " << ledger.error().message);
  return std::move(ledger).value();
}

inline Transaction begin(Ledger& ledger) {
  Result<Transaction> transaction = ledger.begin();
  if (!transaction.ok()) FAIL("begin failed: " << transaction.error().message);
  return std::move(transaction).value();
}

inline void commit(Transaction& transaction) {
  Status status = transaction.commit();
  if (!status.ok()) FAIL("commit failed: " << status.error().message);
}

// The accounts of one customer and the chain-wide accounts, created in one transaction.
struct Accounts {
  AccountId issuance;
  AccountId redemption;
  AccountId anna;
  AccountId ben;
};

inline Accounts make_accounts(Ledger& ledger) {
  Transaction transaction = begin(ledger);
  Accounts accounts;
  auto make = [&](AccountKind kind, const char* owner) {
    Result<AccountId> id = ledger.find_or_create_account(transaction, kind, owner, test_now);
    if (!id.ok()) FAIL("find_or_create_account failed: " << id.error().message);
    return id.value();
  };
  accounts.issuance = make(AccountKind::issuance, "");
  accounts.redemption = make(AccountKind::redemption, "");
  accounts.anna = make(AccountKind::customer_points, "anna");
  accounts.ben = make(AccountKind::customer_points, "ben");
  commit(transaction);
  return accounts;
}

inline TransferRequest request(AccountId debit, AccountId credit, std::int64_t amount,
                               TransferCode code) {
  TransferRequest request;
  request.debit = debit;
  request.credit = credit;
  request.amount = Points(amount);
  request.code = code;
  request.receipt_id = "r-1";
  request.line = 0;
  request.source = "earn.base";
  request.at = test_now;
  return request;
}

// One posted transfer in its own transaction.
inline TransferId move_points(Ledger& ledger, AccountId debit, AccountId credit,
                              std::int64_t amount, TransferCode code) {
  Transaction transaction = begin(ledger);
  Result<TransferId> id = ledger.transfer(transaction, request(debit, credit, amount, code));
  if (!id.ok()) FAIL("transfer failed: " << id.error().message);
  commit(transaction);
  return id.value();
}

inline Balance balance_of(Ledger& ledger, AccountId account) {
  Result<Balance> balance = ledger.balance(account);
  if (!balance.ok()) FAIL("balance failed: " << balance.error().message);
  return balance.value();
}

inline Balance make_balance(std::int64_t credits_posted, std::int64_t debits_posted,
                            std::int64_t credits_pending, std::int64_t debits_pending) {
  return Balance{Points(credits_posted), Points(debits_posted), Points(credits_pending),
                 Points(debits_pending)};
}

}  // namespace loyalty::storage::test

namespace Catch {
template <>
struct StringMaker<loyalty::storage::Balance> {
  static std::string convert(const loyalty::storage::Balance& b) {
    return "{credits_posted " + std::to_string(b.credits_posted.value()) + ", debits_posted " +
           std::to_string(b.debits_posted.value()) + ", credits_pending " +
           std::to_string(b.credits_pending.value()) + ", debits_pending " +
           std::to_string(b.debits_pending.value()) + "}";
  }
};
}  // namespace Catch
