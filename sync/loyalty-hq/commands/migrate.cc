// `loyalty-hq [--store LOC] migrate [--dir D]`: brings the HQ store's schema to this build's.
// PostgreSQL is migrated only by this command (serve refuses a database behind the build), each
// migration in its own transaction, expand/contract, so that the previous release keeps running
// during a rollout until a contract migration says otherwise (docs/hq-postgres.md). It also
// creates the journal partitions of the days around now. An SQLite store migrates itself when
// it is opened; the command opens it.
//
// Prints {"store","kind","version_before","version_after","min_reader_version","applied"}
// (SQLite: {"store","kind","migrated":true}).

#include <ostream>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/sync/hq_postgres.h"
#include "state/hq_dir.h"
#include "state/store_choice.h"

namespace loyalty::hq {

Status run_migrate(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}};
  const ParsedArgs parsed = TRY(parse_flags("migrate", args, flags));
  const HqDir dir = hq_dir(parsed);
  const StoreLocator locator = TRY(store_locator(dir));
  json::Writer json;
  json.begin_object();
  json.key("store");
  json.value(locator.shown());
  json.key("kind");
  if (locator.kind == StoreLocator::Kind::sqlite) {
    TRY(open_store(dir));
    json.value("sqlite");
    json.key("migrated");
    json.value(true);
  } else {
    sync::PostgresHqOptions options;
    options.business_zone = TRY(business_zone(dir));
    Result<sync::PostgresMigration> migrated =
        sync::migrate_postgres_hq_store(locator.target, options, wall_clock_now());
    if (!migrated.ok()) {
      return make_error(migrated.error().code, locator.shown() + ": " + migrated.error().message);
    }
    json.value("postgresql");
    json.key("version_before");
    json.value(migrated->version_before);
    json.key("version_after");
    json.value(migrated->version_after);
    json.key("min_reader_version");
    json.value(migrated->min_reader_version);
    json.key("applied");
    json.value(migrated->applied);
  }
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace loyalty::hq
