// Lots: credit_lot(), burn_from_lots() (soonest expiry first) and expire_lots(), on a real SQLite
// file, with exact transfers, remainings, balances and error messages.

#include "loyalty/storage/lots.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "back_door.h"
#include "ledger/ledger_support.h"
#include "lots/lots_support.h"
#include "loyalty/core/limits.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

// issuance (1), redemption (2), anna (3), ben (4).
struct LotFixture {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);
  Accounts a = make_accounts(ledger);

  Result<std::vector<LotMove>> burn(AccountId account, std::int64_t points, Timestamp at) {
    Transaction transaction = begin(ledger);
    Result<std::vector<LotMove>> moves =
        burn_from_lots(ledger, transaction, account, Points(points), at, "r-2", 1);
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

TEST_CASE("credit_lot writes the lot and its earn transfer", "[storage][lots]") {
  LotFixture f;
  const LotId id = credit(f.ledger, lot_credit(f.a.anna, 100, day(1), day(30)));
  CHECK(id == LotId{1});
  CHECK(lot(f.ledger, id).value() ==
        Lot{LotId{1}, f.a.anna, Points(100), Points(100), day(1), day(30)});
  CHECK(transfers_after(f.ledger, 0) ==
        std::vector<std::string>{"1: 1 -> 3 100 earn lot 1 (earn.base)"});
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(100, 0, 0, 0));
  CHECK(credit(f.ledger, lot_credit(f.a.anna, 5, day(0), std::nullopt)) == LotId{2});
  CHECK(lot(f.ledger, LotId{2})->expires_at == std::nullopt);
  CHECK(problems_of(f.ledger).empty());
  CHECK(f.ledger.check()->lots == 2);
}

TEST_CASE("credit_lot refuses bad input and writes nothing", "[storage][lots]") {
  LotFixture f;
  Transaction transaction = begin(f.ledger);
  auto error_of = [&](const LotCredit& credit) {
    Result<LotId> id = credit_lot(f.ledger, transaction, credit);
    REQUIRE_FALSE(id.ok());
    return id.error();
  };
  CHECK(error_of(lot_credit(f.a.anna, 0, day(0), day(1))).message ==
        "credit_lot: points 0 is outside 1..1000000000000");
  CHECK(error_of(lot_credit(f.a.anna, 1'000'000'000'001, day(0), day(1))).message ==
        "credit_lot: points 1000000000001 is outside 1..1000000000000");
  const Error expiry = error_of(lot_credit(f.a.anna, 10, day(1), day(1)));
  CHECK(expiry.code == ErrorCode::invalid_argument);
  CHECK(expiry.message == "credit_lot: expires_at 2026-11-19T11:06:40Z is not after active_from 2026-11-19T11:06:40Z");
  const Error kind = error_of(lot_credit(f.a.issuance, 10, day(0), day(1)));
  CHECK(kind.code == ErrorCode::invalid_argument);
  CHECK(kind.message ==
        "account 1 (issuance:) holds no lots: only customer_points and company_points accounts do");
  const Error missing = error_of(lot_credit(AccountId{99}, 10, day(0), day(1)));
  CHECK(missing.code == ErrorCode::not_found);
  CHECK(missing.message == "account 99 does not exist");
  const std::string long_id(257, 'r');
  CHECK(error_of(lot_credit(f.a.anna, 10, day(0), day(1), long_id)).message ==
        "credit_lot: receipt_id or source is longer than 256 bytes");
  commit(transaction);
  CHECK(f.ledger.check()->lots == 0);
  CHECK(transfers_after(f.ledger, 0).empty());
}

// Lots 1..6 of anna: 1: 100 until day 30; 2: 50 until day 10; 3: 70, no expiry; 4: 40 until day
// 10 (created after 2); 5: 30 active from day 7; 6: 20 until day 3.
void credit_six(LotFixture& f) {
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(30)));
  credit(f.ledger, lot_credit(f.a.anna, 50, day(0), day(10)));
  credit(f.ledger, lot_credit(f.a.anna, 70, day(0), std::nullopt));
  credit(f.ledger, lot_credit(f.a.anna, 40, day(0), day(10)));
  credit(f.ledger, lot_credit(f.a.anna, 30, day(7), day(40)));
  credit(f.ledger, lot_credit(f.a.anna, 20, day(0), day(3)));
}

