// load_program (program_loader.h) and the program model's small behaviours (program.h).

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program.h"
#include "loyalty/core/program_loader.h"

namespace loyalty {
namespace {

// --- Helpers ----------------------------------------------------------------------------------

// The smallest valid bundle, with `extra` appended to the root object (",\"earn\": {...}").
std::string bundle_with(std::string_view extra) {
  return std::string(R"({"format": "loyalty-program/1", "program_id": "p", "version": 1, )"
                     R"("currency": "EUR")") +
         std::string(extra) + "}";
}

// A valid bundle with one rule.
std::string bundle_with_rule(std::string_view rule) {
  return bundle_with(std::string(R"(, "rules": [)") + std::string(rule) + "]");
}

// The full error message of a bundle that must fail with invalid_program.
std::string program_error(std::string_view text) {
  Result<Program> program = load_program(text);
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == ErrorCode::invalid_program);
  return program.error().message;
}

std::string rule_error(std::string_view rule) { return program_error(bundle_with_rule(rule)); }

Program load_ok(std::string_view text) {
  Result<Program> program = load_program(text);
  if (!program.ok()) FAIL(program.error().message);
  return std::move(program).value();
}

struct Case {
  std::string input;
  std::string message;
};

void check_rule_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(rule_error(c.input) == c.message);
  }
}

void check_bundle_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(program_error(c.input) == c.message);
  }
}

using Indexes = std::vector<std::uint32_t>;
// Limits that appear in messages, as text.
const std::string max_points_per_unit = std::to_string(limits::earn_points_per_unit_max);
const std::string max_multiplier = std::to_string(limits::multiplier_percent_max);
const std::string max_settlement = std::to_string(limits::settlement_per_point_minor_max);
using Strings = std::vector<std::string>;

// A bundle that uses every section and every rule kind.
constexpr std::string_view complete_bundle = R"({
  "format": "loyalty-program/1",
  "program_id": "acme-rewards",
  "version": 3,
  "currency": "EUR",
  "currency_exponent": 2,
  "utc_offset_minutes": 60,
  "effective_from": "2026-01-01T00:00:00Z",
  "earn": {
    "base": {"points": 1, "per_minor": 100},
    "rounding": "half_even",
    "base_on": "net_before_points",
    "excluded": {"skus": ["GIFT-CARD"], "categories": ["tobacco", "lottery", "tobacco"]},
    "min_basket_minor": 500,
    "activation": "after_days",
    "activation_days": 14,
    "expiry_days": 730
  },
  "burn": {
    "enabled": false,
    "rate": {"points": 100, "value_minor": 50},
    "cap_bp": 5000,
    "min_balance": 200,
    "excluded": {"categories": ["tobacco"]},
    "offline_floor_limit": 1000
  },
  "tiers": {
    "basis": "points_earned", "period_days": 180, "upgrade": "period_end", "downgrade": "never",
    "levels": [
      {"id": "base", "threshold": 0},
      {"id": "silver", "name": "Silver", "threshold": 50000, "earn_multiplier_percent": 125},
      {"id": "vip", "name": "VIP", "threshold": 0, "earn_multiplier_percent": 200,
       "invitation_only": true},
      {"id": "gold", "name": "Gold", "threshold": 150000, "earn_multiplier_percent": 150}
    ]
  },
  "company": {"rounding": "half_up", "bands": [{"up_to_minor": 300000000, "rate_bp": 500},
              {"up_to_minor": 500000000, "rate_bp": 600}, {"rate_bp": 700}]},
  "partners": [{"id": "fuelco", "name": "FuelCo", "settlement_per_point_earned_minor": 2,
                "settlement_per_point_burned_minor": 1}, {"id": "cinema"}],
  "rewards": [{"id": "free-coffee", "sku": "COFFEE-REG", "points": 350}],
  "charities": [{"id": "red-cross", "name": "Red Cross"}, {"id": "unicef"}],
  "groups": [{"id": "promos", "mode": "best_for_customer"}, {"id": "earn-boosts", "mode": "first"}],
  "rules": [
    {"id": "base-rate", "kind": "earn_rate", "priority": 10, "points": 2, "per_minor": 100,
     "items": {"categories": ["fuel"]}, "audience": {"partners": ["fuelco", ""]}},
    {"id": "double-tuesday", "kind": "earn_multiplier", "description": "Double points on Tuesdays",
     "group": "earn-boosts", "multiplier_percent": 200,
     "schedule": {"valid_from": "2026-01-01T00:00:00Z", "valid_to": "2027-01-01T00:00:00+01:00",
                  "weekdays": ["tue", "sun"], "from": "08:00", "to": "24:00"}},
    {"id": "welcome", "kind": "bonus", "priority": 5, "trigger": "welcome", "points": 500,
     "min_basket_minor": 1000},
    {"id": "birthday", "kind": "bonus", "trigger": "birthday", "points": 1000,
     "window_days_before": 3, "window_days_after": 7},
    {"id": "referral", "kind": "bonus", "trigger": "referral", "points": 0,
     "referrer_points": 300, "audience": {"identified_only": true}},
    {"id": "review", "kind": "event_award", "event_type": "review", "points": 50,
     "per_customer_max": 3},
    {"id": "member-prices", "kind": "member_price", "priority": 20,
     "prices": [{"sku": "MILK-1L", "price_minor": 99}, {"sku": "BREAD", "price_minor": 149}]},
    {"id": "dairy-10", "kind": "percent_off", "group": "promos", "rounding": "floor",
     "percent_bp": 1000, "items": {"categories": ["dairy"], "exclude_skus": ["MILK-1L"]},
     "audience": {"tiers": ["silver", "gold"], "segments": ["students"]}},
    {"id": "five-off", "kind": "amount_off", "group": "promos", "amount_minor": 500,
     "min_basket_minor": 5000, "exclusive": true},
    {"id": "loyal-spender", "kind": "progressive_discount",
     "thresholds": [{"from_spend_minor": 0, "percent_bp": 100},
                    {"from_spend_minor": 100000, "percent_bp": 300}]},
    {"id": "coffee-3for2", "kind": "buy_x_get_y", "priority": 20, "buy_quantity": 2,
     "get_quantity": 1, "items": {"skus": ["COFFEE-REG", "COFFEE-LARGE"]}},
    {"id": "coffee-card", "kind": "stamp_card", "card_id": "coffee", "stamps_required": 9,
     "reward_percent_bp": 5000, "items": {"skus": ["COFFEE-REG"]}},
    {"id": "save30", "kind": "coupon", "code": "save30", "percent_bp": 3000, "scope": "line",
     "per_customer_max": 1, "uses_max": 1000, "items": {"categories": ["dairy"]}},
    {"id": "scratch", "kind": "instant_win", "priority": 200,
     "odds": {"numerator": 1, "denominator": 10}, "prize_points": 100, "min_basket_minor": 2000,
     "audience": {"customers": ["C-1001"], "paid_membership_only": true}},
    {"id": "club", "kind": "paid_membership", "priority": 0, "sku": "CLUB-YEAR",
     "period_days": 90}
  ]
})";

// --- Valid bundles ----------------------------------------------------------------------------

TEST_CASE("load_program: a minimal bundle gets every default", "[program_loader]") {
  const Program p = load_ok(bundle_with(""));
  CHECK(p.program_id == "p");
  CHECK(p.version == 1);
  CHECK(p.currency == "EUR");
  CHECK(p.currency_exponent == 2);
  CHECK_FALSE(p.utc_offset_minutes.has_value());
  CHECK_FALSE(p.effective_from.has_value());
  CHECK(p.earn.base.points == 1);
  CHECK(p.earn.base.per_minor == 100);
  CHECK(p.earn.rounding == Rounding::floor);
  CHECK(p.earn.base_on == EarnBase::net_after_points);
  CHECK(p.earn.excluded.skus.empty());
  CHECK(p.earn.excluded.categories.empty());
  CHECK(p.earn.min_basket == Minor(0));
  CHECK(p.earn.activation == ActivationMode::immediate);
  CHECK(p.earn.activation_days == 0);
  CHECK(p.earn.expiry_days == 365);
  CHECK(p.burn.enabled);
  CHECK(p.burn.rate_points == 1);
  CHECK(p.burn.rate_value == Minor(1));
  CHECK(p.burn.cap == BasisPoints{10000});
  CHECK(p.burn.min_balance == Points(0));
  CHECK(p.burn.offline_floor_limit == Points(0));
  CHECK(p.tiers.tiers.empty());
  CHECK(p.company.bands.empty());
  CHECK(p.partners.empty());
  CHECK(p.rewards.empty());
  CHECK(p.charities.empty());
  CHECK(p.groups.empty());
  CHECK(p.rules.empty());
  CHECK(p.rules_by_sku.empty());
  CHECK(p.rules_by_category.empty());
  CHECK(p.rules_for_all_lines.empty());
  CHECK(p.rule_group.empty());
}

TEST_CASE("load_program: the string and the Value overloads agree", "[program_loader]") {
  Result<json::Value> tree = json::parse(complete_bundle);
  REQUIRE(tree.ok());
  Result<Program> from_value = load_program(tree.value());
  REQUIRE(from_value.ok());
  CHECK(from_value->rules.size() == 15);
  json::Value bad = json::Value::make_object();
  bad.add_member("format", json::Value::make_string("loyalty-program/1"));
  Result<Program> missing = load_program(bad);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "program_id: is required");
}

