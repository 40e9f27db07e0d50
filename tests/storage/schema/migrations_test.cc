#include "loyalty/storage/migrations.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "back_door.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using test::back_door;
using test::TempDir;

Database open_ok(const std::string& path) {
  Result<Database> db = Database::open(path);
  if (!db.ok()) FAIL("open failed: " << db.error().message);
  return std::move(db).value();
}

SchemaState migrate_ok(Database& db, std::span<const Migration> migrations) {
  Result<SchemaState> state = migrate(db, migrations);
  if (!state.ok()) FAIL("migrate failed: " << state.error().message);
  return state.value();
}

std::vector<std::string> table_names(const Database& db) {
  Result<Statement> statement = Statement::prepare(
      db, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name");
  REQUIRE(statement.ok());
  std::vector<std::string> names;
  while (statement->step().value() == Step::row) names.push_back(statement->column_text(0));
  return names;
}

// Earns 40 points for "anna" from the issuance account (both created) and commits.
AccountId earn_40_for_anna(Ledger& ledger) {
  Result<Transaction> transaction = ledger.begin();
  REQUIRE(transaction.ok());
  const AccountId issuance =
      ledger.find_or_create_account(*transaction, AccountKind::issuance, "", Timestamp{100})
          .value();
  const AccountId anna = ledger
                             .find_or_create_account(*transaction, AccountKind::customer_points,
                                                     "anna", Timestamp{100})
                             .value();
  TransferRequest earn;
  earn.debit = issuance;
  earn.credit = anna;
  earn.amount = Points(40);
  REQUIRE(ledger.transfer(*transaction, earn).ok());
  REQUIRE(transaction->commit().ok());
  return anna;
}

// This build's migrations (v1 contract; v2 expand-only: the checkout tables; v3 expand-only:
// running totals and the customer cache; v4 contract: holds by lot, limited uses, the quote
// stored once; v5 contract: the events' annex and sync's tables; v6 expand-only:
// software_releases) followed by a v7 of a next release that only adds a column with a default
// and an index.
std::array<Migration, 7> with_expand_v7() {
  REQUIRE(ledger_migrations().size() == 6);
  std::array<Migration, 7> migrations;
  std::copy(ledger_migrations().begin(), ledger_migrations().end(), migrations.begin());
  migrations[6] =
      Migration{7, MigrationKind::expand_only,
                "ALTER TABLE transfers ADD COLUMN terminal_note TEXT NOT NULL DEFAULT '';"
                "CREATE INDEX transfers_by_code ON transfers (code);"};
  return migrations;
}

TEST_CASE("migrate takes an empty database to v6, once", "[storage][migrations]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  CHECK(schema_version(db).value() == 0);

  const SchemaState first = migrate_ok(db, ledger_migrations());
  CHECK(first.version == 6);
  CHECK(first.build_version == 6);
  CHECK(first.min_reader_version == 5);  // v5 was the last contract migration; v6 only adds
  CHECK(first.applied == 6);
  CHECK(schema_version(db).value() == 6);
  CHECK(table_names(db) ==
        std::vector<std::string>{"account_balances",   "account_totals", "accounts",
                                 "blocked_pseudonyms", "blocklist",      "bundles",
                                 "counters",           "customers",      "events",
                                 "hq_updates",         "lots",           "meta",
                                 "programs",           "pseudonym_keys", "pseudonyms",
                                 "receipts",           "refunds",        "returned_units",
                                 "software_releases",  "sync_state",     "transfers"});

  const SchemaState again = migrate_ok(db, ledger_migrations());
  CHECK(again.version == 6);
  CHECK(again.applied == 0);
}

TEST_CASE("Each ledger migration is of the kind docs/storage.md gives it",
          "[storage][migrations]") {
  // v6 must stay expand_only: release 0.1.0 (schema 5) opens the ledgers 0.2.0 migrated, which is
  // what rolling back one release needs (tests/storage/rollback/ runs 0.1.0's code on one).
  std::vector<MigrationKind> kinds;
  for (const Migration& migration : ledger_migrations()) kinds.push_back(migration.kind);
  CHECK(kinds == std::vector<MigrationKind>{MigrationKind::contract, MigrationKind::expand_only,
                                            MigrationKind::expand_only, MigrationKind::contract,
                                            MigrationKind::contract, MigrationKind::expand_only});
}

TEST_CASE("A v5 build opens a ledger this build migrated to v6, and this build opens it again",
          "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    const SchemaState previous_release = migrate_ok(db, ledger_migrations().first(5));
    CHECK(previous_release.version == 5);
    CHECK(previous_release.min_reader_version == 5);
    const SchemaState this_release = migrate_ok(db, ledger_migrations());
    CHECK(this_release.version == 6);
    CHECK(this_release.min_reader_version == 5);
    CHECK(this_release.applied == 1);
  }
  {
    // The previous release (migrations 1 to 5) opens it as it is: no migration, no refusal.
    Database db = open_ok(path);
    const SchemaState rolled_back = migrate_ok(db, ledger_migrations().first(5));
    CHECK(rolled_back.version == 6);
    CHECK(rolled_back.build_version == 5);
    CHECK(rolled_back.min_reader_version == 5);
    CHECK(rolled_back.applied == 0);
  }
  Database db = open_ok(path);
  const SchemaState updated_again = migrate_ok(db, ledger_migrations());
  CHECK(updated_again.version == 6);
  CHECK(updated_again.applied == 0);
  const std::vector<std::string> names = table_names(db);
  CHECK(std::find(names.begin(), names.end(), "software_releases") != names.end());
}

