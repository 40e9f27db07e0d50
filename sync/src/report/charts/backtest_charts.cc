// The backtest page's charts (page_charts.h), each from the document's integers as they are.

#include <string>
#include <vector>

#include "report/charts/page_charts.h"

namespace loyalty::sync::report {
namespace {

// One chart for four measures of two units: the tooltips know each label's unit.
PageChart total_measures(const BacktestDocument& backtest) {
  const Diff& total = backtest.total;
  PageChart chart;
  chart.title = "Actual and simulated, all stores";
  chart.spec.name = "total_measures";
  chart.spec.value_axis = {"minor units (discounts), points", ValueFormat::count};
  chart.spec.labels = {"Discounts", "Points issued", "Points redeemed", "Liability (points)"};
  chart.spec.label_formats = {ValueFormat::money, ValueFormat::count, ValueFormat::count,
                              ValueFormat::count};
  chart.spec.datasets = {
      Dataset{"Actual",
              {total.discount_minor.actual, total.points_issued.actual,
               total.points_redeemed.actual, total.liability_points.actual},
              false},
      Dataset{"Simulated",
              {total.discount_minor.simulated, total.points_issued.simulated,
               total.points_redeemed.simulated, total.liability_points.simulated},
              false}};
  return chart;
}

PageChart store_differences(const BacktestDocument& backtest) {
  PageChart chart;
  chart.title = "Simulated - actual per store: discounts and points issued";
  chart.spec.name = "store_differences";
  // One axis, so that both datasets' zero is the same line (differences may be negative); the
  // tooltips show each dataset in its own unit.
  chart.spec.value_axis = {"minor units (discounts), points", ValueFormat::count};
  Dataset discounts{"Discount difference", {}, false, ValueFormat::money};
  Dataset points{"Points issued difference", {}, false, ValueFormat::count};
  for (const Diff& store : backtest.stores) {
    chart.spec.labels.push_back(store.store_id);
    discounts.data.push_back(store.discount_minor.difference);
    points.data.push_back(store.points_issued.difference);
  }
  chart.spec.datasets = {discounts, points};
  if (backtest.stores.empty()) chart.no_data_note = "No data: the backtest has no stores.";
  return chart;
}

PageChart tier_changes(const BacktestDocument& backtest) {
  PageChart chart;
  chart.title = "Tier changes: up and down";
  chart.spec.name = "tier_changes";
  chart.spec.value_axis = {"customers", ValueFormat::count};
  chart.spec.labels = {"Up", "Down"};
  chart.spec.datasets = {Dataset{"Customers", {backtest.tiers_up, backtest.tiers_down}, false}};
  if (backtest.tiers_up == 0 && backtest.tiers_down == 0) {
    chart.no_data_note = "No data: no customer's tier would change.";
  }
  return chart;
}

}  // namespace

std::vector<PageChart> backtest_charts(const BacktestDocument& backtest) {
  return {total_measures(backtest), store_differences(backtest), tier_changes(backtest)};
}

}  // namespace loyalty::sync::report