TEST_CASE("load_program: the complete bundle's program sections", "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  CHECK(p.program_id == "acme-rewards");
  CHECK(p.version == 3);
  CHECK(p.currency == "EUR");
  CHECK(p.currency_exponent == 2);
  CHECK(p.utc_offset_minutes == 60);
  REQUIRE(p.effective_from.has_value());
  CHECK(p.effective_from->unix_seconds == 1767225600);

  CHECK(p.earn.base.points == 1);
  CHECK(p.earn.base.per_minor == 100);
  CHECK(p.earn.rounding == Rounding::half_even);
  CHECK(p.earn.base_on == EarnBase::net_before_points);
  CHECK(p.earn.excluded.skus == Strings{"GIFT-CARD"});
  CHECK(p.earn.excluded.categories == Strings{"lottery", "tobacco"});
  CHECK(p.earn.min_basket == Minor(500));
  CHECK(p.earn.activation == ActivationMode::after_days);
  CHECK(p.earn.activation_days == 14);
  CHECK(p.earn.expiry_days == 730);

  CHECK_FALSE(p.burn.enabled);
  CHECK(p.burn.rate_points == 100);
  CHECK(p.burn.rate_value == Minor(50));
  CHECK(p.burn.cap == BasisPoints{5000});
  CHECK(p.burn.min_balance == Points(200));
  CHECK(p.burn.excluded.categories == Strings{"tobacco"});
  CHECK(p.burn.offline_floor_limit == Points(1000));

  CHECK(p.tiers.basis == TierBasis::points_earned);
  CHECK(p.tiers.period_days == 180);
  CHECK(p.tiers.upgrade == UpgradeMode::period_end);
  CHECK(p.tiers.downgrade == DowngradeMode::never);
  REQUIRE(p.tiers.tiers.size() == 4);
  CHECK(p.tiers.tiers[0].id == "base");
  CHECK(p.tiers.tiers[0].name == "base");
  CHECK(p.tiers.tiers[0].threshold == 0);
  CHECK(p.tiers.tiers[0].earn_multiplier_percent == 100);
  CHECK_FALSE(p.tiers.tiers[0].invitation_only);
  CHECK(p.tiers.tiers[1].name == "Silver");
  CHECK(p.tiers.tiers[1].threshold == 50000);
  CHECK(p.tiers.tiers[1].earn_multiplier_percent == 125);
  CHECK(p.tiers.tiers[2].id == "vip");
  CHECK(p.tiers.tiers[2].invitation_only);
  CHECK(p.tiers.tiers[3].id == "gold");
  CHECK(p.tiers.tiers[3].threshold == 150000);
}

TEST_CASE("load_program: the complete bundle's company, partners and catalogue",
          "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  CHECK(p.company.rounding == Rounding::half_up);
  REQUIRE(p.company.bands.size() == 3);
  CHECK(p.company.bands[0].up_to_spend == Minor(300000000));
  CHECK(p.company.bands[0].rate == BasisPoints{500});
  CHECK(p.company.bands[1].up_to_spend == Minor(500000000));
  CHECK_FALSE(p.company.bands[2].up_to_spend.has_value());
  CHECK(p.company.bands[2].rate == BasisPoints{700});

  REQUIRE(p.partners.size() == 2);
  CHECK(p.partners[0].id == "fuelco");
  CHECK(p.partners[0].name == "FuelCo");
  CHECK(p.partners[0].settlement_per_point_earned == Minor(2));
  CHECK(p.partners[0].settlement_per_point_burned == Minor(1));
  CHECK(p.partners[1].name == "cinema");
  CHECK(p.partners[1].settlement_per_point_earned == Minor(0));
  REQUIRE(p.rewards.size() == 1);
  CHECK(p.rewards[0].reward_id == "free-coffee");
  CHECK(p.rewards[0].sku == "COFFEE-REG");
  CHECK(p.rewards[0].price == Points(350));
  REQUIRE(p.charities.size() == 2);
  CHECK(p.charities[0].name == "Red Cross");
  CHECK(p.charities[1].name == "unicef");

  CHECK(p.find_tier("gold") == &p.tiers.tiers[3]);
  CHECK(p.find_tier("platinum") == nullptr);
  CHECK(p.find_partner("cinema") == &p.partners[1]);
  CHECK(p.find_partner("") == nullptr);
  CHECK(p.find_reward("free-coffee") == &p.rewards[0]);
  CHECK(p.find_reward("COFFEE-REG") == nullptr);
  CHECK(p.find_charity("unicef") == &p.charities[1]);
  CHECK(p.find_charity("wwf") == nullptr);
}

TEST_CASE("load_program: rules are ordered by priority, then bundle order", "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  Strings ids;
  for (const Rule& rule : p.rules) ids.push_back(rule.id);
  CHECK(ids == Strings{"club", "welcome", "base-rate", "member-prices", "coffee-3for2",
                       "double-tuesday", "birthday", "referral", "review", "dairy-10", "five-off",
                       "loyal-spender", "coffee-card", "save30", "scratch"});
  Strings group_ids;
  for (const StackingGroup& group : p.groups) group_ids.push_back(group.id);
  CHECK(group_ids == Strings{"promos", "earn-boosts", "club", "welcome", "base-rate",
                             "member-prices", "coffee-3for2", "birthday", "referral", "review",
                             "loyal-spender", "coffee-card", "save30", "scratch"});
  CHECK(p.groups[0].mode == GroupMode::best_for_customer);
  CHECK(p.groups[1].mode == GroupMode::first);
  for (std::size_t i = 2; i < p.groups.size(); ++i) CHECK(p.groups[i].mode == GroupMode::stack);
  CHECK(p.rule_group == Indexes{2, 3, 4, 5, 6, 1, 7, 8, 9, 0, 0, 10, 11, 12, 13});
  for (std::size_t i = 0; i < p.rules.size(); ++i) {
    CHECK(p.groups[p.rule_group[i]].id == p.rules[i].group);
  }
}

TEST_CASE("load_program: the rule index", "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  CHECK(p.rules_for_all_lines == Indexes{1, 5, 6, 7, 8, 10, 11, 14});
  REQUIRE(p.rules_by_sku.size() == 5);
  CHECK(p.rules_by_sku[0].key == "BREAD");
  CHECK(p.rules_by_sku[0].rules == Indexes{3});
  CHECK(p.rules_by_sku[1].key == "CLUB-YEAR");
  CHECK(p.rules_by_sku[1].rules == Indexes{0});
  CHECK(p.rules_by_sku[2].key == "COFFEE-LARGE");
  CHECK(p.rules_by_sku[2].rules == Indexes{4});
  CHECK(p.rules_by_sku[3].key == "COFFEE-REG");
  CHECK(p.rules_by_sku[3].rules == Indexes{4, 12});
  CHECK(p.rules_by_sku[4].key == "MILK-1L");
  CHECK(p.rules_by_sku[4].rules == Indexes{3});
  REQUIRE(p.rules_by_category.size() == 2);
  CHECK(p.rules_by_category[0].key == "dairy");
  CHECK(p.rules_by_category[0].rules == Indexes{9, 13});
  CHECK(p.rules_by_category[1].key == "fuel");
  CHECK(p.rules_by_category[1].rules == Indexes{2});
}

TEST_CASE("load_program: earn, member price, bonus and event rules", "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  const Rule& base = p.rules[2];
  CHECK(base.kind == RuleKind::earn_rate);
  CHECK(base.priority == 10);
  CHECK(base.group == "base-rate");
  CHECK(base.rounding == Rounding::half_up);
  CHECK_FALSE(base.exclusive);
  CHECK(base.filter.categories == Strings{"fuel"});
  CHECK(base.audience.partners == Strings{"", "fuelco"});
  CHECK(std::get<EarnRateRule>(base.params).rate.points == 2);
  CHECK(std::get<EarnRateRule>(base.params).rate.per_minor == 100);

  const Rule& prices = p.rules[3];
  CHECK(prices.kind == RuleKind::member_price);
  const auto& price_list = std::get<MemberPriceRule>(prices.params).prices;
  REQUIRE(price_list.size() == 2);
  CHECK(price_list[0].sku == "BREAD");
  CHECK(price_list[0].price == Minor(149));
  CHECK(price_list[1].sku == "MILK-1L");
  CHECK(price_list[1].price == Minor(99));
  CHECK(prices.filter.skus == Strings{"BREAD", "MILK-1L"});

  const auto& welcome = std::get<BonusRule>(p.rules[1].params);
  CHECK(welcome.trigger == BonusTrigger::welcome);
  CHECK(welcome.points == Points(500));
  CHECK(welcome.min_basket == Minor(1000));
  const auto& birthday = std::get<BonusRule>(p.rules[6].params);
  CHECK(birthday.trigger == BonusTrigger::birthday);
  CHECK(birthday.window_days_before == 3);
  CHECK(birthday.window_days_after == 7);
  const auto& referral = std::get<BonusRule>(p.rules[7].params);
  CHECK(referral.trigger == BonusTrigger::referral);
  CHECK(referral.points == Points(0));
  CHECK(referral.referrer_points == Points(300));
  CHECK(p.rules[7].audience.identified_only);

  const auto& review = std::get<EventAwardRule>(p.rules[8].params);
  CHECK(review.event_type == "review");
  CHECK(review.points == Points(50));
  CHECK(review.per_customer_max == 3);

  const Rule& tuesday = p.rules[5];
  CHECK(tuesday.description == "Double points on Tuesdays");
  CHECK(tuesday.group == "earn-boosts");
  CHECK(std::get<EarnMultiplierRule>(tuesday.params).multiplier_percent == 200);
  CHECK(tuesday.schedule.valid_from->unix_seconds == 1767225600);
  CHECK(tuesday.schedule.valid_to->unix_seconds == 1798758000);
  CHECK(tuesday.schedule.iso_weekdays_mask == 0x42);
  CHECK(tuesday.schedule.minute_from == 480);
  CHECK(tuesday.schedule.minute_to == 1440);
  CHECK(p.rules[0].schedule.iso_weekdays_mask == 0x7f);
  CHECK_FALSE(p.rules[0].schedule.valid_from.has_value());
  CHECK(p.rules[0].schedule.minute_from == 0);
  CHECK(p.rules[0].schedule.minute_to == 1440);
}

