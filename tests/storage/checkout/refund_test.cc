// Refunds on real SQLite files: the original quote is rebuilt from the receipt row, returned units
// give back exactly what they earned and burned, step by step, and bad requests are refused.

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"
#include "loyalty/storage/events.h"

namespace loyalty::storage::test {
namespace {

// anna earns 200 with R-0, then R-1 burns 50 on three lines, uses a coupon and earns stamps.
void buy(TillFixture& f, const CustomerState& anna) {
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
  Receipt r1 = redeeming(
      receipt("R-1", {line("WINE", 10000), line("CHEESE", 5000, 2), line("TEA-CUP", 300, 2)}), 50);
  r1.coupons.push_back("SAVE1");
  checkout_ok(f, &anna, r1);
}

TEST_CASE("refunding one line, then the rest, restores balances and counters exactly",
          "[storage][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  buy(f, anna);
  const Balance bought = points_of(f.ledger, "anna");
  // 200 + 99 + 99 + 6 earned (R-1 paid 205.50 in money) - 50 burned from R-0's first lot.
  CHECK(bought == make_balance(404, 50, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/150 line -", "204/204 line -"});
  CHECK(counter(f.ledger, "anna", "stamps", "tea") == 2);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "SAVE1") == 1);
  require_check_ok(f.ledger);

  const RefundResult first = refund_ok(f, "F-1", "R-1", {ReturnRequest{1, 1}});
  CHECK(first.event_seq == 3);
  CHECK_FALSE(first.replayed);
  const Balance after_first = points_of(f.ledger, "anna");
  // One cheese of two: its 50 points earned are taken back from R-1's line 1 lot, and its 12
  // points of tender go back to R-0's lot they were burned from.
  CHECK(after_first == make_balance(416, 100, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/162 line -", "204/154 line -"});
  CHECK(scalar(f.ledger,
               "SELECT quantity FROM returned_units WHERE receipt_id = 'R-1' AND "
               "line = 1") == 1);
  require_check_ok(f.ledger);

  const RefundResult second =
      refund_ok(f, "F-2", "R-1", {ReturnRequest{0, 1}, ReturnRequest{1, 1}, ReturnRequest{2, 2}});
  CHECK(second.event_seq == 4);
  // Everything R-1 earned is taken back and everything it burned is given back: anna holds the
  // 200 points of R-0 again.
  CHECK(points_of(f.ledger, "anna").posted() == Points(200));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"200/200 line -", "204/0 line -"});
  CHECK(points_of(f.ledger, "anna").debits_pending == Points(0));
  CHECK(balance_by_owner(f.ledger, AccountKind::redemption, "") == make_balance(50, 50, 0, 0));
  CHECK(counter(f.ledger, "anna", "stamps", "tea") == 0);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "SAVE1") == 0);
  CHECK(counter(f.ledger, "", "coupon_uses_total", "SAVE1") == 0);
  const std::vector<EventRow> events = events_since(f.ledger, 2, 10).value();
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == "refund");
  CHECK(events[0].payload == first.reversal_json);
  CHECK(events[1].payload == second.reversal_json);
  require_check_ok(f.ledger);

  // Nothing is left to return.
  Result<RefundResult> more =
      f.till.refund("F-3", "R-1", std::vector{ReturnRequest{0, 1}}, test_now);
  REQUIRE_FALSE(more.ok());
  CHECK(more.error().message.rfind("refund F-3 of receipt R-1: ", 0) == 0);
}

TEST_CASE("a refund id is idempotent", "[storage][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  buy(f, anna);
  const RefundResult first = refund_ok(f, "F-1", "R-1", {ReturnRequest{1, 1}});
  const Balance after = points_of(f.ledger, "anna");
  const RefundResult again = refund_ok(f, "F-1", "R-1", {ReturnRequest{1, 1}});
  CHECK(again.replayed);
  CHECK(again.reversal_json == first.reversal_json);
  CHECK(again.event_seq == first.event_seq);
  CHECK(points_of(f.ledger, "anna") == after);
  CHECK(scalar(f.ledger, "SELECT quantity FROM returned_units WHERE line = 1") == 1);

  Result<RefundResult> other =
      f.till.refund("F-1", "R-1", std::vector{ReturnRequest{0, 1}}, test_now);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::conflict);
  CHECK(other.error().message ==
        "refund F-1 was already made with different content; use a new refund id");
}