TEST_CASE("An expand-only migration leaves min_reader_version, so the previous build opens it",
          "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    const SchemaState next_release = migrate_ok(db, with_expand_v7());
    CHECK(next_release.version == 7);
    CHECK(next_release.min_reader_version == 5);
    CHECK(next_release.applied == 7);
  }
  // This build knows only v1 to v6: it opens the v7 ledger as it is, without migrating.
  Database db = open_ok(path);
  const SchemaState previous_release = migrate_ok(db, ledger_migrations());
  CHECK(previous_release.version == 7);
  CHECK(previous_release.build_version == 6);
  CHECK(previous_release.min_reader_version == 5);
  CHECK(previous_release.applied == 0);
  CHECK(schema_version(db).value() == 7);

  // ... and so does the whole ledger, which still writes and checks.
  Result<Ledger> ledger = Ledger::open(path, LedgerOptions{{}, "till-1", 7, Timestamp{100}});
  REQUIRE(ledger.ok());
  CHECK(ledger->schema_version() == 7);
  const AccountId anna = earn_40_for_anna(*ledger);
  CHECK(ledger->balance(anna)->posted() == Points(40));
  CHECK(ledger->check()->ok());
}

TEST_CASE("A contract migration raises min_reader_version and older builds refuse the ledger",
          "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    std::array<Migration, 8> contracted;
    const std::array<Migration, 7> expand = with_expand_v7();
    std::copy(expand.begin(), expand.end(), contracted.begin());
    contracted[7] =
        Migration{8, MigrationKind::contract, "ALTER TABLE transfers DROP COLUMN terminal_note;"};
    const SchemaState state = migrate_ok(db, contracted);
    CHECK(state.version == 8);
    CHECK(state.min_reader_version == 8);
  }
  Database db = open_ok(path);
  Result<SchemaState> refused = migrate(db, ledger_migrations());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "ledger schema version 8 is newer than this build (6); install a newer release");

  Result<Ledger> ledger = Ledger::open(path, LedgerOptions{{}, "till-1", 7, Timestamp{100}});
  REQUIRE_FALSE(ledger.ok());
  CHECK(ledger.error().message ==
        "ledger schema version 8 is newer than this build (6); install a newer release");
}

