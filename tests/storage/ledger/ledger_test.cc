#include "loyalty/storage/ledger.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "ledger/ledger_support.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

std::string meta(Ledger& ledger, const std::string& key) {
  Result<Statement> statement =
      Statement::prepare(ledger.database(), "SELECT value FROM meta WHERE key = ?1");
  REQUIRE(statement.ok());
  REQUIRE(statement->bind_text(1, key).ok());
  REQUIRE(statement->step().value() == Step::row);
  return statement->column_text(0);
}

TEST_CASE("Ledger::open creates a ledger with its terminal id and epoch, and reopens it",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Ledger ledger = open_ledger(path);
    CHECK(ledger.terminal_id() == "store-7/till-2");
    CHECK(ledger.epoch() == 0x0123456789abcdefULL);
    CHECK(ledger.schema_version() == 6);
    CHECK(meta(ledger, "terminal_id") == "store-7/till-2");
    CHECK(meta(ledger, "epoch") == "0123456789abcdef");
    CHECK(meta(ledger, "min_reader_version") == "5");
    CHECK(meta(ledger, "created_at") == "1795000000");
  }
  LedgerOptions reopen;  // no terminal id, no epoch: take the stored ones
  Ledger ledger = open_ledger(path, reopen);
  CHECK(ledger.terminal_id() == "store-7/till-2");
  CHECK(ledger.epoch() == 0x0123456789abcdefULL);
}

TEST_CASE("A new ledger without an epoch draws one and keeps it", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  LedgerOptions options = test_options();
  options.epoch.reset();
  std::uint64_t drawn = 0;
  {
    Ledger ledger = open_ledger(path, options);
    drawn = ledger.epoch();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(drawn));
    CHECK(meta(ledger, "epoch") == hex);
  }
  CHECK(open_ledger(path, options).epoch() == drawn);
}

TEST_CASE("Ledger::open refuses a new ledger without a terminal id, and another terminal's",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Result<Ledger> anonymous = Ledger::open(path, LedgerOptions{});
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.error().code == ErrorCode::invalid_argument);
  CHECK(anonymous.error().message ==
        "ledger " + path + " is new: give the terminal_id it belongs to");

  open_ledger(path);
  LedgerOptions other = test_options();
  other.terminal_id = "store-7/till-3";
  Result<Ledger> wrong = Ledger::open(path, other);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::conflict);
  CHECK(wrong.error().message ==
        "ledger " + path + " belongs to terminal \"store-7/till-2\", not \"store-7/till-3\"");
}

TEST_CASE("find_or_create_account returns the same account for the same kind and owner",
          "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts accounts = make_accounts(ledger);
  CHECK(accounts.issuance == AccountId{1});
  CHECK(accounts.redemption == AccountId{2});
  CHECK(accounts.anna == AccountId{3});
  CHECK(accounts.ben == AccountId{4});
  CHECK(make_accounts(ledger).anna == AccountId{3});

  const Account anna = ledger.account(accounts.anna).value();
  CHECK(anna.kind == AccountKind::customer_points);
  CHECK(anna.owner == "anna");
  CHECK(anna.unit == Unit::points);
  CHECK(anna.balance_floor == std::optional<std::int64_t>(0));
  const Account issuance = ledger.account(accounts.issuance).value();
  CHECK(issuance.kind == AccountKind::issuance);
  CHECK(issuance.balance_floor == std::nullopt);

  Transaction transaction = begin(ledger);
  const AccountId partner =
      ledger
          .find_or_create_account(transaction, AccountKind::partner_settlement, "fuel-co", test_now)
          .value();
  commit(transaction);
  CHECK(ledger.account(partner)->unit == Unit::minor);

  Result<Account> missing = ledger.account(AccountId{99});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK(missing.error().message == "account 99 does not exist");
}