TEST_CASE("load_program: discount and promotion rules", "[program_loader]") {
  const Program p = load_ok(complete_bundle);
  const Rule& dairy = p.rules[9];
  CHECK(dairy.group == "promos");
  CHECK(dairy.rounding == Rounding::floor);
  CHECK(dairy.filter.exclude_skus == Strings{"MILK-1L"});
  CHECK(dairy.audience.tiers == Strings{"gold", "silver"});
  CHECK(dairy.audience.segments == Strings{"students"});
  CHECK(std::get<PercentOffRule>(dairy.params).percent == BasisPoints{1000});
  CHECK(std::get<PercentOffRule>(dairy.params).scope == Scope::line);

  const Rule& five = p.rules[10];
  CHECK(five.exclusive);
  CHECK(std::get<AmountOffRule>(five.params).amount == Minor(500));
  CHECK(std::get<AmountOffRule>(five.params).scope == Scope::basket);
  CHECK(std::get<AmountOffRule>(five.params).min_basket == Minor(5000));

  const auto& thresholds = std::get<ProgressiveDiscountRule>(p.rules[11].params).thresholds;
  REQUIRE(thresholds.size() == 2);
  CHECK(thresholds[1].from_spend == Minor(100000));
  CHECK(thresholds[1].percent == BasisPoints{300});

  const auto& bxgy = std::get<BuyXGetYRule>(p.rules[4].params);
  CHECK(bxgy.buy_quantity == 2);
  CHECK(bxgy.get_quantity == 1);
  CHECK(bxgy.get_percent == BasisPoints{10000});
  CHECK(p.rules[4].filter.skus == Strings{"COFFEE-LARGE", "COFFEE-REG"});

  const auto& card = std::get<StampCardRule>(p.rules[12].params);
  CHECK(card.card_id == "coffee");
  CHECK(card.stamps_required == 9);
  CHECK(card.reward_percent == BasisPoints{5000});

  const auto& coupon = std::get<CouponRule>(p.rules[13].params);
  CHECK(coupon.code == "SAVE30");
  CHECK(coupon.percent == BasisPoints{3000});
  CHECK(coupon.amount == Minor(0));
  CHECK(coupon.scope == Scope::line);
  CHECK(coupon.per_customer_max == 1);
  CHECK(coupon.uses_max == 1000);

  const Rule& scratch = p.rules[14];
  const auto& win = std::get<InstantWinRule>(scratch.params);
  CHECK(win.odds_numerator == 1);
  CHECK(win.odds_denominator == 10);
  CHECK(win.prize_points == Points(100));
  CHECK(win.prize_amount == Minor(0));
  CHECK(win.min_basket == Minor(2000));
  CHECK(scratch.audience.customers == Strings{"C-1001"});
  CHECK(scratch.audience.paid_membership_only);

  const auto& club = std::get<PaidMembershipRule>(p.rules[0].params);
  CHECK(club.sku == "CLUB-YEAR");
  CHECK(club.period_days == 90);
  CHECK(p.rules[0].filter.skus == Strings{"CLUB-YEAR"});
  for (const Rule& rule : p.rules)
    CHECK(rule.params.index() == static_cast<std::size_t>(rule.kind));
}

TEST_CASE("load_program: kind defaults", "[program_loader]") {
  const Program p = load_ok(bundle_with(R"(, "rules": [
    {"id": "a", "kind": "percent_off", "percent_bp": 500},
    {"id": "b", "kind": "amount_off", "amount_minor": 100},
    {"id": "c", "kind": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 1},
    {"id": "d", "kind": "stamp_card", "card_id": "x", "stamps_required": 5},
    {"id": "e", "kind": "coupon", "code": "Ab-9_z", "amount_minor": 250},
    {"id": "f", "kind": "instant_win", "odds": {"numerator": 3, "denominator": 3},
     "prize_amount_minor": 100},
    {"id": "g", "kind": "paid_membership", "sku": "CLUB", "items": {"categories": ["club"]}},
    {"id": "h", "kind": "member_price", "prices": [{"sku": "X", "price_minor": 0}], "items": {}},
    {"id": "i", "kind": "event_award", "event_type": "survey", "points": 1},
    {"id": "j", "kind": "bonus", "trigger": "referral", "points": 5}
  ])"));
  REQUIRE(p.rules.size() == 10);
  CHECK(std::get<PercentOffRule>(p.rules[0].params).scope == Scope::line);
  CHECK(std::get<AmountOffRule>(p.rules[1].params).scope == Scope::basket);
  CHECK(std::get<AmountOffRule>(p.rules[1].params).min_basket == Minor(0));
  CHECK(std::get<BuyXGetYRule>(p.rules[2].params).get_percent == BasisPoints{10000});
  CHECK(std::get<StampCardRule>(p.rules[3].params).reward_percent == BasisPoints{10000});
  const auto& coupon = std::get<CouponRule>(p.rules[4].params);
  CHECK(coupon.code == "AB-9_Z");
  CHECK(coupon.amount == Minor(250));
  CHECK(coupon.percent == BasisPoints{0});
  CHECK(coupon.scope == Scope::basket);
  CHECK(coupon.per_customer_max == 0);
  CHECK(coupon.uses_max == 0);
  CHECK(std::get<InstantWinRule>(p.rules[5].params).odds_denominator == 3);
  CHECK(std::get<PaidMembershipRule>(p.rules[6].params).period_days == 365);
  CHECK(p.rules[6].filter.skus.empty());
  CHECK(p.rules[6].filter.categories == Strings{"club"});
  CHECK(p.rules[7].filter.matches_everything());
  CHECK(std::get<EventAwardRule>(p.rules[8].params).per_customer_max == 0);
  CHECK(std::get<BonusRule>(p.rules[9].params).referrer_points == Points(0));
  for (const Rule& rule : p.rules) {
    CHECK(rule.priority == 100);
    CHECK(rule.rounding == Rounding::half_up);
    CHECK(rule.group == rule.id);
    CHECK_FALSE(rule.exclusive);
    CHECK(rule.description.empty());
  }
  CHECK(p.rules_for_all_lines == Indexes{0, 1, 2, 3, 4, 5, 7, 8, 9});
  REQUIRE(p.rules_by_category.size() == 1);
  CHECK(p.rules_by_category[0].rules == Indexes{6});
}

TEST_CASE("load_program: items are sorted and de-duplicated", "[program_loader]") {
  const Program p = load_ok(bundle_with_rule(
      R"({"id": "r", "kind": "percent_off", "percent_bp": 1, "items": {"skus": ["b", "a", "b"],
          "categories": ["z", "y"], "exclude_skus": ["q", "p", "q"],
          "exclude_categories": ["n", "m", "ü"]}})"));
  const ItemFilter& filter = p.rules[0].filter;
  CHECK(filter.skus == Strings{"a", "b"});
  CHECK(filter.categories == Strings{"y", "z"});
  CHECK(filter.exclude_skus == Strings{"p", "q"});
  CHECK(filter.exclude_categories == Strings{"m", "n", "ü"});
  REQUIRE(p.rules_by_sku.size() == 2);
  CHECK(p.rules_by_sku[0].key == "a");
  CHECK(p.rules_by_category[1].key == "z");
}