TEST_CASE("bad refunds are refused with clear errors and write nothing", "[storage][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  buy(f, anna);
  const Balance bought = points_of(f.ledger, "anna");

  Result<RefundResult> unknown =
      f.till.refund("F-1", "R-9", std::vector{ReturnRequest{0, 1}}, test_now);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(unknown.error().message ==
        "refund F-1 of receipt R-9: the receipt is not in the ledger; check the receipt id");

  Result<RefundResult> too_many =
      f.till.refund("F-2", "R-1", std::vector{ReturnRequest{1, 3}}, test_now);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().code == ErrorCode::invalid_argument);
  CHECK(too_many.error().message ==
        "refund F-2 of receipt R-1: returns[0].quantity: must be between 1 and 2 (units not yet "
        "returned), got 3");

  Result<RefundResult> no_line =
      f.till.refund("F-3", "R-1", std::vector{ReturnRequest{7, 1}}, test_now);
  REQUIRE_FALSE(no_line.ok());

  CHECK(f.till.refund("", "R-1", std::vector{ReturnRequest{0, 1}}, test_now).error().code ==
        ErrorCode::invalid_argument);

  open_ok(f, &anna, receipt("R-2", {line("WINE", 10000)}));
  Result<RefundResult> open =
      f.till.refund("F-4", "R-2", std::vector{ReturnRequest{0, 1}}, test_now);
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().code == ErrorCode::conflict);
  CHECK(open.error().message ==
        "refund F-4 of receipt R-2: the receipt is open; only a committed receipt can be refunded");

  CHECK(points_of(f.ledger, "anna") == bought);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM refunds") == 0);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM returned_units") == 0);
  require_check_ok(f.ledger);
}

TEST_CASE("a referral credits the referrer's account, and a full refund takes it back",
          "[storage][refund]") {
  TillFixture f;
  CustomerState ben = customer("ben");
  ben.referred_by = "anna";
  checkout_ok(f, &ben, receipt("R-1", {line("WINE", 10000), line("CHEESE", 5000)}));
  // ben: 100 + 50 on the lines, 30 on the receipt; anna: 20 as the referrer.
  CHECK(points_of(f.ledger, "ben") == make_balance(180, 0, 0, 0));
  CHECK(lots_of(f.ledger, "ben") == std::vector<std::string>{"180/180 line -"});
  CHECK(points_of(f.ledger, "anna") == make_balance(20, 0, 0, 0));
  CHECK(lots_of(f.ledger, "anna") == std::vector<std::string>{"20/20 line -"});
  require_check_ok(f.ledger);

  refund_ok(f, "F-1", "R-1", {ReturnRequest{0, 1}});
  CHECK(points_of(f.ledger, "ben").posted() == Points(80));
  CHECK(points_of(f.ledger, "anna").posted() == Points(20));  // the receipt is not all back yet
  require_check_ok(f.ledger);

  refund_ok(f, "F-2", "R-1", {ReturnRequest{1, 1}});
  CHECK(points_of(f.ledger, "ben").posted() == Points(0));
  CHECK(points_of(f.ledger, "anna").posted() == Points(0));
  require_check_ok(f.ledger);
}

TEST_CASE("a refund refuses a receipt whose stored quote no longer matches", "[storage][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  buy(f, anna);
  REQUIRE(
      f.ledger.database().exec("UPDATE receipts SET result = '{}' WHERE receipt_id = 'R-1'").ok());
  Result<RefundResult> refund =
      f.till.refund("F-1", "R-1", std::vector{ReturnRequest{0, 1}}, test_now);
  REQUIRE_FALSE(refund.ok());
  CHECK(refund.error().code == ErrorCode::io_error);
  CHECK(refund.error().message ==
        "receipt R-1: quoting it again from the stored program, customer and receipt does not "
        "give the stored quote; the ledger or the engine changed");
}

TEST_CASE("a refunded line gives its burn back to the very lots its share of the burn took",
          "[storage][refund]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  // Lot A (30 points) expires before lot B (100 points): burning takes A first.
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 3000)}));
  checkout_ok(f, &anna, receipt("R-2", {line("WINE", 10000)}),
              Timestamp{test_now.unix_seconds + 100});
  const Timestamp later{test_now.unix_seconds + 200};
  // 90 points over three equal lines: 30 each; line 0 takes all of A, lines 1 and 2 take B.
  checkout_ok(
      f, &anna,
      redeeming(receipt("R-3", {line("WINE", 3000), line("CHEESE", 3000), line("BREAD", 3000)}),
                90),
      later);
  CHECK(scalar(f.ledger,
               "SELECT COUNT(*) FROM transfers WHERE receipt_id = 'R-3' AND code = 'burn'") == 2);
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"30/0 line -", "100/40 line -", "89/89 line -"});

  refund_ok(f, "F-1", "R-3", {ReturnRequest{1, 1}}, later);
  CHECK(lots_of(f.ledger, "anna")[0] == "30/0 line -");
  CHECK(lots_of(f.ledger, "anna")[1] == "100/70 line -");
  refund_ok(f, "F-2", "R-3", {ReturnRequest{0, 1}}, later);
  CHECK(lots_of(f.ledger, "anna")[0] == "30/30 line -");
  CHECK(lots_of(f.ledger, "anna")[1] == "100/70 line -");
  refund_ok(f, "F-3", "R-3", {ReturnRequest{2, 1}}, later);
  CHECK(lots_of(f.ledger, "anna") ==
        std::vector<std::string>{"30/30 line -", "100/100 line -", "89/0 line -"});
  // Each restore names its line; the three lines' restores add up to the burn.
  CHECK(scalar(f.ledger,
               "SELECT COUNT(DISTINCT line) FROM transfers WHERE receipt_id = 'R-3' AND "
               "code = 'restore_burn'") == 3);
  // Credits: 219 earned + 90 restored; debits: 90 burned + 89 reversed; 130 = lots A and B.
  CHECK(points_of(f.ledger, "anna") == make_balance(309, 179, 0, 0));
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test
