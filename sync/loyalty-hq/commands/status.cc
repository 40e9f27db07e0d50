// `loyalty-hq status --dir D [--at TIME]`: every terminal HQ knows (how far it holds and applied
// each chain, the seconds since its last batch, a quarantine and why), the alerts, HQ's totals,
// and how many terminals are quarantined. A quarantine is reported, not a failure: exit 0.

#include <ostream>
#include <string>
#include <vector>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "output/report_json.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

Status run_status(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}, {"at"}};
  const ParsedArgs parsed = TRY(parse_flags("status", args, flags));
  const Timestamp now = TRY(time_flag("status", parsed, "at"));
  std::unique_ptr<sync::HqStore> store = TRY(open_store(hq_dir(parsed)));
  const std::vector<sync::TerminalStatus> terminals = TRY(store->terminals());
  const std::vector<sync::Alert> alerts = TRY(store->alerts());
  const sync::HqTotals totals = TRY(store->totals());
  json::Writer json;
  json.begin_object();
  json.key("terminals");
  json.begin_array();
  std::int64_t quarantined = 0;
  for (const sync::TerminalStatus& terminal : terminals) {
    write_terminal(json, terminal, now);
    if (terminal.quarantined) ++quarantined;
  }
  json.end_array();
  json.key("alerts");
  json.begin_array();
  for (const sync::Alert& alert : alerts) write_alert(json, alert);
  json.end_array();
  json.key("totals");
  write_totals(json, totals);
  json.key("quarantined");
  json.value(quarantined);
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
