// The report pages' own script: it reads the charts' JSON block (charts/chart_data.h) and draws
// each chart with Chart.js into the canvas of the same data-chart name, without animation so that
// a printed or tested page shows the final picture at once. Money ticks and tooltips are shown
// with 2 decimals by string arithmetic on the integer minor units. Private to sync/src/report.
//
// Thread-safety: a constant.
#pragma once

#include <string_view>

namespace loyalty::sync::report {

// The script's text, inlined into each page (its hash is in the page's CSP). It contains no
// "</script" and no "<!--".
std::string_view page_script();

}  // namespace loyalty::sync::report