TEST_CASE("load_program: values at their bounds load", "[program_loader]") {
  const std::string id(limits::id_bytes_max, 'x');
  const Program p = load_ok(
      R"({"format": "loyalty-program/1", "program_id": "A.b_c-9", "version": 9007199254740992,
          "currency": "XAU", "currency_exponent": 0, "utc_offset_minutes": -720,
          "earn": {"base": {"points": )" +
      max_points_per_unit + R"(, "per_minor": 1000000000000}, "expiry_days": 0},
          "tiers": {"levels": [{"id": "a", "threshold": 0, "earn_multiplier_percent": )" +
      max_multiplier + R"(}]},
          "partners": [{"id": "x", "settlement_per_point_earned_minor": )" +
      max_settlement + R"(}],
          "rules": [{"id": ")" +
      id + R"(", "kind": "earn_multiplier", "multiplier_percent": 101, "priority": 1000000}]})");
  CHECK(p.version == 9007199254740992);
  CHECK(p.currency_exponent == 0);
  CHECK(p.utc_offset_minutes == -720);
  CHECK(p.earn.base.points == limits::earn_points_per_unit_max);
  CHECK(p.partners[0].settlement_per_point_earned == Minor(limits::settlement_per_point_minor_max));
  CHECK(p.earn.base.per_minor == 1000000000000);
  CHECK(p.earn.expiry_days == 0);
  CHECK(p.tiers.tiers[0].earn_multiplier_percent == limits::multiplier_percent_max);
  CHECK(p.rules[0].id == id);
  CHECK(p.rules[0].priority == 1000000);
  CHECK(load_ok(bundle_with(R"(, "utc_offset_minutes": 840)")).utc_offset_minutes == 840);
}

// --- Errors: the root ---------------------------------------------------------------------------

constexpr std::string_view root_expected =
    "(expected one of: format, program_id, version, currency, currency_exponent, "
    "utc_offset_minutes, effective_from, earn, burn, tiers, company, partners, rewards, charities, "
    "budgets, groups, rules, identification)";

TEST_CASE("load_program: root errors", "[program_loader]") {
  const std::string head = R"({"format": "loyalty-program/1", )";
  check_bundle_cases({
      {"[]", "(root): must be an object"},
      {"{}", "format: is required"},
      {R"({"format": 1})", "format: must be a string"},
      {R"({"format": "loyalty-program/2", "x": 1})",
       R"(format: must be "loyalty-program/1", got "loyalty-program/2")"},
      {R"({"version": 0, "format": "v2"})", R"(format: must be "loyalty-program/1", got "v2")"},
      {R"({"format": "loyalty-program/1"})", "program_id: is required"},
      {head + R"("program_id": "p"})", "version: is required"},
      {head + R"("program_id": "p", "version": 1})", "currency: is required"},
      {head + R"("program_id": 7})", "program_id: must be a string"},
      {head + R"("program_id": ""})", "program_id: must be 1 to 64 bytes long, got 0"},
      {head + R"("program_id": "a b"})",
       R"(program_id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "a b")"},
      {head + R"("version": 0})", "version: must be between 1 and 9007199254740992, got 0"},
      {head + R"("version": 9007199254740993})",
       "version: must be between 1 and 9007199254740992, got 9007199254740993"},
      {head + R"("version": "1"})", "version: must be an integer"},
      {head + R"("version": true})", "version: must be an integer"},
      {head + R"("currency": "eur"})",
       R"(currency: must be 3 upper-case letters (ISO 4217), got "eur")"},
      {head + R"("currency": "EURO"})",
       R"(currency: must be 3 upper-case letters (ISO 4217), got "EURO")"},
      {head + R"("currency": null})", "currency: must be a string"},
      // Document order: the first bad member wins over a later one and over missing fields.
      {head + R"("version": 0, "program_id": 5})",
       "version: must be between 1 and 9007199254740992, got 0"},
      {bundle_with(R"(, "currency_exponent": 5)"),
       "currency_exponent: must be between 0 and 4, got 5"},
      {bundle_with(R"(, "utc_offset_minutes": 841)"),
       "utc_offset_minutes: must be between -720 and 840, got 841"},
      {bundle_with(R"(, "utc_offset_minutes": -721)"),
       "utc_offset_minutes: must be between -720 and 840, got -721"},
      {bundle_with(R"(, "effective_from": "2026-13-01T00:00:00Z")"),
       R"(effective_from: "2026-13-01T00:00:00Z" is not a valid time: month 13 is out of )"
       R"(range (expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00))"},
      {bundle_with(R"(, "effective_from": 1767225600)"), "effective_from: must be a string"},
      {bundle_with(R"(, "rule": [])"), "rule: unknown field " + std::string(root_expected)},
      {bundle_with(R"(, "bad key": 1)"),
       R"(["bad key"]: unknown field )" + std::string(root_expected)},
      {bundle_with(R"(, "earn": 1)"), "earn: must be an object"},
      {bundle_with(R"(, "burn": [])"), "burn: must be an object"},
      {bundle_with(R"(, "tiers": null)"), "tiers: must be an object"},
      {bundle_with(R"(, "company": "x")"), "company: must be an object"},
      {bundle_with(R"(, "partners": {})"), "partners: must be an array"},
      {bundle_with(R"(, "rewards": 1)"), "rewards: must be an array"},
      {bundle_with(R"(, "charities": true)"), "charities: must be an array"},
      {bundle_with(R"(, "groups": "g")"), "groups: must be an array"},
      {bundle_with(R"(, "rules": {})"), "rules: must be an array"},
  });
}

TEST_CASE("load_program: JSON syntax errors keep the parser's error", "[program_loader]") {
  Result<Program> program = load_program(R"({"format": "loyalty-program/1",})");
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == ErrorCode::parse_error);
  CHECK(program.error().message.rfind("line 1, column ", 0) == 0);
  Result<Program> empty = load_program("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::parse_error);
}

TEST_CASE("load_program: a failed load returns no Program", "[program_loader]") {
  // Everything is valid except the last rule: nothing of the bundle comes back.
  std::string text(complete_bundle);
  const std::string last = R"("period_days": 90})";
  const std::size_t at = text.find(last);
  REQUIRE(at != std::string::npos);
  text.replace(at, last.size(), R"("period_days": 0})");
  Result<Program> program = load_program(text);
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == ErrorCode::invalid_program);
  CHECK(program.error().message == "rules[14].period_days: must be between 1 and 3650, got 0");
}

// --- Errors: program sections ---------------------------------------------------------------

TEST_CASE("load_program: earn errors", "[program_loader]") {
  const auto earn = [](std::string_view body) {
    return bundle_with(R"(, "earn": )" + std::string(body));
  };
  check_bundle_cases({
      {earn(R"({"base": 1})"), "earn.base: must be an object"},
      {earn(R"({"base": {"per_minor": 100}})"), "earn.base.points: is required"},
      {earn(R"({"base": {"points": 1}})"), "earn.base.per_minor: is required"},
      {earn(R"({"base": {"points": 1, "per_minor": 0}})"),
       "earn.base.per_minor: must be between 1 and 1000000000000, got 0"},
      {earn(R"({"base": {"points": 1001, "per_minor": 1}})"),
       "earn.base.points: must be between 0 and " + max_points_per_unit + ", got 1001"},
      {earn(R"({"base": {"pts": 1, "per_minor": 1}})"),
       "earn.base.pts: unknown field (expected one of: points, per_minor)"},
      {earn(R"({"rounding": "up"})"),
       R"(earn.rounding: must be one of: floor, half_up, half_even, got "up")"},
      {earn(R"({"base_on": "gross"})"),
       R"(earn.base_on: must be one of: net_after_points, net_before_points, got "gross")"},
      {earn(R"({"excluded": {"sku": []}})"),
       "earn.excluded.sku: unknown field (expected one of: skus, categories, exclude_skus, "
       "exclude_categories)"},
      {earn(R"({"excluded": {"skus": "A"}})"), "earn.excluded.skus: must be an array"},
      {earn(R"({"excluded": {"skus": ["A", 1]}})"), "earn.excluded.skus[1]: must be a string"},
      {earn(R"({"excluded": {"skus": [""]}})"),
       "earn.excluded.skus[0]: must be 1 to 64 bytes long, got 0"},
      {earn(R"({"excluded": {"categories": ["a\tb"]}})"),
       R"(earn.excluded.categories[0]: must not contain control characters, got "a\tb")"},
      {earn(R"({"min_basket_minor": -1})"),
       "earn.min_basket_minor: must be between 0 and 1000000000000, got -1"},
      {earn(R"({"activation": "later"})"),
       R"(earn.activation: must be one of: immediate, next_purchase, after_days, got "later")"},
      {earn(R"({"activation": "after_days"})"),
       R"(earn.activation_days: is required when activation is "after_days")"},
      {earn(R"({"activation": "after_days", "activation_days": 0})"),
       R"(earn.activation_days: must be between 1 and 365 when activation is "after_days", got 0)"},
      {earn(R"({"activation_days": 3})"),
       R"(earn.activation_days: must be 0 unless activation is "after_days", got 3)"},
      {earn(R"({"activation": "next_purchase", "activation_days": 3})"),
       R"(earn.activation_days: must be 0 unless activation is "after_days", got 3)"},
      {earn(R"({"activation": "after_days", "activation_days": 366})"),
       "earn.activation_days: must be between 0 and 365, got 366"},
      {earn(R"({"expiry_days": 3651})"), "earn.expiry_days: must be between 0 and 3650, got 3651"},
      {earn(R"({"expiry": 1})"),
       "earn.expiry: unknown field (expected one of: base, rounding, base_on, excluded, "
       "min_basket_minor, activation, activation_days, expiry_days)"},
  });
  std::string many = R"({"excluded": {"skus": [)";
  for (int i = 0; i <= 1000; ++i) many += (i == 0 ? "\"s" : ", \"s") + std::to_string(i) + "\"";
  many += "]}}";
  CHECK(program_error(earn(many)) == "earn.excluded.skus: must have at most 1000 items, got 1001");
}

TEST_CASE("load_program: burn errors", "[program_loader]") {
  const auto burn = [](std::string_view body) {
    return bundle_with(R"(, "burn": )" + std::string(body));
  };
  check_bundle_cases({
      {burn(R"({"enabled": "yes"})"), "burn.enabled: must be a boolean"},
      {burn(R"({"rate": {"points": 1}})"), "burn.rate.value_minor: is required"},
      {burn(R"({"rate": {"value_minor": 1}})"), "burn.rate.points: is required"},
      {burn(R"({"rate": {"points": 0, "value_minor": 1}})"),
       "burn.rate.points: must be between 1 and 1000000, got 0"},
      {burn(R"({"rate": {"points": 1, "value_minor": 1000001}})"),
       "burn.rate.value_minor: must be between 1 and 1000000, got 1000001"},
      {burn(R"({"rate": {"points": 1, "per_minor": 1}})"),
       "burn.rate.per_minor: unknown field (expected one of: points, value_minor)"},
      {burn(R"({"cap_bp": 0})"), "burn.cap_bp: must be between 1 and 10000, got 0"},
      {burn(R"({"cap_bp": 10001})"), "burn.cap_bp: must be between 1 and 10000, got 10001"},
      {burn(R"({"min_balance": -5})"),
       "burn.min_balance: must be between 0 and 1000000000000, got -5"},
      {burn(R"({"offline_floor_limit": true})"), "burn.offline_floor_limit: must be an integer"},
      {burn(R"({"excluded": {"exclude_categories": [7]}})"),
       "burn.excluded.exclude_categories[0]: must be a string"},
      {burn(R"({"cap": 1})"),
       "burn.cap: unknown field (expected one of: enabled, rate, cap_bp, min_balance, excluded, "
       "offline_floor_limit)"},
  });
}

TEST_CASE("load_program: tier errors", "[program_loader]") {
  const auto tiers = [](std::string_view body) {
    return bundle_with(R"(, "tiers": )" + std::string(body));
  };
  const auto levels = [&tiers](std::string_view body) {
    return tiers(R"({"levels": )" + std::string(body) + "}");
  };
  std::string seventeen = "[";
  for (int i = 0; i < 17; ++i) {
    seventeen += (i ? ", " : "") + std::string(R"({"id": "t)") + std::to_string(i) +
                 R"(", "threshold": )" + std::to_string(i) + "}";
  }
  seventeen += "]";
  check_bundle_cases({
      {tiers(R"({"basis": "spend"})"), "tiers.levels: is required"},
      {levels("[]"), "tiers.levels: must have between 1 and 16 items, got 0"},
      {levels(seventeen), "tiers.levels: must have between 1 and 16 items, got 17"},
      {tiers(R"({"basis": "visits", "levels": []})"),
       R"(tiers.basis: must be one of: spend, points_earned, got "visits")"},
      {tiers(R"({"period_days": 0})"), "tiers.period_days: must be between 1 and 3650, got 0"},
      {tiers(R"({"upgrade": "yearly"})"),
       R"(tiers.upgrade: must be one of: immediate, period_end, got "yearly")"},
      {tiers(R"({"downgrade": "monthly"})"),
       R"(tiers.downgrade: must be one of: yearly, never, got "monthly")"},
      {tiers(R"({"level": []})"),
       "tiers.level: unknown field (expected one of: basis, period_days, upgrade, downgrade, "
       "levels)"},
      {levels(R"([1])"), "tiers.levels[0]: must be an object"},
      {levels(R"([{"threshold": 0}])"), "tiers.levels[0].id: is required"},
      {levels(R"([{"id": "base"}])"), "tiers.levels[0].threshold: is required"},
      {levels(R"([{"id": "base", "threshold": 100}])"),
       "tiers.levels[0].threshold: must be 0 for the first level, got 100"},
      {levels(R"([{"id": "base", "threshold": 0, "invitation_only": true}])"),
       "tiers.levels[0].invitation_only: must be false for the first level"},
      {levels(R"([{"id": "base", "threshold": 0}, {"id": "s", "threshold": 0}])"),
       "tiers.levels[1].threshold: must be greater than the previous level's threshold (0), "
       "got 0"},
      {levels(R"([{"id": "base", "threshold": 0}, {"id": "s", "threshold": 500},
                  {"id": "vip", "threshold": 9999, "invitation_only": true},
                  {"id": "g", "threshold": 400}])"),
       "tiers.levels[3].threshold: must be greater than the previous level's threshold (500), "
       "got 400"},
      {levels(R"([{"id": "base", "threshold": 0}, {"id": "base", "threshold": 10}])"),
       R"(tiers.levels[1].id: duplicate tier id "base")"},
      {levels(R"([{"id": "base", "threshold": 0}, {"id": "s", "threshold": 10,
                  "earn_multiplier_percent": 99}])"),
       "tiers.levels[1].earn_multiplier_percent: must be between 100 and " + max_multiplier +
           ", got 99"},
      {levels(R"([{"id": "base", "threshold": -1}])"),
       "tiers.levels[0].threshold: must be between 0 and 1000000000000, got -1"},
      {levels(R"([{"id": "base", "name": "", "threshold": 0}])"),
       "tiers.levels[0].name: must be 1 to 4096 bytes long, got 0"},
      {levels(R"([{"id": "base", "threshold": 0, "multiplier": 100}])"),
       "tiers.levels[0].multiplier: unknown field (expected one of: id, name, threshold, "
       "earn_multiplier_percent, invitation_only)"},
  });
}

