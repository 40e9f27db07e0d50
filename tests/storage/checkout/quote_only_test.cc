// Till::quote_only: the quote a checkout would make, with nothing written.
#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"

namespace loyalty::storage::test {
namespace {

TEST_CASE("quote_only quotes as checkout_offline would and writes nothing") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
  const std::int64_t events = scalar(f.ledger, "SELECT COUNT(*) FROM events");
  const std::int64_t accounts = scalar(f.ledger, "SELECT COUNT(*) FROM accounts");

  Receipt r = receipt("R-1", {line("WINE", 10000)});
  r.coupons = {"SAVE1"};
  Result<std::string> quoted = f.till.quote_only(f.program, "anna", r, day(1));
  REQUIRE(quoted.ok());
  // A new card: the quote's own account is rolled back with the rest.
  Result<std::string> newcomer =
      f.till.quote_only(f.program, "carl", receipt("R-2", {line("WINE", 1000)}), day(1));
  REQUIRE(newcomer.ok());
  Result<std::string> anonymous =
      f.till.quote_only(f.program, "", receipt("R-3", {line("WINE", 1000)}), day(1));
  REQUIRE(anonymous.ok());
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM events") == events);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM accounts") == accounts);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts") == 1);

  const CheckoutResult done = f.till.checkout_offline(f.program, "anna", r, day(1)).value();
  CHECK(done.quote_json == quoted.value());
  require_check_ok(f.ledger);

  // A committed receipt id may still be quoted (the POS re-quotes freely).
  CHECK(f.till.quote_only(f.program, "anna", r, day(1)).ok());
}

TEST_CASE("quote_only refuses what checkout would refuse") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000)}));
  Result<std::string> too_much =
      f.till.quote_only(f.program, "anna", redeeming(receipt("R-1", {line("WINE", 10000)}), 80),
                        day(1));
  REQUIRE_FALSE(too_much.ok());
  CHECK(too_much.error().message ==
        "card anna: offline, a card may redeem at most 0 points until HQ confirms its balance; it "
        "has used 0 (redeemed or held) and this receipt asks 80. Redeem less, or wait for the "
        "terminal to reach HQ");
  CHECK(f.till.quote_only(f.program, "erased-0123", receipt("R-1", {line("WINE", 100)}), day(1))
            .error()
            .code == ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace loyalty::storage::test
