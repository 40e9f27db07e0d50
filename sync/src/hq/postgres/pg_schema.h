// The HQ store's PostgreSQL schema: its versioned migrations (expand/contract, as the ledger's:
// storage/migrations.h) and the names the backend gives the journal's partitions.
//
// Bookkeeping: schema_migrations(version, kind, applied_at) has one row per migration applied;
// meta holds schema_version, min_reader_version (the oldest build that may open the database)
// and business_time_zone (the zone the journal's business dates are in, fixed at creation).
//
// Thread-safety: immutable data and pure functions.
#pragma once

#include <span>
#include <string>

#include "loyalty/core/time.h"
#include "loyalty/storage/migrations.h"

namespace loyalty::sync::hq::pg {

// Numbered 1..N; each runs in its own transaction (pg_migrate.cc).
std::span<const storage::Migration> postgres_migrations();

// "journal_YYYYMMDD": the daily partition of `date`.
std::string partition_name(CivilDate date);

}  // namespace loyalty::sync::hq::pg