TEST_CASE("load_program: company errors", "[program_loader]") {
  const auto company = [](std::string_view body) {
    return bundle_with(R"(, "company": )" + std::string(body));
  };
  check_bundle_cases({
      {company("{}"), "company.bands: is required"},
      {company(R"({"bands": []})"), "company.bands: must have between 1 and 16 items, got 0"},
      {company(R"({"bands": [{}]})"), "company.bands[0].rate_bp: is required"},
      {company(R"({"bands": [{"rate_bp": 10001}]})"),
       "company.bands[0].rate_bp: must be between 0 and 10000, got 10001"},
      {company(R"({"bands": [{"rate_bp": 1}, {"rate_bp": 2}]})"),
       "company.bands[0].up_to_minor: is required on every band but the last"},
      {company(R"({"bands": [{"up_to_minor": 500, "rate_bp": 1}]})"),
       "company.bands[0].up_to_minor: must not be set on the last band"},
      {company(R"({"bands": [{"up_to_minor": 500, "rate_bp": 1},
                             {"up_to_minor": 500, "rate_bp": 2}, {"rate_bp": 3}]})"),
       "company.bands[1].up_to_minor: must be greater than the previous band's up_to_minor "
       "(500), got 500"},
      {company(R"({"bands": [{"up_to_minor": 0, "rate_bp": 1}, {"rate_bp": 3}]})"),
       "company.bands[0].up_to_minor: must be between 1 and 1000000000000, got 0"},
      {company(R"({"rounding": "ceil", "bands": [{"rate_bp": 3}]})"),
       R"(company.rounding: must be one of: floor, half_up, half_even, got "ceil")"},
      {company(R"({"bands": [{"rate": 3}]})"),
       "company.bands[0].rate: unknown field (expected one of: up_to_minor, rate_bp)"},
      {company(R"({"band": []})"),
       "company.band: unknown field (expected one of: rounding, bands)"},
  });
}

TEST_CASE("load_program: partner, reward, charity and group errors", "[program_loader]") {
  const auto section = [](std::string_view name, std::string_view body) {
    return bundle_with(", \"" + std::string(name) + "\": " + std::string(body));
  };
  check_bundle_cases({
      {section("partners", "[{}]"), "partners[0].id: is required"},
      {section("partners", "[1]"), "partners[0]: must be an object"},
      {section("partners", R"([{"id": "a"}, {"id": "a", "name": "A"}])"),
       R"(partners[1].id: duplicate partner id "a")"},
      {section("partners",
               R"([{"id": "a", "settlement_per_point_earned_minor": )" + max_settlement + R"(1}])"),
       "partners[0].settlement_per_point_earned_minor: must be between 0 and " + max_settlement +
           ", got " + max_settlement + "1"},
      {section("partners", R"([{"id": "a", "settlement_per_point_burned_minor": -1}])"),
       "partners[0].settlement_per_point_burned_minor: must be between 0 and " + max_settlement +
           ", got -1"},
      {section("partners", R"([{"id": "a", "settlement": 1}])"),
       "partners[0].settlement: unknown field (expected one of: id, name, "
       "settlement_per_point_earned_minor, settlement_per_point_burned_minor)"},
      {section("rewards", R"([{"id": "r", "points": 1}])"), "rewards[0].sku: is required"},
      {section("rewards", R"([{"id": "r", "sku": "S"}])"), "rewards[0].points: is required"},
      {section("rewards", R"([{"sku": "S", "points": 1}])"), "rewards[0].id: is required"},
      {section("rewards", R"([{"id": "r", "sku": "S", "points": 0}])"),
       "rewards[0].points: must be between 1 and 1000000000000, got 0"},
      {section("rewards", R"([{"id": "r", "sku": "S", "points": 1},
                              {"id": "r", "sku": "T", "points": 2}])"),
       R"(rewards[1].id: duplicate reward id "r")"},
      {section("rewards", R"([{"id": "r", "sku": "S", "points": 1, "price": 2}])"),
       "rewards[0].price: unknown field (expected one of: id, sku, points)"},
      {section("charities", R"([{"id": "c", "name": 1}])"), "charities[0].name: must be a string"},
      {section("charities", R"([{"id": "c"}, {"id": "c"}])"),
       R"(charities[1].id: duplicate charity id "c")"},
      {section("charities", R"([{"id": "c", "title": "C"}])"),
       "charities[0].title: unknown field (expected one of: id, name)"},
      {section("groups", R"([{"id": "g"}])"), "groups[0].mode: is required"},
      {section("groups", R"([{"id": "g", "mode": "best"}])"),
       R"(groups[0].mode: must be one of: stack, first, best_for_customer, got "best")"},
      {section("groups", R"([{"id": "g", "mode": "stack"}, {"id": "g", "mode": "first"}])"),
       R"(groups[1].id: duplicate group id "g")"},
      {section("groups", R"([{"id": "g", "mode": "stack", "exclusive": true}])"),
       "groups[0].exclusive: unknown field (expected one of: id, mode)"},
  });
}

