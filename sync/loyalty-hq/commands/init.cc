// `loyalty-hq [--store LOC] init --dir D [--server-name N[,N...]] [--time-zone Z]`: a new HQ
// directory (state/hq_dir.h): the store (SQLite in D, or the PostgreSQL database --store names,
// migrated; its locator is recorded in D/store), the business time zone (D/business-time-zone),
// a development CA, the first bundle signing key, the chain's pseudonym key and HQ's
// server certificate; then the pseudonym key is published for the whole chain (version 1), so
// every terminal receives it with its first downlink. Refuses a directory that holds any of
// these already.

#include <openssl/rand.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/environment/tzdb_zone.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/signing.h"
#include "loyalty/sync/tls.h"
#include "state/hq_dir.h"
#include "state/state_files.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "init";
constexpr std::string_view default_server_names = "127.0.0.1,localhost";
constexpr std::int64_t ca_valid_days = 3650;
constexpr std::int64_t server_valid_days = 825;
// Certificates are valid from an hour ago, so a terminal whose clock is behind accepts them.
constexpr std::int64_t clock_skew_seconds = 3600;
constexpr std::size_t pseudonym_key_bytes = 32;

Status refuse_existing(const HqDir& dir) {
  for (const std::string& path :
       {dir.database(), dir.ca(), dir.keys(), dir.server(), dir.store_file(), dir.zone_file()}) {
    if (path_exists(path)) {
      return make_error(ErrorCode::conflict, path + " exists already: " + dir.root +
                                                 " holds an HQ; refusing to overwrite it");
    }
  }
  return Status();
}

Result<std::string> random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return make_error(ErrorCode::internal, "the system has no random numbers to make a key");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : random) {
    hex += digits[byte >> 4];
    hex += digits[byte & 0xf];
  }
  return hex;
}

Status make_keys(const HqDir& dir, std::string& pseudonym_hex) {
  TRY(ensure_directory(dir.keys(), 0700));
  const sync::SigningKey signing =
      TRY(sync::SigningKey::generate(std::string(first_signing_key_id)));
  TRY(write_new_file(dir.bundle_key(signing.key_id()), signing.private_pem(), 0600));
  TRY(write_new_file(dir.bundle_public_key(signing.key_id()), signing.public_pem(), 0644));
  TRY(write_new_file(dir.current_key(), signing.key_id() + "\n", 0644));
  pseudonym_hex = TRY(random_hex(pseudonym_key_bytes));
  return write_new_file(dir.pseudonym_key(), pseudonym_hex + "\n", 0600);
}

Status make_certificates(const HqDir& dir, const std::vector<std::string>& server_names,
                         Timestamp now) {
  const Timestamp since = plus_seconds(now, -clock_skew_seconds);
  TRY(sync::ca_init(
      sync::CaInit{.directory = dir.ca(), .valid_days = ca_valid_days, .now = since}));
  sync::CaIssue server;
  server.ca_directory = dir.ca();
  server.out_directory = dir.server();
  server.server_names = server_names;
  server.not_before = since;
  server.valid_days = server_valid_days;
  return sync::ca_issue(server);
}

std::string report(const HqDir& dir, const std::vector<std::string>& server_names,
                   std::int64_t keys_version) {
  json::Writer out;
  out.begin_object();
  out.key("dir");
  out.value(dir.root);
  out.key("database");
  out.value(store_locator(dir).ok() ? store_locator(dir)->shown() : dir.database());
  out.key("ca");
  out.value(dir.ca() + "/ca.crt");
  out.key("server_certificate");
  out.value(dir.server_tls().certificate_path);
  out.key("server_names");
  out.begin_array();
  for (const std::string& name : server_names) out.value(name);
  out.end_array();
  out.key("signing_key_id");
  out.value(first_signing_key_id);
  out.key("pseudonym_key_id");
  out.value(pseudonym_key_id);
  out.key("keys_version");
  out.value(keys_version);
  out.end_object();
  return out.take();
}

// A new PostgreSQL database gets the schema; one that holds an HQ already is refused, since
// this directory's keys would not be the ones its terminals have.
Status prepare_postgres(const StoreLocator& locator, const sync::BusinessZone& zone,
                        Timestamp now) {
  sync::PostgresHqOptions options;
  options.business_zone = zone;
  Result<sync::PostgresMigration> migrated =
      sync::migrate_postgres_hq_store(locator.target, options, now);
  if (!migrated.ok()) return make_error(migrated.error().code, migrated.error().message);
  if (migrated->version_before > 0) {
    return make_error(ErrorCode::conflict, locator.shown() +
                                               " holds an HQ already (schema version " +
                                               std::to_string(migrated->version_before) +
                                               "); refusing to give it new keys");
  }
  return Status();
}

}  // namespace

Status run_init(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}, {"server-name"}, {"time-zone"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const HqDir dir = hq_dir(parsed);
  const std::vector<std::string> server_names =
      TRY(server_names_flag(command, parsed.flag_or("server-name", default_server_names)));
  const std::string zone_name = parsed.flag_or("time-zone", "UTC");
  if (zone_name != "UTC") {
    Result<environment::TzdbZone> zone = environment::TzdbZone::find(zone_name);
    if (!zone.ok()) return usage_error(command, "--time-zone: " + zone.error().message);
  }
  const StoreLocator locator = TRY(store_locator(dir));
  TRY(refuse_existing(dir));
  TRY(ensure_directory(dir.root, 0700));
  if (zone_name != "UTC") TRY(write_new_file(dir.zone_file(), zone_name + "\n", 0644));
  if (locator.target != dir.database()) {
    // 0600: a locator may carry a password (better kept in ~/.pgpass).
    TRY(write_new_file(dir.store_file(), locator.text() + "\n", 0600));
  }
  const Timestamp now = wall_clock_now();
  if (locator.kind == StoreLocator::Kind::postgresql) {
    TRY(prepare_postgres(locator, TRY(business_zone(dir)), now));
  } else {
    // Creates the SQLite file (open_store refuses a missing one).
    sync::SqliteHqOptions options;
    options.business_zone = TRY(business_zone(dir));
    Result<std::unique_ptr<sync::HqStore>> created =
        sync::open_sqlite_hq_store(locator.target, options);
    if (!created.ok()) {
      return make_error(ErrorCode::io_error, locator.target + ": " + created.error().message);
    }
  }
  TRY(make_certificates(dir, server_names, now));
  std::string pseudonym_hex;
  TRY(make_keys(dir, pseudonym_hex));
  Result<std::unique_ptr<sync::HqStore>> store = open_store(dir);
  if (!store.ok()) return store.error();
  const sync::KeysItem keys{std::string(pseudonym_key_id), pseudonym_hex, {}};
  const std::int64_t version = TRY((*store)->publish("", keys, now));
  return write_json_line(out, report(dir, server_names, version));
}

}  // namespace loyalty::hq
