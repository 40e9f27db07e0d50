// What sync brings to a terminal's ledger: the chain's pseudonym key, the ledger annex of every
// event, and the downlink's items (pseudonym blocks and erasures, balance views, bundles, the
// downlink version), on real SQLite files.

#include <catch2/catch.hpp>

#include "back_door.h"
#include "customers/customers_support.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/pseudonyms.h"

namespace loyalty::storage::test {
namespace {

const PseudonymKey chain_key{"k1",
                             "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"};
// HMAC-SHA-256(key 00..1f, "loyalty-pseudonym-v1:card-1"), first 16 bytes (Python's hmac).
constexpr std::string_view card_1 = "ps1_c1c350f668d52d0f199b6c1b54d403f3";
constexpr std::string_view card_2 = "ps1_0a395cf9023a124db6f3bbbbc48a684f";
// The first tier review of a card that first bought at test_now.
constexpr Timestamp review_after_test_now{test_now.unix_seconds + 365 * 86400};

HqUpdateResult apply_ok(Ledger& ledger, const HqUpdate& update, Timestamp at = test_now) {
  Result<HqUpdateResult> result = apply_hq_update(ledger, update, at);
  if (!result.ok()) FAIL("apply_hq_update failed: " << result.error().message);
  return std::move(result).value();
}

void install_key(Ledger& ledger) {
  HqUpdate update;
  update.update_id = "keys";
  update.pseudonym_key = chain_key;
  apply_ok(ledger, update);
}

std::string last_annex(Ledger& ledger) {
  const std::vector<EventRow> events = events_since(ledger, 0, 1000).value();
  REQUIRE_FALSE(events.empty());
  return events.back().annex;
}

std::int64_t last_seq(Ledger& ledger) { return scalar(ledger, "SELECT MAX(seq) FROM events"); }

TEST_CASE("A pseudonym is the keyed HMAC of the owner, with the ps1_ prefix", "[storage][sync]") {
  CHECK(pseudonym_of(chain_key, "card-1") == card_1);
  CHECK(pseudonym_of(chain_key, "card-2") == card_2);
  CHECK(is_pseudonym(card_1));
  CHECK_FALSE(is_pseudonym("ps1_C1C350F668D52D0F199B6C1B54D403F3"));
  CHECK_FALSE(is_pseudonym("ps1_c1c350f668d52d0f199b6c1b54d403f"));
  CHECK_FALSE(is_pseudonym("card-1"));
  CHECK(validate_pseudonym_key(PseudonymKey{"k1", "00"}).error().message ==
        "pseudonym key k1: the key must be 64 lowercase hex digits (32 bytes)");
  CHECK(validate_pseudonym_key(PseudonymKey{"", chain_key.key_hex}).error().code ==
        ErrorCode::invalid_argument);
}

TEST_CASE("A checkout's event carries its transfers with pseudonymous owners", "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));  // earns 100
  CHECK(last_annex(f.ledger) ==
        std::string(R"({"key_id":"k1","customer":")") + std::string(card_1) +
            R"(","spend_minor":10000,"movements":[{"code":"earn","debit":"issuance",)"
            R"("credit":"customer_points:)" +
            std::string(card_1) +
            R"(","points":100,"source":"earn","line":null,)"
            R"("lot":{"active_from":"2026-11-18T11:06:40Z","expires_at":"2027-11-18T11:06:40Z"}}],)"
            R"("tier":{"after":"base","review_at":"2027-11-18T11:06:40Z","period_reset":false,)"
            R"("period_spend_delta":10000,"period_points_delta":100,"period_spend":10000,)"
            R"("period_points":100}})");
  // The hash covers the annex: the ledger's own check recomputes it.
  require_check_ok(f.ledger);
  back_door(f.dir.file("ledger.db"),
            "DROP TRIGGER events_no_update; "
            "UPDATE events SET annex = replace(annex, '100', '900') "
            "WHERE kind = 'checkout'");
  const LedgerReport report = f.ledger.check().value();
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0] ==
        "event 2: payload_hash does not match its content (changed after "
        "it was written)");
}

TEST_CASE("Without a key the annex names no card: owners are unkeyed", "[storage][sync]") {
  CacheFixture f;
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  const std::string annex = last_annex(f.ledger);
  CHECK(annex.find("card-1") == std::string::npos);
  CHECK(annex.starts_with(R"({"key_id":null,"customer":"unkeyed","spend_minor":10000,)"));
  CHECK(annex.find(R"("credit":"customer_points:unkeyed")") != std::string::npos);
}

