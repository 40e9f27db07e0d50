// An expand/contract rollout of the PostgreSQL HQ store on one real database
// (docs/hq-postgres.md, "Migrations"): the release in service and the next one, side by side.
//
// The releases are this build's migrations (release 1) and the same with the next release's
// migrations after them (hq/postgres/pg_release.h opens and migrates a database as a release with
// those migrations would):
// - release 2 adds an expand-only migration: a journal column with a default, a new table and an
//   index. The release in service keeps serving through it, with the connections it opened
//   before the migration and with new ones, beside release 2's processes; and a release-1
//   `migrate` then changes nothing.
// - release 3 contracts: the column's default goes (release 3 writes the column itself). Release
//   1 and 2 then refuse the database with a clear message, and a release-1 process still
//   connected fails its writes without storing anything.
// Ingest and apply split between the two releases give exactly what one release gives, table by
// table, against a reference database fed the same calls.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hq/hq_describe.h"
#include "hq/journal_builder.h"
#include "hq/postgres/pg_release.h"
#include "hq/postgres/pg_schema.h"
#include "hq/store_backends.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/nightly_report.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using storage::Migration;
using storage::MigrationKind;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t day = 86400;

// The next release's migrations: what a later build's pg_schema.cc would hold after v1.
const char* const expand_v2 = R"sql(
ALTER TABLE journal ADD COLUMN received_via TEXT COLLATE "C" NOT NULL DEFAULT 'https';
CREATE TABLE terminal_notes (
  store_id    TEXT COLLATE "C" NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  note        TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (store_id, terminal_id)
);
CREATE INDEX chains_by_start ON chains (started_at);
)sql";
// Release 3 writes received_via itself; a release that does not may no longer write the journal.
const char* const contract_v3 = "ALTER TABLE journal ALTER COLUMN received_via DROP DEFAULT;";

std::vector<Migration> release(int number) {
  std::vector<Migration> migrations(hq::pg::postgres_migrations().begin(),
                                    hq::pg::postgres_migrations().end());
  const auto next = [&] { return static_cast<int>(migrations.size()) + 1; };
  if (number >= 2) migrations.push_back(Migration{next(), MigrationKind::expand_only, expand_v2});
  if (number >= 3) migrations.push_back(Migration{next(), MigrationKind::contract, contract_v3});
  return migrations;
}

std::unique_ptr<HqStore> open_as(const std::string& conninfo, int number) {
  Result<std::unique_ptr<HqStore>> store =
      hq::pg::open_release_store(conninfo, PostgresHqOptions{}, release(number));
  if (!store.ok()) FAIL("release " << number << ": " << store.error().message);
  return std::move(store).value();
}

PostgresMigration migrate_as(const std::string& conninfo, int number) {
  Result<PostgresMigration> migrated =
      hq::pg::migrate_release(conninfo, PostgresHqOptions{}, at_seconds(t0), release(number));
  if (!migrated.ok()) FAIL("release " << number << ": " << migrated.error().message);
  return *migrated;
}

// Checkouts over two days: members earning (some lots expiring), redeeming, and anonymous ones.
JournalBuilder journal_of(std::mt19937_64& rng, int store, int terminal) {
  JournalBuilder journal("S" + std::to_string(10 + store), "T" + std::to_string(terminal),
                         static_cast<std::uint64_t>(500 + store * 10 + terminal));
  std::int64_t at = t0 + 7 * 3600 + store * 60;
  for (int i = 0; i < 40; ++i) {
    at += 2 * day / 40;
    const std::int64_t spend = 300 + static_cast<std::int64_t>(rng() % 9000);
    const int kind = static_cast<int>(rng() % 10);
    if (kind == 0) {
      journal.checkout(at_seconds(at), std::nullopt, spend, {});
      continue;
    }
    const std::string who = test_pseudonym(static_cast<int>(rng() % 12));
    if (kind < 6) {
      journal.checkout(at_seconds(at), who, spend, {earn(who, spend / 100)});
    } else if (kind < 8) {
      journal.checkout(at_seconds(at), who, spend,
                       {earn_lot(who, spend / 100, at_seconds(at + day))});
    } else {
      journal.checkout(at_seconds(at), who, spend,
                       {burn(who, 1 + static_cast<std::int64_t>(rng() % 30)), earn(who, 2)});
    }
  }
  return journal;
}

std::string journal_rows(const std::string& database) {
  return shared_pg_server().psql(
      "SELECT (store_id, terminal_id, epoch, seq, kind, receipt_id, payload_hash, prev_hash, "
      "created_at, received_at, business_date, tableoid::regclass)::text FROM journal ORDER BY 1",
      database);
}

