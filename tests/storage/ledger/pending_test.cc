// Pending transfers: points held for an open receipt, then posted (in full or in part) or voided.

#include <catch2/catch.hpp>
#include <string>

#include "ledger/ledger_support.h"
#include "loyalty/storage/ledger.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

struct PendingFixture {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  Accounts a = make_accounts(ledger);

  PendingFixture() { move_points(ledger, a.issuance, a.anna, 100, TransferCode::earn); }

  TransferId hold(std::int64_t amount) {
    Transaction transaction = begin(ledger);
    Result<TransferId> id = ledger.create_pending(
        transaction, request(a.anna, a.redemption, amount, TransferCode::burn));
    if (!id.ok()) FAIL("create_pending failed: " << id.error().message);
    commit(transaction);
    return id.value();
  }
  Result<TransferId> post(TransferId pending, std::optional<Points> amount = std::nullopt) {
    Transaction transaction = begin(ledger);
    Result<TransferId> id = ledger.post_pending(transaction, pending, amount, test_now);
    if (id.ok()) commit(transaction);
    return id;
  }
  Result<TransferId> cancel(TransferId pending) {
    Transaction transaction = begin(ledger);
    Result<TransferId> id = ledger.void_pending(transaction, pending, test_now);
    if (id.ok()) commit(transaction);
    return id;
  }
};

TEST_CASE("A pending burn holds points until it is posted", "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId pending = f.hold(30);
  CHECK(pending == TransferId{2});
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 0, 0, 30));
  CHECK(balance_of(f.ledger, f.a.anna).posted() == Points(100));
  CHECK(balance_of(f.ledger, f.a.anna).available() == Points(70));
  CHECK(balance_of(f.ledger, f.a.redemption) == make_balance(0, 0, 30, 0));
  CHECK(f.ledger.check()->pending_open == 1);

  REQUIRE(f.post(pending).value() == TransferId{3});
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 30, 0, 0));
  CHECK(balance_of(f.ledger, f.a.anna).available() == Points(70));
  CHECK(balance_of(f.ledger, f.a.redemption) == make_balance(30, 0, 0, 0));
  const LedgerReport report = f.ledger.check().value();
  CHECK(report.ok());
  CHECK(report.pending_open == 0);
  CHECK(report.transfers == 3);
}

TEST_CASE("A partial post moves part and releases the rest", "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId pending = f.hold(30);
  REQUIRE(f.post(pending, Points(12)).ok());
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 12, 0, 0));
  CHECK(balance_of(f.ledger, f.a.anna).available() == Points(88));
  CHECK(balance_of(f.ledger, f.a.redemption) == make_balance(12, 0, 0, 0));
}

TEST_CASE("A void releases every held point", "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId pending = f.hold(30);
  REQUIRE(f.cancel(pending).value() == TransferId{3});
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 0, 0, 0));
  CHECK(balance_of(f.ledger, f.a.redemption) == make_balance(0, 0, 0, 0));
  CHECK(f.ledger.check()->ok());
}

TEST_CASE("Pending debits count against the floor", "[storage][ledger][pending]") {
  PendingFixture f;
  f.hold(80);
  Transaction transaction = begin(f.ledger);
  Result<TransferId> burn =
      f.ledger.transfer(transaction, request(f.a.anna, f.a.redemption, 21, TransferCode::burn));
  REQUIRE_FALSE(burn.ok());
  CHECK(burn.error().message ==
        "account 3 (customer_points:anna) has 20 points available; debiting 21 would take it "
        "below its floor 0");
  Result<TransferId> second_hold = f.ledger.create_pending(
      transaction, request(f.a.anna, f.a.redemption, 21, TransferCode::burn));
  REQUIRE_FALSE(second_hold.ok());
  CHECK(second_hold.error().code == ErrorCode::conflict);
  CHECK(f.ledger.transfer(transaction, request(f.a.anna, f.a.redemption, 20, TransferCode::burn))
            .ok());
  commit(transaction);
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 20, 0, 80));
  CHECK(balance_of(f.ledger, f.a.anna).available() == Points(0));
}

TEST_CASE("A pending transfer is posted or voided once", "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId posted = f.hold(30);
  REQUIRE(f.post(posted).ok());  // transfer 3

  Result<TransferId> twice = f.post(posted);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::conflict);
  CHECK(twice.error().message ==
        "cannot post pending transfer 2: it was already posted by transfer 3");
  Result<TransferId> void_after_post = f.cancel(posted);
  REQUIRE_FALSE(void_after_post.ok());
  CHECK(void_after_post.error().message ==
        "cannot void pending transfer 2: it was already posted by transfer 3");

  const TransferId voided = f.hold(10);  // transfer 4
  REQUIRE(f.cancel(voided).ok());        // transfer 5
  Result<TransferId> post_after_void = f.post(voided);
  REQUIRE_FALSE(post_after_void.ok());
  CHECK(post_after_void.error().message ==
        "cannot post pending transfer 4: it was already voided by transfer 5");
  Result<TransferId> void_twice = f.cancel(voided);
  REQUIRE_FALSE(void_twice.ok());
  CHECK(void_twice.error().message ==
        "cannot void pending transfer 4: it was already voided by transfer 5");

  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 30, 0, 0));
  const LedgerReport report = f.ledger.check().value();
  CHECK(report.ok());
  CHECK(report.transfers == 5);
}

TEST_CASE("The database itself refuses a second resolution of a pending transfer",
          "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId pending = f.hold(30);
  REQUIRE(f.post(pending).ok());
  Status status = f.ledger.database().exec(
      "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, pending_id, "
      "created_at) VALUES (3, 2, 30, 'burn', 'post_pending', 2, 0)");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::conflict);
  CHECK(status.error().message.ends_with("UNIQUE constraint failed: transfers.pending_id"));
}

TEST_CASE("post_pending and void_pending reject what is not a pending transfer",
          "[storage][ledger][pending]") {
  PendingFixture f;
  const TransferId pending = f.hold(30);

  Result<TransferId> too_much = f.post(pending, Points(31));
  REQUIRE_FALSE(too_much.ok());
  CHECK(too_much.error().code == ErrorCode::invalid_argument);
  CHECK(too_much.error().message == "cannot post 31 of pending transfer 2: it holds 30");
  Result<TransferId> nothing = f.post(pending, Points(0));
  REQUIRE_FALSE(nothing.ok());
  CHECK(nothing.error().message == "cannot post 0 of pending transfer 2: it holds 30");

  Result<TransferId> posted_one = f.post(TransferId{1});  // the plain earn
  REQUIRE_FALSE(posted_one.ok());
  CHECK(posted_one.error().code == ErrorCode::invalid_argument);
  CHECK(posted_one.error().message == "cannot post transfer 1: it is not pending");

  Result<TransferId> missing = f.cancel(TransferId{99});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK(missing.error().message == "transfer 99 does not exist");

  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 0, 0, 30));
}

}  // namespace
}  // namespace loyalty::storage