TEST_CASE("A refund's event names the same pseudonym and the money refunded", "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  const std::vector<ReturnRequest> returns = {ReturnRequest{0, 1}};
  REQUIRE(f.till.refund("F-1", "R-1", returns, test_now).ok());
  const std::string annex = last_annex(f.ledger);
  CHECK(annex.starts_with(std::string(R"({"key_id":"k1","customer":")") + std::string(card_1) +
                          R"(","spend_minor":-10000,"movements":[{"code":"reverse_earn",)"
                          R"("debit":"customer_points:)" +
                          std::string(card_1) + R"(","credit":"issuance","points":100,)"));
}

TEST_CASE("A second, different pseudonym key is refused", "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  HqUpdate again;
  again.update_id = "keys-again";
  again.pseudonym_key = chain_key;
  apply_ok(f.ledger, again);  // the same key: a no-op
  HqUpdate other;
  other.update_id = "keys-other";
  other.pseudonym_key =
      PseudonymKey{"k2", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"};
  Result<HqUpdateResult> refused = apply_hq_update(f.ledger, other, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "pseudonym key k2 refused: this ledger already names its customers to HQ with key k1, "
        "and pseudonyms must not change");
  CHECK(pseudonym_key(f.ledger).value() == std::optional<PseudonymKey>(chain_key));
}

TEST_CASE("A card HQ blocks by pseudonym cannot redeem, and can once unblocked",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  const CustomerState card = customer("card-2");
  f.online_ok(card, receipt("R-1", {line("WINE", 10000)}));
  HqUpdate block;
  block.update_id = "B-1";
  block.pseudonym_blocks.push_back(HqPseudonymBlock{std::string(card_2), "reported stolen"});
  apply_ok(f.ledger, block);
  CHECK(f.offline_refusal("card-2", redeeming(receipt("R-2", {line("WINE", 1000)}), 10),
                          ErrorCode::conflict) ==
        "card card-2 is on the blocklist (reported stolen): it cannot redeem 10 points; check "
        "the receipt out without redeeming");
  // A card this terminal never named still matches: the key gives its pseudonym.
  HqUpdate block_new;
  block_new.update_id = "B-2";
  block_new.pseudonym_blocks.push_back(HqPseudonymBlock{pseudonym_of(chain_key, "card-9"), "lost"});
  apply_ok(f.ledger, block_new);
  CHECK(f.cache.blocked("card-9").value() == std::optional<std::string>("lost"));
  CHECK(f.cache.blocked("card-8").value() == std::nullopt);

  HqUpdate unblock;
  unblock.update_id = "B-3";
  unblock.pseudonym_blocks.push_back(HqPseudonymBlock{std::string(card_2), ""});
  apply_ok(f.ledger, unblock);
  f.offline_ok("card-2", redeeming(receipt("R-4", {line("WINE", 1000)}), 10));
}

TEST_CASE("An erasure by pseudonym erases the card and keeps its pseudonym for HQ",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  HqUpdate erase;
  erase.update_id = "E-1";
  erase.erase_pseudonyms = {std::string(card_1), pseudonym_of(chain_key, "card-never-here")};
  const HqUpdateResult result = apply_ok(f.ledger, erase);
  CHECK(result.summary_json.find(R"("erased":1)") != std::string::npos);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM accounts WHERE owner = 'card-1'") == 0);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM pseudonyms WHERE owner = 'card-1'") == 0);
  CHECK(owner_of_pseudonym(f.ledger, card_1).value()->starts_with("erased-"));
  // A return of the erased customer's receipt still reaches HQ under the same pseudonym.
  const std::vector<ReturnRequest> returns = {ReturnRequest{0, 1}};
  REQUIRE(f.till.refund("F-1", "R-1", returns, test_now).ok());
  CHECK(last_annex(f.ledger).find(std::string(R"("customer":")") + std::string(card_1)) !=
        std::string::npos);
  // Erasing again is harmless.
  HqUpdate again;
  again.update_id = "E-2";
  again.erase_pseudonyms = {std::string(card_1)};
  CHECK(apply_ok(f.ledger, again).summary_json.find(R"("erased":0)") != std::string::npos);
  require_check_ok(f.ledger);
}

TEST_CASE("A balance view from HQ is booked as the difference, counting what HQ has not seen",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));  // 100 here
  const std::int64_t shipped = last_seq(f.ledger);

  // HQ holds 250 (150 earned at other stores), counting this terminal's events up to `shipped`.
  HqUpdate first;
  first.update_id = "D-1";
  first.balances.push_back(
      HqBalance{std::string(card_1), 250, shipped, std::nullopt, std::nullopt});
  CHECK(apply_ok(f.ledger, first).summary_json.find(R"("balances_corrected":1)") !=
        std::string::npos);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(250));
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM transfers WHERE source = 'hq:sync:D-1:" +
                             std::string(card_1) + "' AND amount = 150") == 1);

  // 50 more here that HQ has not seen: the same view again changes nothing.
  f.offline_ok("card-1", receipt("R-2", {line("WINE", 5000)}));
  HqUpdate same;
  same.update_id = "D-2";
  same.balances.push_back(HqBalance{std::string(card_1), 250, shipped, std::nullopt, std::nullopt});
  CHECK(apply_ok(f.ledger, same).summary_json.find(R"("balances_corrected":0)") !=
        std::string::npos);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(300));

  // HQ now counts R-2 and took 100 elsewhere (another store redeemed): 200.
  HqUpdate later;
  later.update_id = "D-3";
  later.balances.push_back(
      HqBalance{std::string(card_1), 200, last_seq(f.ledger), std::nullopt, std::nullopt});
  apply_ok(f.ledger, later);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(200));

  // An overdraft at HQ (a double redemption) becomes one here too.
  HqUpdate owed;
  owed.update_id = "D-4";
  owed.balances.push_back(
      HqBalance{std::string(card_1), -40, last_seq(f.ledger), std::nullopt, std::nullopt});
  apply_ok(f.ledger, owed);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(0));
  CHECK(balance_by_owner(f.ledger, AccountKind::overdraft_receivable, "card-1").posted() ==
        Points(-40));
  // A pseudonym this terminal does not know is skipped.
  HqUpdate unknown;
  unknown.update_id = "D-5";
  unknown.balances.push_back(
      HqBalance{pseudonym_of(chain_key, "card-9"), 500, 0, std::nullopt, std::nullopt});
  CHECK(apply_ok(f.ledger, unknown).summary_json.find(R"("balances_corrected":0)") !=
        std::string::npos);
  require_check_ok(f.ledger);
}