std::string table_rows(const std::string& database, const std::string& table) {
  return shared_pg_server().psql("SELECT t::text FROM " + table + " t ORDER BY 1", database);
}

std::string report_of(HqStore& store) {
  ReportOptions options;
  options.from_date = "2026-01-01";
  options.to_date = "2026-01-03";
  options.generated_at = at_seconds(t0 + 5 * day);
  Result<std::string> text = nightly_report_json(store, options);
  if (!text.ok()) FAIL(text.error().message);
  return std::move(text).value();
}

void ingest(HqStore& store, HqStore& reference, const JournalBuilder& journal, const Batch& batch,
            Timestamp now) {
  INFO(journal.identity().store_id << "/" << journal.identity().terminal_id << " seqs "
                                   << batch.from_seq << ".." << batch.to_seq);
  Result<IngestOutcome> got = store.ingest(journal.identity(), batch, now);
  Result<IngestOutcome> want = reference.ingest(journal.identity(), batch, now);
  if (!got.ok()) FAIL(got.error().message);
  if (!want.ok()) FAIL(want.error().message);
  CHECK(describe(*got) == describe(*want));
  CHECK(got->events_stored == batch.to_seq - batch.from_seq + 1);
}

void apply(HqStore& store, HqStore& reference, Timestamp now) {
  Result<ApplyReport> got = store.apply(now, 120);
  Result<ApplyReport> want = reference.apply(now, 120);
  if (!got.ok()) FAIL(got.error().message);
  if (!want.ok()) FAIL(want.error().message);
  CHECK(describe(*got) == describe(*want));
}

}  // namespace

