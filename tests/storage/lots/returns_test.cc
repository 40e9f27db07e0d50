// Returns over lots: restore_burn() gives burned points back to their lots (the lot burned last
// first), reverse_earn() takes earned points back from the line's lots, with an overdraft for
// what was spent already.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ledger/ledger_support.h"
#include "lots/lots_support.h"
#include "loyalty/storage/lots.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

struct ReturnFixture {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);
  Accounts a = make_accounts(ledger);

  Result<std::vector<LotMove>> burn(std::int64_t points, Timestamp at, std::uint32_t line) {
    Transaction transaction = begin(ledger);
    Result<std::vector<LotMove>> moves =
        burn_from_lots(ledger, transaction, a.anna, Points(points), at, "r-2", line);
    if (moves.ok()) commit(transaction);
    return moves;
  }
  Result<std::vector<LotMove>> restore(AccountId account, std::string_view receipt_id,
                                       std::uint32_t line, std::int64_t points, Timestamp at) {
    Transaction transaction = begin(ledger);
    Result<std::vector<LotMove>> moves =
        restore_burn(ledger, transaction, account, receipt_id, line, Points(points), at);
    if (moves.ok()) commit(transaction);
    return moves;
  }
  Result<std::vector<LotMove>> reverse(AccountId account, std::uint32_t line, std::int64_t points) {
    Transaction transaction = begin(ledger);
    Result<std::vector<LotMove>> moves =
        reverse_earn(ledger, transaction, account, "r-1", line, Points(points), day(2));
    if (moves.ok()) commit(transaction);
    return moves;
  }
  Result<ExpiryRun> expire(Timestamp at) {
    Transaction transaction = begin(ledger);
    Result<ExpiryRun> run = expire_lots(ledger, transaction, at);
    if (run.ok()) commit(transaction);
    return run;
  }
};