std::int64_t event_count(Ledger& ledger) { return scalar(ledger, "SELECT COUNT(*) FROM events"); }

TEST_CASE("The annex reports what a receipt, a review and a return did to the tier period",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  // 600.00 crosses silver at once.
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 60000)}));
  CHECK_THAT(
      last_annex(f.ledger),
      Catch::Contains(R"("tier":{"after":"silver","review_at":"2027-11-18T11:06:40Z",)"
                      R"("period_reset":false,"period_spend_delta":60000,)"
                      R"("period_points_delta":600,"period_spend":60000,"period_points":600}})"));
  // The review falls due with R-2: the period restarts, and its deltas count from zero.
  f.offline_ok("card-1", receipt("R-2", {line("WINE", 2000)}), review_after_test_now);
  CHECK_THAT(
      last_annex(f.ledger),
      Catch::Contains(R"("tier":{"after":"silver","review_at":"2028-11-17T11:06:40Z",)"
                      R"("period_reset":true,"period_spend_delta":2000,)"
                      R"("period_points_delta":30,"period_spend":2000,"period_points":30}})"));
  // R-2 returned: the new period gives back its spend and points.
  const std::vector<ReturnRequest> whole = {ReturnRequest{0, 1}};
  REQUIRE(f.till.refund("F-2", "R-2", whole, review_after_test_now).ok());
  CHECK_THAT(last_annex(f.ledger),
             Catch::Contains(R"("tier":{"after":"silver","review_at":"2028-11-17T11:06:40Z",)"
                             R"("period_reset":false,"period_spend_delta":-2000,)"
                             R"("period_points_delta":-30,"period_spend":0,"period_points":0}})"));
  // An anonymous receipt reports no tier.
  REQUIRE(f.till.checkout(f.program, nullptr, receipt("R-3", {line("WINE", 1000)}), test_now).ok());
  CHECK(last_annex(f.ledger).find(R"("tier")") == std::string::npos);
  require_check_ok(f.ledger);
}

