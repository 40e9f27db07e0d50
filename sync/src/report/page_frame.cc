// The report pages' shared frame: head, policy, style and scripts (page_frame.h).

#include "report/page_frame.h"

#include <openssl/evp.h>

#include <string>

#include "loyalty/sync/signing.h"
#include "report/chart_js.h"
#include "report/html_writer.h"
#include "report/page_script.h"

namespace loyalty::sync::report {
namespace {

// Readable on screen and on paper: system fonts only (nothing to fetch), tables that fit A4
// landscape, no chart or table split across a page break.
constexpr std::string_view page_style = R"css(
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 1.5rem; color: #1b1b1b;
       background: #ffffff; line-height: 1.35; }
header { border-bottom: 2px solid #1f5f8b; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .4rem 0; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .6rem 0; border-bottom: 1px solid #c8d3dc; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem 0; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem;
          margin: 0 0 .8rem 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; }
.card { border: 1px solid #c8d3dc; border-radius: 4px; padding: .5rem .8rem; min-width: 9rem; }
.card-label { font-size: .8rem; color: #4a4a4a; }
.card-value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: .2rem 0 1rem 0; font-size: .85rem; }
th, td { border: 1px solid #c8d3dc; padding: .2rem .5rem; text-align: left; }
thead th { background: #eef3f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem;
          align-items: start; }
figure.chart { margin: 0; border: 1px solid #c8d3dc; border-radius: 4px; padding: .5rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.chart-box { position: relative; height: 300px; }
p.no-data { color: #4a4a4a; font-style: italic; border: 1px dashed #c8d3dc; padding: .6rem; }
@media print {
  body { margin: 0; }
  .charts { display: block; }
  figure.chart, table, .cards { break-inside: avoid; }
  figure.chart { margin-bottom: .8rem; }
}
)css";

}  // namespace

std::string script_hash_source(std::string_view script) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  LOYALTY_ASSERT(
      EVP_Digest(script.data(), script.size(), digest, &digest_bytes, EVP_sha256(), nullptr) == 1);
  const std::string_view bytes(reinterpret_cast<const char*>(digest), digest_bytes);
  return "'sha256-" + base64_encode(bytes) + "'";
}

Result<std::string> assemble_page(const PageContent& content, std::string_view chart_js) {
  TRY(check_inlinable_script(chart_js, "Chart.js"));
  const std::string_view script = page_script();
  std::string page;
  page.reserve(chart_js.size() + content.body_html.size() + content.chart_data.size() + 8192);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ";
  page += "script-src " + script_hash_source(chart_js) + " " + script_hash_source(script);
  page += "; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>" + escaped(content.title) + "</title>\n<style>";
  page += page_style;
  page += "</style>\n</head>\n<body>\n";
  page += content.body_html;
  page += "<script type=\"application/json\" id=\"chart-data\">";
  page += content.chart_data;
  page += "</script>\n<script>";
  page += chart_js;
  page += "</script>\n<script>";
  page += script;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace loyalty::sync::report
