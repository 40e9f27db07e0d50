// open_sqlite_hq_store(): the SQLite file, migrated, its business zone checked, as a RowStore.

#include "hq/row_store.h"
#include "hq/sqlite/sqlite_rows.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync {

namespace {

using storage::Statement;
using storage::Step;

// Records the zone of a store that has none yet; refuses another zone than the recorded one.
Status settle_business_zone(storage::Database& db, const std::string& path,
                            const BusinessZone& zone) {
  const std::string wanted = zone ? std::string(zone->name()) : std::string("UTC");
  storage::Transaction transaction = TRY(storage::Transaction::begin(db));
  Statement select =
      TRY(Statement::prepare(db, "SELECT value FROM meta WHERE key = 'business_time_zone'"));
  if (TRY(select.step()) == Step::row) {
    const std::string recorded = select.column_text(0);
    if (recorded != wanted) {
      return make_error(ErrorCode::conflict,
                        "HQ store " + path + " files its events by business dates in " +
                            recorded + ", not " + wanted +
                            "; a store's business time zone cannot change");
    }
    return transaction.commit();
  }
  Statement insert = TRY(Statement::prepare(
      db, "INSERT INTO meta (key, value) VALUES ('business_time_zone', ?1)"));
  TRY(insert.bind_text(1, wanted));
  TRY(insert.run());
  return transaction.commit();
}

}  // namespace

Result<std::unique_ptr<HqStore>> open_sqlite_hq_store(const std::string& path,
                                                      const SqliteHqOptions& options) {
  if (options.busy_timeout_ms < 0 || options.busy_timeout_ms > limits::sqlite_busy_timeout_ms_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "busy_timeout_ms must be 0.." + std::to_string(limits::sqlite_busy_timeout_ms_max));
  }
  storage::Database db =
      TRY(storage::Database::open(path, storage::DatabaseOptions{}
                                            .with_durability(storage::Durability::full)
                                            .with_busy_timeout_ms(options.busy_timeout_ms)));
  Result<storage::SchemaState> migrated = storage::migrate(db, hq::hq_migrations());
  if (!migrated.ok()) {
    return make_error(migrated.error().code, "HQ store " + path + ": " + migrated.error().message);
  }
  TRY(settle_business_zone(db, path, options.business_zone));
  return hq::make_row_store(std::make_unique<hq::SqliteRows>(std::move(db)),
                            options.business_zone);
}

}  // namespace loyalty::sync
