// The report page's charts (page_charts.h): each from the document's integers as they are; the
// only derived figure is non-members' receipts, receipts - member_receipts.

#include <string>
#include <vector>

#include "report/charts/page_charts.h"

namespace loyalty::sync::report {
namespace {

std::string with_currency(const ReportDocument& report, std::string text) {
  if (!report.currency.empty()) text += " (" + report.currency + ")";
  return text;
}

PageChart receipts_per_store(const ReportDocument& report) {
  PageChart chart;
  chart.title = "Receipts per store: members and non-members";
  chart.spec.name = "receipts_per_store";
  chart.spec.stacked = true;
  chart.spec.value_axis = {"receipts", ValueFormat::count};
  Dataset members{"Members", {}, false};
  Dataset non_members{"Non-members", {}, false};
  for (const Summary& store : report.stores) {
    chart.spec.labels.push_back(store.store_id);
    members.data.push_back(store.member_receipts);
    non_members.data.push_back(store.receipts - store.member_receipts);
  }
  chart.spec.datasets = {members, non_members};
  if (report.stores.empty()) chart.no_data_note = "No data: the report has no stores.";
  return chart;
}

PageChart points_chain(const ReportDocument& report) {
  const Summary& chain = report.chain;
  PageChart chart;
  chart.title = "Points, chain";
  chart.spec.name = "points_chain";
  chart.spec.value_axis = {"points", ValueFormat::count};
  chart.spec.labels = {"Issued", "Redeemed", "Expired", "Donated"};
  chart.spec.datasets = {Dataset{
      "Points",
      {chain.points_issued, chain.points_redeemed, chain.points_expired, chain.points_donated},
      false}};
  return chart;
}

PageChart top_rules(const ReportDocument& report) {
  PageChart chart;
  chart.title = with_currency(report, "Top rules by cost, chain");
  chart.spec.name = "top_rules";
  chart.spec.horizontal = true;
  chart.spec.value_axis = {with_currency(report, "cost"), ValueFormat::money};
  Dataset cost{"Cost", {}, false, ValueFormat::money};
  for (const RuleCost& rule : report.chain.top_rules) {
    chart.spec.labels.push_back(rule.source);
    cost.data.push_back(rule.cost_minor);
  }
  chart.spec.datasets = {cost};
  if (report.chain.top_rules.empty()) {
    chart.no_data_note = "No data: no rule gave a discount or points in the chain.";
  }
  return chart;
}

// Money and points budgets in charts of their own: their units differ.
PageChart budgets(const ReportDocument& report, BudgetUnit unit) {
  const bool money = unit == BudgetUnit::money;
  PageChart chart;
  chart.title =
      money ? with_currency(report, "Money budgets used, chain") : "Points budgets used, chain";
  chart.spec.name = money ? "budgets_money" : "budgets_points";
  chart.spec.value_axis = {money ? with_currency(report, "used") : "points used",
                           money ? ValueFormat::money : ValueFormat::count};
  Dataset used{"Used", {}, false, money ? ValueFormat::money : ValueFormat::count};
  for (const BudgetUse& budget : report.chain.budgets) {
    if (budget.unit != unit) continue;
    chart.spec.labels.push_back(budget.budget);
    used.data.push_back(budget.used);
  }
  chart.spec.datasets = {used};
  if (chart.spec.labels.empty()) {
    chart.no_data_note = money ? "No data: no money budget was used in the chain."
                               : "No data: no points budget was used in the chain.";
  }
  return chart;
}

// Always drawn: the document holds every day of the range, at least one.
PageChart days(const ReportDocument& report) {
  PageChart chart;
  chart.title = "The chain per day";
  chart.spec.name = "days";
  chart.spec.kind = ChartKind::line;
  chart.spec.value_axis = {"receipts", ValueFormat::count};
  chart.spec.second_axis = Axis{"points", ValueFormat::count};
  Dataset receipts{"Receipts", {}, false};
  Dataset member_receipts{"Member receipts", {}, false};
  Dataset issued{"Points issued", {}, true};
  Dataset redeemed{"Points redeemed", {}, true};
  for (const DayTotals& day : report.days) {
    chart.spec.labels.push_back(day.date);
    receipts.data.push_back(day.receipts);
    member_receipts.data.push_back(day.member_receipts);
    issued.data.push_back(day.points_issued);
    redeemed.data.push_back(day.points_redeemed);
  }
  chart.spec.datasets = {receipts, member_receipts, issued, redeemed};
  return chart;
}

}  // namespace

std::vector<PageChart> report_charts(const ReportDocument& report) {
  return {receipts_per_store(report),
          points_chain(report),
          top_rules(report),
          budgets(report, BudgetUnit::money),
          budgets(report, BudgetUnit::points),
          days(report)};
}

}  // namespace loyalty::sync::report
