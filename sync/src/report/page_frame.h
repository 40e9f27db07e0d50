// The frame both report pages share: the document head with its Content-Security-Policy and
// print-friendly style, the body, the charts' JSON block, Chart.js and the page's chart script,
// all inline. Private to sync/src/report.
//
// The policy allows no request of any kind (default-src 'none') and exactly the two scripts the
// page inlines, by their SHA-256 hashes, so even text that escaped its escaping could not run.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::sync::report {

struct PageContent {
  std::string title;       // plain text, for <title>
  std::string body_html;   // the page's markup (HtmlWriter)
  std::string chart_data;  // chart_data_json(), already safe inside a script element
};

// The whole page. invalid_argument when `chart_js` cannot be inlined (check_inlinable_script).
Result<std::string> assemble_page(const PageContent& content, std::string_view chart_js);

// "'sha256-<base64>'": a script's CSP source expression.
std::string script_hash_source(std::string_view script);

}  // namespace loyalty::sync::report
