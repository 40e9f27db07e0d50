// `loyalty-hq customer --dir D (--pseudonym P | --card C) [--history N]`: what HQ's ledger holds
// for one customer, with the newest N entries of their history (default 20). --card computes the
// pseudonym with D/keys/pseudonym.key; the card number is not printed. A customer HQ has no
// event of is an error (exit 1).

#include <optional>
#include <ostream>
#include <string>

#include "args/hq_args.h"
#include "args/pseudonym_flag.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "output/report_json.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "customer";
constexpr std::int64_t history_default = 20;

}  // namespace

Status run_customer(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}, {"pseudonym"}, {"card"}, {"history"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const HqDir dir = hq_dir(parsed);
  const std::int64_t history =
      TRY(integer_flag(command, parsed, "history", 0,
                       static_cast<std::int64_t>(limits::hq_history_entries_max), history_default));
  const std::string pseudonym = TRY(pseudonym_flag(command, parsed, dir));
  std::unique_ptr<sync::HqStore> store = TRY(open_store(dir));
  const std::optional<sync::CustomerReport> report =
      TRY(store->customer(pseudonym, static_cast<std::size_t>(history)));
  if (!report) {
    return make_error(ErrorCode::not_found,
                      "HQ has no customer " + pseudonym +
                          ": no terminal has sent an event of theirs yet (or the card or "
                          "pseudonym is mistyped)");
  }
  json::Writer json;
  write_customer(json, *report);
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
