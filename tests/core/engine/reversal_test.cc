// Returns: per-line reversal of what the returned units earned and burned, coupon uses and stamps
// given back, receipt-level awards on a full return, and exactness over several partial refunds.
#include "loyalty/core/reversal.h"

#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* program_json = R"("burn": {"rate": {"points": 1, "value_minor": 1}},
  "rules": [
    {"id": "welcome", "kind": "bonus", "trigger": "welcome", "points": 100},
    {"id": "save10", "kind": "coupon", "code": "SAVE10", "percent_bp": 1000, "scope": "line",
     "items": {"skus": ["SHIRT"]}},
    {"id": "coffee-card", "kind": "stamp_card", "card_id": "coffee", "stamps_required": 3,
     "items": {"skus": ["LATTE"]}}])";

struct Fixture {
  Program program = make_program(program_json);
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "purchase_count": 0,
      "stamps": {"coffee": 2}, "lots": [{"lot_id": "L1", "points": 5000,
      "active_from": "2026-01-01T00:00:00Z"}]})");
  Receipt receipt = make_receipt(R"([
      {"sku": "SHIRT", "unit_price_minor": 2999, "quantity": 3},
      {"sku": "LATTE", "unit_price_minor": 350, "quantity": 2},
      {"sku": "SOCKS", "unit_price_minor": 500}])",
                                 R"("coupons": ["SAVE10"], "redeem": {"points": 1000})");
  Quote quote = quote_ok(program, &customer, receipt);
};

std::int64_t earned_from_reversal_total(const Reversal& reversal) {
  std::int64_t sum = 0;
  for (const auto& earn : reversal.earns) {
    if (earn.account == EarnAccount::customer) sum += earn.points.value();
  }
  return sum;
}

Reversal reverse(const Fixture& f, std::vector<ReturnRequest> returns,
                 std::vector<std::int64_t> before = {}) {
  auto reversal = compute_reversal(f.receipt, f.quote, returns, before);
  INFO((reversal.ok() ? std::string() : reversal.error().message));
  REQUIRE(reversal.ok());
  return std::move(reversal).value();
}
}  // namespace

TEST_CASE("the quote being reversed", "[returns]") {
  Fixture f;
  // SHIRT 89.97 - 10 % (9.00, half_up of 8.997) = 80.97; LATTE 7.00 with one free (3 stamps
  // needed, 2 held): 3.50; SOCKS 5.00. Net 89.47.
  CHECK(f.quote.lines[0].net == Minor(8097));
  CHECK(f.quote.lines[1].net == Minor(350));
  CHECK(f.quote.net_total == Minor(8947));
  // 10.00 of points split 8097 : 350 : 500 -> 905 / 39 / 56.
  CHECK(f.quote.lines[0].points_tender == Minor(905));
  CHECK(f.quote.lines[1].points_tender == Minor(39));
  CHECK(f.quote.lines[2].points_tender == Minor(56));
  // Earn on 79.47 paid: 71.92 + 3.11 + 4.44 -> 79 points: 72 / 3 / 4.
  CHECK(f.quote.lines[0].earned == Points(72));
  CHECK(f.quote.lines[1].earned == Points(3));
  CHECK(f.quote.lines[2].earned == Points(4));
  CHECK(f.quote.earned_total == Points(79 + 100));
}

TEST_CASE("a partial refund reverses exactly what the returned units carried", "[returns]") {
  Fixture f;
  Reversal one_shirt = reverse(f, {{0, 1}});
  // Line 0 carries due 7192, tender 905, earned 72, burned 905 over 3 units: the first unit
  // carries the larger share of each (2398, 302, 24, 302).
  REQUIRE(one_shirt.lines.size() == 1);
  CHECK(one_shirt.lines[0].money_refund == Minor(2398));
  CHECK(one_shirt.lines[0].tender_refund == Minor(302));
  CHECK(one_shirt.earned_reversed == Points(24));
  CHECK(one_shirt.burned_restored == Points(302));
  CHECK_FALSE(one_shirt.completes_receipt);
  CHECK(one_shirt.coupon_uses.empty());
}

TEST_CASE("refunds in several steps add up to the whole line", "[returns]") {
  Fixture f;
  Reversal first = reverse(f, {{0, 1}});
  Reversal second = reverse(f, {{0, 1}}, {1, 0, 0});
  Reversal third = reverse(f, {{0, 1}}, {2, 0, 0});
  CHECK(first.earned_reversed + second.earned_reversed + third.earned_reversed == Points(72));
  CHECK(first.burned_restored + second.burned_restored + third.burned_restored == Points(905));
  CHECK(first.money_refund + second.money_refund + third.money_refund == Minor(7192));
  // The coupon's only line is now fully returned: its use comes back with the last unit.
  CHECK(first.coupon_uses.empty());
  CHECK(second.coupon_uses.empty());
  REQUIRE(third.coupon_uses.size() == 1);
  CHECK(third.coupon_uses[0].delta == -1);
}

