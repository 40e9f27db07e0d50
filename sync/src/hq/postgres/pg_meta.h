// The HQ database's schema bookkeeping as open and migrate read it (meta: schema_version,
// min_reader_version, business_time_zone), the checks both make, and the daily partitions of the
// journal (created and detached by pg_partitions.cc).
//
// Thread-safety: functions on a PgConnection, used by its one thread.
#pragma once

#include <cstdint>
#include <string>

#include "hq/postgres/pg_connection.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_postgres.h"

namespace loyalty::sync::hq::pg {

struct SchemaMeta {
  std::int64_t version = 0;  // 0: an empty database (no meta table)
  std::int64_t min_reader_version = 0;
  std::string business_time_zone;  // "" before v1
};

// Reads meta inside the caller's transaction.
Result<SchemaMeta> read_meta(PgConnection& db);

// conflict when a build whose migrations end at version `build` may not read a database at
// `meta` (newer than the build and above its min_reader_version), or when the database's zone is
// not `zone_name`.
Status check_readable(const SchemaMeta& meta, std::int64_t build, std::string_view zone_name);

// The zone's name as meta keeps it: "UTC" for none.
std::string zone_name(const BusinessZone& zone);

// The connection options for `options`, checked (invalid_argument when out of range); DDL
// sessions wait for locks `lock_timeout_ms`.
Result<PgConnectOptions> connect_options(const PostgresHqOptions& options,
                                         std::int64_t lock_timeout_ms);

// The local date of `at` in `zone` (UTC when null): hq/row_store.h's business_date().
CivilDate local_date(Timestamp at, const TimeZone* zone);

// Creates the missing daily partitions for [from, to] (each in its own transaction, under the
// partitions' advisory lock), moving the rows journal_default holds for the day into it; returns
// how many it created. conflict when a table of the name exists but is no partition of journal.
Result<std::int64_t> ensure_partitions(PgConnection& db, CivilDate from, CivilDate to);

}  // namespace loyalty::sync::hq::pg
