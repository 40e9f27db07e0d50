// The customer cache at the till on real SQLite files: unknown cards earning offline, the offline
// floor limit (redeemed and held points), HQ refreshes, consent, the blocklist and write-back.

#include <catch2/catch.hpp>

#include "customers/customers_support.h"

namespace loyalty::storage::test {
namespace {

constexpr Timestamp review_after_test_now{1'795'000'000 + 365 * 86400};

TEST_CASE("An unknown card earns offline and the cache keeps its counts", "[storage][customers]") {
  CacheFixture f;
  CHECK_FALSE(f.cache.find("card-1").value().has_value());
  const CheckoutResult first = f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  CHECK(first.state == ReceiptState::committed);
  CHECK(points_of(f.ledger, "card-1") == make_balance(100, 0, 0, 0));

  CachedCustomer cached = f.cached("card-1");
  CHECK_FALSE(cached.state.known);  // HQ has not issued it
  CHECK(cached.state.purchase_count == 1);
  CHECK(cached.state.period_spend == 10000);
  CHECK(cached.state.period_points_earned == 100);
  CHECK(cached.state.cumulative_spend == Minor(10000));
  CHECK(cached.state.tier == "base");
  CHECK(cached.state.tier_review_at == review_after_test_now);
  CHECK(cached.state.lots.empty());  // the ledger's, never copied
  CHECK_FALSE(cached.hq_refreshed_at.has_value());
  CHECK(cached.offline_redeemed == 0);

  f.offline_ok("card-1", receipt("R-2", {line("WINE", 5000)}));
  cached = f.cached("card-1");
  CHECK(cached.state.purchase_count == 2);
  CHECK(cached.state.period_spend == 15000);
  CHECK(cached.state.period_points_earned == 150);
  CHECK(points_of(f.ledger, "card-1") == make_balance(150, 0, 0, 0));

  // The same request again replays; the cache does not count it twice.
  const CheckoutResult again = f.offline_ok("card-1", receipt("R-2", {line("WINE", 5000)}));
  CHECK(again.replayed);
  CHECK(f.cached("card-1").state.purchase_count == 2);
  // The same receipt id for another card is another request.
  CHECK(f.offline_refusal("card-9", receipt("R-2", {line("WINE", 5000)}), ErrorCode::conflict) ==
        "receipt R-2 was already committed with different content; use a new receipt id");
  require_check_ok(f.ledger);
}

TEST_CASE("Offline redemption stops at the program's floor limit until HQ refreshes the card",
          "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 30000)}));  // 300 points
  // 60 of the 100 allowed; earns 9 on the 9.40 paid in money.
  f.offline_ok("card-1", redeeming(receipt("R-2", {line("WINE", 1000)}), 60));
  CHECK(f.cached("card-1").offline_redeemed == 60);
  CHECK(points_of(f.ledger, "card-1") == make_balance(309, 60, 0, 0));

  CHECK(f.offline_refusal("card-1", redeeming(receipt("R-3", {line("WINE", 1000)}), 50),
                          ErrorCode::conflict) ==
        "card card-1: offline, a card may redeem at most 100 points until HQ confirms its "
        "balance; it has used 60 (redeemed or held) and this receipt asks 50. Redeem less, or "
        "wait for the terminal to reach HQ");
  // Nothing of the refused receipt is in the ledger.
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts WHERE receipt_id = 'R-3'") == 0);
  CHECK(points_of(f.ledger, "card-1") == make_balance(309, 60, 0, 0));

  f.offline_ok("card-1", redeeming(receipt("R-4", {line("WINE", 1000)}), 40));
  CHECK(f.cached("card-1").offline_redeemed == 100);
  CHECK(points_of(f.ledger, "card-1") == make_balance(318, 100, 0, 0));
  // Earning needs no limit.
  f.offline_ok("card-1", receipt("R-5", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-1") == make_balance(328, 100, 0, 0));

  // HQ confirms the card: the count restarts; HQ's state replaces the terminal's.
  CustomerState from_hq = customer("card-1");
  from_hq.purchase_count = 41;
  from_hq.tier = "base";
  f.refresh(from_hq, Consent{}, Timestamp{test_now.unix_seconds + 60});
  CachedCustomer cached = f.cached("card-1");
  CHECK(cached.state.known);
  CHECK(cached.state.purchase_count == 41);
  CHECK(cached.offline_redeemed == 0);
  CHECK(cached.hq_refreshed_at == Timestamp{test_now.unix_seconds + 60});

  // Points held by an open receipt count against the limit too.
  Result<CheckoutResult> held = f.till.open_receipt_offline(
      f.program, "card-1", redeeming(receipt("R-6", {line("WINE", 1000)}), 30), test_now);
  REQUIRE(held.ok());
  CHECK(f.offline_refusal("card-1", redeeming(receipt("R-7", {line("WINE", 1000)}), 80),
                          ErrorCode::conflict) ==
        "card card-1: offline, a card may redeem at most 100 points until HQ confirms its "
        "balance; it has used 30 (redeemed or held) and this receipt asks 80. Redeem less, or "
        "wait for the terminal to reach HQ");
  // Committing the held receipt counts it as redeemed offline.
  REQUIRE(f.till.commit_receipt("R-6", test_now).ok());
  CHECK(f.cached("card-1").offline_redeemed == 30);
  CHECK(f.cached("card-1").state.purchase_count == 42);
  f.offline_ok("card-1", redeeming(receipt("R-8", {line("WINE", 1000)}), 70));
  CHECK(f.cached("card-1").offline_redeemed == 100);

  // Online (HQ answered for this receipt) the floor limit does not apply, and the cache is fresh.
  CustomerState online = customer("card-1");
  f.online_ok(online, redeeming(receipt("R-9", {line("WINE", 1000)}), 150));
  cached = f.cached("card-1");
  CHECK(cached.offline_redeemed == 0);
  CHECK(cached.hq_refreshed_at == test_now);
  CHECK(cached.state.purchase_count == 1);  // HQ's state (0 before this receipt) plus one
  require_check_ok(f.ledger);
}

TEST_CASE("Without a floor limit an unknown card cannot redeem offline at all",
          "[storage][customers]") {
  TillFixture f;  // its program sets no offline_floor_limit
  Result<CheckoutResult> earned =
      f.till.checkout_offline(f.program, "card-1", receipt("R-1", {line("WINE", 10000)}), test_now);
  REQUIRE(earned.ok());
  Result<CheckoutResult> redeemed = f.till.checkout_offline(
      f.program, "card-1", redeeming(receipt("R-2", {line("WINE", 1000)}), 1), test_now);
  REQUIRE_FALSE(redeemed.ok());
  CHECK(redeemed.error().message ==
        "card card-1: offline, a card may redeem at most 0 points until HQ confirms its "
        "balance; it has used 0 (redeemed or held) and this receipt asks 1. Redeem less, or "
        "wait for the terminal to reach HQ");
  Result<CheckoutResult> no_card =
      f.till.checkout_offline(f.program, "", receipt("R-3", {line("WINE", 1000)}), test_now);
  REQUIRE_FALSE(no_card.ok());
  CHECK(no_card.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("Personal fields are kept only with consent", "[storage][customers]") {
  CacheFixture f;
  CustomerState from_hq = customer("card-1");
  from_hq.birthday = CivilDate{1990, 11, 19};
  from_hq.segments = {"families", "wine-lovers"};
  from_hq.referred_by = "card-0";
  f.refresh(from_hq, Consent{true, false});
  CachedCustomer cached = f.cached("card-1");
  CHECK_FALSE(cached.state.birthday.has_value());
  CHECK(cached.state.segments.empty());
  CHECK(cached.state.referred_by == "card-0");  // the program's referral, not a profile
  CHECK(cached.consent == Consent{true, false});
  CHECK(scalar(f.ledger,
               "SELECT COUNT(*) FROM customers WHERE state_json LIKE '%1990%' OR "
               "state_json LIKE '%families%'") == 0);
  // No birthday kept: no birthday bonus offline.
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-1") == make_balance(10, 0, 0, 0));

  f.refresh(from_hq, Consent{false, true});
  cached = f.cached("card-1");
  CHECK(cached.state.birthday == CivilDate{1990, 11, 19});
  CHECK(cached.state.segments == std::vector<std::string>{"families", "wine-lovers"});
}

TEST_CASE("Checkouts write the tier, birthday bonus year and counts back to the cache",
          "[storage][customers]") {
  CacheFixture f;
  CustomerState from_hq = customer("card-1");
  from_hq.birthday = CivilDate{1990, 11, 19};  // the day after test_now
  f.refresh(from_hq, Consent{false, true});

  // 600.00 crosses silver's 500.00 at once; the birthday bonus is paid.
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 60000)}));
  CachedCustomer cached = f.cached("card-1");
  CHECK(cached.state.tier == "silver");
  CHECK(cached.state.last_birthday_bonus_year == 2026);
  CHECK(cached.state.period_spend == 60000);
  CHECK(cached.state.purchase_count == 1);
  const Points after_first = points_of(f.ledger, "card-1").posted();

  // Silver earns x1.5 and the bonus is not paid twice in the year.
  f.offline_ok("card-1", receipt("R-2", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-1").posted() - after_first == Points(15));
  CHECK(f.cached("card-1").state.period_spend == 61000);

  // A review that falls due starts a new period with the receipt that passed it.
  f.offline_ok("card-1", receipt("R-3", {line("WINE", 2000)}), review_after_test_now);
  cached = f.cached("card-1");
  CHECK(cached.state.period_spend == 2000);
  CHECK(cached.state.tier_review_at == Timestamp{review_after_test_now.unix_seconds + 365 * 86400});
  CHECK(cached.state.tier == "silver");  // 610.00 over the reviewed period keeps silver
  require_check_ok(f.ledger);
}

TEST_CASE("A blocklisted card cannot redeem but still earns", "[storage][customers]") {
  CacheFixture f;
  const CustomerState card = customer("card-2");
  f.online_ok(card, receipt("R-1", {line("WINE", 10000)}));
  REQUIRE(f.cache.block("card-2", "reported lost", test_now).ok());
  CHECK(f.cache.blocked("card-2").value() == std::optional<std::string>("reported lost"));

  const std::string refusal =
      "card card-2 is on the blocklist (reported lost): it cannot redeem 10 points; check the "
      "receipt out without redeeming";
  CHECK(f.offline_refusal("card-2", redeeming(receipt("R-2", {line("WINE", 1000)}), 10),
                          ErrorCode::conflict) == refusal);
  Result<CheckoutResult> online = f.till.checkout(
      f.program, &card, redeeming(receipt("R-2", {line("WINE", 1000)}), 10), test_now);
  REQUIRE_FALSE(online.ok());
  CHECK(online.error().message == refusal);
  f.offline_ok("card-2", receipt("R-3", {line("WINE", 1000)}));
  CHECK(points_of(f.ledger, "card-2") == make_balance(110, 0, 0, 0));

  REQUIRE(f.cache.unblock("card-2").ok());
  CHECK_FALSE(f.cache.blocked("card-2").value().has_value());
  f.online_ok(card, redeeming(receipt("R-4", {line("WINE", 1000)}), 10));
  CHECK(points_of(f.ledger, "card-2") == make_balance(119, 10, 0, 0));

  CHECK(f.cache.block("", "lost", test_now).error().code == ErrorCode::invalid_argument);
  CHECK(f.cache.block("card-2", "", test_now).error().code == ErrorCode::invalid_argument);
  CHECK(f.cache.refresh_from_hq(customer("erased-0123"), Consent{}, test_now).error().message ==
        "customer id \"erased-0123\" is the pseudonym of an erased customer, not a card number");
}

TEST_CASE("A receipt at a coalition partner moves the settlement money", "[storage][customers]") {
  CacheFixture f;
  const CustomerState card = customer("card-4");
  // 100 points issued at the cafe: it owes 3.00.
  f.online_ok(card, at_partner(receipt("R-1", {line("WINE", 10000)}), "cafe"));
  CHECK(balance_by_owner(f.ledger, AccountKind::partner_settlement, "cafe") ==
        make_balance(0, 300, 0, 0));
  CHECK(balance_by_owner(f.ledger, AccountKind::operator_settlement, "") ==
        make_balance(300, 0, 0, 0));
  // 50 points burned at the cafe (the operator owes 1.00), 9 earned (the cafe owes 0.27).
  f.online_ok(card, at_partner(redeeming(receipt("R-2", {line("WINE", 1000)}), 50), "cafe"));
  CHECK(balance_by_owner(f.ledger, AccountKind::partner_settlement, "cafe") ==
        make_balance(100, 327, 0, 0));
  CHECK(scalar(f.ledger,
               "SELECT COUNT(*) FROM transfers WHERE code IN ('settle_issued', "
               "'settle_redeemed') AND source = 'partner:cafe'") == 3);
  // Returning R-1 takes the 3.00 back.
  const std::vector<ReturnRequest> whole_line{ReturnRequest{0, 1}};
  REQUIRE(f.till.refund("F-1", "R-1", whole_line, test_now).ok());
  CHECK(balance_by_owner(f.ledger, AccountKind::partner_settlement, "cafe") ==
        make_balance(400, 327, 0, 0));
  require_check_ok(f.ledger);

  // Money and points never meet in one transfer.
  Transaction transaction = begin(f.ledger);
  MoneyTransferRequest wrong;
  wrong.debit =
      f.ledger.find_or_create_account(transaction, AccountKind::issuance, "", test_now).value();
  wrong.credit =
      f.ledger.find_or_create_account(transaction, AccountKind::operator_settlement, "", test_now)
          .value();
  wrong.amount = Minor(5);
  wrong.at = test_now;
  Result<TransferId> refused = f.ledger.transfer_money(transaction, wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "account 2 (issuance:) counts points, not money in minor units");
  wrong.debit =
      f.ledger
          .find_or_create_account(transaction, AccountKind::partner_settlement, "cafe", test_now)
          .value();
  wrong.amount = Minor(0);
  CHECK(f.ledger.transfer_money(transaction, wrong).error().message ==
        "transfer amount 0 is outside 1..1000000000000");
}

TEST_CASE("A held receipt commits on top of what the card did meanwhile", "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 30000)}));  // 300 points, 300.00 spent
  // Opened online (HQ answered then), redeeming 10.
  CustomerState online = customer("card-1");
  online.purchase_count = 1;
  online.period_spend = 30000;
  REQUIRE(f.till
              .open_receipt(f.program, &online, redeeming(receipt("R-2", {line("WINE", 1000)}), 10),
                            test_now)
              .ok());
  // Offline meanwhile: 60 redeemed, and 300.00 more makes the card silver.
  f.offline_ok("card-1", redeeming(receipt("R-3", {line("WINE", 30000)}), 60));
  CachedCustomer cached = f.cached("card-1");
  CHECK(cached.state.tier == "silver");
  CHECK(cached.offline_redeemed == 60);
  CHECK(cached.state.purchase_count == 2);

  REQUIRE(f.till.commit_receipt("R-2", test_now).ok());
  cached = f.cached("card-1");
  CHECK(cached.state.tier == "silver");     // the held quote saw base: it does not demote
  CHECK(cached.state.purchase_count == 3);
  CHECK(cached.state.period_spend == 61000);
  CHECK(cached.offline_redeemed == 60);  // HQ authorised R-2 when it was opened, not now
  CHECK_FALSE(cached.hq_refreshed_at.has_value());
  require_check_ok(f.ledger);
}

TEST_CASE("A held redemption cannot commit once the card is blocklisted", "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  REQUIRE(f.till
              .open_receipt_offline(f.program, "card-1",
                                    redeeming(receipt("R-2", {line("WINE", 1000)}), 50), test_now)
              .ok());
  REQUIRE(f.cache.block("card-1", "reported stolen", test_now).ok());
  Result<CheckoutResult> commit = f.till.commit_receipt("R-2", test_now);
  REQUIRE_FALSE(commit.ok());
  CHECK(commit.error().code == ErrorCode::conflict);
  CHECK(commit.error().message ==
        "card card-1 is on the blocklist (reported stolen): it cannot redeem 50 points; check the "
        "receipt out without redeeming (receipt R-2 was opened before: cancel it)");
  REQUIRE(f.till.cancel_receipt("R-2", test_now).ok());
  CHECK(points_of(f.ledger, "card-1") == make_balance(100, 0, 0, 0));
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test

namespace loyalty::storage::test {
namespace {

std::int64_t updated_at(Ledger& ledger, const std::string& card) {
  Statement select = Statement::prepare(ledger.database(),
                                        "SELECT updated_at FROM customers WHERE customer_id = ?1")
                         .value();
  REQUIRE(select.bind_text(1, card).ok());
  REQUIRE(select.step().value() == Step::row);
  return select.column_int64(0);
}

TEST_CASE("The cache row is written only when the receipt changed it", "[storage][customers]") {
  CacheFixture f;
  f.offline_ok("card-9", receipt("R-1", {line("WINE", 1000)}), test_now);
  CHECK(updated_at(f.ledger, "card-9") == test_now.unix_seconds);
  // A receipt whose only line is voided moves nothing: the row stays as it was.
  ReceiptLine voided = line("WINE", 1000);
  voided.voided = true;
  f.offline_ok("card-9", receipt("R-2", {voided}), day(1));
  CHECK(updated_at(f.ledger, "card-9") == test_now.unix_seconds);
  // A purchase changes it.
  f.offline_ok("card-9", receipt("R-3", {line("WINE", 1000)}), day(2));
  CHECK(updated_at(f.ledger, "card-9") == day(2).unix_seconds);
}

}  // namespace
}  // namespace loyalty::storage::test
