// What a different program would have given, exactly: a doubled base earn rate, other tier
// thresholds (and no compounding of what the new program would have changed), bigger discounts on
// anonymous receipts, and refunds counted as they happened.

#include "backtest/backtest_support.h"

namespace loyalty::sync::test {
namespace {

// Wednesday 2026-11-25, 11:00 in the grocery program's UTC+01:00: no time-limited multiplier.
constexpr std::string_view wednesday = "2026-11-25T10:00:00Z";

TEST_CASE("A doubled base earn rate issues exactly twice the base points", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  till.refresh(member("card-a", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  till.refresh(member("card-b", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  // Nets in whole euros: 1 point per 1.00, doubled 2, with no rounding in between.
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 750, 4)}), at_utc(wednesday));
  till.sell("card-b", receipt("R-2", {item("TOMATOES-1KG", "vegetables", 300, 5)}),
            at_utc(wednesday));
  till.sell("", receipt("R-3", {item("TOMATOES-1KG", "vegetables", 300, 5)}), at_utc(wednesday));
  till.sell("card-b", receipt("R-4", {item("TOMATOES-1KG", "vegetables", 300)}),  // below 5.00
            at_utc(wednesday));
  const Program doubled =
      load_program_ok(replaced(grocery, R"("base": {"points": 1, "per_minor": 100})",
                               R"("base": {"points": 2, "per_minor": 100})"));
  const BacktestResult result = run_backtest(doubled, till.events());
  CHECK(result.receipts == 4);
  CHECK(result.identified == 3);
  CHECK(result.total.receipts == 4);
  CHECK(result.total.points_issued == BacktestFigure{30 + 15, 60 + 30});
  CHECK(result.total.liability_points == BacktestFigure{45, 90});
  CHECK(result.total.points_redeemed == BacktestFigure{0, 0});
  CHECK(result.total.discount_minor == BacktestFigure{0, 0});
  CHECK(result.tier_changes.count == 0);
  CHECK(result.program_id == "fresh-market");
}

TEST_CASE("Other tier thresholds change the tiers of exactly the customers they move",
          "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  const Timestamp before = at_utc("2026-11-24T08:00:00Z");
  till.refresh(member("card-a", "base", 45000), before);     // reaches silver at 50000
  till.refresh(member("card-b", "base", 45000), before);     // the same, then buys again
  till.refresh(member("card-c", "silver", 140000), before);  // would reach gold at 150000
  till.refresh(member("card-d", "silver", 100000), before);  // stays silver either way
  const auto basket = [](std::string id, std::int64_t euros) {
    return receipt(std::move(id), {item("CHICKEN-1KG", "meat", 100, euros)});
  };
  till.sell("card-a", basket("R-1", 80), at_utc("2026-11-25T10:00:00Z"));
  till.sell("card-b", basket("R-2", 80), at_utc("2026-11-25T10:01:00Z"));
  till.sell("card-c", basket("R-3", 120), at_utc("2026-11-25T10:02:00Z"));
  till.sell("card-d", basket("R-4", 10), at_utc("2026-11-25T10:03:00Z"));
  till.sell("card-b", basket("R-5", 10), at_utc("2026-11-25T10:04:00Z"));
  std::string tiers = replaced(grocery, R"("threshold": 50000)", R"("threshold": 60000)");
  tiers = replaced(tiers, R"("threshold": 200000)", R"("threshold": 150000)");
  const BacktestResult result = run_backtest(load_program_ok(tiers), till.events());
  // card-a: 53000 is silver, not under 60000. card-c: 152000 is gold under 150000. card-b's last
  // receipt is quoted on its actual tier before it (silver): no compounding, no change.
  CHECK(result.tier_changes.count == 2);
  CHECK(result.tier_changes.up == 1);
  CHECK(result.tier_changes.down == 1);
  std::vector<BacktestTierChange> expected = {{pseudonym("card-a"), "silver", ""},
                                              {pseudonym("card-c"), "silver", "gold"}};
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.pseudonym < b.pseudonym; });
  CHECK(result.tier_changes.customers == expected);
  CHECK(result.total.tier_changes == 2);
  CHECK(result.total.points_issued.difference() == 0);  // each receipt earns at its tier before
  // At most tier_changes_listed_max are listed; the counts stay whole.
  BacktestOptions one;
  one.tier_changes_listed_max = 1;
  const BacktestResult listed = run_backtest(load_program_ok(tiers), till.events(), one);
  CHECK(listed.tier_changes.count == 2);
  CHECK(listed.tier_changes.customers == std::vector<BacktestTierChange>{expected[0]});
}

TEST_CASE("Anonymous receipts are quoted again with no customer", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  // Member prices need a card: the anonymous receipt pays 1.29 for milk under either program.
  till.sell("",
            receipt("R-1",
                    {item("MILK-1L", "dairy", 129, 2), item("YOGURT-STRAWBERRY", "yogurt", 69, 6)}),
            at_utc(wednesday));
  const Program bigger =
      load_program_ok(replaced(grocery, R"("percent_bp": 2000,)", R"("percent_bp": 5000,)"));
  const BacktestResult result = run_backtest(bigger, till.events());
  CHECK(result.receipts == 1);
  CHECK(result.identified == 0);
  // 20 % of 4.14 is 0.83 (half up); 50 % is 2.07.
  CHECK(result.total.discount_minor == BacktestFigure{83, 207});
  CHECK(result.total.points_issued == BacktestFigure{0, 0});
  CHECK(result.tier_changes.count == 0);
}

TEST_CASE("Refunds are counted as they happened, beside the comparison", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  till.refresh(member("card-a", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 1000, 4)}), at_utc(wednesday));
  till.refund("F-1", "R-1", {ReturnRequest{0, 1}}, at_utc("2026-11-25T12:00:00Z"));
  const Program doubled =
      load_program_ok(replaced(grocery, R"("base": {"points": 1, "per_minor": 100})",
                               R"("base": {"points": 2, "per_minor": 100})"));
  for (const Program* program : {&till.program(), &doubled}) {
    const BacktestResult result = run_backtest(*program, till.events());
    CHECK(result.receipts == 1);
    CHECK(result.total.receipts == 1);
    CHECK(result.total.points_issued.actual == 40);
    CHECK(result.total.refunds == BacktestRefunds{1, 10, 0, 1000});
    REQUIRE(result.stores.size() == 1);
    CHECK(result.stores[0].diff.refunds == BacktestRefunds{1, 10, 0, 1000});
  }
}

}  // namespace
}  // namespace loyalty::sync::test