TEST_CASE("returning the free coffee gives back the stamps it spent", "[returns][stamps]") {
  Fixture f;
  REQUIRE(f.quote.stamps.size() == 1);
  CHECK(f.quote.stamps[0].earned == 1);
  CHECK(f.quote.stamps[0].redeemed == 3);
  Reversal lattes = reverse(f, {{1, 2}});
  REQUIRE(lattes.stamps.size() == 1);
  CHECK(lattes.stamps[0].delta == 3 - 1);
  CHECK(lattes.earned_reversed == Points(3));
}

TEST_CASE("a full return also takes back the welcome bonus", "[returns]") {
  Fixture f;
  Reversal all = reverse(f, {{0, 3}, {1, 2}, {2, 1}});
  CHECK(all.completes_receipt);
  CHECK(all.earned_reversed == f.quote.earned_total);
  CHECK(all.burned_restored == f.quote.burned_total);
  CHECK(all.money_refund == f.quote.due_total);
}

TEST_CASE("bad return requests are refused with a reason", "[returns]") {
  Fixture f;
  auto error_of = [&f](std::vector<ReturnRequest> returns, std::vector<std::int64_t> before = {}) {
    auto reversal = compute_reversal(f.receipt, f.quote, returns, before);
    REQUIRE_FALSE(reversal.ok());
    return reversal.error().message;
  };
  CHECK(error_of({{7, 1}}) == "returns[0].line: receipt R-1 has no line 7");
  CHECK(error_of({{0, 4}}) ==
        "returns[0].quantity: must be between 1 and 3 (units not yet returned), got 4");
  CHECK(error_of({{0, 1}}, {3, 0, 0}) ==
        "returns[0].quantity: must be between 1 and 0 (units not yet returned), got 1");
  CHECK(error_of({{0, 0}}) ==
        "returns[0].quantity: must be between 1 and 3 (units not yet returned), got 0");
  CHECK(error_of({{0, 1}, {0, 1}}) == "returns[1].line: line 0 is listed twice");
  CHECK(error_of({{0, 1}}, {0}) == "returned_before: needs one count per receipt line (3)");
}

TEST_CASE("receipt-level awards go back once, with the refund of the last unit", "[returns]") {
  Fixture f;
  Reversal most = reverse(f, {{0, 3}, {1, 2}});
  CHECK_FALSE(most.completes_receipt);
  CHECK(earned_from_reversal_total(most) == 72 + 3);
  Reversal last = reverse(f, {{2, 1}}, {3, 2, 0});
  CHECK(last.completes_receipt);
  CHECK(last.earned_reversed == Points(4 + 100));  // the socks' points and the welcome bonus
}

TEST_CASE("impossible refund histories are refused, not asserted", "[returns]") {
  Fixture f;
  auto error_of = [&f](std::vector<ReturnRequest> returns, std::vector<std::int64_t> before) {
    auto reversal = compute_reversal(f.receipt, f.quote, returns, before);
    REQUIRE_FALSE(reversal.ok());
    return reversal.error().message;
  };
  CHECK(error_of({}, {3, 2, 1}) == "returns: name at least one line to return");
  CHECK(error_of({{0, 4}}, {-1, 0, 0}) == "returned_before[0]: must be between 0 and 3, got -1");
  CHECK(error_of({{1, 1}}, {0, 3, 0}) == "returned_before[1]: must be between 0 and 2, got 3");
  Receipt other = f.receipt;
  other.receipt_id = "R-2";
  auto mismatched = compute_reversal(other, f.quote, std::vector<ReturnRequest>{{0, 1}});
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.error().message == "quote: it is not the quote of receipt R-2");
}

TEST_CASE("returning the membership card ends the membership it started", "[returns]") {
  Program program = make_program(R"("rules": [
      {"id": "club", "kind": "paid_membership", "sku": "CLUB", "period_days": 365}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "CLUB", "unit_price_minor": 2000},
      {"sku": "SHOES", "unit_price_minor": 5000}])");
  Quote quote = quote_ok(program, &customer, receipt);
  REQUIRE(quote.paid_membership_until);
  auto shoes = compute_reversal(receipt, quote, std::vector<ReturnRequest>{{1, 1}});
  REQUIRE(shoes.ok());
  CHECK_FALSE(shoes->cancels_paid_membership);
  auto card = compute_reversal(receipt, quote, std::vector<ReturnRequest>{{0, 1}});
  REQUIRE(card.ok());
  CHECK(card->cancels_paid_membership);
}

TEST_CASE("a request for a line beyond the receipt is refused before anything is read",
          "[returns]") {
  Fixture f;
  // With a refund history given, the line index is checked before the history is looked up.
  auto reversal = compute_reversal(f.receipt, f.quote, std::vector<ReturnRequest>{{9, 1}},
                                   std::vector<std::int64_t>{1, 0, 0});
  REQUIRE_FALSE(reversal.ok());
  CHECK(reversal.error().message == "returns[0].line: receipt R-1 has no line 9");
}
