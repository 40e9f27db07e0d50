// The PostgreSQL store as a release whose migrations are `migrations` opens and migrates it.
// open_postgres_hq_store and migrate_postgres_hq_store (loyalty/sync/hq_postgres.h) are these
// with this build's migrations (pg_schema.h); the rollout test runs an older and a newer release
// side by side on one database with them.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "loyalty/storage/migrations.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::hq::pg {

// `migrations` numbered 1..N in order, the first creating the schema (pg_schema.cc's v1).
Result<std::unique_ptr<HqStore>> open_release_store(const std::string& conninfo,
                                                    const PostgresHqOptions& options,
                                                    std::span<const storage::Migration> migrations);

Result<PostgresMigration> migrate_release(const std::string& conninfo,
                                          const PostgresHqOptions& options, Timestamp now,
                                          std::span<const storage::Migration> migrations);

}  // namespace loyalty::sync::hq::pg