TEST_CASE(
    "postgres rollout: the release in service and the next one share a database through an "
    "expand migration, and a contract one shuts the old out",
    "[postgres][rollout]") {
  loyalty::test::PgServer& pg = shared_pg_server();
  const std::string db = "hq_rollout_" + std::to_string(::getpid());
  const std::string ref_db = db + "_reference";
  pg.create_database(db);
  pg.create_database(ref_db);
  const std::string conninfo = pg.conninfo(db);

  CHECK(migrate_as(conninfo, 1).version_after == 1);
  CHECK(migrate_as(pg.conninfo(ref_db), 1).version_after == 1);
  // Release 2 refuses a database behind it: only its `migrate` migrates.
  Result<std::unique_ptr<HqStore>> early =
      hq::pg::open_release_store(conninfo, PostgresHqOptions{}, release(2));
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == ErrorCode::conflict);
  CHECK(early.error().message ==
        "HQ database schema is at version 1, this build needs 2: run 'loyalty-hq migrate'");

  std::mt19937_64 rng(42);
  std::vector<JournalBuilder> journals;
  for (int s = 0; s < 4; ++s) {
    for (int t = 1; t <= 2; ++t) journals.push_back(journal_of(rng, s, t));
  }
  const Timestamp now = at_seconds(t0 + 3 * day);
  std::unique_ptr<HqStore> reference = open_as(pg.conninfo(ref_db), 1);

  // Release 1 in service: the first third of every journal, partly applied.
  std::unique_ptr<HqStore> old_process = open_as(conninfo, 1);
  for (const JournalBuilder& journal : journals) {
    ingest(*old_process, *reference, journal, journal.batch(1, 13), now);
  }
  apply(*old_process, *reference, now);

  // Release 2's migrate: expand only, so the readers' floor stays at 1.
  const PostgresMigration expanded = migrate_as(conninfo, 2);
  CHECK(expanded.version_before == 1);
  CHECK(expanded.version_after == 2);
  CHECK(expanded.min_reader_version == 1);
  CHECK(expanded.applied == 1);
  CHECK(pg.psql("SELECT version || ' ' || kind FROM schema_migrations ORDER BY version", db) ==
        "1 contract\n2 expand_only");

  // Both releases serve: the release-1 process connected before the migration, a release-1
  // process started after it, and a release-2 one, the terminals spread over them.
  std::unique_ptr<HqStore> old_restarted = open_as(conninfo, 1);
  std::unique_ptr<HqStore> new_process = open_as(conninfo, 2);
  HqStore* const processes[] = {old_process.get(), old_restarted.get(), new_process.get()};
  for (std::size_t i = 0; i < journals.size(); ++i) {
    ingest(*processes[i % 3], *reference, journals[i], journals[i].batch(14, 27), now);
  }
  for (int round = 0; round < 3; ++round) apply(*processes[round % 3], *reference, now);
  // A release-1 migrate against the newer database: nothing to do, nothing undone.
  const PostgresMigration old_migrate = migrate_as(conninfo, 1);
  CHECK(old_migrate.version_after == 2);
  CHECK(old_migrate.applied == 0);

  // The rest, from two threads at once (an old and a new process), then everything again from
  // both: all duplicates.
  std::vector<std::string> failures(2);
  std::vector<std::thread> threads;
  for (int side = 0; side < 2; ++side) {
    threads.emplace_back([&, side] {
      HqStore& store = side == 0 ? *old_restarted : *new_process;
      for (std::size_t i = static_cast<std::size_t>(side); i < journals.size(); i += 2) {
        Result<IngestOutcome> done =
            store.ingest(journals[i].identity(), journals[i].batch(28, 40), now);
        if (!done.ok() || done->events_stored != 13) {
          failures[static_cast<std::size_t>(side)] =
              done.ok() ? describe(*done) : done.error().message;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures[0].empty());
  CHECK(failures[1].empty());
  for (const JournalBuilder& journal : journals) {
    REQUIRE(reference->ingest(journal.identity(), journal.batch(28, 40), now).ok());
  }
  threads.clear();
  for (int side = 0; side < 2; ++side) {
    threads.emplace_back([&, side] {
      HqStore& store = side == 0 ? *old_process : *new_process;
      for (const JournalBuilder& journal : journals) {
        Result<IngestOutcome> done = store.ingest(journal.identity(), journal.all(), now);
        if (!done.ok() || done->events_stored != 0 || done->events_duplicate != 40) {
          failures[static_cast<std::size_t>(side)] =
              done.ok() ? describe(*done) : done.error().message;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures[0].empty());
  CHECK(failures[1].empty());
  for (int round = 0; round < 20; ++round) apply(*processes[round % 3], *reference, now);

  // Exactly what one release gives.
  CHECK(describe(*new_process->totals()) == describe(*reference->totals()));
  CHECK(new_process->totals()->events == 8 * 40);
  CHECK(describe(*old_process->totals()) == describe(*reference->totals()));
  CHECK(describe(*old_restarted->terminals()) == describe(*reference->terminals()));
  for (int c = 0; c < 12; ++c) {
    CHECK(describe(*old_process->customer(test_pseudonym(c), 500)) ==
          describe(*reference->customer(test_pseudonym(c), 500)));
  }
  CHECK(report_of(*new_process) == report_of(*reference));
  CHECK(journal_rows(db) == journal_rows(ref_db));
  for (const char* table : {"terminals", "chains", "alerts", "apply_notes", "store_customers",
                            "customers", "lots", "customer_events", "entries", "versions"}) {
    INFO(table);
    CHECK(table_rows(db, table) == table_rows(ref_db, table));
  }
  // Every journal row got the new column from its default, whoever wrote it.
  CHECK(pg.psql("SELECT received_via, count(*) FROM journal GROUP BY 1", db) == "https|320");

  // Release 3 contracts: only releases from 3 on may open the database now.
  const PostgresMigration contracted = migrate_as(conninfo, 3);
  CHECK(contracted.version_after == 3);
  CHECK(contracted.min_reader_version == 3);
  CHECK(contracted.applied == 1);
  for (int older : {1, 2}) {
    INFO("release " << older);
    const std::string refusal = "HQ database schema is at version 3, newer than this build (" +
                                std::to_string(older) +
                                ") and readable only from version 3 on: install a newer release";
    Result<std::unique_ptr<HqStore>> opened =
        hq::pg::open_release_store(conninfo, PostgresHqOptions{}, release(older));
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::conflict);
    CHECK(opened.error().message == refusal);
    Result<PostgresMigration> migrated =
        hq::pg::migrate_release(conninfo, PostgresHqOptions{}, at_seconds(t0), release(older));
    REQUIRE_FALSE(migrated.ok());
    CHECK(migrated.error().message == refusal);
  }
  // A release-1 process left running is why: its writes now fail, and store nothing.
  JournalBuilder late = journal_of(rng, 7, 1);
  Result<IngestOutcome> refused = old_process->ingest(late.identity(), late.batch(1, 5), now);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("received_via"));
  CHECK(pg.psql("SELECT count(*) FROM journal WHERE store_id = 'S17'", db) == "0");
  std::unique_ptr<HqStore> current = open_as(conninfo, 3);
  CHECK(describe(*current->totals()) == describe(*reference->totals()));
  CHECK(report_of(*current) == report_of(*reference));

  current.reset();
  old_process.reset();
  old_restarted.reset();
  new_process.reset();
  reference.reset();
  pg.psql("DROP DATABASE " + db + " WITH (FORCE)");
  pg.psql("DROP DATABASE " + ref_db + " WITH (FORCE)");
}
