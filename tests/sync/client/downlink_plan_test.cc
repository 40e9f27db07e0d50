// plan_downlink: what a terminal takes from a downlink answer, and what it refuses and why.
#include "loyalty/sync/downlink_plan.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace loyalty;
using namespace loyalty::sync;
using loyalty::sync::client::plan_downlink;

namespace {

const std::string alice = "ps1_0123456789abcdef0123456789abcdef";

std::string grocery() {
  std::ifstream in(std::string(LOYALTY_EXAMPLES_DIR) + "/programs/grocery.json");
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}

struct Keys {
  SigningKey hq1 = std::move(SigningKey::generate("hq-1")).value();
  SigningKey hq2 = std::move(SigningKey::generate("hq-2")).value();
  SigningKey rogue = std::move(SigningKey::generate("hq-9")).value();
  TrustedKeys trusted;
  Keys() { REQUIRE(trusted.add(PublicKey{"hq-1", hq1.public_pem()}).ok()); }
};

DownlinkItem item(std::int64_t version, DownlinkBody body) {
  return DownlinkItem{version, "", Timestamp{1767225600 + version}, std::move(body)};
}

Downlink answer(std::vector<DownlinkItem> items) {
  Downlink d;
  d.latest = items.empty() ? 0 : items.back().version;
  d.items = std::move(items);
  return d;
}

}  // namespace

TEST_CASE("a signed bundle core loads is taken, and the plan records the last version",
          "[sync][client]") {
  Keys k;
  const SignedBundle bundle =
      sign_bundle(k.hq1, "fresh-market", 7, Timestamp{1767312000}, grocery());
  auto plan = plan_downlink(answer({item(3, bundle)}), 2, k.trusted);
  REQUIRE(plan.has_value());
  CHECK(plan->refused.empty());
  CHECK(plan->items == 1);
  REQUIRE(plan->update.bundles.size() == 1);
  CHECK(plan->update.bundles[0].program_id == "fresh-market");
  CHECK(plan->update.bundles[0].version == 7);
  CHECK(plan->update.bundles[0].effective_from == Timestamp{1767312000});
  CHECK(plan->update.bundles[0].key_id == "hq-1");
  CHECK(plan->update.bundles[0].bundle_json == grocery());
  CHECK(plan->update.update_id == "downlink:2-3");
  CHECK(plan->update.downlink_version == 3);
  REQUIRE(plan->per_item.size() == 1);
  CHECK(plan->per_item[0].update_id == "downlink:3");
}

TEST_CASE(
    "a tampered bundle, one signed by an unknown key, or one whose envelope lies is "
    "refused and the rest applies",
    "[sync][client]") {
  Keys k;
  SignedBundle tampered = sign_bundle(k.hq1, "fresh-market", 7, Timestamp{1767312000}, grocery());
  tampered.program_json.replace(tampered.program_json.find("\"version\": 7"), 12, "\"version\": 8");
  tampered.program_version = 8;
  const SignedBundle unknown =
      sign_bundle(k.rogue, "fresh-market", 7, Timestamp{1767312000}, grocery());
  const SignedBundle lying =
      sign_bundle(k.hq1, "other-program", 7, Timestamp{1767312000}, grocery());
  const SignedBundle not_a_program = sign_bundle(k.hq1, "x", 1, Timestamp{1767312000}, "{\"a\":1}");
  auto plan =
      plan_downlink(answer({item(1, tampered), item(2, unknown), item(3, lying),
                            item(4, not_a_program), item(5, BlockItem{alice, "stolen", true})}),
                    0, k.trusted);
  REQUIRE(plan.has_value());
  REQUIRE(plan->refused.size() == 4);
  CHECK(plan->refused[0].version == 1);
  CHECK(plan->refused[0].kind == "bundle");
  CHECK(plan->refused[0].reason.rfind("bundle item 1 refused: ", 0) == 0);
  CHECK(plan->refused[0].reason.find("does not verify") != std::string::npos);
  CHECK(plan->refused[1].reason.find("unknown key hq-9") != std::string::npos);
  CHECK(plan->refused[2].reason ==
        "bundle item 3 refused: bundle other-program v7 holds program fresh-market v7: the "
        "envelope and the program disagree");
  CHECK(plan->refused[3].reason.find("core does not load it") != std::string::npos);
  CHECK(plan->update.bundles.empty());
  REQUIRE(plan->update.pseudonym_blocks.size() == 1);
  CHECK(plan->update.pseudonym_blocks[0].pseudonym == alice);
  CHECK(plan->update.pseudonym_blocks[0].reason == "stolen");
  CHECK(plan->update.downlink_version == 5);
  // Each refused item still moves the version (HQ publishes a corrected one anew).
  REQUIRE(plan->per_item.size() == 5);
  CHECK(plan->per_item[0].bundles.empty());
  CHECK(plan->per_item[0].downlink_version == 1);
  CHECK(plan->per_item[4].pseudonym_blocks.size() == 1);
}

