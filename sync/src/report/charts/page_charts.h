// The charts of each page: what they show, their titles, and the "no data" note that stands in
// for a chart with nothing to draw (no stores, no rules) so that the page never holds an empty or
// broken chart. Private to sync/src/report.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "report/charts/chart_data.h"
#include "report/documents/backtest_document.h"
#include "report/documents/report_document.h"
#include "report/html_writer.h"

namespace loyalty::sync::report {

struct PageChart {
  ChartSpec spec;
  std::string title;
  std::string no_data_note;  // not empty: show this instead of the chart
};

// report:   receipts_per_store (stacked bar), points_chain (bar), top_rules (horizontal bar),
//           budgets_money and budgets_points (bar), days (line, always drawn)
std::vector<PageChart> report_charts(const ReportDocument& report);
// backtest: total_measures (grouped bar), store_differences (bar), tier_changes (bar)
std::vector<PageChart> backtest_charts(const BacktestDocument& backtest);

// "Charts" and a figure per chart: its canvas, or its note.
void write_charts(HtmlWriter& w, const std::vector<PageChart>& charts);
// The specs of the charts that are drawn, for chart_data_json().
std::vector<ChartSpec> chart_specs(const std::vector<PageChart>& charts);

}  // namespace loyalty::sync::report
