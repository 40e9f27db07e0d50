// Limited coupon uses on real SQLite files: the ledger counts every use of a coupon, anonymous
// receipts included, in the receipt's own transaction; an open receipt reserves the uses it
// quoted, so its commit never exceeds a limit and its cancel gives them back; a refund takes a
// use back.

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"

namespace loyalty::storage::test {
namespace {

Receipt with_coupon(const std::string& id, const std::string& code) {
  Receipt r = receipt(id, {line("WINE", 1000)});
  r.coupons.push_back(code);
  return r;
}

bool applied(const CheckoutResult& result) {
  return result.quote_json.find("\"status\":\"applied\"") != std::string::npos;
}
bool used_up(const CheckoutResult& result) {
  return result.quote_json.find("\"status\":\"used_up\"") != std::string::npos;
}

TEST_CASE("a single-use coupon is used once, however many anonymous receipts present it",
          "[storage][coupons]") {
  TillFixture f;
  const CheckoutResult first = checkout_ok(f, nullptr, with_coupon("A-1", "ONCE"));
  CHECK(applied(first));
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 1);
  const CheckoutResult second = checkout_ok(f, nullptr, with_coupon("A-2", "once"));
  CHECK(used_up(second));
  CHECK_FALSE(applied(second));
  const CustomerState anna = customer("anna");
  CHECK(used_up(checkout_ok(f, &anna, with_coupon("A-3", "ONCE"))));
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 1);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "ONCE") == -1);  // never used by anna
  require_check_ok(f.ledger);
}

TEST_CASE("an open receipt reserves its coupon uses and a cancel gives them back",
          "[storage][coupons][holds]") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  CHECK(applied(open_ok(f, &anna, with_coupon("H-1", "ONCE"))));
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 1);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "ONCE") == 1);
  // Meanwhile the use is taken: another receipt cannot have it.
  CHECK(used_up(checkout_ok(f, nullptr, with_coupon("A-1", "ONCE"))));
  REQUIRE(f.till.cancel_receipt("H-1", test_now).ok());
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 0);
  CHECK(counter(f.ledger, "anna", "coupon_uses", "ONCE") == 0);
  CHECK(applied(checkout_ok(f, nullptr, with_coupon("A-2", "ONCE"))));

  // Committed, the reserved use is counted once, not twice.
  CHECK(applied(open_ok(f, &anna, with_coupon("H-2", "TWICE"))));
  REQUIRE(f.till.commit_receipt("H-2", test_now).ok());
  CHECK(counter(f.ledger, "anna", "coupon_uses", "TWICE") == 1);
  CHECK(applied(checkout_ok(f, &anna, with_coupon("H-3", "TWICE"))));
  CHECK(counter(f.ledger, "anna", "coupon_uses", "TWICE") == 2);
  CHECK_FALSE(applied(checkout_ok(f, &anna, with_coupon("H-4", "TWICE"))));
  CHECK(counter(f.ledger, "anna", "coupon_uses", "TWICE") == 2);
  // An expired hold gives its uses back too.
  const CustomerState ben = customer("ben");
  CHECK(applied(open_ok(f, &ben, with_coupon("H-5", "TWICE"))));
  CHECK(counter(f.ledger, "ben", "coupon_uses", "TWICE") == 1);
  CHECK(f.till.void_expired_holds(day(1)).value() == 1);
  CHECK(counter(f.ledger, "ben", "coupon_uses", "TWICE") == 0);
  require_check_ok(f.ledger);
}

TEST_CASE("returning an anonymous receipt gives its coupon use back",
          "[storage][coupons][refund]") {
  TillFixture f;
  CHECK(applied(checkout_ok(f, nullptr, with_coupon("A-1", "ONCE"))));
  const std::vector<ReturnRequest> all{{0, 1}};
  refund_ok(f, "F-1", "A-1", all);
  CHECK(counter(f.ledger, "", "coupon_uses_total", "ONCE") == 0);
  CHECK(applied(checkout_ok(f, nullptr, with_coupon("A-2", "ONCE"))));
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test
