// Erasure orders on real SQLite files: the card number and every personal field leave the ledger,
// balances and invariants stay, and refunds keep working where the quote did not need the erased
// data.

#include <catch2/catch.hpp>

#include "customers/customers_support.h"

namespace loyalty::storage::test {
namespace {

// Rows anywhere in the ledger that still mention `text`.
std::int64_t mentions(Ledger& ledger, const std::string& text) {
  const std::string like = "'%" + text + "%'";
  return scalar(ledger, "SELECT (SELECT COUNT(*) FROM accounts WHERE owner LIKE " + like +
                            ") + (SELECT COUNT(*) FROM customers WHERE customer_id LIKE " + like +
                            " OR state_json LIKE " + like +
                            ") + (SELECT COUNT(*) FROM receipts WHERE customer_id LIKE " + like +
                            " OR customer_json LIKE " + like +
                            ") + (SELECT COUNT(*) FROM counters WHERE customer_id LIKE " + like +
                            ") + (SELECT COUNT(*) FROM blocklist WHERE customer_id LIKE " + like +
                            ")");
}

TEST_CASE("An erasure order depersonalises a customer and keeps the ledger consistent",
          "[storage][customers]") {
  CacheFixture f;
  CustomerState from_hq = customer("card-3");
  from_hq.birthday = CivilDate{1990, 6, 1};  // no bonus in November
  from_hq.segments = {"families"};
  from_hq.referred_by = "card-0";
  f.refresh(from_hq, Consent{true, true});
  f.offline_ok("card-3", receipt("R-1", {line("WINE", 10000), line("CHEESE", 2000)}));
  f.offline_ok("card-3", redeeming(receipt("R-2", {line("WINE", 1000)}), 20));
  REQUIRE(f.cache.block("card-3", "card replaced", test_now).ok());
  const Balance before = points_of(f.ledger, "card-3");
  CHECK(before == make_balance(129, 20, 0, 0));
  REQUIRE(mentions(f.ledger, "card-3") > 0);
  REQUIRE(mentions(f.ledger, "1990-06-01") > 0);

  Result<ErasureReport> erased = f.cache.erase("card-3", test_now);
  if (!erased.ok()) FAIL(erased.error().message);
  const std::string pseudonym = erased->pseudonym;
  CHECK(pseudonym.size() == 7 + 32);
  CHECK(pseudonym.starts_with("erased-"));
  CHECK(erased->accounts == 1);
  CHECK(erased->receipts == 2);

  CHECK(mentions(f.ledger, "card-3") == 0);
  CHECK(mentions(f.ledger, "1990-06-01") == 0);
  CHECK(mentions(f.ledger, "families") == 0);
  CHECK(mentions(f.ledger, "card-0") == 0);  // the referrer link is personal too
  CHECK(points_of(f.ledger, "card-3") == Balance{});
  CHECK(points_of(f.ledger, pseudonym) == before);
  require_check_ok(f.ledger);

  CHECK_FALSE(f.cache.find("card-3").value().has_value());
  CHECK_FALSE(f.cache.blocked("card-3").value().has_value());
  const CachedCustomer kept = f.cached(pseudonym);
  CHECK(kept.erased);
  CHECK(kept.consent == Consent{});
  CHECK_FALSE(kept.state.birthday.has_value());
  CHECK(kept.state.segments.empty());
  CHECK(kept.state.purchase_count == 2);

  // A refund of a receipt whose quote did not use the erased data still reverses its points,
  // from the pseudonym's account: the wine's 100 from R-1's lot (120 earned, 100 left after R-2
  // burned 20), no overdraft.
  const std::vector<ReturnRequest> wine{ReturnRequest{0, 1}};
  Result<RefundResult> refunded = f.till.refund("F-1", "R-1", wine, test_now);
  if (!refunded.ok()) FAIL(refunded.error().message);
  CHECK(points_of(f.ledger, pseudonym) == make_balance(129, 120, 0, 0));
  CHECK(lots_of(f.ledger, pseudonym) == std::vector<std::string>{"120/0 line -", "9/9 line -"});
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, pseudonym) == Balance{});
  require_check_ok(f.ledger);

