// render_page: one HQ report or backtest document rendered into its HTML page, for the browser
// test (report_browser_test.py), through loyalty::sync's renderers (loyalty/sync/report_html.h).
//
//   render_page report|backtest IN.json CHART_JS OUT.html
//
// Exit status 0 when OUT.html was written, 1 with one line on stderr when the document, the
// Chart.js file or the output could not be used, 2 for a wrong command line.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "loyalty/sync/report_html.h"

namespace {

constexpr std::string_view usage = "usage: render_page report|backtest IN.json CHART_JS OUT.html";

loyalty::Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return loyalty::make_error(loyalty::ErrorCode::not_found, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return loyalty::make_error(loyalty::ErrorCode::io_error, path + ": cannot read");
  return text.str();
}

loyalty::Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return loyalty::make_error(loyalty::ErrorCode::io_error, path + ": cannot write");
  return loyalty::Status();
}

loyalty::Status run(std::string_view kind, const std::string& in_path,
                    const std::string& chart_js_path, const std::string& out_path) {
  const std::string document = TRY(read_file(in_path));
  const std::string chart_js = TRY(loyalty::sync::load_chart_js(chart_js_path));
  const std::string page = kind == "report"
                               ? TRY(loyalty::sync::render_report_html(document, chart_js))
                               : TRY(loyalty::sync::render_backtest_html(document, chart_js));
  return write_file(out_path, page);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 ||
      (std::string_view(argv[1]) != "report" && std::string_view(argv[1]) != "backtest")) {
    std::cerr << usage << "\n";
    return 2;
  }
  const loyalty::Status status = run(argv[1], argv[2], argv[3], argv[4]);
  if (!status.ok()) {
    std::cerr << "render_page: " << loyalty::error_code_name(status.error().code) << ": "
              << status.error().message << "\n";
    return 1;
  }
  return 0;
}
