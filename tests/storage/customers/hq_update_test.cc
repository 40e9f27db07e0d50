// apply_hq_update on real SQLite files: what HQ sends at sync time is applied in one transaction,
// checked against every ledger invariant before it commits, and idempotent by update id.

#include "loyalty/storage/hq_update.h"

#include <catch2/catch.hpp>

#include "back_door.h"
#include "customers/customers_support.h"

namespace loyalty::storage::test {
namespace {

HqUpdateResult apply_ok(Ledger& ledger, const HqUpdate& update, Timestamp at = test_now) {
  Result<HqUpdateResult> result = apply_hq_update(ledger, update, at);
  if (!result.ok()) FAIL("apply_hq_update failed: " << result.error().message);
  return std::move(result).value();
}

TEST_CASE("An HQ update refreshes, blocks, erases and corrects in one event",
          "[storage][hq_update]") {
  CacheFixture f;
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));  // 100 points
  f.offline_ok("card-2", receipt("R-2", {line("WINE", 5000)}));   // 50 points
  f.offline_ok("card-3", receipt("R-3", {line("WINE", 2000)}));   // 20 points

  HqUpdate update;
  update.update_id = "U-1";
  CustomerState one = customer("card-1");
  one.tier = "silver";
  one.purchase_count = 12;
  update.customers.push_back(HqCustomer{one, Consent{true, false}});
  update.block.push_back(HqBlock{"card-2", "reported stolen"});
  update.erase = {"card-3", "card-never-here"};
  update.corrections.push_back(HqCorrection{"C-7", "card-1", Points(30), false, std::nullopt});
  update.corrections.push_back(
      HqCorrection{"C-8", "card-2", Points(25), true, Timestamp{test_now.unix_seconds + 86400}});
  const HqUpdateResult result = apply_ok(f.ledger, update);
  CHECK_FALSE(result.replayed);
  CHECK(result.summary_json ==
        R"({"update_id":"U-1","customers":1,"blocked":1,"unblocked":0,"erased":1,)"
        R"("corrections":["C-7","C-8"],"pseudonym_key":null,"pseudonym_blocks":0,"balances":0,)"
        R"("balances_corrected":0,"tiers_taken":0,"bundles":[],"keys":[],"downlink_version":null})");
  CHECK(result.event_seq == 4);

  const CachedCustomer cached = f.cached("card-1");
  CHECK(cached.state.known);
  CHECK(cached.state.tier == "silver");
  CHECK(cached.state.purchase_count == 12);
  CHECK(cached.hq_refreshed_at == test_now);
  CHECK(f.cache.blocked("card-2").value() == std::optional<std::string>("reported stolen"));
  CHECK_FALSE(f.cache.find("card-3").value().has_value());
  CHECK(points_of(f.ledger, "card-3") == Balance{});
  // C-7 takes 30 back from card-1's lot; C-8 grants card-2 a lot of 25 that expires in a day.
  CHECK(points_of(f.ledger, "card-1") == make_balance(100, 30, 0, 0));
  CHECK(lots_of(f.ledger, "card-1") == std::vector<std::string>{"100/70 line -"});
  CHECK(lots_of(f.ledger, "card-2") == std::vector<std::string>{"50/50 line -", "25/25 line -"});
  CHECK(scalar(f.ledger,
               "SELECT COUNT(*) FROM transfers WHERE source = 'hq:C-7' AND code = 'correction'") ==
        1);
  require_check_ok(f.ledger);

  // The same update again: nothing new. Another update under the same id: refused.
  const HqUpdateResult again = apply_ok(f.ledger, update);
  CHECK(again.replayed);
  CHECK(again.event_seq == 4);
  CHECK(again.summary_json == result.summary_json);
  CHECK(points_of(f.ledger, "card-1") == make_balance(100, 30, 0, 0));
  HqUpdate other = update;
  other.corrections.pop_back();
  Result<HqUpdateResult> refused = apply_hq_update(f.ledger, other, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "HQ update U-1 was already applied with different content; HQ must use a new update id");
}