  // The card number starts afresh as an unknown card; a second order finds nothing.
  f.offline_ok("card-3", receipt("R-3", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-3") == make_balance(10, 0, 0, 0));
  CHECK_FALSE(f.cached("card-3").state.known);
  // The pseudonym is not a card: nobody can shop with it, online or offline.
  Result<CheckoutResult> as_card =
      f.till.checkout_offline(f.program, pseudonym, receipt("R-4", {line("WINE", 1000)}), test_now);
  REQUIRE_FALSE(as_card.ok());
  CHECK(as_card.error().message == "customer id \"" + pseudonym +
                                       "\" is the pseudonym of an erased customer, not a card "
                                       "number");
  const CustomerState as_customer = customer(pseudonym);
  CHECK(f.till.checkout(f.program, &as_customer, receipt("R-4", {line("WINE", 1000)}), test_now)
            .error()
            .code == ErrorCode::invalid_argument);
  Result<ErasureReport> unknown = f.cache.erase("card-never-seen", test_now);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(unknown.error().message == "customer card-never-seen is not known to this ledger");
}

TEST_CASE("A refund that needs erased personal data is refused with the reason",
          "[storage][customers]") {
  CacheFixture f;
  CustomerState from_hq = customer("card-5");
  from_hq.birthday = CivilDate{1990, 11, 19};  // the birthday bonus applies at test_now
  f.refresh(from_hq, Consent{false, true});
  f.offline_ok("card-5", receipt("R-1", {line("WINE", 10000)}));
  CHECK(points_of(f.ledger, "card-5") == make_balance(600, 0, 0, 0));
  REQUIRE(f.cache.erase("card-5", test_now).ok());

  const std::vector<ReturnRequest> wine{ReturnRequest{0, 1}};
  Result<RefundResult> refused = f.till.refund("F-1", "R-1", wine, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "receipt R-1 belongs to an erased customer and its quote used personal data that was "
        "erased (a birthday or a segment): its points cannot be reversed; return the goods "
        "without the loyalty reversal");
  require_check_ok(f.ledger);
}

TEST_CASE("Only an erasure may rename an account, and only once", "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-6", receipt("R-1", {line("WINE", 1000)}));
  Database& db = f.ledger.database();
  const Status renamed =
      db.exec("UPDATE accounts SET owner = 'someone-else' WHERE owner = 'card-6'");
  REQUIRE_FALSE(renamed.ok());
  CHECK(renamed.error().code == ErrorCode::conflict);
  const Status chain = db.exec("UPDATE accounts SET owner = 'erased-x' WHERE kind = 'issuance'");
  REQUIRE_FALSE(chain.ok());
  CHECK(chain.error().code == ErrorCode::conflict);
  const std::string pseudonym = f.cache.erase("card-6", test_now).value().pseudonym;
  const Status twice =
      db.exec("UPDATE accounts SET owner = 'erased-y' WHERE owner = '" + pseudonym + "'");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::conflict);
  require_check_ok(f.ledger);
}

TEST_CASE("Erasing a referrer relinks the customers they referred", "[storage][customers]") {
  TillFixture f;  // its program pays a referral bonus: 30 points, and 20 to the referrer
  CustomerCache cache(f.ledger);
  const CustomerState anna = customer("anna-4711");
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 1000)}));
  CustomerState ben = customer("ben");
  ben.referred_by = "anna-4711";
  REQUIRE(cache.refresh_from_hq(ben, Consent{}, test_now).ok());
  checkout_ok(f, &ben, receipt("R-2", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "anna-4711") == make_balance(30, 0, 0, 0));  // 10 + 20 referral

  const ErasureReport erased = cache.erase("anna-4711", test_now).value();
  CHECK(erased.referrals == 2);  // ben's cache row and ben's receipt
  CHECK(mentions(f.ledger, "anna-4711") == 0);
  CHECK(cache.find("ben").value()->state.referred_by == erased.pseudonym);

  // Ben returns his wine: the referrer's 20 come back from the pseudonym's lot.
  refund_ok(f, "F-1", "R-2", {ReturnRequest{0, 1}});
  CHECK(points_of(f.ledger, erased.pseudonym) == make_balance(30, 20, 0, 0));
  CHECK(points_of(f.ledger, "ben") == make_balance(40, 40, 0, 0));
  require_check_ok(f.ledger);
}

TEST_CASE("Erasure cancels the card's open receipts and releases their holds",
          "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-7", receipt("R-1", {line("WINE", 10000)}));
  REQUIRE(f.till
              .open_receipt_offline(f.program, "card-7",
                                    redeeming(receipt("R-2", {line("WINE", 1000)}), 50), test_now)
              .ok());
  const ErasureReport erased = f.cache.erase("card-7", test_now).value();
  CHECK(erased.cancelled == 1);
  CHECK(points_of(f.ledger, erased.pseudonym) == make_balance(100, 0, 0, 0));
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts WHERE state = 'open'") == 0);
  Result<CheckoutResult> commit = f.till.commit_receipt("R-2", test_now);
  REQUIRE_FALSE(commit.ok());
  CHECK(commit.error().message ==
        "receipt R-2 was cancelled (its holds were voided); it cannot be committed: check out "
        "again");
  require_check_ok(f.ledger);
}

TEST_CASE("A customer who refused profiling is not profiled by an online checkout either",
          "[storage][customers]") {
  CacheFixture f;
  CustomerState from_hq = customer("card-8");
  from_hq.birthday = CivilDate{1990, 11, 19};  // would pay the birthday bonus at test_now
  from_hq.segments = {"families"};
  f.refresh(from_hq, Consent{true, false});
  f.online_ok(from_hq, receipt("R-1", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-8") == make_balance(10, 0, 0, 0));  // no birthday bonus
  CHECK(mentions(f.ledger, "1990-11-19") == 0);
  CHECK(mentions(f.ledger, "families") == 0);
}

}  // namespace
}  // namespace loyalty::storage::test
