#include "hq/postgres/pg_meta.h"

#include <charconv>

#include "hq/postgres/pg_schema.h"
#include "hq/row_store.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time_zone.h"

namespace loyalty::sync::hq::pg {

namespace {

Result<std::int64_t> meta_integer(const std::string& key, const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return make_error(ErrorCode::io_error, "the HQ database's meta." + key + " is '" + text +
                                               "', not a number: the database is damaged");
  }
  return value;
}

}  // namespace

Result<SchemaMeta> read_meta(PgConnection& db) {
  SchemaMeta meta;
  const PgResult exists = TRY(db.query("SELECT to_regclass('meta') IS NOT NULL"));
  if (!exists.boolean(0, 0)) return meta;
  const PgResult rows = TRY(
      db.query("SELECT key, value FROM meta WHERE key IN ('schema_version', 'min_reader_version', "
               "'business_time_zone')"));
  for (int row = 0; row < rows.rows(); ++row) {
    const std::string key = rows.text(row, 0);
    const std::string value = rows.text(row, 1);
    if (key == "schema_version") meta.version = TRY(meta_integer(key, value));
    if (key == "min_reader_version") meta.min_reader_version = TRY(meta_integer(key, value));
    if (key == "business_time_zone") meta.business_time_zone = value;
  }
  return meta;
}

Status check_readable(const SchemaMeta& meta, std::int64_t build, std::string_view zone_name) {
  if (meta.version > build && build < meta.min_reader_version) {
    return make_error(ErrorCode::conflict,
                      "HQ database schema is at version " + std::to_string(meta.version) +
                          ", newer than this build (" + std::to_string(build) +
                          ") and readable only from version " +
                          std::to_string(meta.min_reader_version) + " on: install a newer release");
  }
  if (meta.version >= 1 && meta.business_time_zone != zone_name) {
    return make_error(ErrorCode::conflict,
                      "HQ database was set up with business time zone " + meta.business_time_zone +
                          ", but this HQ is configured with " + std::string(zone_name) +
                          ": configure " + meta.business_time_zone +
                          " (the journal's business dates are in it)");
  }
  return {};
}

std::string zone_name(const BusinessZone& zone) {
  return zone ? std::string(zone->name()) : std::string("UTC");
}

Result<PgConnectOptions> connect_options(const PostgresHqOptions& options,
                                         std::int64_t lock_timeout_ms) {
  if (options.connect_timeout_s < 0 ||
      options.connect_timeout_s > limits::hq_pg_connect_timeout_s_max) {
    return make_error(ErrorCode::invalid_argument,
                      "connect_timeout_s must be 0 (none) .. " +
                          std::to_string(limits::hq_pg_connect_timeout_s_max));
  }
  if (options.statement_timeout_ms < 0 ||
      options.statement_timeout_ms > limits::hq_pg_statement_timeout_ms_max) {
    return make_error(ErrorCode::invalid_argument,
                      "statement_timeout_ms must be 0 (none) .. " +
                          std::to_string(limits::hq_pg_statement_timeout_ms_max));
  }
  return PgConnectOptions{options.connect_timeout_s, options.statement_timeout_ms, lock_timeout_ms};
}

CivilDate local_date(Timestamp at, const TimeZone* zone) {
  // The logic's business date (hq/row_store.h), so that partitions and events agree on days.
  Result<CivilDate> date = parse_date(business_date(at, zone));
  LOYALTY_ASSERT(date.ok());
  return *date;
}

}  // namespace loyalty::sync::hq::pg