TEST_CASE("Migrating a v2 ledger computes the running totals from its transfers",
          "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    migrate_ok(db, ledger_migrations().first(2));
  }
  // A v2 ledger as the previous release wrote it: an earn, a held burn, a posted burn.
  back_door(path,
            "INSERT INTO meta VALUES ('terminal_id', 'till-1'), ('epoch', '0000000000000007'), "
            "('created_at', '100');"
            "INSERT INTO accounts (id, kind, owner, unit, balance_floor, created_at) VALUES "
            "(1, 'issuance', '', 'points', NULL, 100), "
            "(2, 'redemption', '', 'points', NULL, 100), "
            "(3, 'customer_points', 'anna', 'points', 0, 100);"
            "INSERT INTO transfers (id, debit_account, credit_account, amount, code, flags, "
            "pending_id, lot_id, created_at) VALUES "
            "(1, 1, 3, 100, 'earn', 'none', NULL, 1, 100), "
            "(2, 3, 2, 30, 'burn', 'pending', NULL, NULL, 100), "
            "(3, 3, 2, 25, 'burn', 'pending', NULL, NULL, 100), "
            "(4, 3, 2, 20, 'burn', 'post_pending', 3, 1, 100);"
            "INSERT INTO lots (lot_id, account, points, remaining, active_from, expires_at, "
            "created_at) VALUES (1, 3, 100, 80, 100, NULL, 100);");
  Result<Ledger> ledger = Ledger::open(path, LedgerOptions{{}, "till-1", 7, Timestamp{100}});
  if (!ledger.ok()) FAIL(ledger.error().message);
  CHECK(ledger->schema_version() == 6);
  CHECK(ledger->balance(AccountId{3}).value() ==
        Balance{Points(100), Points(20), Points(0), Points(30)});
  CHECK(ledger->balance(AccountId{2}).value() ==
        Balance{Points(20), Points(0), Points(30), Points(0)});
  CHECK(ledger->balance(AccountId{1}).value() ==
        Balance{Points(0), Points(100), Points(0), Points(0)});

  // Later transfers keep them, whichever release writes them: the triggers live in the file.
  back_door(path,
            "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, "
            "pending_id, created_at) VALUES (3, 2, 30, 'burn', 'void_pending', 2, 101);");
  CHECK(ledger->balance(AccountId{3}).value() ==
        Balance{Points(100), Points(20), Points(0), Points(0)});
  CHECK(ledger->check()->problems == std::vector<std::string>{});
}

TEST_CASE("check finds running totals that differ from the transfers", "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Result<Ledger> ledger = Ledger::open(path, LedgerOptions{{}, "till-1", 7, Timestamp{100}});
    REQUIRE(ledger.ok());
    earn_40_for_anna(*ledger);
  }
  back_door(path, "UPDATE account_totals SET credits_posted = 45 WHERE account = 2;");
  LedgerOptions options{{}, "till-1", 7, Timestamp{100}};
  Result<Ledger> refused = Ledger::open(path, options);
  REQUIRE_FALSE(refused.ok());
  options.refuse_broken = false;
  Result<Ledger> ledger = Ledger::open(path, options);
  REQUIRE(ledger.ok());
  CHECK(ledger->check()->problems ==
        std::vector<std::string>{
            "account 2: running totals (credits 45, debits 0, pending 0/0) differ from its "
            "transfers (credits 40, debits 0, pending 0/0)"});
}

TEST_CASE("A ledger at v7 with min_reader_version 7 is refused", "[storage][migrations]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Database db = open_ok(path);
    migrate_ok(db, ledger_migrations());
  }
  back_door(path,
            "UPDATE meta SET value = '7' WHERE key = 'min_reader_version'; "
            "PRAGMA user_version = 7;");
  Database db = open_ok(path);
  Result<SchemaState> refused = migrate(db, ledger_migrations());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::conflict);
  CHECK(refused.error().message ==
        "ledger schema version 7 is newer than this build (6); install a newer release");
}

TEST_CASE("A failing migration rolls back and leaves the previous version",
          "[storage][migrations]") {
  TempDir dir;
  Database db = open_ok(dir.file("ledger.db"));
  const std::array<Migration, 2> broken = {
      ledger_migrations()[0],
      Migration{2, MigrationKind::expand_only,
                "CREATE TABLE added (a INTEGER); ALTER TABLE nowhere ADD COLUMN b INTEGER;"}};
  Result<SchemaState> failed = migrate(db, broken);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::io_error);
  CHECK(failed.error().message ==
        "ledger migration to version 2 failed: exec \"CREATE TABLE added (a INTEGER); ALTER "
        "TABLE nowhere ADD COLUMN b INTEGER;\": no such table: nowhere");
  CHECK(schema_version(db).value() == 1);  // v1 committed on its own
  const std::vector<std::string> names = table_names(db);
  CHECK(std::find(names.begin(), names.end(), "added") == names.end());
}

}  // namespace
}  // namespace loyalty::storage
