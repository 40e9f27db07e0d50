// Held redemption on real SQLite files: open_receipt holds the points a receipt burns as pending
// transfers, commit_receipt burns them from lots, cancel_receipt and void_expired_holds release
// them, and two open receipts cannot promise the same points.

#include <catch2/catch.hpp>

#include "back_door.h"
#include "checkout/checkout_support.h"
#include "loyalty/storage/lots.h"

namespace loyalty::storage::test {
namespace {

// anna with 200 points from R-0 (lines of 100 and 100).
void earn_200(TillFixture& f, const CustomerState& anna) {
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
}

TEST_CASE("open_receipt holds the tender and commit_receipt burns it from lots",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  earn_200(f, anna);

  const CheckoutResult opened =
      open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 80));
  CHECK(opened.state == ReceiptState::open);
  CHECK(opened.event_seq == 0);
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 80));
  CHECK(points_of(f.ledger, "anna").available() == Points(120));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/200 line -"});
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM events") == 1);
  require_check_ok(f.ledger);

  // Opening it again is a replay.
  CHECK(open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 80)).replayed);
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 80));

  // A checkout of an open receipt id is refused.
  Result<CheckoutResult> early = f.till.checkout(
      f.program, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 80), test_now);
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().message == "receipt R-1 is open (its points are held): commit or cancel it");

  Result<CheckoutResult> committed = f.till.commit_receipt("R-1", day(1));
  REQUIRE(committed.ok());
  CHECK(committed->state == ReceiptState::committed);
  CHECK(committed->event_seq == 2);
  CHECK(committed->quote_json == opened.quote_json);
  // 200 - 80 + 99 (99.20 paid in money), nothing pending.
  CHECK(points_of(f.ledger, "anna") == make_balance(299, 80, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/120 line -", "99/99 line -"});
  require_check_ok(f.ledger);

  Result<CheckoutResult> again = f.till.commit_receipt("R-1", day(2));
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(points_of(f.ledger, "anna") == make_balance(299, 80, 0, 0));
  CHECK(f.till.cancel_receipt("R-1", day(2)).error().message ==
        "receipt R-1 is committed; refund it instead of cancelling");
}

TEST_CASE("cancel_receipt voids the holds and the receipt cannot be committed",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  earn_200(f, anna);
  open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 30));
  CHECK(points_of(f.ledger, "anna").available() == Points(170));

  REQUIRE(f.till.cancel_receipt("R-1", test_now).ok());
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 0));
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts WHERE state = 'cancelled'") == 1);
  CHECK(f.till.cancel_receipt("R-1", test_now).ok());  // again: nothing to do
  Result<CheckoutResult> commit = f.till.commit_receipt("R-1", test_now);
  REQUIRE_FALSE(commit.ok());
  CHECK(commit.error().code == ErrorCode::conflict);
  CHECK(commit.error().message ==
        "receipt R-1 was cancelled (its holds were voided); it cannot be committed: check out "
        "again");
  require_check_ok(f.ledger);

  Result<CheckoutResult> unknown = f.till.commit_receipt("R-9", test_now);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(unknown.error().message == "receipt R-9 is not in the ledger: check the receipt id");
  CHECK(f.till.cancel_receipt("R-9", test_now).error().code == ErrorCode::not_found);
}

TEST_CASE("two open receipts cannot promise the same points", "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  earn_200(f, anna);
  open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 150));
  CHECK(points_of(f.ledger, "anna").available() == Points(50));

  // The second quote sees 50 available, not 200: it holds 50.
  open_ok(f, &anna, redeeming(receipt("R-2", {line("WINE", 10000)}), 100));
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 200));
  CHECK(points_of(f.ledger, "anna").available() == Points(0));

  // A checkout meanwhile has nothing to burn: its quote sees no points.
  const CheckoutResult third =
      checkout_ok(f, &anna, redeeming(receipt("R-3", {line("WINE", 1000)}), 10));
  CHECK(third.quote_json.find("\"available_before\":0,") != std::string::npos);
  CHECK(third.quote_json.find("\"burned\":0,") != std::string::npos);

  REQUIRE(f.till.commit_receipt("R-2", test_now).ok());
  REQUIRE(f.till.commit_receipt("R-1", test_now).ok());
  // Burned: 150 (R-1) + 50; R-3 burned nothing.
  const Balance after = points_of(f.ledger, "anna");
  CHECK(after.debits_posted == Points(200));
  CHECK(after.debits_pending == Points(0));
  require_check_ok(f.ledger);
}

