// HQ's nightly report and what-if backtest as self-contained HTML pages with charts.
//
// loyalty-hq writes two JSON documents, "loyalty-hq-report-v1" (the chain's figures over a range
// of business dates) and "loyalty-hq-backtest-v1" (a program replayed over past receipts, actual
// beside simulated); their schemas are written out in sync/src/report/documents/. These
// functions turn one document into one HTML page that works offline: Chart.js (Debian's
// libjs-chart.js) is inlined into the page, the chart data sits in a JSON block, and a
// Content-Security-Policy with the hashes of the page's two scripts forbids every request and
// every other script. Each canvas carries data-chart="name"; each figure of the tables, the
// key-figure cards and the header carries data-field="path", a dotted path into the document
// ("stores.1.points.issued"). A chart without data (no stores, no rules) is a "no data" note
// instead (data-no-data="name").
//
// Money is integer minor units shown with 2 decimals (459000 -> "4590.00"), basis points with 2
// (6667 -> "66.67 %"), values x1000 with 3 (2000 -> "2.000"), all by integer arithmetic.
//
// Thread-safety: pure functions, but for load_chart_js, which reads a file.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::sync {

// Default location of Chart.js's UMD build (it defines the global `Chart`) from Debian's
// libjs-chart.js; chart.js beside it is the same build unminified.
inline constexpr std::string_view chart_js_default_path =
    "/usr/share/javascript/chart.js/chart.min.js";

// Reads the Chart.js file at `path`: not_found when it is missing and io_error when it cannot be
// read, with a message naming the path and the Debian package; invalid_argument when it is empty,
// larger than 4 MiB, or holds text that would end the <script> element it is inlined into
// ("</script" or "<!--").
Result<std::string> load_chart_js(const std::string& path);

// The report page from a "loyalty-hq-report-v1" document. invalid_argument naming the member
// ("report: stores[1].points.issued must be ...") when the document does not match the schema:
// wrong format, a missing or unknown member, a wrong type, a negative count, a share past 100 %,
// days that do not cover from..to; parse_error when it is no JSON at all. `chart_js` is the
// library's text (load_chart_js), inlined verbatim once; it is checked as load_chart_js checks it.
Result<std::string> render_report_html(std::string_view report_json, std::string_view chart_js);

// The backtest page from a "loyalty-hq-backtest-v1" document; same rules ("backtest: ...").
Result<std::string> render_backtest_html(std::string_view backtest_json, std::string_view chart_js);

}  // namespace loyalty::sync