TEST_CASE("HQ's tier period is taken unless the terminal has newer receipts of the card",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));  // 100.00 here, 100 points
  const std::int64_t shipped = last_seq(f.ledger);
  const std::optional<Timestamp> review = f.cached("card-1").state.tier_review_at;
  REQUIRE(review);

  // HQ counts 450.00 over the period: 350.00 of it at other stores.
  HqUpdate view;
  view.update_id = "D-1";
  view.balances.push_back(HqBalance{std::string(card_1), 100, shipped, std::nullopt,
                                    HqTierPeriod{"base", review, 45000, 450}});
  const std::int64_t events_before = event_count(f.ledger);
  const HqUpdateResult taken = apply_ok(f.ledger, view);
  CHECK_THAT(taken.summary_json, Catch::Contains(R"("balances_corrected":0,"tiers_taken":1)"));
  CHECK(taken.event_seq == events_before + 1);
  CachedCustomer cached = f.cached("card-1");
  CHECK(cached.state.period_spend == 45000);
  CHECK(cached.state.period_points_earned == 450);
  CHECK(cached.state.tier == "base");

  // 100.00 more here crosses silver's 500.00 with what the other stores sold.
  f.offline_ok("card-1", receipt("R-2", {line("WINE", 10000)}));
  cached = f.cached("card-1");
  CHECK(cached.state.tier == "silver");
  CHECK(cached.state.period_spend == 55000);

  // A view HQ computed before R-2 reached it is older than the row: the row stays.
  HqUpdate stale;
  stale.update_id = "D-2";
  stale.balances.push_back(HqBalance{std::string(card_1), 100, shipped, std::nullopt,
                                     HqTierPeriod{"base", review, 45000, 450}});
  CHECK_THAT(apply_ok(f.ledger, stale).summary_json,
             Catch::Contains(R"("balances_corrected":0,"tiers_taken":0)"));
  CHECK(f.cached("card-1").state.tier == "silver");
  CHECK(f.cached("card-1").state.period_spend == 55000);
  require_check_ok(f.ledger);
}

TEST_CASE("HQ's tier is taken when it ranks higher or a review elsewhere set it, never lower",
          "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 60000)}));  // silver here at once
  f.offline_ok("card-2", receipt("R-2", {line("WINE", 1000)}));   // base
  const std::optional<Timestamp> review = f.cached("card-1").state.tier_review_at;
  const Timestamp later_review{review->unix_seconds + 365 * 86400};
  const std::int64_t shipped = last_seq(f.ledger);
  auto view = [&](std::string_view card, std::int64_t net, HqTierPeriod period) {
    return HqBalance{std::string(card), net, shipped, std::nullopt, std::move(period)};
  };

  // HQ names base for card-1 in the same period (its ordering of stores' reports), and silver
  // for card-2 (it crossed silver with another store's receipts): silver both.
  HqUpdate same_period;
  same_period.update_id = "T-1";
  same_period.balances = {view(card_1, 600, HqTierPeriod{"base", review, 61000, 610}),
                          view(card_2, 10, HqTierPeriod{"silver", review, 52000, 520})};
  CHECK_THAT(apply_ok(f.ledger, same_period).summary_json, Catch::Contains(R"("tiers_taken":2)"));
  CHECK(f.cached("card-1").state.tier == "silver");
  CHECK(f.cached("card-1").state.period_spend == 61000);
  CHECK(f.cached("card-2").state.tier == "silver");
  CHECK(f.cached("card-2").state.period_spend == 52000);

  // A tier HQ names that the program does not have is not taken either.
  HqUpdate unknown;
  unknown.update_id = "T-2";
  unknown.balances = {view(card_2, 10, HqTierPeriod{"platinum", review, 52000, 520})};
  CHECK_THAT(apply_ok(f.ledger, unknown).summary_json, Catch::Contains(R"("tiers_taken":0)"));
  CHECK(f.cached("card-2").state.tier == "silver");

  // A view below the row's counters in the same period (HQ lacks receipts of a build that sent
  // no tier reports) leaves them.
  HqUpdate behind;
  behind.update_id = "T-2b";
  behind.balances = {view(card_2, 10, HqTierPeriod{"silver", review, 40000, 400})};
  CHECK_THAT(apply_ok(f.ledger, behind).summary_json, Catch::Contains(R"("tiers_taken":0)"));
  CHECK(f.cached("card-2").state.period_spend == 52000);

  // Another store's review started the next period with base: base.
  HqUpdate reviewed;
  reviewed.update_id = "T-3";
  reviewed.balances = {view(card_1, 600, HqTierPeriod{"base", later_review, 0, 0})};
  CHECK_THAT(apply_ok(f.ledger, reviewed).summary_json, Catch::Contains(R"("tiers_taken":1)"));
  CHECK(f.cached("card-1").state.tier == "base");
  CHECK(f.cached("card-1").state.tier_review_at == later_review);
  CHECK(f.cached("card-1").state.period_spend == 0);
  require_check_ok(f.ledger);
}

