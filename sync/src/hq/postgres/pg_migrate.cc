// migrate_postgres_hq_store(): the schema to this build's last version, one migration per
// transaction, each under the migrators' advisory lock (two migrators take turns: the second
// reads the version the first committed and goes on from there, or finds nothing to do).

#include "hq/postgres/pg_meta.h"
#include "hq/postgres/pg_release.h"
#include "hq/postgres/pg_rows.h"
#include "hq/postgres/pg_schema.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync {

namespace {

using hq::pg::PgConnection;
using hq::pg::PgParams;
using hq::pg::PgTransaction;

Status set_meta(PgConnection& db, std::string_view key, std::string_view value) {
  TRY(
      db.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
               "value = EXCLUDED.value",
               PgParams().text(key).text(value)));
  return {};
}

Status apply_migration(PgConnection& db, const storage::Migration& migration, std::string_view zone,
                       Timestamp now) {
  TRY(db.exec(migration.sql));
  // The zone is fixed when the schema is created: the business dates filed depend on it.
  if (migration.version == 1) TRY(set_meta(db, "business_time_zone", zone));
  TRY(set_meta(db, "schema_version", std::to_string(migration.version)));
  if (migration.kind == storage::MigrationKind::contract) {
    TRY(set_meta(db, "min_reader_version", std::to_string(migration.version)));
  }
  const bool contract = migration.kind == storage::MigrationKind::contract;
  TRY(db.query("INSERT INTO schema_migrations (version, kind, applied_at) VALUES ($1, $2, $3)",
               PgParams()
                   .int64(migration.version)
                   .text(contract ? "contract" : "expand_only")
                   .int64(now.unix_seconds)));
  return {};
}

// One step in the caller's transaction: applies the next migration (true), or finds none left
// (false). `state` gets the bookkeeping it read.
Result<bool> migrate_step(PgConnection& db, std::span<const storage::Migration> migrations,
                          std::string_view zone, Timestamp now, hq::pg::SchemaMeta& state) {
  TRY(db.query("SELECT pg_advisory_xact_lock($1::bigint)",
               PgParams().int64(hq::pg::migrate_lock_key)));
  state = TRY(hq::pg::read_meta(db));
  const auto build = static_cast<std::int64_t>(migrations.size());
  if (state.version >= build) {
    TRY(hq::pg::check_readable(state, build, zone));
    return false;
  }
  if (state.version >= 1) TRY(hq::pg::check_readable(state, build, zone));
  const storage::Migration& migration = migrations[static_cast<std::size_t>(state.version)];
  Status applied = apply_migration(db, migration, zone, now);
  if (!applied.ok()) {
    return make_error(applied.error().code, "HQ database migration to version " +
                                                std::to_string(migration.version) +
                                                " failed: " + applied.error().message);
  }
  return true;
}

}  // namespace

namespace hq::pg {

Result<PostgresMigration> migrate_release(const std::string& conninfo,
                                          const PostgresHqOptions& options, Timestamp now,
                                          std::span<const storage::Migration> migrations) {
  const hq::pg::PgConnectOptions connect =
      TRY(hq::pg::connect_options(options, limits::hq_pg_ddl_lock_timeout_ms));
  PgConnection db = TRY(PgConnection::connect(conninfo, connect));
  const std::string zone = hq::pg::zone_name(options.business_zone);
  const std::size_t steps = migrations.size();
  PostgresMigration report;
  // At most one step per migration, and one more that finds the schema current.
  for (std::size_t step = 0; step <= steps; ++step) {
    TRY(db.begin(PgTransaction::write));
    hq::pg::SchemaMeta state;
    Result<bool> applied = migrate_step(db, migrations, zone, now, state);
    if (!applied.ok()) {
      db.rollback();
      return std::move(applied).error();
    }
    if (step == 0) report.version_before = state.version;
    TRY(db.commit());
    if (!*applied) {
      report.version_after = state.version;
      report.min_reader_version = state.min_reader_version;
      break;
    }
    ++report.applied;
  }
  LOYALTY_ASSERT(report.version_after >= static_cast<std::int64_t>(steps));
  // The days around now: yesterday (a till's clock behind, a late batch) to a week ahead.
  const CivilDate today = hq::pg::local_date(now, options.business_zone.get());
  const std::int64_t day = days_from_civil(today);
  TRY(hq::pg::ensure_partitions(db, civil_from_days(day - 1), civil_from_days(day + 7)));
  return report;
}

}  // namespace hq::pg

Result<PostgresMigration> migrate_postgres_hq_store(const std::string& conninfo,
                                                    const PostgresHqOptions& options,
                                                    Timestamp now) {
  return hq::pg::migrate_release(conninfo, options, now, hq::pg::postgres_migrations());
}

}  // namespace loyalty::sync
