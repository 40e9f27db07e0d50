// Writing the documents of report and simulate (document_output.h).

#include "output/document_output.h"

#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/sync/report_html.h"
#include "state/state_files.h"

namespace loyalty::hq {

Result<DocumentFormat> document_format(std::string_view command, const ParsedArgs& parsed) {
  const std::string format = parsed.flag_or("format", "json");
  if (format == "json") return DocumentFormat::json;
  if (format == "html") return DocumentFormat::html;
  return usage_error(command, "--format must be json or html, not \"" + format + "\"");
}

Status apply_everything(sync::HqStore& store, Timestamp now) {
  while (true) {
    const sync::ApplyReport report = TRY(store.apply(now, limits::hq_apply_events_max));
    if (report.events_applied == 0) return Status();
  }
}

Status write_document(std::string_view command, const ParsedArgs& parsed, DocumentFormat format,
                      const std::string& document, const PageRenderer& render, std::ostream& out,
                      const std::string& from, const std::string& to) {
  std::string text = document;
  if (format == DocumentFormat::html) {
    const std::string chart_js = TRY(
        sync::load_chart_js(parsed.flag_or("chart-js", std::string(sync::chart_js_default_path))));
    text = TRY(render(document, chart_js));
  }
  const std::string* path = parsed.flag("out");
  if (path == nullptr) {
    out << text << (format == DocumentFormat::json ? "\n" : "") << std::flush;
    if (!out) return make_error(ErrorCode::internal, "cannot write to standard output");
    return Status();
  }
  TRY(replace_file(*path, text, 0644));
  json::Writer json;
  json.begin_object();
  json.key("report");
  json.value(*path);
  json.key("format");
  json.value(format == DocumentFormat::json ? "json" : "html");
  json.key("from");
  json.value(from);
  json.key("to");
  json.value(to);
  json.end_object();
  (void)command;
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
