// Chart.js, the charting library the report pages inline: the checks that a script's text can
// sit inside a <script> element of the page unchanged. load_chart_js() itself is public
// (loyalty/sync/report_html.h). Private to sync/src/report.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::sync::report {

// Chart.js 3.9's UMD build is 200 KB minified, 550 KB plain.

// invalid_argument unless `text` is 1..limits::hq_chart_js_bytes_max bytes with no "</script" and
// no "<!--" (ASCII case-insensitive), the two sequences that would end a script element early or
// change how the HTML parser reads it. `what` names the text for the message
// ("/usr/share/.../x.js").
Status check_inlinable_script(std::string_view text, std::string_view what);

}  // namespace loyalty::sync::report