TEST_CASE("burn_from_lots spends the soonest-expiring available lots first", "[storage][lots]") {
  LotFixture f;
  credit_six(f);
  // At day 5: lot 5 is not active yet, lot 6 has expired; 2 and 4 tie on expiry (creation order),
  // then 1, then 3 (no expiry) last.
  const std::vector<LotMove> moves = f.burn(f.a.anna, 200, day(5)).value();
  CHECK(moves == std::vector<LotMove>{lot_move(2, 50, 7), lot_move(4, 40, 8), lot_move(1, 100, 9),
                                      lot_move(3, 10, 10)});
  CHECK(transfers_after(f.ledger, 6) == std::vector<std::string>{
                                            "7: 3 -> 2 50 burn lot 2 (burn)",
                                            "8: 3 -> 2 40 burn lot 4 (burn)",
                                            "9: 3 -> 2 100 burn lot 1 (burn)",
                                            "10: 3 -> 2 10 burn lot 3 (burn)",
                                        });
  CHECK(remaining_of(f.ledger, LotId{1}) == 0);
  CHECK(remaining_of(f.ledger, LotId{3}) == 60);
  CHECK(remaining_of(f.ledger, LotId{5}) == 30);
  CHECK(remaining_of(f.ledger, LotId{6}) == 20);
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(310, 200, 0, 0));
  CHECK(problems_of(f.ledger).empty());

  // At day 8 lot 5 is active and expires (day 40) before lot 3, which never does.
  CHECK(f.burn(f.a.anna, 80, day(8)).value() ==
        std::vector<LotMove>{lot_move(5, 30, 11), lot_move(3, 50, 12)});
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("burn_from_lots refuses to burn more than the available lots hold", "[storage][lots]") {
  LotFixture f;
  credit_six(f);
  f.burn(f.a.anna, 200, day(5)).value();
  // Balance 110, but only lot 3 (60) is available at day 5.
  Result<std::vector<LotMove>> refused = f.burn(f.a.anna, 61, day(5));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "account 3 (customer_points:anna) has 60 points in lots available at 2026-11-23T11:06:40Z; "
        "burning 61 needs 1 more");
  CHECK(transfers_after(f.ledger, 10).empty());
  CHECK(f.burn(f.a.ben, 1, day(0)).error().message ==
        "account 4 (customer_points:ben) has 0 points in lots available at 2026-11-18T11:06:40Z; burning 1 "
        "needs 1 more");
  CHECK(f.burn(f.a.anna, 0, day(0)).error().message ==
        "burn_from_lots: points 0 is outside 1..1000000000000");
  CHECK(f.burn(f.a.redemption, 1, day(0)).error().message ==
        "account 2 (redemption:) holds no lots: only customer_points and company_points accounts "
        "do");
  CHECK(f.burn(AccountId{99}, 1, day(0)).error().code == ErrorCode::not_found);
}