TEST_CASE("void_expired_holds cancels open receipts older than the timeout", "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  earn_200(f, anna);
  open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 40), test_now);
  open_ok(f, &anna, redeeming(receipt("R-2", {line("WINE", 10000)}), 60),
          Timestamp{test_now.unix_seconds + 600});
  CHECK(points_of(f.ledger, "anna").available() == Points(100));

  // At now + 15 min (the default timeout) R-1 is due, R-2 (opened 10 min later) is not.
  const Timestamp later{test_now.unix_seconds + limits::receipt_hold_timeout_s_default};
  CHECK(f.till.void_expired_holds(later).value() == 1);
  CHECK(points_of(f.ledger, "anna").available() == Points(140));
  CHECK(f.till.void_expired_holds(later).value() == 0);
  CHECK(f.till.void_expired_holds(later, 0).value() == 1);
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 0));
  CHECK(f.till.void_expired_holds(later, -1).error().code == ErrorCode::invalid_argument);
  require_check_ok(f.ledger);
}

TEST_CASE("points held across their expiry are not expired and the commit still burns them",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 10000)}));  // lot A: 100, 365 days
  const Timestamp a_expires{test_now.unix_seconds + 365 * 86400};
  checkout_ok(f, &anna, receipt("R-2", {line("WINE", 2000)}),
              Timestamp{test_now.unix_seconds + 10 * 86400});  // lot B: 20, expires later
  // Opened a minute before lot A expires, holding 50 of A: the soonest-expiring points, as a
  // burn would take them.
  open_ok(f, &anna, redeeming(receipt("R-3", {line("WINE", 1000)}), 50),
          Timestamp{a_expires.unix_seconds - 60});
  {
    Transaction transaction = begin(f.ledger);
    const ExpiryRun run =
        expire_lots(f.ledger, transaction, Timestamp{a_expires.unix_seconds + 1}).value();
    commit(transaction);
    // A keeps the 50 points the hold reserves in it; its other 50 expire.
    CHECK(run.points_expired.value() == 50);
    CHECK(run.points_held_back.value() == 50);
  }
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"100/50 line -", "20/20 line -"});
  // Committed after the expiry: the hold was a promise, the 50 points are burned from A.
  REQUIRE(f.till.commit_receipt("R-3", Timestamp{a_expires.unix_seconds + 120}).ok());
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"100/0 line -", "20/20 line -", "9/9 line -"});
  CHECK(points_of(f.ledger, "anna") == make_balance(129, 100, 0, 0));
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test

namespace loyalty::storage::test {
namespace {

Timestamp minutes(std::int64_t n) { return Timestamp{test_now.unix_seconds + n * 60}; }

TEST_CASE("a held redemption commits as quoted after another receipt burned from the same lot",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R1", {line("WINE", 10000)}), minutes(0));  // lot 1: 100
  open_ok(f, &anna, redeeming(receipt("R2", {line("WINE", 10000)}), 60), minutes(1));
  checkout_ok(f, &anna, receipt("R3", {line("WINE", 5000)}), minutes(2));  // lot 2: 50
  // R4 sees 90 available (150 less the 60 R2 holds) and burns 80 of them: the 40 of lot 1 that
  // R2 does not hold, then 40 of lot 2.
  checkout_ok(f, &anna, redeeming(receipt("R4", {line("WINE", 10000)}), 80), minutes(3));
  // R4 paid 99.20 and earned 99.
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"100/60 line -", "50/10 line -", "99/99 line -"});
  CHECK(points_of(f.ledger, "anna") == make_balance(249, 80, 0, 60));

  Result<CheckoutResult> committed = f.till.commit_receipt("R2", minutes(4));
  REQUIRE(committed.ok());
  CHECK(committed->state == ReceiptState::committed);
  // The 60 held points leave lot 1, as quoted; R2 earns 99 on its 99.40 paid.
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"100/0 line -", "50/10 line -", "99/99 line -", "99/99 line -"});
  CHECK(points_of(f.ledger, "anna") == make_balance(348, 140, 0, 0));
  require_check_ok(f.ledger);
}

