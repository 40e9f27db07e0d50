// `loyalty-hq apply --dir D`: one apply pass (at most limits::hq_apply_events_max events) of
// what HQ holds to its ledger, as the service does after each batch. Prints the ApplyReport.

#include <ostream>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "output/report_json.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

Status run_apply(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}};
  const ParsedArgs parsed = TRY(parse_flags("apply", args, flags));
  std::unique_ptr<sync::HqStore> store = TRY(open_store(hq_dir(parsed)));
  const sync::ApplyReport report = TRY(store->apply(wall_clock_now(), limits::hq_apply_events_max));
  json::Writer json;
  write_apply_report(json, report);
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