TEST_CASE("restore_burn gives points back to the lots burned last first", "[storage][lots]") {
  ReturnFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(30)));      // 1
  credit(f.ledger, lot_credit(f.a.anna, 50, day(0), day(10)));       // 2
  credit(f.ledger, lot_credit(f.a.anna, 70, day(0), std::nullopt));  // 3
  CHECK(f.burn(200, day(1), 1).value() ==
        std::vector<LotMove>{lot_move(2, 50, 4), lot_move(1, 100, 5), lot_move(3, 50, 6)});

  CHECK(f.restore(f.a.anna, "r-2", 1, 60, day(2)).value() ==
        std::vector<LotMove>{lot_move(3, 50, 7), lot_move(1, 10, 8)});
  CHECK(transfers_after(f.ledger, 6) == std::vector<std::string>{
                                            "7: 2 -> 3 50 restore_burn lot 3 (return)",
                                            "8: 2 -> 3 10 restore_burn lot 1 (return)",
                                        });
  CHECK(remaining_of(f.ledger, LotId{3}) == 70);
  CHECK(remaining_of(f.ledger, LotId{1}) == 10);
  CHECK(problems_of(f.ledger).empty());

  const Error too_much = f.restore(f.a.anna, "r-2", 1, 141, day(2)).error();
  CHECK(too_much.code == ErrorCode::invalid_argument);
  CHECK(too_much.message ==
        "restore_burn: receipt \"r-2\" line 1 burned 200 points from account 3 and 60 are back "
        "already; cannot restore 141");
  CHECK(f.restore(f.a.anna, "r-2", 1, 140, day(2)).value() ==
        std::vector<LotMove>{lot_move(1, 90, 9), lot_move(2, 50, 10)});
  CHECK(f.restore(f.a.anna, "r-2", 1, 1, day(2)).error().message ==
        "restore_burn: receipt \"r-2\" line 1 burned 200 points from account 3 and 200 are back "
        "already; cannot restore 1");
  const Error none = f.restore(f.a.anna, "r-2", 2, 1, day(2)).error();
  CHECK(none.code == ErrorCode::not_found);
  CHECK(none.message ==
        "restore_burn: receipt \"r-2\" line 2 burned no points from lots of account 3");
  CHECK(f.restore(f.a.ben, "r-2", 1, 1, day(2)).error().message ==
        "restore_burn: receipt \"r-2\" line 1 burned no points from lots of account 4");
  CHECK(f.restore(f.a.anna, "r-2", 1, 0, day(2)).error().message ==
        "restore_burn: points 0 is outside 1..1000000000000");
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(420, 200, 0, 0));
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("Points restored to an expired lot expire again at the next run", "[storage][lots]") {
  ReturnFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(10)));  // 1
  CHECK(f.burn(30, day(1), 0).value() == std::vector<LotMove>{lot_move(1, 30, 2)});
  CHECK(f.expire(day(10)).value().expired == std::vector<LotMove>{lot_move(1, 70, 3)});
  CHECK(remaining_of(f.ledger, LotId{1}) == 0);

  CHECK(f.restore(f.a.anna, "r-2", 0, 30, day(20)).value() ==
        std::vector<LotMove>{lot_move(1, 30, 4)});
  CHECK(remaining_of(f.ledger, LotId{1}) == 30);
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(130, 100, 0, 0));
  CHECK(problems_of(f.ledger).empty());
  // Not available for burning: the lot has expired.
  CHECK(f.burn(1, day(20), 0).error().code == ErrorCode::conflict);

  CHECK(f.expire(day(20)).value().expired == std::vector<LotMove>{lot_move(1, 30, 5)});
  CHECK(f.expire(day(20)).value().expired.empty());
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(130, 130, 0, 0));
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("reverse_earn takes back what the line's lots hold and overdraws the rest",
          "[storage][lots]") {
  ReturnFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(30), "r-1", 2));      // lot 1
  credit(f.ledger, lot_credit(f.a.anna, 50, day(0), std::nullopt, "r-9", 0));  // lot 2
  CHECK(f.burn(70, day(1), 0).value() == std::vector<LotMove>{lot_move(1, 70, 3)});

  // Lot 1 holds 30 of the 50: the other 20 are an overdraft on anna's receivable (account 5).
  CHECK(f.reverse(f.a.anna, 2, 50).value() == std::vector<LotMove>{lot_move(1, 30, 4)});
  CHECK(transfers_after(f.ledger, 3) == std::vector<std::string>{
                                            "4: 3 -> 1 30 reverse_earn lot 1 (return)",
                                            "5: 5 -> 3 20 overdraft (return)",
                                            "6: 3 -> 1 20 reverse_earn (return)",
                                        });
  const Account receivable = f.ledger.account(AccountId{5}).value();
  CHECK(receivable.kind == AccountKind::overdraft_receivable);
  CHECK(receivable.owner == "anna");
  CHECK(balance_of(f.ledger, AccountId{5}) == make_balance(0, 20, 0, 0));
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(170, 120, 0, 0));
  CHECK(remaining_of(f.ledger, LotId{1}) == 0);
  CHECK(remaining_of(f.ledger, LotId{2}) == 50);
  CHECK(problems_of(f.ledger).empty());

  const Error too_much = f.reverse(f.a.anna, 2, 51).error();
  CHECK(too_much.code == ErrorCode::invalid_argument);
  CHECK(too_much.message ==
        "reverse_earn: receipt \"r-1\" line 2 earned 100 points into account 3 and 50 are "
        "reversed already; cannot reverse 51");
  // The rest is all shortfall: no lot moves.
  CHECK(f.reverse(f.a.anna, 2, 50).value().empty());
  CHECK(balance_of(f.ledger, AccountId{5}) == make_balance(0, 70, 0, 0));
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(220, 170, 0, 0));
  CHECK(problems_of(f.ledger).empty());

  const Error none = f.reverse(f.a.anna, 3, 1).error();
  CHECK(none.code == ErrorCode::not_found);
  CHECK(none.message == "reverse_earn: receipt \"r-1\" line 3 created no lot in account 3");
  CHECK(f.reverse(f.a.ben, 2, 1).error().message ==
        "reverse_earn: receipt \"r-1\" line 2 created no lot in account 4");
  CHECK(f.reverse(f.a.anna, 2, 0).error().message ==
        "reverse_earn: points 0 is outside 1..1000000000000");
}