TEST_CASE("expire_lots turns due lots into breakage in order, once", "[storage][lots]") {
  LotFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(10)));      // 1
  credit(f.ledger, lot_credit(f.a.ben, 40, day(0), day(5)));         // 2
  credit(f.ledger, lot_credit(f.a.anna, 30, day(0), std::nullopt));  // 3
  credit(f.ledger, lot_credit(f.a.anna, 20, day(0), day(5)));        // 4
  credit(f.ledger, lot_credit(f.a.anna, 10, day(0), day(20)));       // 5
  CHECK(f.burn(f.a.anna, 60, day(1)).value() ==
        std::vector<LotMove>{lot_move(4, 20, 6), lot_move(1, 40, 7)});

  CHECK(f.expire(day(4)).value().expired.empty());
  // Lot 4 is spent; lots 2 and 1 expire, by expiry time; breakage is account 5.
  const ExpiryRun run = f.expire(day(10)).value();
  CHECK(run.expired == std::vector<LotMove>{lot_move(2, 40, 8), lot_move(1, 60, 9)});
  CHECK(run.points_expired == Points(100));
  CHECK_FALSE(run.more_due);
  CHECK(transfers_after(f.ledger, 7) == std::vector<std::string>{
                                            "8: 4 -> 5 40 expire lot 2 (lot:2)",
                                            "9: 3 -> 5 60 expire lot 1 (lot:1)",
                                        });
  CHECK(f.ledger.account(AccountId{5})->kind == AccountKind::breakage);

  // Idempotent: the same run again changes nothing.
  const ExpiryRun again = f.expire(day(10)).value();
  CHECK(again.expired.empty());
  CHECK(again.points_expired == Points(0));
  CHECK(transfers_after(f.ledger, 9).empty());

  CHECK(f.expire(day(20)).value().expired == std::vector<LotMove>{lot_move(5, 10, 10)});
  CHECK(balance_of(f.ledger, f.a.anna) == make_balance(160, 130, 0, 0));
  CHECK(balance_of(f.ledger, f.a.ben) == make_balance(40, 40, 0, 0));
  CHECK(balance_of(f.ledger, AccountId{5}) == make_balance(110, 0, 0, 0));
  CHECK(remaining_of(f.ledger, LotId{3}) == 30);
  CHECK(problems_of(f.ledger).empty());
}

TEST_CASE("check finds a lot whose transfers disagree with its remaining", "[storage][lots]") {
  LotFixture f;
  credit(f.ledger, lot_credit(f.a.anna, 100, day(0), day(30)));
  // A burn naming lot 1 that did not lower its remaining.
  back_door(f.path,
            "INSERT INTO transfers (debit_account, credit_account, amount, code, lot_id, "
            "created_at) VALUES (3, 2, 30, 'burn', 1, 0);");
  CHECK(problems_of(f.ledger) ==
        std::vector<std::string>{
            "lot 1 of account 3: 100 points less 100 remaining is 0, but its transfers took 30 "
            "(burned, expired and reversed, less restored)",
            "account 3 (customer_points:anna): its lots hold 100 points but its balance is 70",
        });
  // An earn transfer into the account without a lot: the lots now hold less than the balance.
  back_door(f.path,
            "INSERT INTO transfers (debit_account, credit_account, amount, code, created_at) "
            "VALUES (1, 3, 50, 'earn', 0);");
  CHECK(problems_of(f.ledger).back() ==
        "account 3 (customer_points:anna): its lots hold 100 points but its balance is 120");
}

TEST_CASE("expire_lots expires at most lot_expiry_batch_max lots per call", "[storage][lots]") {
  LotFixture f;
  // 10001 customers (accounts 5..10005), each with one 1-point lot due at 100, earned properly.
  const std::string numbers =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
      "WHERE i < 10001) ";
  back_door(f.path,
            numbers +
                "INSERT INTO accounts (kind, owner, unit, balance_floor, created_at) "
                "SELECT 'customer_points', 'c' || i, 'points', 0, 0 FROM n; " +
                numbers +
                "INSERT INTO lots (account, points, remaining, active_from, expires_at, "
                "created_at) SELECT 4 + i, 1, 1, 0, 100, 0 FROM n; " +
                numbers +
                "INSERT INTO transfers (debit_account, credit_account, amount, code, lot_id, "
                "created_at) SELECT 1, 4 + i, 1, 'earn', i, 0 FROM n;");
  REQUIRE(problems_of(f.ledger).empty());
  const ExpiryRun first = f.expire(Timestamp{100}).value();
  CHECK(first.expired.size() == limits::lot_expiry_batch_max);
  CHECK(first.expired.front() == lot_move(1, 1, 10002));
  CHECK(first.expired.back() == lot_move(10000, 1, 20001));
  CHECK(first.points_expired == Points(10000));
  CHECK(first.more_due);
  const ExpiryRun second = f.expire(Timestamp{100}).value();
  CHECK(second.expired == std::vector<LotMove>{lot_move(10001, 1, 20002)});
  CHECK_FALSE(second.more_due);
  CHECK(balance_of(f.ledger, AccountId{10006}) == make_balance(10001, 0, 0, 0));
  CHECK(problems_of(f.ledger).empty());
}

}  // namespace
}  // namespace loyalty::storage