TEST_CASE("a key rotation: a new key signed by a trusted one is trusted for what follows",
          "[sync][client]") {
  Keys k;
  const PublicKey next{"hq-2", k.hq2.public_pem()};
  const SignedKey rotation{next, "hq-1", k.hq1.sign(key_signing_input(next))};
  const PublicKey evil{"hq-9", k.rogue.public_pem()};
  const SignedKey self_signed{evil, "hq-9", k.rogue.sign(key_signing_input(evil))};
  const SignedBundle by_new = sign_bundle(k.hq2, "fresh-market", 8, Timestamp{1767312000}, [] {
    std::string p = grocery();
    p.replace(p.find("\"version\": 7"), 12, "\"version\": 8");
    return p;
  }());
  const SignedBundle by_evil =
      sign_bundle(k.rogue, "fresh-market", 7, Timestamp{1767312000}, grocery());
  auto plan = plan_downlink(
      answer({item(1, self_signed), item(2, by_evil), item(3, rotation), item(4, by_new)}), 0,
      k.trusted);
  REQUIRE(plan.has_value());
  REQUIRE(plan->refused.size() == 2);
  CHECK(plan->refused[0].kind == "signing_key");
  CHECK(plan->refused[0].reason.find("unknown key hq-9") != std::string::npos);
  CHECK(plan->refused[1].version == 2);
  CHECK(k.trusted.trusts("hq-2"));
  CHECK_FALSE(k.trusted.trusts("hq-9"));
  REQUIRE(plan->update.keys.size() == 1);
  CHECK(plan->update.keys[0].key_id == "hq-2");
  CHECK(plan->update.keys[0].material == k.hq2.public_pem());
  REQUIRE(plan->update.bundles.size() == 1);
  CHECK(plan->update.bundles[0].version == 8);
  CHECK(plan->update.bundles[0].key_id == "hq-2");
}

TEST_CASE("customer states, erasures, unblocks and the chain's keys map to the ledger update",
          "[sync][client]") {
  Keys k;
  KeysItem keys{"pk1", std::string(64, 'a'), {{"app-1", std::string(64, 'b')}}};
  auto plan =
      plan_downlink(answer({item(5, CustomerItem{alice, -30, 12, Timestamp{1800000000}, "gold",
                                                 true, Timestamp{1830000000}, 52000, 520}),
                            item(6, EraseItem{alice}), item(7, BlockItem{alice, "", false}),
                            item(8, BlockItem{alice, "", true}), item(9, keys)}),
                    4, k.trusted);
  REQUIRE(plan.has_value());
  CHECK(plan->refused.empty());
  REQUIRE(plan->update.balances.size() == 1);
  CHECK(plan->update.balances[0].pseudonym == alice);
  CHECK(plan->update.balances[0].net_points == -30);
  CHECK(plan->update.balances[0].as_of_seq == 12);
  CHECK(plan->update.balances[0].expires_at == Timestamp{1800000000});
  CHECK(plan->update.balances[0].tier ==
        storage::HqTierPeriod{"gold", Timestamp{1830000000}, 52000, 520});
  CHECK(plan->update.erase_pseudonyms == std::vector<std::string>{alice});
  REQUIRE(plan->update.pseudonym_blocks.size() == 2);
  CHECK(plan->update.pseudonym_blocks[0].reason.empty());             // an unblock
  CHECK(plan->update.pseudonym_blocks[1].reason == "blocked by HQ");  // a block without reason
  REQUIRE(plan->update.pseudonym_key.has_value());
  CHECK(plan->update.pseudonym_key->key_id == "pk1");
  REQUIRE(plan->update.keys.size() == 1);
  CHECK(plan->update.keys[0].use == storage::HqDeliveredKey::Use::app_token);
  CHECK(plan->update.update_id == "downlink:4-9");
}

TEST_CASE("items at or below the applied version are not applied again", "[sync][client]") {
  Keys k;
  CHECK_FALSE(plan_downlink(answer({}), 3, k.trusted).has_value());
  CHECK_FALSE(
      plan_downlink(answer({item(2, EraseItem{alice}), item(3, EraseItem{alice})}), 3, k.trusted)
          .has_value());
  auto plan =
      plan_downlink(answer({item(3, EraseItem{alice}), item(4, EraseItem{alice})}), 3, k.trusted);
  REQUIRE(plan.has_value());
  CHECK(plan->items == 1);
  CHECK(plan->update.downlink_version == 4);
}

TEST_CASE("a customer state without a tier review carries no tier period to the ledger",
          "[sync][client]") {
  Keys k;
  // HQ has had no tier report for the card (a program without tiers, or events written before
  // the annex carried one): the terminal keeps its own tier and counters.
  auto plan = plan_downlink(
      answer({item(5, CustomerItem{alice, 40, 3, std::nullopt, std::nullopt, false, std::nullopt,
                                   0, 0})}),
      4, k.trusted);
  REQUIRE(plan.has_value());
  REQUIRE(plan->update.balances.size() == 1);
  CHECK(plan->update.balances[0].net_points == 40);
  CHECK_FALSE(plan->update.balances[0].tier.has_value());
}