TEST_CASE("reverse_earn takes from the line's newest lot first", "[storage][lots]") {
  ReturnFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(30), "r-1", 0));  // lot 1: base
  credit(f.ledger, lot_credit(f.a.anna, 20, day(0), day(5), "r-1", 0));    // lot 2: bonus
  CHECK(f.reverse(f.a.anna, 0, 50).value() ==
        std::vector<LotMove>{lot_move(2, 20, 3), lot_move(1, 30, 4)});
  CHECK(remaining_of(f.ledger, LotId{1}) == 70);
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(120, 50, 0, 0));
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("A later earn repays an overdraft before the customer can spend it", "[storage][lots]") {
  ReturnFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), std::nullopt, "r-1", 2));  // lot 1
  CHECK(f.burn(100, day(1), 0).value() == std::vector<LotMove>{lot_move(1, 100, 2)});
  // All 60 are spent: anna owes 60 on her receivable (account 5), transfers 3 and 4.
  CHECK(f.reverse(f.a.anna, 2, 60).value().empty());
  CHECK(balance_of(f.ledger, AccountId{5}) == make_balance(0, 60, 0, 0));

  // 40 new points all go to the debt; then 50 repay the last 20 and leave 30.
  CHECK(credit(f.ledger, lot_credit(f.a.anna, 40, day(3), std::nullopt, "r-3", 0)) == LotId{2});
  CHECK(credit(f.ledger, lot_credit(f.a.anna, 50, day(3), std::nullopt, "r-4", 0)) == LotId{3});
  CHECK(transfers_after(f.ledger, 4) == std::vector<std::string>{
                                            "5: 1 -> 3 40 earn lot 2 (earn.base)",
                                            "6: 3 -> 5 40 overdraft_recovery lot 2 (earn.base)",
                                            "7: 1 -> 3 50 earn lot 3 (earn.base)",
                                            "8: 3 -> 5 20 overdraft_recovery lot 3 (earn.base)",
                                        });
  CHECK(remaining_of(f.ledger, LotId{2}) == 0);
  CHECK(remaining_of(f.ledger, LotId{3}) == 30);
  CHECK(balance_of(f.ledger, AccountId{5}) == make_balance(60, 60, 0, 0));
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(250, 220, 0, 0));
  // Nothing is owed any more: the next earn stays whole.
  credit(f.ledger, lot_credit(f.a.anna, 5, day(3), std::nullopt, "r-5", 0));
  CHECK(transfers_after(f.ledger, 8) ==
        std::vector<std::string>{"9: 1 -> 3 5 earn lot 4 (earn.base)"});
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("restore_burn_parts and reverse_receipt_earn refuse more than the line had",
          "[storage][lots]") {
  ReturnFixture f;
  LotCredit earned = lot_credit(f.a.anna, 100, day(0), day(30));
  earned.receipt_id = "r-1";
  earned.line = std::nullopt;  // the checkout's one lot for the whole receipt
  const LotId lot = credit(f.ledger, earned);
  {
    Transaction transaction = begin(f.ledger);
    REQUIRE(burn_from_lots(f.ledger, transaction, f.a.anna, Points(40), day(1), "r-2", std::nullopt)
                .ok());
    commit(transaction);
  }
  const std::vector<LotPart> parts{LotPart{lot, Points(25)}};
  Transaction transaction = begin(f.ledger);
  Result<std::vector<LotMove>> too_much =
      restore_burn_parts(f.ledger, transaction, f.a.anna, "r-2", 3, parts, Points(26), day(2));
  REQUIRE_FALSE(too_much.ok());
  CHECK(too_much.error().message ==
        "restore_burn_parts: receipt \"r-2\" line 3 burned 25 points from account " +
            std::to_string(f.a.anna.value) + " and 0 are back already; cannot restore 26");
  REQUIRE(restore_burn_parts(f.ledger, transaction, f.a.anna, "r-2", 3, parts, Points(25), day(2))
              .ok());
  Result<std::vector<LotMove>> again =
      restore_burn_parts(f.ledger, transaction, f.a.anna, "r-2", 3, parts, Points(1), day(2));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::invalid_argument);

  Result<std::vector<LotMove>> over = reverse_receipt_earn(f.ledger, transaction, f.a.anna, "r-1",
                                                           0, Points(30), Points(31), day(2));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().message ==
        "reverse_receipt_earn: receipt \"r-1\" line 0 earned 30 points into "
        "account " +
            std::to_string(f.a.anna.value) + " and 0 are reversed already; cannot reverse 31");
  Result<std::vector<LotMove>> none = reverse_receipt_earn(f.ledger, transaction, f.a.anna, "r-9",
                                                           0, Points(30), Points(1), day(2));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::not_found);
  // 30 back from the lot (85 left after the burn and the restore): 55 remain.
  REQUIRE(reverse_receipt_earn(f.ledger, transaction, f.a.anna, "r-1", 0, Points(30), Points(30),
                               day(2))
              .ok());
  commit(transaction);
  CHECK(remaining_of(f.ledger, lot) == 55);
  CHECK(problems_of(f.ledger) == std::vector<std::string>{});
}

}  // namespace
}  // namespace loyalty::storage