// --- Errors: rules --------------------------------------------------------------------------

constexpr std::string_view common_expected =
    "id, kind, description, priority, group, exclusive, rounding, items, audience, schedule, "
    "budget";

TEST_CASE("load_program: rule errors common to every kind", "[program_loader]") {
  const std::string kinds =
      "earn_rate, earn_multiplier, bonus, event_award, member_price, percent_off, amount_off, "
      "progressive_discount, buy_x_get_y, stamp_card, coupon, instant_win, paid_membership, "
      "volume_discount";
  check_rule_cases({
      {"1", "rules[0]: must be an object"},
      {R"({"id": "a"})", "rules[0].kind: is required"},
      {R"({"id": "a", "kind": "cashback"})",
       "rules[0].kind: must be one of: " + kinds + R"(, got "cashback")"},
      {R"({"id": "a", "kind": 3})", "rules[0].kind: must be a string"},
      {R"({"kind": "percent_off", "percent_bp": 1})", "rules[0].id: is required"},
      {R"({"id": "a/b", "kind": "percent_off", "percent_bp": 1})",
       R"(rules[0].id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "a/b")"},
      {R"({"id": ")" + std::string(65, 'a') + R"(", "kind": "percent_off", "percent_bp": 1})",
       "rules[0].id: must be 1 to 64 bytes long, got 65"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "priority": -1})",
       "rules[0].priority: must be between 0 and 1000000, got -1"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "priority": 1000001})",
       "rules[0].priority: must be between 0 and 1000000, got 1000001"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "description": 5})",
       "rules[0].description: must be a string"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "exclusive": 1})",
       "rules[0].exclusive: must be a boolean"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "rounding": "HALF_UP"})",
       R"(rules[0].rounding: must be one of: floor, half_up, half_even, got "HALF_UP")"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "group": ""})",
       "rules[0].group: must be 1 to 64 bytes long, got 0"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "group": "promos"})",
       R"(rules[0].group: unknown group "promos")"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "items": []})",
       "rules[0].items: must be an object"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "items": {"skus": [1]}})",
       "rules[0].items.skus[0]: must be a string"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "percent": 1})",
       "rules[0].percent: unknown field (expected one of: " + std::string(common_expected) +
           ", percent_bp, scope)"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "prority": 1})",
       "rules[0].prority: unknown field (expected one of: " + std::string(common_expected) +
           ", percent_bp, scope)"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "amount_minor": 1})",
       "rules[0].amount_minor: unknown field (expected one of: " + std::string(common_expected) +
           ", percent_bp, scope)"},
  });
}

TEST_CASE("load_program: rule ids, groups and references", "[program_loader]") {
  const std::string a = R"({"id": "a", "kind": "percent_off", "percent_bp": 1)";
  check_bundle_cases({
      {bundle_with(R"(, "rules": [)" + a + "}, " + a + "}]"),
       R"(rules[1].id: duplicate rule id "a")"},
      {bundle_with(R"(, "groups": [{"id": "a", "mode": "first"}], "rules": [)" + a + "}]"),
       R"(rules[0].id: collides with group "a")"},
      // Groups defined after the rules are seen: the id (read first) collides, then the group.
      {bundle_with(R"(, "rules": [)" + a +
                   R"(, "group": "g"}], "groups": [{"id": "a", "mode": "first"}])"),
       R"(rules[0].id: collides with group "a")"},
      {bundle_with(R"(, "rules": [)" + a +
                   R"(, "group": "g"}], "groups": [{"id": "h", "mode": "first"}])"),
       R"(rules[0].group: unknown group "g")"},
      {bundle_with(R"(, "rules": [)" + a + R"(, "audience": {"tiers": ["base"]}}])"),
       R"(rules[0].audience.tiers[0]: unknown tier "base")"},
      {bundle_with(R"(, "rules": [)" + a + R"(, "audience": {"tiers": ["base", "gold"]}}],
                      "tiers": {"levels": [{"id": "base", "threshold": 0}]})"),
       R"(rules[0].audience.tiers[1]: unknown tier "gold")"},
      {bundle_with(R"(, "rules": [)" + a + R"(, "audience": {"partners": ["", "x"]}}])"),
       R"(rules[0].audience.partners[1]: unknown partner "x")"},
      // References are checked after the whole bundle: a later shape error comes first ...
      {bundle_with(R"(, "rules": [)" + a + R"(, "group": "g"}, {"id": 1, "kind": "bonus"}])"),
       "rules[1].id: must be a string"},
      // A rule's kind is read before its other members: it decides which members exist.
      {bundle_with(R"(, "rules": [{"id": 1}])"), "rules[0].kind: is required"},
      // ... and between references, document order holds.
      {bundle_with(R"(, "rules": [)" + a +
                   R"(, "audience": {"tiers": ["t"]}}, )"
                   R"({"id": "b", "kind": "percent_off", "percent_bp": 1, "group": "g"}])"),
       R"(rules[0].audience.tiers[0]: unknown tier "t")"},
  });
  const Program p = load_ok(bundle_with(R"(, "rules": [)" + a + R"(, "group": "g"}],
      "groups": [{"id": "g", "mode": "first"}], "partners": [{"id": "x"}])"));
  CHECK(p.rule_group == Indexes{0});
  CHECK(p.groups.size() == 1);
}

TEST_CASE("load_program: audience errors", "[program_loader]") {
  const auto audience = [](std::string_view body) {
    return R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "audience": )" +
           std::string(body) + "}";
  };
  check_rule_cases({
      {audience("[]"), "rules[0].audience: must be an object"},
      {audience(R"({"segments": ["a b"]})"),
       R"(rules[0].audience.segments[0]: must contain only A-Z, a-z, 0-9, '.', '_' and '-', )"
       R"(got "a b")"},
      {audience(R"({"customers": [""]})"),
       "rules[0].audience.customers[0]: must be 1 to 64 bytes long, got 0"},
      {audience(R"({"identified_only": "yes"})"),
       "rules[0].audience.identified_only: must be a boolean"},
      {audience(R"({"paid_membership_only": 0})"),
       "rules[0].audience.paid_membership_only: must be a boolean"},
      {audience(R"({"partners": "x"})"), "rules[0].audience.partners: must be an array"},
      {audience(R"({"tier": []})"),
       "rules[0].audience.tier: unknown field (expected one of: tiers, segments, customers, "
       "identified_only, paid_membership_only, partners)"},
  });
}

TEST_CASE("load_program: schedule errors", "[program_loader]") {
  const auto schedule = [](std::string_view body) {
    return R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "schedule": )" +
           std::string(body) + "}";
  };
  check_rule_cases({
      {schedule("1"), "rules[0].schedule: must be an object"},
      {schedule(R"({"valid_from": 1})"), "rules[0].schedule.valid_from: must be a string"},
      {schedule(R"({"valid_from": "2026-02-30T00:00:00Z"})"),
       R"(rules[0].schedule.valid_from: "2026-02-30T00:00:00Z" is not a valid time: day 30 is )"
       R"(out of range: February 2026 has 28 days (expected YYYY-MM-DDTHH:MM:SSZ or an offset )"
       R"(like +03:00))"},
      {schedule(R"({"valid_from": "2026-03-01T00:00:00Z", "valid_to": "2026-03-01T00:00:00Z"})"),
       "rules[0].schedule.valid_to: must be later than valid_from"},
      {schedule(
           R"({"valid_from": "2026-03-01T00:00:00Z", "valid_to": "2026-03-01T01:00:00+02:00"})"),
       "rules[0].schedule.valid_to: must be later than valid_from"},
      {schedule(R"({"weekdays": []})"),
       "rules[0].schedule.weekdays: must have between 1 and 7 items, got 0"},
      {schedule(R"({"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon"]})"),
       "rules[0].schedule.weekdays: must have between 1 and 7 items, got 8"},
      {schedule(R"({"weekdays": ["mon", "Tue"]})"),
       R"(rules[0].schedule.weekdays[1]: must be one of: mon, tue, wed, thu, fri, sat, sun, )"
       R"(got "Tue")"},
      {schedule(R"({"weekdays": ["mon", "tue", "mon"]})"),
       R"(rules[0].schedule.weekdays[2]: duplicate weekday "mon")"},
      {schedule(R"({"from": "24:00"})"),
       R"(rules[0].schedule.from: must be a time of day HH:MM from 00:00 to 23:59, got "24:00")"},
      {schedule(R"({"from": "8:00"})"),
       R"(rules[0].schedule.from: must be a time of day HH:MM from 00:00 to 23:59, got "8:00")"},
      {schedule(R"({"from": "08:60"})"),
       R"(rules[0].schedule.from: must be a time of day HH:MM from 00:00 to 23:59, got "08:60")"},
      {schedule(R"({"to": "24:01"})"),
       R"(rules[0].schedule.to: must be a time of day HH:MM from 00:00 to 24:00, got "24:01")"},
      {schedule(R"({"to": 1000})"), "rules[0].schedule.to: must be a string"},
      {schedule(R"({"from": "10:00", "to": "10:00"})"),
       "rules[0].schedule.to: must be later than from"},
      {schedule(R"({"to": "00:00"})"), "rules[0].schedule.to: must be later than from"},
      {schedule(R"({"days": ["mon"]})"),
       "rules[0].schedule.days: unknown field (expected one of: valid_from, valid_to, weekdays, "
       "from, to)"},
  });
}

