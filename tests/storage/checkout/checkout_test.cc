// The checkout transaction on real SQLite files: what one receipt writes (lots, burns, donations,
// counters, the event), idempotent re-commits and conflicting ones, and bad input.

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"
#include "loyalty/storage/events.h"

namespace loyalty::storage::test {
namespace {

TEST_CASE("checkout writes earned lots per line, the receipt row and one event",
          "[storage][checkout]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  const CheckoutResult first =
      checkout_ok(f, &anna, receipt("R-1", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
  CHECK(first.receipt_id == "R-1");
  CHECK(first.state == ReceiptState::committed);
  CHECK(first.event_seq == 1);
  CHECK_FALSE(first.replayed);
  CHECK(points_of(f.ledger, "anna") == make_balance(200, 0, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/200 line -"});
  CHECK(balance_by_owner(f.ledger, AccountKind::issuance, "") == make_balance(0, 200, 0, 0));

  const std::vector<EventRow> events = events_since(f.ledger, 0, 10).value();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == "checkout");
  CHECK(events[0].receipt_id == "R-1");
  CHECK(events[0].payload == first.quote_json);
  CHECK(scalar(f.ledger,
               "SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-1' AND "
               "state = 'committed' AND event_seq = 1") == 1);
  require_check_ok(f.ledger);
}

TEST_CASE("checkout burns tender from lots, donates, and earns on what is left",
          "[storage][checkout]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 10000), line("CHEESE", 5000, 2)}));

  // The caller's lots and counters are ignored: the ledger's are what the quote sees.
  CustomerState stale = anna;
  stale.lots.push_back(PointsLot{"ghost", Points(5000), Timestamp{0}, std::nullopt});
  Receipt r2 = redeeming(receipt("R-2", {line("WINE", 10000)}), 50);
  r2.donations.push_back(Donation{"food-bank", Points(20)});
  const CheckoutResult second = checkout_ok(f, &stale, r2);
  CHECK(second.event_seq == 2);
  // 200 - 50 (tender) - 20 (donated) + 99 (1 per 1.00 of the 99.50 paid in money).
  CHECK(points_of(f.ledger, "anna") == make_balance(299, 70, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/130 line -", "99/99 line -"});
  CHECK(balance_by_owner(f.ledger, AccountKind::redemption, "") == make_balance(50, 0, 0, 0));
  CHECK(balance_by_owner(f.ledger, AccountKind::donation, "food-bank") ==
        make_balance(20, 0, 0, 0));
  require_check_ok(f.ledger);
}

TEST_CASE("checkout moves stamps, coupon uses and event awards in the counters",
          "[storage][checkout]") {
  TillFixture f;
  CustomerState anna = customer("anna");
  anna.stamps.push_back(Counter{"tea", 7});  // ignored: the ledger has no stamps yet
  Receipt r1 = receipt("R-1", {line("TEA-CUP", 300, 2), line("BREAD", 1000)});
  r1.coupons.push_back("SAVE1");
  r1.events.push_back(ReceiptEvent{"ev-1", "review"});
  checkout_ok(f, &anna, r1);
  CHECK(counter(f.ledger, "anna", "stamps", "tea") == 2);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "SAVE1") == 1);
  CHECK(counter(f.ledger, "", "coupon_uses_total", "SAVE1") == 1);
  CHECK(counter(f.ledger, "anna", "event_awards", "review") == 1);

  // Two more cups: one stamp completes the card (3), the next cup is free and spends them.
  Receipt r2 = receipt("R-2", {line("TEA-CUP", 300, 2)});
  r2.coupons.push_back("save1");
  checkout_ok(f, &anna, r2);
  CHECK(counter(f.ledger, "anna", "stamps", "tea") == 0);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "SAVE1") == 2);
  CHECK(counter(f.ledger, "", "coupon_uses_total", "SAVE1") == 2);
  require_check_ok(f.ledger);
}

TEST_CASE("committing the same receipt again returns the first result and writes nothing",
          "[storage][checkout]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  const Receipt r1 = receipt("R-1", {line("WINE", 10000)});
  const CheckoutResult first = checkout_ok(f, &anna, r1);
  const std::int64_t transfers = scalar(f.ledger, "SELECT COUNT(*) FROM transfers");

  const CheckoutResult again = checkout_ok(f, &anna, r1);
  CHECK(again.replayed);
  CHECK(again.quote_json == first.quote_json);
  CHECK(again.event_seq == first.event_seq);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM transfers") == transfers);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM events") == 1);
  CHECK(points_of(f.ledger, "anna") == make_balance(100, 0, 0, 0));

  // Still the same request after other receipts changed anna's lots: the hash covers what the
  // caller sent, not the ledger's view.
  checkout_ok(f, &anna, redeeming(receipt("R-2", {line("WINE", 10000)}), 30));
  const CheckoutResult later = checkout_ok(f, &anna, r1);
  CHECK(later.replayed);
  CHECK(later.quote_json == first.quote_json);
  CHECK(points_of(f.ledger, "anna") == make_balance(199, 30, 0, 0));
}

TEST_CASE("the same receipt id with different content is refused", "[storage][checkout]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 10000)}));

  Result<CheckoutResult> other =
      f.till.checkout(f.program, &anna, receipt("R-1", {line("WINE", 20000)}), test_now);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::conflict);
  CHECK(other.error().message ==
        "receipt R-1 was already committed with different content; use a new receipt id");
  // Another time is other content too.
  Result<CheckoutResult> later =
      f.till.checkout(f.program, &anna, receipt("R-1", {line("WINE", 10000)}), day(1));
  REQUIRE_FALSE(later.ok());
  CHECK(later.error().code == ErrorCode::conflict);
  CHECK(points_of(f.ledger, "anna") == make_balance(100, 0, 0, 0));
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM events") == 1);
}

TEST_CASE("checkout refuses a program that is not stored, and rolls back a failed quote",
          "[storage][checkout]") {
  TillFixture f;
  Program unknown = f.program;
  unknown.version = 2;
  const CustomerState anna = customer("anna");
  Result<CheckoutResult> result =
      f.till.checkout(unknown, &anna, receipt("R-1", {line("WINE", 10000)}), test_now);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::not_found);
  CHECK(result.error().message ==
        "program till-test version 2 is not stored in the ledger: call Till::store_program with "
        "its bundle first");

  Receipt usd = receipt("R-2", {line("WINE", 10000)});
  usd.currency = "USD";
  Result<CheckoutResult> bad = f.till.checkout(f.program, &anna, usd, test_now);
  REQUIRE_FALSE(bad.ok());
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts") == 0);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM events") == 0);
}

TEST_CASE("store_program keeps one bundle per program id and version", "[storage][checkout]") {
  TillFixture f;
  CHECK(f.till.store_program(till_program_json, test_now).ok());
  std::string changed(till_program_json);
  changed.replace(changed.find("\"points\": 250"), 13, "\"points\": 300");
  Status status = f.till.store_program(changed, test_now);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::conflict);
  CHECK(status.error().message ==
        "program till-test version 1 is already stored with a different bundle; publish a new "
        "version");
  CHECK(f.till.store_program("{", test_now).error().code == ErrorCode::parse_error);
}

TEST_CASE("an anonymous receipt writes its row and event and moves no points",
          "[storage][checkout]") {
  TillFixture f;
  const CheckoutResult result = checkout_ok(f, nullptr, receipt("R-1", {line("WINE", 10000)}));
  CHECK(result.event_seq == 1);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM transfers") == 0);
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test
