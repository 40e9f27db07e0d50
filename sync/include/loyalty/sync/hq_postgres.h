// The HQ store on PostgreSQL (libpq, Debian libpq-dev): the same HqStore as the SQLite one, for
// chains too large for one file. docs/hq-postgres.md has the layout, the Citus statements and the
// operations (migrations, partitions).
//
// - Ingest: each batch is COPYed into a temporary staging table and moved into the journal with
//   one INSERT ... ON CONFLICT DO NOTHING, inside the batch's transaction; the Ack is given after
//   the commit.
// - The journal is partitioned by business date (declarative RANGE partitions, one per day),
//   created ahead of time; old days can be detached. Every table that grows with the chain's
//   stores is keyed by store_id first and the customer side of the HQ ledger by the pseudonym
//   first, so the same schema distributes on Citus by store_id and by pseudonym (two co-location
//   groups that no statement joins; sync/src/hq/postgres/pg_schema.cc).
// - Concurrency: several HQ processes and workers may use one database. Writers of one terminal
//   and the appliers take turns under row and advisory locks; a lock not granted within 5 s, a
//   deadlock or a serialisation failure is ErrorCode::busy (run the call again).
// - A connection that broke (the server restarted) is re-opened by the store's next call; the
//   call that found it broken fails with io_error and its transaction is rolled back (a commit
//   cut off may or may not have landed: the error says so, and an ingest's retry is idempotent).
// - The schema is versioned (expand/contract, like the ledger's: storage/migrations.h) and
//   migrated only by migrate_postgres_hq_store (`loyalty-hq migrate`): open_postgres_hq_store
//   refuses a database that is behind the build, so that several HQ processes never race to
//   migrate it, and opens one that is ahead when the build may still read it.
//
// Connection strings are libpq's (URI or key=value). They are never logged with a password:
// redact_conninfo() hides it in messages.
//
// Thread-safety: one store object (one connection) per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync {

struct PostgresHqOptions {
  BusinessZone business_zone;      // null: UTC; fixed when the schema is created
  int connect_timeout_s = 10;      // libpq connect_timeout
  int statement_timeout_ms = 60000;  // per statement, so a stuck server cannot hang a worker
};

// Opens the store at `conninfo`. Fails with conflict when the schema is behind this build (run
// migrate_postgres_hq_store) or too new for it, or was created with another business zone;
// io_error when the server cannot be reached.
Result<std::unique_ptr<HqStore>> open_postgres_hq_store(const std::string& conninfo,
                                                        const PostgresHqOptions& options = {});

struct PostgresMigration {
  std::int64_t version_before = 0;
  std::int64_t version_after = 0;
  std::int64_t min_reader_version = 0;
  std::int64_t applied = 0;  // migrations applied by this call
};

// Creates or migrates the schema to this build's last version, each migration in its own
// transaction under an advisory lock (two HQs migrating at once take turns). Also creates the
// journal partitions of the days around now (see ensure_journal_partitions).
Result<PostgresMigration> migrate_postgres_hq_store(const std::string& conninfo,
                                                    const PostgresHqOptions& options, Timestamp now);

// Creates the missing daily journal partitions for business dates [from_date, to_date]
// ("YYYY-MM-DD"); returns how many it created. Events of a day without a partition go to the
// default partition, so ingest never fails for want of one.
Result<std::int64_t> ensure_journal_partitions(const std::string& conninfo,
                                               std::string_view from_date, std::string_view to_date);

// Detaches (does not drop) the daily partitions of business dates before `before_date`; they
// stay as plain tables named journal_YYYYMMDD for archiving. Returns how many were detached.
Result<std::int64_t> detach_journal_partitions_before(const std::string& conninfo,
                                                      std::string_view before_date);

// `conninfo` with any password replaced by "***" (URI and key=value forms).
std::string redact_conninfo(std::string_view conninfo);

}  // namespace loyalty::sync
