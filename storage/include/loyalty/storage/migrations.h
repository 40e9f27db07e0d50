// Versioned schema: an ordered list of migrations, applied each in its own transaction, with the
// schema version kept in PRAGMA user_version.
//
// Expand/contract. A migration that only adds (a table, a column with a default, an index, a
// view) is `expand_only`: the previous release can still read and write a ledger it migrated,
// because nothing it uses has changed. Every migration records in meta.min_reader_version the
// oldest schema version whose code may open the ledger: an expand-only migration leaves it as it
// was, any other migration raises it to its own version. A build that knows versions up to B
// opens a ledger at version V > B only when B >= min_reader_version, and then does not migrate.
// See docs/storage.md.
//
// Thread-safety: functions on a Database, used by its one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/storage/database.h"

namespace loyalty::storage {

enum class MigrationKind {
  expand_only,  // only adds: readers of the previous version keep working
  contract,     // drops, renames or changes meaning: readers must be at least this version
};

struct Migration {
  std::int64_t version = 0;  // 1, 2, 3... in order, no gaps
  MigrationKind kind = MigrationKind::contract;
  std::string_view sql;  // one or more statements; must not touch user_version or meta's versions
};

struct SchemaState {
  std::int64_t version = 0;             // PRAGMA user_version after open
  std::int64_t min_reader_version = 0;  // meta.min_reader_version (0 for an empty database)
  std::int64_t build_version = 0;       // the last version `migrations` knows
  std::int64_t applied = 0;             // migrations applied by this call
};

// Brings `db` up to the last migration of `migrations` (which must be numbered 1..N without gaps,
// at most limits::schema_migrations_max; a bug otherwise). A ledger newer than the build opens
// unchanged if the build is at least its min_reader_version, and otherwise fails with
// ErrorCode::conflict: "ledger schema version 5 is newer than this build (3); install a newer
// release". A failed migration rolls back and leaves the database at the previous version.
Result<SchemaState> migrate(Database& db, std::span<const Migration> migrations);

// The ledger's own migrations, in order (schema/versions.cc).
std::span<const Migration> ledger_migrations();

// Reads PRAGMA user_version.
Result<std::int64_t> schema_version(const Database& db);

}  // namespace loyalty::storage
