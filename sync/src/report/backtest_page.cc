// The backtest page (report_html.h): header, key figures, charts, actual beside simulated for all
// stores and per store, the skipped receipts and the customers whose tier would change. The
// charts are in charts/backtest_charts.cc.

#include <algorithm>
#include <string>
#include <vector>

#include "loyalty/sync/report_html.h"
#include "report/charts/page_charts.h"
#include "report/documents/backtest_document.h"
#include "report/html_writer.h"
#include "report/page_frame.h"

namespace loyalty::sync {
namespace {

using report::BacktestDocument;
using report::Cell;
using report::count_text;
using report::Diff;
using report::HtmlWriter;
using report::label_cell;
using report::Measure;
using report::money_text;
using report::number_cell;
using report::Table;
using report::text_cell;

std::string field(const std::string& prefix, std::string_view member) {
  return prefix.empty() ? std::string(member) : prefix + "." + std::string(member);
}

void write_header(HtmlWriter& w, const BacktestDocument& backtest) {
  w.raw("<header>\n");
  w.element("h1", "Backtest of " + backtest.program_id + " version " +
                      std::to_string(backtest.program_version) + ", " + backtest.from + " to " +
                      backtest.to);
  w.raw("\n<dl class=\"meta\">\n<dt>Program</dt><dd><span data-field=\"program.id\">");
  w.text(backtest.program_id);
  w.raw("</span> version <span data-field=\"program.version\">");
  w.text(count_text(backtest.program_version));
  w.raw("</span></dd>\n<dt>Business dates</dt><dd><span data-field=\"from\">");
  w.text(backtest.from);
  w.raw("</span> to <span data-field=\"to\">");
  w.text(backtest.to);
  w.raw("</span> (inclusive)</dd>\n<dt>Time zone</dt><dd data-field=\"time_zone\">");
  w.text(backtest.time_zone);
  w.raw("</dd>\n<dt>Stores</dt><dd>");
  if (backtest.stores_filter.empty()) w.text("all");
  for (std::size_t i = 0; i < backtest.stores_filter.size(); ++i) {
    w.raw(i == 0 ? "<span data-field=\"stores_filter." : ", <span data-field=\"stores_filter.");
    w.text(std::to_string(i));
    w.raw("\">");
    w.text(backtest.stores_filter[i]);
    w.raw("</span>");
  }
  w.raw("</dd>\n</dl>\n</header>\n");
}

void write_cards(HtmlWriter& w, const BacktestDocument& backtest) {
  const Diff& total = backtest.total;
  w.element("h2", "All stores");
  w.raw("\n");
  w.cards({
      {"Receipts", count_text(backtest.receipts), "receipts"},
      {"Identified", count_text(backtest.identified), "identified"},
      {"Discount difference", report::signed_money_text(total.discount_minor.difference),
       "total.discount_minor.difference"},
      {"Points issued difference", report::signed_count_text(total.points_issued.difference),
       "total.points_issued.difference"},
      {"Tier changes", count_text(backtest.tier_changes), "tier_changes.count"},
  });
}

// A measure's three cells; money or points.
void append_measure(std::vector<Cell>& row, const std::string& path, const Measure& m, bool money) {
  const auto text = [money](std::int64_t v) { return money ? money_text(v) : count_text(v); };
  row.push_back(number_cell(field(path, "actual"), text(m.actual)));
  row.push_back(number_cell(field(path, "simulated"), text(m.simulated)));
  row.push_back(
      number_cell(field(path, "difference"), money ? report::signed_money_text(m.difference)
                                                   : report::signed_count_text(m.difference)));
}

constexpr std::string_view refund_headers[] = {"Refunds", "Points taken back", "Points given back",
                                               "Money refunded"};

// A document may count refunds (as they happened, not replayed) beside the comparison.
bool any_refunds(const BacktestDocument& backtest) {
  return std::any_of(backtest.stores.begin(), backtest.stores.end(),
                     [](const Diff& store) { return store.refunds.has_value(); });
}

void append_refunds(std::vector<Cell>& row, const std::string& path, const Diff& diff) {
  if (!diff.refunds) {
    for (std::size_t i = 0; i < std::size(refund_headers); ++i) {
      row.push_back(label_cell(std::string(report::none_text)));
    }
    return;
  }
  const report::Refunds& r = *diff.refunds;
  row.push_back(number_cell(field(path, "refunds.count"), count_text(r.count)));
  row.push_back(number_cell(field(path, "refunds.points_reversed"), count_text(r.points_reversed)));
  row.push_back(number_cell(field(path, "refunds.points_restored"), count_text(r.points_restored)));
  row.push_back(
      number_cell(field(path, "refunds.money_refund_minor"), money_text(r.money_refund_minor)));
}

void append_refund_headers(Table& table) {
  for (std::string_view header : refund_headers) table.headers.emplace_back(header);
}

Table total_table(const BacktestDocument& backtest) {
  const Diff& t = backtest.total;
  Table table{"total",
              "Actual and simulated, all stores",
              {"Measure", "Actual", "Simulated", "Difference"},
              {},
              ""};
  const auto row = [](std::string label, const std::string& path, const Measure& m, bool money) {
    std::vector<Cell> cells{label_cell(std::move(label))};
    append_measure(cells, path, m, money);
    return cells;
  };
  table.rows = {row("Discounts", "total.discount_minor", t.discount_minor, true),
                row("Points issued", "total.points_issued", t.points_issued, false),
                row("Points redeemed", "total.points_redeemed", t.points_redeemed, false),
                row("Liability (points)", "total.liability_points", t.liability_points, false)};
  return table;
}

// The total's refunds, when the document counts them.
Table refunds_table(const BacktestDocument& backtest) {
  Table table{
      "refunds", "Refunds in the range, as they happened (not replayed)", {"Figure"}, {}, ""};
  append_refund_headers(table);
  std::vector<Cell> row{label_cell("All stores")};
  append_refunds(row, "total", backtest.total);
  table.rows.push_back(std::move(row));
  return table;
}

Table replay_table(const BacktestDocument& backtest) {
  Table table{"replay", "The replay", {"Figure", "Value"}, {}, ""};
  const auto row = [](std::string label, std::string path, std::int64_t value) {
    return std::vector<Cell>{label_cell(std::move(label)),
                             number_cell(std::move(path), count_text(value))};
  };
  table.rows = {
      row("Receipts in the range", "receipts", backtest.receipts),
      row("Identified receipts", "identified", backtest.identified),
      row("Receipts replayed", "total.receipts", backtest.total.receipts),
      row("Customers whose tier changes", "total.tier_changes", backtest.total.tier_changes),
      row("Elapsed (ms)", "elapsed_ms", backtest.elapsed_ms),
      row("Threads", "threads", backtest.threads)};
  return table;
}

// One row per store and measure: four measures of three figures each fit no page side by side.
Table store_measures_table(const BacktestDocument& backtest) {
  Table table{"stores",
              "Actual and simulated per store",
              {"Store", "Measure", "Actual", "Simulated", "Difference"},
              {},
              "No data: the backtest has no stores."};
  for (std::size_t i = 0; i < backtest.stores.size(); ++i) {
    const Diff& s = backtest.stores[i];
    const std::string p = "stores." + std::to_string(i);
    const auto row = [&](std::string label, std::string_view member, const Measure& m, bool money) {
      std::vector<Cell> cells{text_cell(field(p, "store_id"), s.store_id),
                              label_cell(std::move(label))};
      append_measure(cells, field(p, member), m, money);
      table.rows.push_back(std::move(cells));
    };
    row("Discounts", "discount_minor", s.discount_minor, true);
    row("Points issued", "points_issued", s.points_issued, false);
    row("Points redeemed", "points_redeemed", s.points_redeemed, false);
    row("Liability (points)", "liability_points", s.liability_points, false);
  }
  return table;
}

Table store_receipts_table(const BacktestDocument& backtest) {
  const bool refunds = any_refunds(backtest);
  Table table{"stores_receipts",
              refunds ? "Receipts replayed, tier changes and refunds per store"
                      : "Receipts replayed and tier changes per store",
              {"Store", "Receipts", "Tier changes"},
              {},
              "No data: the backtest has no stores."};
  if (refunds) append_refund_headers(table);
  for (std::size_t i = 0; i < backtest.stores.size(); ++i) {
    const Diff& s = backtest.stores[i];
    const std::string p = "stores." + std::to_string(i);
    std::vector<Cell> row{text_cell(field(p, "store_id"), s.store_id),
                          number_cell(field(p, "receipts"), count_text(s.receipts)),
                          number_cell(field(p, "tier_changes"), count_text(s.tier_changes))};
    if (refunds) append_refunds(row, p, s);
    table.rows.push_back(std::move(row));
  }
  return table;
}

Table skipped_table(const BacktestDocument& backtest) {
  Table table{"skipped", "Receipts skipped", {"Reason", "Receipts"}, {}, "No receipt was skipped."};
  for (std::size_t i = 0; i < backtest.skipped.size(); ++i) {
    const std::string p = "skipped." + std::to_string(i);
    table.rows.push_back({text_cell(field(p, "reason"), backtest.skipped[i].reason),
                          number_cell(field(p, "count"), count_text(backtest.skipped[i].count))});
  }
  return table;
}

Table tiers_table(const BacktestDocument& backtest) {
  Table table{"tier_changes", "Tier changes", {"Figure", "Customers"}, {}, ""};
  table.rows = {
      {label_cell("Changed"), number_cell("tier_changes.count", count_text(backtest.tier_changes))},
      {label_cell("Up"), number_cell("tier_changes.up", count_text(backtest.tiers_up))},
      {label_cell("Down"), number_cell("tier_changes.down", count_text(backtest.tiers_down))}};
  return table;
}

// "" is the entry tier, which has no name.
std::string tier_text(const std::string& tier) { return tier.empty() ? "(entry tier)" : tier; }

Table customers_table(const BacktestDocument& backtest) {
  Table table{"tier_customers",
              "Customers whose tier would change (at most 100)",
              {"Customer (pseudonym)", "Actual tier", "Simulated tier"},
              {},
              "No customer's tier would change."};
  for (std::size_t i = 0; i < backtest.customers.size(); ++i) {
    const report::TierChange& change = backtest.customers[i];
    const std::string p = "tier_changes.customers." + std::to_string(i);
    table.rows.push_back({text_cell(field(p, "pseudonym"), change.pseudonym),
                          text_cell(field(p, "actual"), tier_text(change.actual)),
                          text_cell(field(p, "simulated"), tier_text(change.simulated))});
  }
  return table;
}

}  // namespace

Result<std::string> render_backtest_html(std::string_view backtest_json,
                                         std::string_view chart_js) {
  const BacktestDocument backtest = TRY(report::read_backtest_document(backtest_json));
  const std::vector<report::PageChart> charts = report::backtest_charts(backtest);
  HtmlWriter w;
  write_header(w, backtest);
  write_cards(w, backtest);
  report::write_charts(w, charts);
  w.table(total_table(backtest));
  w.table(replay_table(backtest));
  if (backtest.total.refunds) w.table(refunds_table(backtest));
  w.table(skipped_table(backtest));
  w.element("h2", "Stores");
  w.raw("\n");
  w.table(store_measures_table(backtest));
  w.table(store_receipts_table(backtest));
  w.element("h2", "Customers");
  w.raw("\n");
  w.table(tiers_table(backtest));
  w.table(customers_table(backtest));
  return report::assemble_page(
      {"Backtest of " + backtest.program_id + ", " + backtest.from + " to " + backtest.to, w.take(),
       report::chart_data_json(report::chart_specs(charts))},
      chart_js);
}

}  // namespace loyalty::sync