TEST_CASE("load_program: earn rule errors", "[program_loader]") {
  check_rule_cases({
      {R"({"id": "a", "kind": "earn_rate", "per_minor": 100})", "rules[0].points: is required"},
      {R"({"id": "a", "kind": "earn_rate", "points": 1})", "rules[0].per_minor: is required"},
      {R"({"id": "a", "kind": "earn_rate", "points": 1, "per_minor": 0})",
       "rules[0].per_minor: must be between 1 and 1000000000000, got 0"},
      {R"({"id": "a", "kind": "earn_rate", "points": 1001, "per_minor": 1})",
       "rules[0].points: must be between 0 and " + max_points_per_unit + ", got 1001"},
      {R"({"id": "a", "kind": "earn_rate", "points": 1, "per_minor": 1, "multiplier_percent": 2})",
       "rules[0].multiplier_percent: unknown field (expected one of: " +
           std::string(common_expected) + ", points, per_minor)"},
      {R"({"id": "a", "kind": "earn_multiplier"})", "rules[0].multiplier_percent: is required"},
      {R"({"id": "a", "kind": "earn_multiplier", "multiplier_percent": 100})",
       "rules[0].multiplier_percent: must be between 101 and " + max_multiplier + ", got 100"},
      {R"({"id": "a", "kind": "bonus", "points": 1})", "rules[0].trigger: is required"},
      {R"({"id": "a", "kind": "bonus", "trigger": "signup", "points": 1})",
       R"(rules[0].trigger: must be one of: welcome, birthday, referral, win_back, got "signup")"},
      {R"({"id": "a", "kind": "bonus", "trigger": "welcome"})", "rules[0].points: is required"},
      {R"({"id": "a", "kind": "bonus", "trigger": "welcome", "points": -1})",
       "rules[0].points: must be between 0 and 1000000000000, got -1"},
      {R"({"id": "a", "kind": "bonus", "trigger": "welcome", "points": 1, "referrer_points": 1})",
       R"(rules[0].referrer_points: is only allowed when trigger is "referral")"},
      {R"({"id": "a", "kind": "bonus", "trigger": "referral", "points": 1,
           "window_days_after": 1})",
       R"(rules[0].window_days_after: is only allowed when trigger is "birthday")"},
      {R"({"id": "a", "kind": "bonus", "trigger": "birthday", "points": 1,
           "window_days_before": 32})",
       "rules[0].window_days_before: must be between 0 and 31, got 32"},
      {R"({"id": "a", "kind": "bonus", "trigger": "welcome", "points": 0})",
       "rules[0]: points and referrer_points must not both be 0"},
      {R"({"id": "a", "kind": "bonus", "trigger": "referral", "points": 0, "referrer_points": 0})",
       "rules[0]: points and referrer_points must not both be 0"},
      {R"({"id": "a", "kind": "bonus", "trigger": "welcome", "points": 1,
           "min_basket_minor": 1000000000001})",
       "rules[0].min_basket_minor: must be between 0 and 1000000000000, got 1000000000001"},
      {R"({"id": "a", "kind": "event_award", "points": 1})", "rules[0].event_type: is required"},
      {R"({"id": "a", "kind": "event_award", "event_type": "review"})",
       "rules[0].points: is required"},
      {R"({"id": "a", "kind": "event_award", "event_type": "review", "points": 0})",
       "rules[0].points: must be between 1 and 1000000000000, got 0"},
      {R"({"id": "a", "kind": "event_award", "event_type": "review", "points": 1,
           "per_customer_max": 1000001})",
       "rules[0].per_customer_max: must be between 0 and 1000000, got 1000001"},
      {R"({"id": "a", "kind": "paid_membership"})", "rules[0].sku: is required"},
      {R"({"id": "a", "kind": "paid_membership", "sku": "S", "period_days": 0})",
       "rules[0].period_days: must be between 1 and 3650, got 0"},
  });
}

TEST_CASE("load_program: discount rule errors", "[program_loader]") {
  check_rule_cases({
      {R"({"id": "a", "kind": "member_price"})", "rules[0].prices: is required"},
      {R"({"id": "a", "kind": "member_price", "prices": []})",
       "rules[0].prices: must have between 1 and 1000 items, got 0"},
      {R"({"id": "a", "kind": "member_price", "prices": [{"sku": "A"}]})",
       "rules[0].prices[0].price_minor: is required"},
      {R"({"id": "a", "kind": "member_price", "prices": [{"price_minor": 1}]})",
       "rules[0].prices[0].sku: is required"},
      {R"({"id": "a", "kind": "member_price", "prices": [{"sku": "A", "price_minor": -1}]})",
       "rules[0].prices[0].price_minor: must be between 0 and 1000000000000, got -1"},
      {R"({"id": "a", "kind": "member_price", "prices": [{"sku": "A", "price_minor": 1},
           {"sku": "A", "price_minor": 2}]})",
       R"(rules[0].prices[1].sku: duplicate sku "A")"},
      {R"({"id": "a", "kind": "member_price", "prices": [{"sku": "A", "price": 1}]})",
       "rules[0].prices[0].price: unknown field (expected one of: sku, price_minor)"},
      {R"({"id": "a", "kind": "percent_off"})", "rules[0].percent_bp: is required"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 12000})",
       "rules[0].percent_bp: must be between 1 and 10000, got 12000"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 0})",
       "rules[0].percent_bp: must be between 1 and 10000, got 0"},
      {R"({"id": "a", "kind": "percent_off", "percent_bp": 1, "scope": "order"})",
       R"(rules[0].scope: must be one of: line, basket, got "order")"},
      {R"({"id": "a", "kind": "amount_off"})", "rules[0].amount_minor: is required"},
      {R"({"id": "a", "kind": "amount_off", "amount_minor": 0})",
       "rules[0].amount_minor: must be between 1 and 1000000000000, got 0"},
      {R"({"id": "a", "kind": "amount_off", "amount_minor": 1, "min_basket": 1})",
       "rules[0].min_basket: unknown field (expected one of: " + std::string(common_expected) +
           ", amount_minor, scope, min_basket_minor)"},
      {R"({"id": "a", "kind": "progressive_discount"})", "rules[0].thresholds: is required"},
      {R"({"id": "a", "kind": "progressive_discount", "thresholds": []})",
       "rules[0].thresholds: must have between 1 and 32 items, got 0"},
      {R"({"id": "a", "kind": "progressive_discount", "thresholds": [{"from_spend_minor": 0}]})",
       "rules[0].thresholds[0].percent_bp: is required"},
      {R"({"id": "a", "kind": "progressive_discount", "thresholds": [
           {"from_spend_minor": 1000, "percent_bp": 1}, {"from_spend_minor": 1000,
           "percent_bp": 2}]})",
       "rules[0].thresholds[1].from_spend_minor: must be greater than the previous threshold's "
       "from_spend_minor (1000), got 1000"},
      {R"({"id": "a", "kind": "progressive_discount", "thresholds": [
           {"from_spend_minor": 0, "percent_bp": 1, "to_spend_minor": 5}]})",
       "rules[0].thresholds[0].to_spend_minor: unknown field (expected one of: "
       "from_spend_minor, percent_bp)"},
  });
  std::string many = R"({"id": "a", "kind": "progressive_discount", "thresholds": [)";
  for (int i = 0; i < 33; ++i) {
    many += (i ? ", " : "") + std::string(R"({"from_spend_minor": )") + std::to_string(i) +
            R"(, "percent_bp": 1})";
  }
  many += "]}";
  CHECK(rule_error(many) == "rules[0].thresholds: must have between 1 and 32 items, got 33");
}

