// open_postgres_hq_store(): a connection, the schema checked against this build, and the store's
// logic (hq/row_store.h) over PgRows.

#include "hq/postgres/pg_meta.h"
#include "hq/postgres/pg_release.h"
#include "hq/postgres/pg_rows.h"
#include "hq/postgres/pg_schema.h"
#include "hq/row_store.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync {

namespace {

// The schema as it stands, in a read transaction of its own.
Result<hq::pg::SchemaMeta> current_meta(hq::pg::PgConnection& db) {
  TRY(db.begin(hq::pg::PgTransaction::read));
  Result<hq::pg::SchemaMeta> meta = hq::pg::read_meta(db);
  db.rollback();
  return meta;
}

}  // namespace

namespace hq::pg {

Result<std::unique_ptr<HqStore>> open_release_store(
    const std::string& conninfo, const PostgresHqOptions& options,
    std::span<const storage::Migration> migrations) {
  const hq::pg::PgConnectOptions connect =
      TRY(hq::pg::connect_options(options, limits::hq_pg_lock_timeout_ms));
  hq::pg::PgConnection db = TRY(hq::pg::PgConnection::connect(conninfo, connect));
  const hq::pg::SchemaMeta meta = TRY(current_meta(db));
  const auto build = static_cast<std::int64_t>(migrations.size());
  // Only `loyalty-hq migrate` migrates, so that HQ processes starting together never race to.
  if (meta.version < build) {
    return make_error(ErrorCode::conflict, "HQ database schema is at version " +
                                               std::to_string(meta.version) +
                                               ", this build needs " + std::to_string(build) +
                                               ": run 'loyalty-hq migrate'");
  }
  TRY(hq::pg::check_readable(meta, build, hq::pg::zone_name(options.business_zone)));
  std::unique_ptr<hq::pg::PgRows> rows = TRY(hq::pg::PgRows::create(std::move(db)));
  return hq::make_row_store(std::move(rows), options.business_zone);
}

}  // namespace hq::pg

Result<std::unique_ptr<HqStore>> open_postgres_hq_store(const std::string& conninfo,
                                                        const PostgresHqOptions& options) {
  return hq::pg::open_release_store(conninfo, options, hq::pg::postgres_migrations());
}

}  // namespace loyalty::sync