TEST_CASE("A downlink answer that changes nothing writes no event", "[storage][sync]") {
  CacheFixture f;
  install_key(f.ledger);
  f.offline_ok("card-1", receipt("R-1", {line("WINE", 10000)}));
  const CachedCustomer cached = f.cached("card-1");
  HqUpdate same;
  same.update_id = "downlink:3";
  same.downlink_version = 3;
  same.balances.push_back(
      HqBalance{std::string(card_1), 100, last_seq(f.ledger), std::nullopt,
                HqTierPeriod{cached.state.tier, cached.state.tier_review_at,
                             cached.state.period_spend, cached.state.period_points_earned}});
  const std::int64_t events_before = event_count(f.ledger);
  const HqUpdateResult result = apply_ok(f.ledger, same);
  CHECK(result.event_seq == 0);
  CHECK_FALSE(result.replayed);
  CHECK(event_count(f.ledger) == events_before);
  CHECK(applied_downlink_version(f.ledger).value() == 3);
  // Delivered again, it is a replay; a version-only update is no event either.
  CHECK(apply_ok(f.ledger, same).replayed);
  HqUpdate version_only;
  version_only.update_id = "downlink:4";
  version_only.downlink_version = 4;
  CHECK(apply_ok(f.ledger, version_only).event_seq == 0);
  CHECK(event_count(f.ledger) == events_before);
  // A balance that differs is booked, with its event.
  HqUpdate grant = same;
  grant.update_id = "downlink:5";
  grant.downlink_version = 5;
  grant.balances[0].net_points = 130;
  CHECK(apply_ok(f.ledger, grant).event_seq == events_before + 1);
  CHECK(points_of(f.ledger, "card-1").posted() == Points(130));
  // Anything but views at a version already applied is refused, not taken for a replay.
  HqUpdate late;
  late.update_id = "downlink:5-again";
  late.downlink_version = 5;
  late.pseudonym_blocks.push_back(HqPseudonymBlock{std::string(card_1), "lost"});
  const Result<HqUpdateResult> refused = apply_hq_update(f.ledger, late, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM blocked_pseudonyms") == 0);
  require_check_ok(f.ledger);
}

TEST_CASE("Bundles from HQ never go back a version, and the effective one is found",
          "[storage][sync]") {
  CacheFixture f;
  HqUpdate v2;
  v2.update_id = "P-2";
  v2.bundles.push_back(
      HqBundle{"grocery", 2, Timestamp{test_now.unix_seconds + 3600}, "hq-1", R"({"v":2})"});
  apply_ok(f.ledger, v2);
  CHECK(effective_bundle(f.ledger, "grocery", test_now).value() == std::nullopt);
  CHECK(next_effective_from(f.ledger, test_now).value() == Timestamp{test_now.unix_seconds + 3600});
  CHECK(next_effective_from(f.ledger, Timestamp{test_now.unix_seconds + 3600}).value() ==
        std::nullopt);
  const std::optional<HqBundle> later =
      effective_bundle(f.ledger, "", Timestamp{test_now.unix_seconds + 3600}).value();
  REQUIRE(later);
  CHECK(later->version == 2);
  CHECK(later->bundle_json == R"({"v":2})");

  HqUpdate v1;
  v1.update_id = "P-1";
  v1.bundles.push_back(HqBundle{"grocery", 1, test_now, "hq-1", R"({"v":1})"});
  Result<HqUpdateResult> older = apply_hq_update(f.ledger, v1, test_now);
  REQUIRE_FALSE(older.ok());
  CHECK(older.error().message ==
        "bundle grocery version 1 refused: this terminal has version 2; HQ must publish a newer "
        "version");
  HqUpdate changed;
  changed.update_id = "P-2b";
  changed.bundles.push_back(HqBundle{"grocery", 2, test_now, "hq-1", R"({"v":"other"})"});
  CHECK(apply_hq_update(f.ledger, changed, test_now).error().message ==
        "bundle grocery version 2 refused: this terminal has that version with other content; "
        "HQ must publish a newer version");
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM bundles") == 1);
}

TEST_CASE("The downlink version only moves forward, with its update", "[storage][sync]") {
  CacheFixture f;
  CHECK(applied_downlink_version(f.ledger).value() == 0);
  HqUpdate seven;
  seven.update_id = "downlink:7";
  seven.downlink_version = 7;
  apply_ok(f.ledger, seven);
  CHECK(applied_downlink_version(f.ledger).value() == 7);
  CHECK(apply_ok(f.ledger, seven).replayed);  // the same update again: replayed, no change
  HqUpdate back;
  back.update_id = "downlink:5";
  back.downlink_version = 5;
  Result<HqUpdateResult> refused = apply_hq_update(f.ledger, back, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "HQ update downlink:5 brings downlink version 5, but version 7 is applied already");
  CHECK(applied_downlink_version(f.ledger).value() == 7);
}

TEST_CASE("Delivered keys are kept by use and id, and a key id never changes its key",
          "[storage][sync]") {
  CacheFixture f;
  using Use = HqDeliveredKey::Use;
  HqUpdate first;
  first.update_id = "keys-1";
  first.keys = {{Use::bundle_signing, "hq-2", "PEM-2"},
                {Use::app_token, "app-1", "ab12"},
                {Use::bundle_signing, "hq-1", "PEM-1"}};
  apply_ok(f.ledger, first);
  const std::vector<HqDeliveredKey> signing = delivered_keys(f.ledger, Use::bundle_signing).value();
  REQUIRE(signing.size() == 2);
  CHECK(signing[0].key_id == "hq-1");
  CHECK(signing[0].material == "PEM-1");
  CHECK(signing[1].key_id == "hq-2");
  const std::vector<HqDeliveredKey> app = delivered_keys(f.ledger, Use::app_token).value();
  REQUIRE(app.size() == 1);
  CHECK(app[0].key_id == "app-1");
  CHECK(app[0].material == "ab12");
  // The same key again is fine; another key under a held id is refused, and nothing of its
  // update is applied.
  HqUpdate again;
  again.update_id = "keys-2";
  again.keys = {{Use::bundle_signing, "hq-3", "PEM-3"}, {Use::bundle_signing, "hq-1", "PEM-1"}};
  apply_ok(f.ledger, again);
  HqUpdate swapped;
  swapped.update_id = "keys-3";
  swapped.keys = {{Use::bundle_signing, "hq-4", "PEM-4"}, {Use::bundle_signing, "hq-2", "EVIL"}};
  Result<HqUpdateResult> refused = apply_hq_update(f.ledger, swapped, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "HQ update keys-3: key hq-2 is held already with other material (a key id names one key "
        "forever)");
  CHECK(delivered_keys(f.ledger, Use::bundle_signing).value().size() == 3);
}

TEST_CASE("Downlink items with bad pseudonyms or versions are refused whole", "[storage][sync]") {
  CacheFixture f;
  HqUpdate bad;
  bad.update_id = "X-1";
  bad.erase_pseudonyms = {"card-1"};
  CHECK(apply_hq_update(f.ledger, bad, test_now).error().message ==
        "HQ update X-1: \"card-1\" is not a pseudonym (ps1_ and 32 hex digits)");
  HqUpdate zero;
  zero.update_id = "X-2";
  zero.bundles.push_back(HqBundle{"grocery", 0, test_now, "hq-1", "{}"});
  CHECK(apply_hq_update(f.ledger, zero, test_now).error().message ==
        "HQ update X-2: bundle grocery has version 0; versions start at 1");
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM hq_updates") == 0);
  // A pseudonym is never taken for a card number.
  CHECK(f.cache.block(card_1, "lost", test_now).error().message ==
        "customer id \"" + std::string(card_1) + "\" is a pseudonym HQ uses, not a card number");
}

}  // namespace
}  // namespace loyalty::storage::test
