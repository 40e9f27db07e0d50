// `loyalty-hq [--store LOC] partitions [--dir D] (--create-through DATE | --detach-before DATE)`:
// the PostgreSQL journal's daily partitions (docs/hq-postgres.md). --create-through creates the
// missing ones from yesterday (in the business zone) through DATE, ahead of the nights that need
// them (migrate creates a week ahead; run this from a daily timer); an event of a day without a
// partition lands in the default partition, never lost. --detach-before detaches the days before
// DATE: they stay as plain tables journal_YYYYMMDD, out of the journal, for archiving or DROP.
//
// Prints {"store","created"} or {"store","detached"}.

#include <ostream>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/sync/hq_postgres.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "partitions";

Result<std::string> date_flag(const ParsedArgs& parsed, std::string_view name) {
  const std::string text = *parsed.flag(name);
  Result<CivilDate> date = parse_date(text);
  if (!date.ok())
    return usage_error(command, "--" + std::string(name) + ": " + date.error().message);
  return text;
}

// Yesterday's business date: the first partition kept ahead.
std::string yesterday(const sync::BusinessZone& zone) {
  const Timestamp at = plus_days(wall_clock_now(), -1);
  const std::int64_t local = at.unix_seconds + (zone ? zone->utc_offset_seconds_at(at) : 0);
  return format_date(civil_from_days(local >= 0 ? local / 86400 : -((-local + 86399) / 86400)));
}

}  // namespace

Status run_partitions(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}, {"create-through"}, {"detach-before"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const bool create = parsed.flag("create-through") != nullptr;
  if (create == (parsed.flag("detach-before") != nullptr)) {
    return usage_error(command, "give one of --create-through DATE and --detach-before DATE");
  }
  const std::string date = TRY(date_flag(parsed, create ? "create-through" : "detach-before"));
  const HqDir dir = hq_dir(parsed);
  const StoreLocator locator = TRY(store_locator(dir));
  if (locator.kind != StoreLocator::Kind::postgresql) {
    return make_error(
        ErrorCode::invalid_argument,
        "partitions: the store " + locator.shown() + " is SQLite, whose journal has no partitions");
  }
  json::Writer json;
  json.begin_object();
  json.key("store");
  json.value(locator.shown());
  if (create) {
    const std::string from = yesterday(TRY(business_zone(dir)));
    if (date < from) return usage_error(command, "--create-through " + date + " is past");
    json.key("created");
    json.value(TRY(sync::ensure_journal_partitions(locator.target, from, date)));
  } else {
    json.key("detached");
    json.value(TRY(sync::detach_journal_partitions_before(locator.target, date)));
  }
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