TEST_CASE("load_program: promotion rule errors", "[program_loader]") {
  check_rule_cases({
      {R"({"id": "a", "kind": "buy_x_get_y", "get_quantity": 1})",
       "rules[0].buy_quantity: is required"},
      {R"({"id": "a", "kind": "buy_x_get_y", "buy_quantity": 1})",
       "rules[0].get_quantity: is required"},
      {R"({"id": "a", "kind": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 0})",
       "rules[0].get_quantity: must be between 1 and 1000, got 0"},
      {R"({"id": "a", "kind": "buy_x_get_y", "buy_quantity": 1001, "get_quantity": 1})",
       "rules[0].buy_quantity: must be between 1 and 1000, got 1001"},
      {R"({"id": "a", "kind": "buy_x_get_y", "buy_quantity": 1, "get_quantity": 1,
           "get_percent_bp": 0})",
       "rules[0].get_percent_bp: must be between 1 and 10000, got 0"},
      {R"({"id": "a", "kind": "stamp_card", "stamps_required": 1})",
       "rules[0].card_id: is required"},
      {R"({"id": "a", "kind": "stamp_card", "card_id": "c"})",
       "rules[0].stamps_required: is required"},
      {R"({"id": "a", "kind": "stamp_card", "card_id": "a card", "stamps_required": 1})",
       R"(rules[0].card_id: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "a card")"},
      {R"({"id": "a", "kind": "stamp_card", "card_id": "c", "stamps_required": 1001})",
       "rules[0].stamps_required: must be between 1 and 1000, got 1001"},
      {R"({"id": "a", "kind": "stamp_card", "card_id": "c", "stamps_required": 1,
           "reward_percent_bp": 10001})",
       "rules[0].reward_percent_bp: must be between 1 and 10000, got 10001"},
      {R"({"id": "a", "kind": "coupon", "percent_bp": 1})", "rules[0].code: is required"},
      {R"({"id": "a", "kind": "coupon", "code": "X"})",
       "rules[0]: must have exactly one of percent_bp and amount_minor"},
      {R"({"id": "a", "kind": "coupon", "code": "X", "percent_bp": 1, "amount_minor": 1})",
       "rules[0]: must have exactly one of percent_bp and amount_minor"},
      {R"({"id": "a", "kind": "coupon", "code": "SAVE.30", "percent_bp": 1})",
       R"(rules[0].code: must contain only A-Z, a-z, 0-9, '_' and '-', got "SAVE.30")"},
      {R"({"id": "a", "kind": "coupon", "code": ")" + std::string(65, 'C') +
           R"(", "percent_bp": 1})",
       "rules[0].code: must be 1 to 64 bytes long, got 65"},
      {R"({"id": "a", "kind": "coupon", "code": "X", "percent_bp": 1, "uses_max": 1000000001})",
       "rules[0].uses_max: must be between 0 and 1000000000, got 1000000001"},
      {R"({"id": "a", "kind": "coupon", "code": "X", "percent_bp": 1, "per_customer_max": -1})",
       "rules[0].per_customer_max: must be between 0 and 1000000, got -1"},
      {R"({"id": "a", "kind": "coupon", "code": "X", "percent_bp": 1, "scope": "all"})",
       R"(rules[0].scope: must be one of: line, basket, got "all")"},
      {R"({"id": "a", "kind": "instant_win", "prize_points": 1})", "rules[0].odds: is required"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 5, "denominator": 4},
           "prize_points": 1})",
       "rules[0].odds.denominator: must be between 5 and 1000000, got 4"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 0, "denominator": 4}})",
       "rules[0].odds.numerator: must be between 1 and 1000000, got 0"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 1}})",
       "rules[0].odds.denominator: is required"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2,
           "seed": 1}})",
       "rules[0].odds.seed: unknown field (expected one of: numerator, denominator)"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2}})",
       "rules[0]: prize_points and prize_amount_minor must not both be 0"},
      {R"({"id": "a", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2},
           "prize_amount_minor": -1})",
       "rules[0].prize_amount_minor: must be between 0 and 1000000000000, got -1"},
  });
}

TEST_CASE("load_program: coupon codes are unique case-insensitively", "[program_loader]") {
  CHECK(program_error(bundle_with(R"(, "rules": [
      {"id": "a", "kind": "coupon", "code": "save30", "percent_bp": 3000},
      {"id": "b", "kind": "coupon", "code": "Save30", "amount_minor": 100}])")) ==
        R"(rules[1].code: duplicate coupon code "SAVE30")");
}

TEST_CASE("load_program: one stamp_card rule per card", "[program_loader]") {
  CHECK(program_error(bundle_with(R"(, "rules": [
      {"id": "cups", "kind": "stamp_card", "card_id": "coffee", "stamps_required": 10},
      {"id": "lattes", "kind": "stamp_card", "card_id": "coffee", "stamps_required": 10}])")) ==
        R"(rules[1].card_id: duplicate stamp card "coffee" (one stamp_card rule per card))");
}

TEST_CASE("load_program: at most program_rules_max rules", "[program_loader]") {
  std::string rules = R"(, "rules": [)";
  for (std::size_t i = 0; i <= limits::program_rules_max; ++i) {
    rules += (i ? ", " : "") + std::string(R"({"id": "r)") + std::to_string(i) +
             R"(", "kind": "percent_off", "percent_bp": 1})";
  }
  rules += "]";
  CHECK(program_error(bundle_with(rules)) == "rules: must have at most 5000 items, got 5001");
}

// --- The model --------------------------------------------------------------------------------

TEST_CASE("ItemFilter: matches and excludes", "[program_model]") {
  ItemFilter all;
  CHECK(all.matches_everything());
  CHECK(all.matches("ANY", ""));
  CHECK_FALSE(all.excludes("ANY", "cat"));
  ItemFilter filter;
  filter.skus = {"A", "C", "E"};
  filter.categories = {"dairy", "fruit"};
  filter.exclude_skus = {"B", "D"};
  filter.exclude_categories = {"tobacco"};
  CHECK_FALSE(filter.matches_everything());
  CHECK(filter.matches("A", ""));
  CHECK(filter.matches("E", "x"));
  CHECK(filter.matches("Z", "fruit"));
  CHECK_FALSE(filter.matches("B", "bread"));
  CHECK_FALSE(filter.matches("", ""));
  CHECK(filter.excludes("D", ""));
  CHECK(filter.excludes("A", "tobacco"));
  CHECK_FALSE(filter.excludes("A", "dairy"));
  CHECK_FALSE(filter.excludes("Bb", "tobacc"));
}

TEST_CASE("program model: names and kinds", "[program_model]") {
  const std::vector<std::pair<RuleKind, std::string_view>> kinds = {
      {RuleKind::earn_rate, "earn_rate"},
      {RuleKind::earn_multiplier, "earn_multiplier"},
      {RuleKind::bonus, "bonus"},
      {RuleKind::event_award, "event_award"},
      {RuleKind::member_price, "member_price"},
      {RuleKind::percent_off, "percent_off"},
      {RuleKind::amount_off, "amount_off"},
      {RuleKind::progressive_discount, "progressive_discount"},
      {RuleKind::buy_x_get_y, "buy_x_get_y"},
      {RuleKind::stamp_card, "stamp_card"},
      {RuleKind::coupon, "coupon"},
      {RuleKind::instant_win, "instant_win"},
      {RuleKind::paid_membership, "paid_membership"},
  };
  for (const auto& [kind, name] : kinds) CHECK(rule_kind_name(kind) == name);
  CHECK_FALSE(is_discount_kind(RuleKind::earn_rate));
  CHECK_FALSE(is_discount_kind(RuleKind::earn_multiplier));
  CHECK_FALSE(is_discount_kind(RuleKind::bonus));
  CHECK_FALSE(is_discount_kind(RuleKind::event_award));
  CHECK_FALSE(is_discount_kind(RuleKind::paid_membership));
  CHECK(is_discount_kind(RuleKind::member_price));
  CHECK(is_discount_kind(RuleKind::percent_off));
  CHECK(is_discount_kind(RuleKind::amount_off));
  CHECK(is_discount_kind(RuleKind::progressive_discount));
  CHECK(is_discount_kind(RuleKind::buy_x_get_y));
  CHECK(is_discount_kind(RuleKind::stamp_card));
  CHECK(is_discount_kind(RuleKind::coupon));
  CHECK(is_discount_kind(RuleKind::instant_win));
  CHECK(std::string_view(group_mode_name(GroupMode::stack)) == "stack");
  CHECK(std::string_view(group_mode_name(GroupMode::first)) == "first");
  CHECK(std::string_view(group_mode_name(GroupMode::best_for_customer)) == "best_for_customer");
}

}  // namespace
}  // namespace loyalty

TEST_CASE("load_program: lists of partners, rewards, charities and bands are bounded",
          "[program_loader]") {
  auto many = [](const char* item, std::size_t count) {
    std::string text = "[";
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) text += ",";
      std::string one = item;
      auto at = one.find("#");
      if (at != std::string::npos) one.replace(at, 1, std::to_string(i));
      text += one;
    }
    return text + "]";
  };
  auto error_of = [](const std::string& members) {
    auto program = loyalty::load_program(
        R"({"format": "loyalty-program/1", "program_id": "p", "version": 1, "currency": "EUR", )" +
        members + "}");
    REQUIRE_FALSE(program.ok());
    return program.error().message;
  };
  CHECK(error_of(R"("partners": )" + many(R"({"id": "p#"})", 65)) ==
        "partners: must have at most 64 items, got 65");
  CHECK(error_of(R"("rewards": )" + many(R"({"id": "r#", "sku": "S", "points": 1})", 1001)) ==
        "rewards: must have at most 1000 items, got 1001");
  CHECK(error_of(R"("charities": )" + many(R"({"id": "c#"})", 65)) ==
        "charities: must have at most 64 items, got 65");
  CHECK(error_of(R"("company": {"bands": )" + many(R"({"up_to_minor": 1#, "rate_bp": 1})", 16) +
                 R"(}, "x": 1)") ==
        "company.bands[15].up_to_minor: must not be set on the last band");
  CHECK(error_of(R"("company": {"bands": )" + many(R"({"rate_bp": 1})", 17) + "}") ==
        "company.bands: must have between 1 and 16 items, got 17");
}