TEST_CASE("A take-back beyond what the lots hold becomes an overdraft that earning repays",
          "[storage][hq_update]") {
  CacheFixture f;
  const CustomerState card = customer("card-1");
  f.online_ok(card, receipt("R-1", {line("WINE", 10000)}));                // +100
  f.online_ok(card, redeeming(receipt("R-2", {line("WINE", 8000)}), 80));  // -80, +79
  CHECK(points_of(f.ledger, "card-1").posted() == Points(99));
  // The same 80 points were also redeemed at another store while both were offline: HQ takes
  // 120 back, more than the 99 left.
  HqUpdate update;
  update.update_id = "U-2";
  update.corrections.push_back(HqCorrection{"C-1", "card-1", Points(120), false, std::nullopt});
  apply_ok(f.ledger, update);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(0));
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "card-1").posted() ==
        Points(-21));
  require_check_ok(f.ledger);
  // The next 30 points earned repay the 21 owed first.
  f.online_ok(card, receipt("R-3", {line("WINE", 3000)}));
  CHECK(points_of(f.ledger, "card-1").posted() == Points(9));
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "card-1").posted() ==
        Points(0));
  require_check_ok(f.ledger);
}

TEST_CASE("A take-back leaves the points an open receipt holds, which then commits as quoted",
          "[storage][hq_update]") {
  CacheFixture f;
  const CustomerState card = customer("card-1");
  f.online_ok(card, receipt("R-1", {line("WINE", 10000)}));  // +100
  REQUIRE(f.till.open_receipt(f.program, &card, redeeming(receipt("R-2", {line("WINE", 1000)}), 70),
                              test_now)
              .ok());
  // HQ takes 50 back: 30 are spare, the 20 others become a debt.
  HqUpdate update;
  update.update_id = "U-3";
  update.corrections.push_back(HqCorrection{"C-1", "card-1", Points(50), false, std::nullopt});
  apply_ok(f.ledger, update);
  CHECK(points_of(f.ledger, "card-1").available() == Points(0));
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "card-1").posted() ==
        Points(-20));
  require_check_ok(f.ledger);
  REQUIRE(f.till.commit_receipt("R-2", test_now).ok());
  CHECK(points_of(f.ledger, "card-1").debits_pending == Points(0));
  require_check_ok(f.ledger);
}

TEST_CASE("An HQ update is refused whole when the ledger would fail its check",
          "[storage][hq_update]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Ledger ledger = open_ledger(path);
    Till till(ledger);
    REQUIRE(till.store_program(cache_program_json, test_now).ok());
    const Program program = load_program(cache_program_json).value();
    REQUIRE(
        till.checkout_offline(program, "card-1", receipt("R-1", {line("WINE", 10000)}), test_now)
            .ok());
  }
  back_door(path, "UPDATE lots SET remaining = 90 WHERE lot_id = 1;");
  LedgerOptions options = test_options();
  options.refuse_broken = false;
  Ledger ledger = open_ledger(path, options);
  HqUpdate update;
  update.update_id = "U-9";
  update.block.push_back(HqBlock{"card-1", "lost"});
  Result<HqUpdateResult> refused = apply_hq_update(ledger, update, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "HQ update U-9 would leave the ledger failing its check, so nothing of it was applied: "
        "lot 1 of account 1: 100 points less 90 remaining is 10, but its transfers took 0 "
        "(burned, expired and reversed, less restored); account 1 (customer_points:card-1): its "
        "lots hold 90 points but its balance is 100");
  CustomerCache cache(ledger);
  CHECK_FALSE(cache.blocked("card-1").value().has_value());
  CHECK(scalar(ledger, "SELECT COUNT(*) FROM hq_updates") == 0);
  CHECK(scalar(ledger, "SELECT COUNT(*) FROM events") == 1);
}

TEST_CASE("An HQ update with bad content is refused before anything is read",
          "[storage][hq_update]") {
  CacheFixture f;
  auto message = [&](const HqUpdate& update) {
    Result<HqUpdateResult> result = apply_hq_update(f.ledger, update, test_now);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::invalid_argument);
    return result.error().message;
  };
  HqUpdate update;
  CHECK(message(update) == "HQ update: the update id must be 1..256 bytes");
  update.update_id = "U-3";
  update.corrections.push_back(HqCorrection{"C-1", "card-1", Points(0), false, std::nullopt});
  CHECK(message(update) ==
        "HQ update U-3: correction C-1 moves 0 points, outside 1..1000000000000");
  update.corrections.clear();
  update.block.push_back(HqBlock{"erased-0a0b", "lost"});
  CHECK(message(update) ==
        "HQ update U-3: customer id \"erased-0a0b\" is the pseudonym of an erased customer, not "
        "a card number");
  update.block.clear();
  update.unblock.assign(limits::hq_update_items_max + 1, "card-1");
  CHECK(message(update) == "HQ update U-3 has 100001 items, more than 100000: split it");
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM hq_updates") == 0);
}

}  // namespace
}  // namespace loyalty::storage::test
