// Ledger::check() and the check in Ledger::open(): rows written through the back door (foreign
// keys and CHECK constraints off, as a tampered or corrupted file could hold them) must be found
// and named precisely, and open() must refuse the ledger.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "back_door.h"
#include "ledger/ledger_support.h"
#include "loyalty/storage/ledger.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

// A ledger with issuance (1), redemption (2), anna (3, 100 points from transfer 1) and ben (4).
struct CheckFixture {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);
  Accounts a = make_accounts(ledger);

  CheckFixture() { move_points(ledger, a.issuance, a.anna, 100, TransferCode::earn); }

  std::vector<std::string> problems() {
    Result<LedgerReport> report = ledger.check();
    if (!report.ok()) FAIL("check failed: " << report.error().message);
    return report->problems;
  }

  std::string open_error() {
    Result<Ledger> reopened = Ledger::open(path, test_options());
    REQUIRE_FALSE(reopened.ok());
    CHECK(reopened.error().code == ErrorCode::io_error);
    return reopened.error().message;
  }

  std::string refusal(const std::string& problems) {
    return "ledger " + path + " fails its check, refusing to open it: " + problems +
           ". Keep the file for investigation and restore the ledger from HQ.";
  }
};

// INSERT INTO transfers with the columns that matter here.
std::string transfer_sql(std::int64_t debit, std::int64_t credit, std::int64_t amount,
                         const std::string& flags = "none", const std::string& pending = "NULL") {
  return "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, pending_id, "
         "created_at) VALUES (" +
         std::to_string(debit) + ", " + std::to_string(credit) + ", " + std::to_string(amount) +
         ", 'burn', '" + flags + "', " + pending + ", 0);";
}

TEST_CASE("check finds a transfer to an account that does not exist", "[storage][check]") {
  CheckFixture f;
  CHECK(f.problems().empty());
  back_door(f.path, transfer_sql(1, 99, 5));
  CHECK(f.problems() == std::vector<std::string>{"transfer 2: credit account 99 does not exist"});
  CHECK(f.open_error() == f.refusal("transfer 2: credit account 99 does not exist"));
}

TEST_CASE("check finds malformed transfers", "[storage][check]") {
  CheckFixture f;
  Transaction transaction = begin(f.ledger);
  REQUIRE(f.ledger
              .find_or_create_account(transaction, AccountKind::partner_settlement, "fuel",
                                      test_now)
              .ok());  // account 5, in minor units
  commit(transaction);
  back_door(f.path, transfer_sql(1, 3, 0) + transfer_sql(3, 3, 5) + transfer_sql(1, 5, 7));
  CHECK(f.problems() ==
        std::vector<std::string>{
            "transfer 2: amount 0 is not positive",
            "transfer 3: debits and credits the same account 3",
            "transfer 4: debit account 1 counts points but credit account 5 counts minor",
        });
}

TEST_CASE("check finds an account below its floor", "[storage][check]") {
  CheckFixture f;
  back_door(f.path, transfer_sql(3, 2, 150));
  const std::string problem =
      "account 3 (customer_points:anna): balance -50 less pending debits 0 is below its floor 0";
  CHECK(f.problems() == std::vector<std::string>{problem});
  CHECK(f.open_error() == f.refusal(problem));
}

TEST_CASE("check counts pending debits against the floor", "[storage][check]") {
  CheckFixture f;
  back_door(f.path, transfer_sql(3, 2, 150, "pending"));
  CHECK(f.problems() ==
        std::vector<std::string>{"account 3 (customer_points:anna): balance 100 less pending "
                                 "debits 150 is below its floor 0"});
}

TEST_CASE("check finds a pending transfer resolved twice", "[storage][check]") {
  CheckFixture f;
  // The unique index would refuse the second post; a tampered file may lack it.
  back_door(f.path, "DROP INDEX transfers_resolving;" + transfer_sql(3, 2, 30, "pending") +
                        transfer_sql(3, 2, 30, "post_pending", "2") +
                        transfer_sql(3, 2, 30, "void_pending", "2"));
  const std::string problem =
      "pending transfer 2 is resolved 2 times (by transfers 3, 4); it may be posted or voided "
      "once";
  // The running totals released the hold twice, so they disagree with the transfers too.
  const std::string totals_2 =
      "account 2: running totals (credits 30, debits 0, pending -30/0) differ from its "
      "transfers (credits 30, debits 0, pending 0/0)";
  const std::string totals_3 =
      "account 3: running totals (credits 100, debits 30, pending 0/-30) differ from its "
      "transfers (credits 100, debits 30, pending 0/0)";
  CHECK(f.problems() == std::vector<std::string>{problem, totals_2, totals_3});
  CHECK(f.open_error() == f.refusal(problem + "; " + totals_2 + "; " + totals_3));
}