TEST_CASE("burns, donations and expiry never take points another open receipt holds",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R1", {line("WINE", 10000)}), minutes(0));  // 100
  open_ok(f, &anna, redeeming(receipt("R2", {line("WINE", 1000)}), 10), minutes(1));
  Receipt donating = receipt("R3", {line("WINE", 1000)});
  donating.donations.push_back(Donation{"food-bank", Points(90)});
  open_ok(f, &anna, donating, minutes(2));
  CHECK(points_of(f.ledger, "anna").available() == Points(0));
  {
    // Low-level burns see the holds too.
    Transaction transaction = begin(f.ledger);
    const AccountId account =
        f.ledger
            .find_or_create_account(transaction, AccountKind::customer_points, "anna", minutes(3))
            .value();
    Result<std::vector<LotMove>> burn =
        burn_from_lots(f.ledger, transaction, account, Points(1), minutes(3), "X", std::nullopt);
    REQUIRE_FALSE(burn.ok());
    CHECK(burn.error().message ==
          "account 1 (customer_points:anna) has 0 points in lots available at "
          "2026-11-18T11:09:40Z; burning 1 needs 1 more");
  }
  REQUIRE(f.till.commit_receipt("R3", minutes(5)).ok());
  REQUIRE(f.till.commit_receipt("R2", minutes(6)).ok());
  CHECK(balance_by_owner(f.ledger, AccountKind::donation, "food-bank") ==
        make_balance(90, 0, 0, 0));
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"100/0 line -", "10/10 line -", "9/9 line -"});
  require_check_ok(f.ledger);
}

TEST_CASE("a refund goes through while another open receipt holds the points it would take back",
          "[storage][holds][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R1", {line("WINE", 10000)}), minutes(0));  // lot 1: 100
  open_ok(f, &anna, redeeming(receipt("R2", {line("WINE", 10000)}), 100), minutes(1));
  CHECK(points_of(f.ledger, "anna").available() == Points(0));

  // Returning R1's wine takes back the 100 it earned. R2 holds all of them, so the whole 100 is
  // an overdraft the customer owes, and R2's promise stands.
  const std::vector<ReturnRequest> wine{{0, 1}};
  const RefundResult refund = refund_ok(f, "F1", "R1", wine, minutes(2));
  CHECK_FALSE(refund.replayed);
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "anna") ==
        make_balance(0, 100, 0, 0));
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 100, 0, 100));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"100/100 line -"});
  require_check_ok(f.ledger);

  REQUIRE(f.till.commit_receipt("R2", minutes(3)).ok());
  // R2 burned the held 100 and earned 99 on the 99.00 it paid, which repay the debt first.
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"100/0 line -", "99/0 line -"});
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "anna").posted() ==
        Points(-1));
  require_check_ok(f.ledger);
}

TEST_CASE("a receipt held by a release whose holds named no lot commits from the lots",
          "[storage][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R1", {line("WINE", 10000)}), minutes(0));  // lot 1: 100
  Receipt r2 = redeeming(receipt("R2", {line("WINE", 10000)}), 60);
  r2.coupons.push_back("ONCE");
  open_ok(f, &anna, r2, minutes(1));
  // The shape an older release left: one hold without a lot, no reserved uses.
  back_door(f.dir.file("ledger.db"),
            "DROP TRIGGER transfers_no_update; "
            "UPDATE transfers SET lot_id = NULL WHERE flags = 'pending'; "
            "UPDATE receipts SET reserved = NULL; "
            "UPDATE counters SET count = 0 WHERE key = 'ONCE'; "
            "CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers BEGIN "
            "SELECT RAISE(ABORT, 'transfers are immutable: write a correcting transfer'); END;");
  CHECK(points_of(f.ledger, "anna").available() == Points(40));
  // Its hold still keeps other receipts off the points it held.
  checkout_ok(f, &anna, redeeming(receipt("R3", {line("WINE", 1000)}), 40), minutes(2));
  CHECK(points_of(f.ledger, "anna").available() == Points(9));
  REQUIRE(f.till.commit_receipt("R2", minutes(3)).ok());
  // Voided and burned from lot 1 as at a checkout; the coupon use counted at the commit.
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"100/0 line -", "9/9 line -", "97/97 line -"});
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 1);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "ONCE") == 1);
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test
