// The report page (report_html.h): header, the chain's key figures, charts, the chain's and the
// stores' tables, the days. The charts are in charts/report_charts.cc.

#include <string>
#include <vector>

#include "loyalty/sync/report_html.h"
#include "report/charts/page_charts.h"
#include "report/documents/report_document.h"
#include "report/html_writer.h"
#include "report/page_frame.h"

namespace loyalty::sync {
namespace {

using report::Card;
using report::Cell;
using report::count_text;
using report::HtmlWriter;
using report::label_cell;
using report::money_text;
using report::number_cell;
using report::ReportDocument;
using report::Summary;
using report::Table;
using report::text_cell;

std::string field(const std::string& prefix, std::string_view member) {
  return prefix + "." + std::string(member);
}

// "Cost (EUR)", or "Cost" when the report has no single currency.
std::string with_currency(const ReportDocument& report, std::string_view header) {
  std::string text(header);
  if (!report.currency.empty()) text += " (" + report.currency + ")";
  return text;
}

void write_header(HtmlWriter& w, const ReportDocument& report) {
  w.raw("<header>\n");
  w.element("h1", "Loyalty report " + report.from + " to " + report.to);
  w.raw("\n<dl class=\"meta\">\n<dt>Business dates</dt><dd><span data-field=\"from\">");
  w.text(report.from);
  w.raw("</span> to <span data-field=\"to\">");
  w.text(report.to);
  w.raw("</span> (inclusive)</dd>\n<dt>Time zone</dt><dd data-field=\"time_zone\">");
  w.text(report.time_zone);
  w.raw("</dd>\n<dt>Generated</dt><dd data-field=\"generated_at\">");
  w.text(report.generated_at);
  w.raw("</dd>\n<dt>Currency</dt><dd><span data-field=\"currency\">");
  w.text(report.currency);
  // "" when the receipts had several currencies or none: the money columns then name none.
  w.raw(report.currency.empty() ? "</span>several or none" : "</span>");
  w.raw("</dd>\n<dt>Cost of points</dt><dd><span data-field=\"point_value.minor\">");
  w.text(money_text(report.point_value_minor));
  w.raw("</span> ");
  w.text(report.currency);
  w.raw(" per <span data-field=\"point_value.points\">");
  w.text(count_text(report.point_value_points));
  w.raw(report.point_value_points == 1 ? "</span> point" : "</span> points");
  w.raw("</dd>\n</dl>\n</header>\n");
}

void write_chain_cards(HtmlWriter& w, const ReportDocument& report) {
  const Summary& s = report.chain;
  w.element("h2", "Chain");
  w.raw("\n");
  w.cards({
      {"Receipts", count_text(s.receipts), "chain.receipts"},
      {"Member receipts", count_text(s.member_receipts), "chain.member_receipts"},
      {"Loyalty share", report::basis_points_text(s.loyalty_share_bp), "chain.loyalty_share_bp"},
      {with_currency(report, "Average check, members"), money_text(s.average_members_minor),
       "chain.average_check_minor.members"},
      {"Members", count_text(s.members), "chain.members"},
      {"Points issued", count_text(s.points_issued), "chain.points.issued"},
      {"Points redeemed", count_text(s.points_redeemed), "chain.points.redeemed"},
      {"Liability at the end (points)", count_text(s.liability_end_points),
       "chain.liability.end_points"},
  });
}

Table chain_table(const ReportDocument& report) {
  const Summary& s = report.chain;
  const std::string c = "chain";
  const auto row = [&](std::string label, std::string_view member, std::string text) {
    return std::vector<Cell>{label_cell(std::move(label)),
                             number_cell(field(c, member), std::move(text))};
  };
  Table table{"chain", "Chain summary", {"Figure", "Value"}, {}, ""};
  table.rows = {
      row("Receipts", "receipts", count_text(s.receipts)),
      row("Member receipts", "member_receipts", count_text(s.member_receipts)),
      row("Loyalty share", "loyalty_share_bp", report::basis_points_text(s.loyalty_share_bp)),
      row(with_currency(report, "Average check, members"), "average_check_minor.members",
          money_text(s.average_members_minor)),
      row(with_currency(report, "Average check, non-members"), "average_check_minor.non_members",
          money_text(s.average_non_members_minor)),
      row("Members (distinct customers)", "members", count_text(s.members)),
      row("Visits per member", "visits_per_member_milli",
          report::milli_text(s.visits_per_member_milli)),
      row("Points issued", "points.issued", count_text(s.points_issued)),
      row("Points redeemed", "points.redeemed", count_text(s.points_redeemed)),
      row("Points expired", "points.expired", count_text(s.points_expired)),
      row("Points donated", "points.donated", count_text(s.points_donated)),
      row("Liability change (points)", "liability.change_points",
          count_text(s.liability_change_points)),
      row("Liability at the end (points)", "liability.end_points",
          count_text(s.liability_end_points)),
      row("Overdrafts opened (points)", "overdrafts.opened_points",
          count_text(s.overdrafts_opened_points)),
      row("Overdrafts at the end (points)", "overdrafts.end_points",
          count_text(s.overdrafts_end_points)),
  };
  return table;
}

// Where a summary's figures are from: "the chain" or a store, for captions and notes.
struct Scope {
  std::string prefix;  // its data-field paths': "chain", "stores.1"
  std::string name;    // "the chain", "FM014"
  std::string where;   // "in the chain", "at FM014"
};

Scope chain_scope() { return {"chain", "the chain", "in the chain"}; }

Scope store_scope(const Summary& store, std::size_t index) {
  return {"stores." + std::to_string(index), store.store_id, "at " + store.store_id};
}

Table rules_table(const ReportDocument& report, const Summary& s, const Scope& scope) {
  const std::string& prefix = scope.prefix;
  Table table{prefix + ".top_rules",
              "Top rules by cost, " + scope.name,
              {"Rule", with_currency(report, "Discount"), "Points", with_currency(report, "Cost"),
               "Receipts"},
              {},
              "No data: no rule gave a discount or points " + scope.where + "."};
  for (std::size_t i = 0; i < s.top_rules.size(); ++i) {
    const report::RuleCost& rule = s.top_rules[i];
    const std::string p = prefix + ".top_rules." + std::to_string(i);
    table.rows.push_back({text_cell(field(p, "source"), rule.source),
                          number_cell(field(p, "discount_minor"), money_text(rule.discount_minor)),
                          number_cell(field(p, "points"), count_text(rule.points)),
                          number_cell(field(p, "cost_minor"), money_text(rule.cost_minor)),
                          number_cell(field(p, "receipts"), count_text(rule.receipts))});
  }
  return table;
}

Table budgets_table(const Summary& s, const Scope& scope) {
  const std::string& prefix = scope.prefix;
  Table table{prefix + ".budgets",
              "Budgets used, " + scope.name,
              {"Budget", "Unit", "Period", "Used"},
              {},
              "No data: no budget was used " + scope.where + "."};
  for (std::size_t i = 0; i < s.budgets.size(); ++i) {
    const report::BudgetUse& budget = s.budgets[i];
    const std::string p = prefix + ".budgets." + std::to_string(i);
    const bool money = budget.unit == report::BudgetUnit::money;
    table.rows.push_back(
        {text_cell(field(p, "budget"), budget.budget),
         text_cell(field(p, "unit"), money ? "money" : "points"),
         text_cell(field(p, "period"), budget.period),
         number_cell(field(p, "used"), money ? money_text(budget.used) : count_text(budget.used))});
  }
  return table;
}

Table stores_receipts_table(const ReportDocument& report) {
  Table table{"stores",
              "Receipts and members per store",
              {"Store", "Receipts", "Member receipts", "Loyalty share",
               with_currency(report, "Average check, members"),
               with_currency(report, "Average check, non-members"), "Members", "Visits per member"},
              {},
              "No data: the report has no stores."};
  for (std::size_t i = 0; i < report.stores.size(); ++i) {
    const Summary& s = report.stores[i];
    const std::string p = "stores." + std::to_string(i);
    table.rows.push_back(
        {text_cell(field(p, "store_id"), s.store_id),
         number_cell(field(p, "receipts"), count_text(s.receipts)),
         number_cell(field(p, "member_receipts"), count_text(s.member_receipts)),
         number_cell(field(p, "loyalty_share_bp"), report::basis_points_text(s.loyalty_share_bp)),
         number_cell(field(p, "average_check_minor.members"), money_text(s.average_members_minor)),
         number_cell(field(p, "average_check_minor.non_members"),
                     money_text(s.average_non_members_minor)),
         number_cell(field(p, "members"), count_text(s.members)),
         number_cell(field(p, "visits_per_member_milli"),
                     report::milli_text(s.visits_per_member_milli))});
  }
  return table;
}

Table stores_points_table(const ReportDocument& report) {
  Table table{"stores_points",
              "Points per store",
              {"Store", "Issued", "Redeemed", "Expired", "Donated", "Liability change",
               "Overdrafts opened"},
              {},
              "No data: the report has no stores."};
  for (std::size_t i = 0; i < report.stores.size(); ++i) {
    const Summary& s = report.stores[i];
    const std::string p = "stores." + std::to_string(i);
    table.rows.push_back(
        {text_cell(field(p, "store_id"), s.store_id),
         number_cell(field(p, "points.issued"), count_text(s.points_issued)),
         number_cell(field(p, "points.redeemed"), count_text(s.points_redeemed)),
         number_cell(field(p, "points.expired"), count_text(s.points_expired)),
         number_cell(field(p, "points.donated"), count_text(s.points_donated)),
         number_cell(field(p, "liability.change_points"), count_text(s.liability_change_points)),
         number_cell(field(p, "overdrafts.opened_points"),
                     count_text(s.overdrafts_opened_points))});
  }
  return table;
}

Table days_table(const ReportDocument& report) {
  Table table{"days",
              "The chain per day",
              {"Date", "Receipts", "Member receipts", "Points issued", "Points redeemed"},
              {},
              ""};
  for (std::size_t i = 0; i < report.days.size(); ++i) {
    const report::DayTotals& day = report.days[i];
    const std::string p = "days." + std::to_string(i);
    table.rows.push_back(
        {text_cell(field(p, "date"), day.date),
         number_cell(field(p, "receipts"), count_text(day.receipts)),
         number_cell(field(p, "member_receipts"), count_text(day.member_receipts)),
         number_cell(field(p, "points_issued"), count_text(day.points_issued)),
         number_cell(field(p, "points_redeemed"), count_text(day.points_redeemed))});
  }
  return table;
}

void write_tables(HtmlWriter& w, const ReportDocument& report) {
  w.table(chain_table(report));
  w.table(rules_table(report, report.chain, chain_scope()));
  w.table(budgets_table(report.chain, chain_scope()));
  w.table(days_table(report));
  w.element("h2", "Stores");
  w.raw("\n");
  w.table(stores_receipts_table(report));
  w.table(stores_points_table(report));
  for (std::size_t i = 0; i < report.stores.size(); ++i) {
    const Summary& s = report.stores[i];
    w.raw("<section class=\"store\">\n");
    w.table(rules_table(report, s, store_scope(s, i)));
    w.table(budgets_table(s, store_scope(s, i)));
    w.raw("</section>\n");
  }
}

}  // namespace

Result<std::string> render_report_html(std::string_view report_json, std::string_view chart_js) {
  const ReportDocument report = TRY(report::read_report_document(report_json));
  const std::vector<report::PageChart> charts = report::report_charts(report);
  HtmlWriter w;
  write_header(w, report);
  write_chain_cards(w, report);
  report::write_charts(w, charts);
  write_tables(w, report);
  return report::assemble_page({"Loyalty report " + report.from + " to " + report.to, w.take(),
                                report::chart_data_json(report::chart_specs(charts))},
                               chart_js);
}

}  // namespace loyalty::sync