TEST_CASE("check finds posts and voids that do not match their pending transfer",
          "[storage][check]") {
  CheckFixture f;
  back_door(f.path, "DROP INDEX transfers_resolving;" + transfer_sql(3, 2, 30, "pending") +  // 2
                        transfer_sql(3, 2, 50, "post_pending", "2") +  // 3: too much
                        transfer_sql(3, 2, 10, "pending") +            // 4
                        transfer_sql(3, 2, 4, "void_pending", "4") +   // 5: a partial void
                        transfer_sql(3, 2, 1, "post_pending", "1") +   // 6: not pending
                        transfer_sql(3, 2, 1, "void_pending", "42") +  // 7: missing
                        transfer_sql(3, 1, 10, "pending") +            // 8
                        transfer_sql(3, 2, 10, "post_pending", "8"));  // 9: other accounts
  CHECK(f.problems() ==
        std::vector<std::string>{
            "transfer 3: posts 50 of pending transfer 2, which holds 30",
            "transfer 5: voids 4 of pending transfer 4, which holds 10 (a void releases all of "
            "it)",
            "transfer 6: resolves transfer 1, which is not pending",
            "transfer 7: resolves transfer 42, which does not exist",
            "transfer 9: resolves pending transfer 8 but moves between other accounts",
        });
  CHECK(f.open_error() ==
        f.refusal("transfer 3: posts 50 of pending transfer 2, which holds 30; transfer 5: "
                  "voids 4 of pending transfer 4, which holds 10 (a void releases all of it); "
                  "transfer 6: resolves transfer 1, which is not pending; and 2 more"));
}

TEST_CASE("check finds lots outside their range and lots holding more than the balance",
          "[storage][check]") {
  CheckFixture f;
  const std::string lot =
      "INSERT INTO lots (account, points, remaining, active_from, created_at) VALUES ";
  back_door(f.path, lot + "(3, 100, 120, 0, 0);");
  CHECK(f.problems() ==
        std::vector<std::string>{
            "lot 1 of account 3: remaining 120 is outside [0, 100]",
            "lot 1 of account 3: its earn transfers total 0, not its 100 points",
            "lot 1 of account 3: 100 points less 120 remaining is -20, but its transfers took 0 "
            "(burned, expired and reversed, less restored)",
            "account 3 (customer_points:anna): its lots hold 120 points but its balance is 100",
        });
}

TEST_CASE("check finds valid lots that together exceed the balance", "[storage][check]") {
  CheckFixture f;
  const std::string lot =
      "INSERT INTO lots (account, points, remaining, active_from, created_at) VALUES ";
  back_door(f.path,
            lot + "(3, 60, 60, 0, 0), (3, 60, 60, 0, 0), (4, 5, 5, 0, 0), (77, 1, 1, 0, 0);");
  CHECK(f.problems() ==
        std::vector<std::string>{
            "lot 4: account 77 does not exist",
            "lot 1 of account 3: its earn transfers total 0, not its 60 points",
            "lot 2 of account 3: its earn transfers total 0, not its 60 points",
            "lot 3 of account 4: its earn transfers total 0, not its 5 points",
            "lot 4 of account 77: its earn transfers total 0, not its 1 points",
            "account 3 (customer_points:anna): its lots hold 120 points but its balance is 100",
            "account 4 (customer_points:ben): its lots hold 5 points but its balance is 0",
        });
}

TEST_CASE("check finds holds that reserve more than their lot or another account's lot",
          "[storage][check]") {
  CheckFixture f;
  const std::string lot =
      "INSERT INTO lots (account, points, remaining, active_from, created_at) VALUES ";
  const std::string hold =
      "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, lot_id, "
      "created_at) VALUES ";
  back_door(f.path, lot + "(3, 100, 100, 0, 0), (3, 5, 5, 0, 0); " + hold +
                        "(3, 2, 60, 'burn', 'pending', 1, 0), (3, 2, 50, 'burn', 'pending', 1, 0), "
                        "(4, 2, 1, 'burn', 'pending', 2, 0);");
  CHECK(f.problems() ==
        std::vector<std::string>{
            "account 3 (customer_points:anna): balance 100 less pending debits 110 is below its "
            "floor 0",
            "account 4 (customer_points:ben): balance 0 less pending debits 1 is below its floor 0",
            "lot 1 of account 3: its earn transfers total 0, not its 100 points",
            "lot 2 of account 3: its earn transfers total 0, not its 5 points",
            "lot 1 of account 3: open holds reserve 110 points of it but only 100 remain",
            "lot 2 of account 3: an open hold on it debits another account",
            "account 3 (customer_points:anna): its lots hold 105 points but its balance is 100",
        });
}

// The event chain's checks are in ledger/events_test.cc.

TEST_CASE("check reports at most ledger_check_problems_max problems", "[storage][check]") {
  CheckFixture f;
  std::string sql;
  for (int i = 0; i < 150; ++i) sql += transfer_sql(1, 1000 + i, 1);
  back_door(f.path, sql);
  const std::vector<std::string> problems = f.problems();
  REQUIRE(problems.size() == 100);
  CHECK(problems.front() == "transfer 2: credit account 1000 does not exist");
  CHECK(problems.back() == "transfer 101: credit account 1099 does not exist");
  CHECK(f.open_error().ends_with(
      "; and 97 more. Keep the file for investigation and restore the ledger from HQ."));
}

}  // namespace
}  // namespace loyalty::storage