TEST_CASE("Earn and burn move points between exactly two accounts", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);
  const Accounts a = make_accounts(ledger);
  CHECK(move_points(ledger, a.issuance, a.anna, 120, TransferCode::earn) == TransferId{1});
  CHECK(move_points(ledger, a.anna, a.redemption, 45, TransferCode::burn) == TransferId{2});
  CHECK(move_points(ledger, a.issuance, a.ben, 10, TransferCode::earn) == TransferId{3});

  CHECK(balance_of(ledger, a.anna) == make_balance(120, 45, 0, 0));
  CHECK(balance_of(ledger, a.anna).posted() == Points(75));
  CHECK(balance_of(ledger, a.anna).available() == Points(75));
  CHECK(balance_of(ledger, a.ben).posted() == Points(10));
  CHECK(balance_of(ledger, a.issuance) == make_balance(0, 130, 0, 0));
  CHECK(balance_of(ledger, a.issuance).posted() == Points(-130));  // unbounded: the liability
  CHECK(balance_of(ledger, a.redemption).posted() == Points(45));

  const LedgerReport report = ledger.check().value();
  CHECK(report.ok());
  CHECK(report.accounts == 4);
  CHECK(report.transfers == 3);
  CHECK(report.pending_open == 0);

  // The rows hold what was asked.
  Result<Statement> row = Statement::prepare(
      ledger.database(),
      "SELECT debit_account, credit_account, amount, code, flags, receipt_id, line, source, "
      "created_at FROM transfers WHERE id = 2");
  REQUIRE(row.ok());
  REQUIRE(row->step().value() == Step::row);
  CHECK(row->column_int64(0) == a.anna.value);
  CHECK(row->column_int64(1) == a.redemption.value);
  CHECK(row->column_int64(2) == 45);
  CHECK(row->column_text(3) == "burn");
  CHECK(row->column_text(4) == "none");
  CHECK(row->column_text(5) == "r-1");
  CHECK(row->column_int64(6) == 0);
  CHECK(row->column_text(7) == "earn.base");
  CHECK(row->column_int64(8) == test_now.unix_seconds);
}

TEST_CASE("A customer account never goes below 0", "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts a = make_accounts(ledger);
  move_points(ledger, a.issuance, a.anna, 50, TransferCode::earn);

  Transaction transaction = begin(ledger);
  Result<TransferId> overdrawn =
      ledger.transfer(transaction, request(a.anna, a.redemption, 51, TransferCode::burn));
  REQUIRE_FALSE(overdrawn.ok());
  CHECK(overdrawn.error().code == ErrorCode::conflict);
  CHECK(overdrawn.error().message ==
        "account 3 (customer_points:anna) has 50 points available; debiting 51 would take it "
        "below its floor 0");
  // Exactly the balance is fine.
  CHECK(ledger.transfer(transaction, request(a.anna, a.redemption, 50, TransferCode::burn)).ok());
  commit(transaction);
  CHECK(balance_of(ledger, a.anna) == make_balance(50, 50, 0, 0));
}

TEST_CASE("An explicit overdraft keeps the customer at 0 and books the debt", "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts a = make_accounts(ledger);
  move_points(ledger, a.issuance, a.anna, 60, TransferCode::earn);

  Transaction transaction = begin(ledger);
  const AccountId receivable =
      ledger
          .find_or_create_account(transaction, AccountKind::overdraft_receivable, "anna", test_now)
          .value();
  // HQ reports a 100-point burn elsewhere while only 60 were left: cover 40, then burn 100.
  REQUIRE(
      ledger.transfer(transaction, request(receivable, a.anna, 40, TransferCode::overdraft)).ok());
  REQUIRE(
      ledger.transfer(transaction, request(a.anna, a.redemption, 100, TransferCode::burn)).ok());
  commit(transaction);
  CHECK(balance_of(ledger, a.anna).posted() == Points(0));
  CHECK(balance_of(ledger, receivable).posted() == Points(-40));

  // Later earning repays it.
  move_points(ledger, a.issuance, a.anna, 70, TransferCode::earn);
  move_points(ledger, a.anna, receivable, 40, TransferCode::overdraft_recovery);
  CHECK(balance_of(ledger, a.anna).posted() == Points(30));
  CHECK(balance_of(ledger, receivable).posted() == Points(0));
  CHECK(ledger.check()->ok());
}

TEST_CASE("transfer rejects bad requests with a precise error", "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts a = make_accounts(ledger);
  Transaction transaction = begin(ledger);

  Result<TransferId> zero =
      ledger.transfer(transaction, request(a.issuance, a.anna, 0, TransferCode::earn));
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().code == ErrorCode::invalid_argument);
  CHECK(zero.error().message == "transfer amount 0 is outside 1..1000000000000");

  Result<TransferId> huge = ledger.transfer(
      transaction, request(a.issuance, a.anna, 1'000'000'000'001, TransferCode::earn));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message == "transfer amount 1000000000001 is outside 1..1000000000000");

  Result<TransferId> same =
      ledger.transfer(transaction, request(a.anna, a.anna, 5, TransferCode::correction));
  REQUIRE_FALSE(same.ok());
  CHECK(same.error().message == "transfer debits and credits the same account 3");

  Result<TransferId> missing =
      ledger.transfer(transaction, request(a.issuance, AccountId{42}, 5, TransferCode::earn));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK(missing.error().message == "account 42 does not exist");

  const AccountId partner =
      ledger
          .find_or_create_account(transaction, AccountKind::partner_settlement, "fuel-co", test_now)
          .value();
  Result<TransferId> money =
      ledger.transfer(transaction, request(a.issuance, partner, 5, TransferCode::earn));
  REQUIRE_FALSE(money.ok());
  CHECK(money.error().message ==
        "account 5 (partner_settlement:fuel-co) counts money in minor units, not points");
  commit(transaction);
  CHECK(ledger.check()->transfers == 0);
}

