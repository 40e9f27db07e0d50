// The charts' figures and the specs of those that are drawn (page_charts.h).

#include "report/charts/page_charts.h"

#include <algorithm>

#include "loyalty/core/result.h"

namespace loyalty::sync::report {
namespace {

// Chart names are the renderer's own, and the page's script puts them into a CSS selector.
bool is_chart_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(),
                                      [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

void write_charts(HtmlWriter& w, const std::vector<PageChart>& charts) {
  w.element("h2", "Charts");
  w.raw("\n<div class=\"charts\">\n");
  for (const PageChart& chart : charts) {
    LOYALTY_ASSERT(is_chart_name(chart.spec.name));
    w.chart_figure(chart.spec.name, chart.title, chart.no_data_note);
  }
  w.raw("</div>\n");
}

std::vector<ChartSpec> chart_specs(const std::vector<PageChart>& charts) {
  std::vector<ChartSpec> specs;
  for (const PageChart& chart : charts) {
    if (chart.no_data_note.empty()) specs.push_back(chart.spec);
  }
  return specs;
}

}  // namespace loyalty::sync::report
