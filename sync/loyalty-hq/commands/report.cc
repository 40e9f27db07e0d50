// `loyalty-hq report [--dir D] [--from DATE] [--to DATE] [--stores S,...] [--point-value M/P]
// [--format json|html] [--out FILE] [--chart-js PATH]`: the nightly report (nightly_report.h)
// of the business days [from, to] (default: yesterday in the business zone, one day), after
// applying what HQ holds. JSON goes to stdout, or with --out to FILE (then stdout gets
// {"report","format","from","to"}); HTML is one self-contained page with the charts, Chart.js
// read from Debian's libjs-chart.js (or --chart-js) and inlined.

#include <ostream>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/sync/nightly_report.h"
#include "loyalty/sync/report_html.h"
#include "output/document_output.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "report";

Result<std::string> date_or(const ParsedArgs& parsed, std::string_view name,
                            const std::string& fallback) {
  const std::string* text = parsed.flag(name);
  if (text == nullptr) return fallback;
  Result<CivilDate> date = parse_date(*text);
  if (!date.ok())
    return usage_error(command, "--" + std::string(name) + ": " + date.error().message);
  return *text;
}

}  // namespace

Status run_report(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"},         {"from"},   {"to"},  {"stores"},
                                {"point-value"}, {"format"}, {"out"}, {"chart-js"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const HqDir dir = hq_dir(parsed);
  const DocumentFormat format = TRY(document_format(command, parsed));
  sync::ReportOptions options;
  options.zone = TRY(business_zone(dir));
  options.generated_at = wall_clock_now();
  const FixedOffsetZone utc(0);
  const TimeZone& zone = options.zone ? *options.zone : static_cast<const TimeZone&>(utc);
  const std::string yesterday =
      format_date(to_local(plus_days(options.generated_at, -1), zone).date);
  options.from_date = TRY(date_or(parsed, "from", yesterday));
  options.to_date = TRY(date_or(parsed, "to", options.from_date));
  if (const std::string* stores = parsed.flag("stores")) {
    options.stores = TRY(list_flag(command, "stores", *stores));
    for (const std::string& store : options.stores) TRY(check_id_flag(command, "stores", store));
  }
  if (const std::string* value = parsed.flag("point-value")) {
    Result<sync::PointValue> point_value = sync::parse_point_value(*value);
    if (!point_value.ok())
      return usage_error(command, "--point-value: " + point_value.error().message);
    options.point_value = *point_value;
  }
  std::unique_ptr<sync::HqStore> store = TRY(open_store(dir));
  TRY(apply_everything(*store, options.generated_at));
  Result<std::string> document = sync::nightly_report_json(*store, options);
  if (!document.ok()) {
    if (document.error().code == ErrorCode::invalid_argument) {
      return usage_error(command, document.error().message);
    }
    return document.error();
  }
  return write_document(command, parsed, format, *document, sync::render_report_html, out,
                        options.from_date, options.to_date);
}

}  // namespace loyalty::hq