TEST_CASE("A transaction that is not committed leaves nothing", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Ledger ledger = open_ledger(path);
    const Accounts a = make_accounts(ledger);
    {
      Transaction transaction = begin(ledger);
      REQUIRE(
          ledger.transfer(transaction, request(a.issuance, a.anna, 80, TransferCode::earn)).ok());
      REQUIRE(ledger.find_or_create_account(transaction, AccountKind::breakage, "", test_now).ok());
      CHECK(balance_of(ledger, a.anna).posted() == Points(80));  // visible inside
    }  // destroyed without commit: rolled back
    CHECK(balance_of(ledger, a.anna) == make_balance(0, 0, 0, 0));
  }
  Ledger reopened = open_ledger(path);
  const LedgerReport report = reopened.check().value();
  CHECK(report.transfers == 0);
  CHECK(report.accounts == 4);
}

TEST_CASE("Transfers and events are immutable", "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts a = make_accounts(ledger);
  move_points(ledger, a.issuance, a.anna, 10, TransferCode::earn);
  Database& db = ledger.database();
  REQUIRE(db.exec("INSERT INTO events (seq, terminal_id, epoch, kind, payload, payload_hash, "
                  "prev_hash, created_at) VALUES (1, 't', 'e', 'commit', '{}', 'h1', '', 0)")
              .ok());

  const auto refused = [&](const std::string& sql, const std::string& reason) {
    Status status = db.exec(sql);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::conflict);
    CHECK(status.error().message == "exec \"" + sql + "\": " + reason);
  };
  const std::string transfers = "transfers are immutable: write a correcting transfer";
  refused("UPDATE transfers SET amount = 1000 WHERE id = 1", transfers);
  refused("DELETE FROM transfers WHERE id = 1", transfers);
  const std::string events = "events are immutable: append a new event";
  refused("UPDATE events SET payload = '{\"points\":1}' WHERE seq = 1", events);
  refused("DELETE FROM events", events);
  const std::string accounts =
      "accounts are immutable: an account keeps its id, kind, owner and unit";
  refused("UPDATE accounts SET owner = 'mallory' WHERE id = 3", accounts);
  refused("DELETE FROM accounts WHERE id = 3", accounts);
  CHECK(balance_of(ledger, a.anna).posted() == Points(10));
}

TEST_CASE("A lot changes only in remaining", "[storage][ledger]") {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  const Accounts a = make_accounts(ledger);
  {
    Transaction transaction = begin(ledger);
    LotCredit credit;
    credit.account = a.anna;
    credit.points = Points(100);
    credit.active_from = test_now;
    credit.at = test_now;
    REQUIRE(credit_lot(ledger, transaction, credit).value() == LotId{1});
    commit(transaction);
  }
  Database& db = ledger.database();
  CHECK(db.exec("UPDATE lots SET remaining = 40 WHERE lot_id = 1").ok());

  const std::string reason = "lots are immutable except remaining: write a correcting transfer";
  for (const std::string sql :
       {"UPDATE lots SET points = 500 WHERE lot_id = 1",
        "UPDATE lots SET expires_at = 99 WHERE lot_id = 1", "DELETE FROM lots WHERE lot_id = 1"}) {
    Status status = db.exec(sql);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::conflict);
    CHECK(status.error().message == "exec \"" + sql + "\": " + reason);
  }
  // CHECK keeps remaining within [0, points].
  Status above = db.exec("UPDATE lots SET remaining = 101 WHERE lot_id = 1");
  REQUIRE_FALSE(above.ok());
  CHECK(above.error().code == ErrorCode::conflict);
  CHECK(above.error().message ==
        "exec \"UPDATE lots SET remaining = 101 WHERE lot_id = 1\": CHECK constraint failed: "
        "remaining BETWEEN 0 AND points");
  // A change of remaining without a transfer naming the lot is what check() finds.
  CHECK(ledger.check()->problems ==
        std::vector<std::string>{
            "lot 1 of account 3: 100 points less 40 remaining is 60, but its transfers took 0 "
            "(burned, expired and reversed, less restored)",
            "account 3 (customer_points:anna): its lots hold 40 points but its balance is 100",
        });
}

}  // namespace
}  // namespace loyalty::storage
