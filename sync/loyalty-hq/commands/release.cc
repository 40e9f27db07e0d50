// `loyalty-hq release --dir D --store S --terminal T [--from-seq N] --note TEXT`: lifts a
// terminal's quarantine after an operator looked into it. With --from-seq, what HQ holds from
// that seq on is dropped and the terminal sends it again; without, HQ keeps all it holds. The
// note goes into the alert that records the release. Prints {"store","terminal",
// "accept_from_seq","released":true}.

#include <ostream>
#include <string>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "release";
constexpr std::int64_t seq_max = 1'000'000'000'000'000;

}  // namespace

Status run_release(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {
      {"dir"}, {"store", true}, {"terminal", true}, {"from-seq"}, {"note", true}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const sync::TerminalIdentity terminal{*parsed.flag("store"), *parsed.flag("terminal")};
  TRY(check_id_flag(command, "store", terminal.store_id));
  TRY(check_id_flag(command, "terminal", terminal.terminal_id));
  const std::int64_t from_seq = TRY(integer_flag(command, parsed, "from-seq", 1, seq_max, 0));
  const std::string& note = *parsed.flag("note");
  if (note.size() > limits::sync_message_bytes_max) {
    return usage_error(command, "--note is longer than " +
                                    std::to_string(limits::sync_message_bytes_max) + " bytes");
  }
  std::unique_ptr<sync::HqStore> store = TRY(open_store(hq_dir(parsed)));
  TRY(store->release(terminal, from_seq, note, wall_clock_now()));
  json::Writer json;
  json.begin_object();
  json.key("store");
  json.value(terminal.store_id);
  json.key("terminal");
  json.value(terminal.terminal_id);
  json.key("accept_from_seq");
  json.value(from_seq);
  json.key("released");
  json.value(true);
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
