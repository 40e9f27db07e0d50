#include "loyalty/storage/migrations.h"

#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage {

namespace {

bool numbered_in_order(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<std::int64_t>(i) + 1) return false;
  }
  return true;
}

// meta.min_reader_version, or 0 when there is no meta table or no such row (an empty database).
Result<std::int64_t> min_reader_version(const Database& db) {
  Statement has_meta = TRY(
      Statement::prepare(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'"));
  if (TRY(has_meta.step()) != Step::row) return std::int64_t{0};
  Statement statement = TRY(Statement::prepare(
      db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'min_reader_version'"));
  if (TRY(statement.step()) != Step::row) return std::int64_t{0};
  return statement.column_int64(0);
}

Status set_min_reader_version(Database& db, std::int64_t version) {
  Statement statement =
      TRY(Statement::prepare(db,
                             "INSERT INTO meta (key, value) VALUES ('min_reader_version', ?1) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  TRY(statement.bind_text(1, std::to_string(version)));
  return statement.run();
}

Status apply(Database& db, const Migration& migration) {
  TRY(db.exec(migration.sql));
  if (migration.kind == MigrationKind::contract) {
    TRY(set_min_reader_version(db, migration.version));
  }
  // PRAGMA takes no parameters; the version is an integer we made.
  TRY(db.exec("PRAGMA user_version = " + std::to_string(migration.version)));
  return {};
}

Error newer_than_build(std::int64_t version, std::int64_t build_version) {
  return make_error(ErrorCode::conflict, "ledger schema version " + std::to_string(version) +
                                             " is newer than this build (" +
                                             std::to_string(build_version) +
                                             "); install a newer release");
}

}  // namespace

Result<std::int64_t> schema_version(const Database& db) {
  Statement statement = TRY(Statement::prepare(db, "PRAGMA user_version"));
  if (TRY(statement.step()) != Step::row) {
    return make_error(ErrorCode::io_error, "PRAGMA user_version returned no row");
  }
  return statement.column_int64(0);
}

Result<SchemaState> migrate(Database& db, std::span<const Migration> migrations) {
  LOYALTY_ASSERT(migrations.size() <= limits::schema_migrations_max);
  LOYALTY_ASSERT(numbered_in_order(migrations));
  SchemaState state;
  state.build_version = static_cast<std::int64_t>(migrations.size());
  // One write transaction per step: the version is read under the write lock, so two processes
  // opening the same new ledger cannot both apply migration 1.
  for (std::size_t step = 0; step <= migrations.size(); ++step) {
    Transaction transaction = TRY(Transaction::begin(db));
    const std::int64_t version = TRY(schema_version(db));
    if (version >= state.build_version) {
      state.version = version;
      state.min_reader_version = TRY(min_reader_version(db));
      if (version > state.build_version && state.build_version < state.min_reader_version) {
        return newer_than_build(version, state.build_version);
      }
      TRY(transaction.commit());
      return state;
    }
    const Migration& migration = migrations[static_cast<std::size_t>(version)];
    Status applied = apply(db, migration);
    if (!applied.ok()) {
      return make_error(applied.error().code, "ledger migration to version " +
                                                  std::to_string(migration.version) +
                                                  " failed: " + applied.error().message);
    }
    TRY(transaction.commit());
    ++state.applied;
  }
  // Each step raises user_version by one, so the loop returns by its last iteration.
  LOYALTY_ASSERT(false);
  return state;
}

}  // namespace loyalty::storage
