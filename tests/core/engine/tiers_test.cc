// Tiers: thresholds over the period on spend or points, upgrades at once or at period end,
// yearly downgrades, invitation-only tiers and tier-dependent discounts.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
std::string tiers(const char* basis, const char* upgrade, const char* downgrade = "yearly") {
  return std::string(R"("tiers": {"basis": ")") + basis + R"(", "upgrade": ")" + upgrade +
         R"(", "downgrade": ")" + downgrade + R"(", "levels": [
      {"id": "base", "threshold": 0},
      {"id": "silver", "threshold": 50000, "earn_multiplier_percent": 150},
      {"id": "gold", "threshold": 200000, "earn_multiplier_percent": 200},
      {"id": "black", "threshold": 0, "invitation_only": true, "earn_multiplier_percent": 300}]},
    "rules": [{"id": "gold-5", "kind": "percent_off", "percent_bp": 500,
               "audience": {"tiers": ["gold"]}}])";
}
Receipt spend(std::int64_t minor) {
  return make_receipt(R"([{"sku": "A", "unit_price_minor": )" + std::to_string(minor) + "}]");
}
std::string tier_id(const Quote& quote, const std::optional<std::uint32_t>& tier) {
  return tier ? quote.program->tiers.tiers[*tier].id : std::string("none");
}
}  // namespace

TEST_CASE("upgrade at once when this receipt crosses the threshold", "[tiers]") {
  Program program = make_program(tiers("spend", "immediate"));
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "base",
      "period_spend_minor": 45000, "tier_review_at": "2027-03-01T00:00:00Z"})");
  Quote quote = quote_ok(program, &customer, spend(5000));
  CHECK(tier_id(quote, quote.tier_before) == "base");
  CHECK(tier_id(quote, quote.tier_after) == "silver");
  CHECK(has_note(quote, NoteCode::tier_upgraded));
  CHECK(quote.earned_total == Points(50));  // the new tier counts from the next receipt
  CHECK(format_timestamp(*quote.tier_review_at) == "2027-03-01T00:00:00Z");
  Quote short_of = quote_ok(program, &customer, spend(4999));
  CHECK(tier_id(short_of, short_of.tier_after) == "base");
}

TEST_CASE("upgrade at the end of the period waits for the review", "[tiers]") {
  Program program = make_program(tiers("spend", "period_end"));
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "base",
      "period_spend_minor": 45000, "tier_review_at": "2027-03-01T00:00:00Z"})");
  Quote quote = quote_ok(program, &customer, spend(60000));
  CHECK(tier_id(quote, quote.tier_after) == "base");
  CHECK(has_note(quote, NoteCode::tier_upgrade_pending));
  CustomerState at_review = make_customer(R"({"customer_id": "C-1", "tier": "base",
      "period_spend_minor": 105000, "tier_review_at": "2026-11-01T00:00:00Z"})");
  Quote reviewed = quote_ok(program, &at_review, spend(100));
  CHECK(tier_id(reviewed, reviewed.tier_before) == "silver");
  CHECK(has_note(reviewed, NoteCode::tier_reviewed));
  CHECK(format_timestamp(*reviewed.tier_review_at) == "2027-11-01T00:00:00Z");
}

TEST_CASE("yearly review downgrades, unless downgrades are off", "[tiers]") {
  const char* lapsed = R"({"customer_id": "C-1", "tier": "gold", "period_spend_minor": 60000,
      "tier_review_at": "2026-10-01T00:00:00Z"})";
  CustomerState customer = make_customer(lapsed);
  Program yearly = make_program(tiers("spend", "immediate"));
  Quote quote = quote_ok(yearly, &customer, spend(1000));
  CHECK(tier_id(quote, quote.tier_before) == "silver");
  CHECK(quote.discount_total == Minor(0));  // gold's 5 % is gone
  Program never = make_program(tiers("spend", "immediate", "never"));
  Quote kept = quote_ok(never, &customer, spend(1000));
  CHECK(tier_id(kept, kept.tier_before) == "gold");
  CHECK(kept.discount_total == Minor(50));
  CHECK(kept.earned_total == Points(9 + 9));  // 9.50 net: 9 base + 9 more from gold's x2
}

TEST_CASE("tiers on points earned, not on the balance", "[tiers]") {
  Program program = make_program(tiers("points_earned", "immediate"));
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "base",
      "period_points_earned": 49990, "lots": [{"lot_id": "L", "points": 900000,
      "active_from": "2026-01-01T00:00:00Z"}]})");
  Quote quote = quote_ok(program, &customer, spend(1000));
  CHECK(tier_id(quote, quote.tier_after) == "silver");
  Quote not_yet = quote_ok(program, &customer, spend(999));
  CHECK(tier_id(not_yet, not_yet.tier_after) == "base");
}

TEST_CASE("invitation-only tiers are kept through reviews", "[tiers]") {
  Program program = make_program(tiers("spend", "immediate"));
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "black",
      "period_spend_minor": 0, "tier_review_at": "2026-01-01T00:00:00Z"})");
  Quote quote = quote_ok(program, &customer, spend(1000));
  CHECK(tier_id(quote, quote.tier_before) == "black");
  CHECK(tier_id(quote, quote.tier_after) == "black");
  CHECK(quote.earned_total == Points(30));
}

TEST_CASE("a customer away for years gets the next review after the receipt", "[tiers]") {
  Program program = make_program(tiers("spend", "immediate"));
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "tier": "silver",
      "period_spend_minor": 60000, "tier_review_at": "2001-01-01T00:00:00Z"})");
  Quote quote = quote_ok(program, &customer, spend(100));
  REQUIRE(quote.tier_review_at);
  CHECK(tuesday_noon() < *quote.tier_review_at);
  CHECK(*quote.tier_review_at < plus_days(tuesday_noon(), 366));
  // 26 reviews of 365 days after 2001-01-01; the six leap days since move it to 26 December.
  CHECK(format_timestamp(*quote.tier_review_at) == "2026-12-26T00:00:00Z");
}
