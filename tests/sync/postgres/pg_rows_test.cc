// The HQ store's PostgreSQL backend against a real PostgreSQL 15 server (PgServer, one per test
// case): the migrations and partitions, PgRows call by call with exact rows, the connection's
// recovery after a server restart, lock waits as busy, and redact_conninfo.
#include "hq/postgres/pg_rows.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "hq/postgres/distribution.h"
#include "hq/postgres/pg_connection.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/sync/hq_postgres.h"
#include "postgres/pg_server.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::hq;
using namespace loyalty::sync::hq::pg;
using Catch::Matchers::Contains;
using loyalty::test::PgServer;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
const Timestamp noon{t0 + 12 * 3600};

PgServer start_server(std::string name) {
  // The backend's durability is PostgreSQL's; these tests do not crash the server mid-commit.
  return PgServer::start({.name = std::move(name), .settings = {"fsync=off"}});
}

// A fresh database `name`, migrated at noon of 2026-01-01 (UTC).
std::string migrated_database(PgServer& pg, const std::string& name) {
  pg.create_database(name);
  const std::string conninfo = pg.conninfo(name);
  Result<PostgresMigration> migration = migrate_postgres_hq_store(conninfo, {}, noon);
  REQUIRE(migration.ok());
  return conninfo;
}

std::unique_ptr<PgRows> open_rows(const std::string& conninfo,
                                  std::int64_t lock_timeout_ms = 5000) {
  Result<PgConnection> connection =
      PgConnection::connect(conninfo, PgConnectOptions{10, 60000, lock_timeout_ms});
  REQUIRE(connection.ok());
  Result<std::unique_ptr<PgRows>> rows = PgRows::create(std::move(connection).value());
  REQUIRE(rows.ok());
  return std::move(rows).value();
}

WireEvent wire_event(std::int64_t seq, std::int64_t created_at, std::string payload = "{}") {
  WireEvent event;
  event.seq = seq;
  event.kind = "checkout";
  event.receipt_id = "r" + std::to_string(seq);
  event.payload = std::move(payload);
  event.payload_hash = "h" + std::to_string(seq);
  event.prev_hash = seq == 1 ? "" : "h" + std::to_string(seq - 1);
  event.created_at = Timestamp{created_at};
  event.annex = "{\"ledger\":[]}";
  return event;
}

std::vector<NewJournalRow> journal_rows(const std::vector<WireEvent>& events,
                                        const std::string& date) {
  std::vector<NewJournalRow> rows;
  for (const WireEvent& event : events) rows.push_back(NewJournalRow{&event, date});
  return rows;
}

const TerminalIdentity s1t1{"s1", "t1"};

void ok(const Status& status) {
  INFO((status.ok() ? std::string() : status.error().message));
  REQUIRE(status.ok());
}

template <class T>
T value(Result<T> result) {
  INFO((result.ok() ? std::string() : result.error().message));
  REQUIRE(result.ok());
  return std::move(result).value();
}

}  // namespace

TEST_CASE("postgres migrate creates schema v1, its bookkeeping and the partitions around today",
          "[postgres]") {
  PgServer pg = start_server("migrate");
  pg.create_database("hq");
  const std::string conninfo = pg.conninfo("hq");
  const PostgresMigration first = value(migrate_postgres_hq_store(conninfo, {}, noon));
  CHECK(first.version_before == 0);
  CHECK(first.version_after == 1);
  CHECK(first.min_reader_version == 1);
  CHECK(first.applied == 1);
  CHECK(pg.psql("SELECT key, value FROM meta ORDER BY key", "hq") ==
        "business_time_zone|UTC\nmin_reader_version|1\nschema_version|1");
  CHECK(pg.psql("SELECT version, kind, applied_at FROM schema_migrations", "hq") ==
        "1|contract|" + std::to_string(noon.unix_seconds));
  CHECK(pg.psql("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'journal'::regclass ORDER BY c.relname",
                "hq") ==
        "journal_20251231\njournal_20260101\njournal_20260102\njournal_20260103\n"
        "journal_20260104\njournal_20260105\njournal_20260106\njournal_20260107\n"
        "journal_20260108\njournal_default");
  CHECK(pg.psql("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                "WHERE c.relname = 'journal_20260101'",
                "hq") == "FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')");
  CHECK(pg.psql("SELECT value FROM versions WHERE name = 'downlink'", "hq") == "0");

  // Again, a day later: nothing to migrate, one partition more at the end.
  const PostgresMigration again =
      value(migrate_postgres_hq_store(conninfo, {}, Timestamp{noon.unix_seconds + 86400}));
  CHECK(again.version_before == 1);
  CHECK(again.version_after == 1);
  CHECK(again.min_reader_version == 1);
  CHECK(again.applied == 0);
  CHECK(pg.psql("SELECT count(*) FROM schema_migrations", "hq") == "1");
  CHECK(pg.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'journal'::regclass", "hq") ==
        "11");

  // Another zone: refused, naming both.
  PostgresHqOptions berlin;
  berlin.business_zone = std::make_shared<FixedOffsetZone>(60);
  Result<PostgresMigration> other = migrate_postgres_hq_store(conninfo, berlin, noon);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::conflict);
  CHECK(other.error().message ==
        "HQ database was set up with business time zone UTC, but this HQ is configured with "
        "UTC+01:00: configure UTC (the journal's business dates are in it)");
}

TEST_CASE("postgres migrate names partitions by the business zone's date", "[postgres]") {
  PgServer pg = start_server("zone");
  pg.create_database("hq");
  PostgresHqOptions options;
  options.business_zone = std::make_shared<FixedOffsetZone>(-300);  // UTC-05:00
  // 03:00Z on 2026-01-01 is 22:00 on 2025-12-31 in the zone.
  const PostgresMigration migration =
      value(migrate_postgres_hq_store(pg.conninfo("hq"), options, Timestamp{t0 + 3 * 3600}));
  CHECK(migration.applied == 1);
  CHECK(pg.psql("SELECT value FROM meta WHERE key = 'business_time_zone'", "hq") == "UTC-05:00");
  CHECK(pg.psql("SELECT min(c.relname) || ' ' || max(c.relname) FROM pg_inherits i JOIN "
                "pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'journal'::regclass AND "
                "c.relname <> 'journal_default'",
                "hq") == "journal_20251230 journal_20260107");
}

TEST_CASE("postgres open refuses an unmigrated database and another zone", "[postgres]") {
  PgServer pg = start_server("open");
  pg.create_database("empty");
  Result<std::unique_ptr<HqStore>> empty = open_postgres_hq_store(pg.conninfo("empty"));
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::conflict);
  CHECK(empty.error().message ==
        "HQ database schema is at version 0, this build needs 1: run 'loyalty-hq migrate'");

  const std::string conninfo = migrated_database(pg, "hq");
  PostgresHqOptions berlin;
  berlin.business_zone = std::make_shared<FixedOffsetZone>(60);
  Result<std::unique_ptr<HqStore>> zoned = open_postgres_hq_store(conninfo, berlin);
  REQUIRE_FALSE(zoned.ok());
  CHECK(zoned.error().code == ErrorCode::conflict);
  CHECK(zoned.error().message ==
        "HQ database was set up with business time zone UTC, but this HQ is configured with "
        "UTC+01:00: configure UTC (the journal's business dates are in it)");

  // A newer schema opens while this build may still read it, and not once it may not.
  pg.psql("UPDATE meta SET value = '2' WHERE key = 'schema_version'", "hq");
  CHECK(open_postgres_hq_store(conninfo).ok());
  pg.psql("UPDATE meta SET value = '2' WHERE key = 'min_reader_version'", "hq");
  Result<std::unique_ptr<HqStore>> newer = open_postgres_hq_store(conninfo);
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.error().code == ErrorCode::conflict);
  CHECK(newer.error().message ==
        "HQ database schema is at version 2, newer than this build (1) and readable only from "
        "version 2 on: install a newer release");

  PostgresHqOptions bad;
  bad.statement_timeout_ms = -1;
  Result<std::unique_ptr<HqStore>> refused = open_postgres_hq_store(conninfo, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("postgres insert_events stores new rows once, each in its day's partition",
          "[postgres]") {
  PgServer pg = start_server("insert");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  // Every byte COPY's text format escapes, and more.
  const std::string tricky = "{\"a\":\"back\\\\slash\ttab\nnewline\rcr \\N \\. ü €\"}";
  std::vector<WireEvent> events = {wire_event(1, t0 + 10, tricky), wire_event(2, t0 + 20),
                                   wire_event(3, t0 + 86400 + 30)};
  std::vector<NewJournalRow> batch = journal_rows(events, "2026-01-01");
  batch[2].business_date = "2026-01-02";
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", batch, Timestamp{t0 + 999})) == 3);
  ok(rows->commit());
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", batch, Timestamp{t0 + 1000})) == 0);
  // Twice in one transaction: the staging table of the first call is not counted again.
  std::vector<WireEvent> more = {wire_event(4, t0 + 40)};
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(more, "2026-01-01"),
                                  Timestamp{t0 + 1000})) == 1);
  CHECK(value(rows->insert_events(s1t1, "e1", {}, Timestamp{t0 + 1000})) == 0);
  ok(rows->commit());
  // A day without a partition: the default one.
  std::vector<WireEvent> far = {wire_event(5, t0 + 400 * 86400)};
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(far, "2027-02-05"),
                                  Timestamp{t0 + 1000})) == 1);
  ok(rows->commit());
  CHECK(pg.psql("SELECT seq, tableoid::regclass, business_date, received_at FROM journal "
                "ORDER BY seq",
                "hq") == "1|journal_20260101|2026-01-01|" + std::to_string(t0 + 999) +
                             "\n2|journal_20260101|2026-01-01|" + std::to_string(t0 + 999) +
                             "\n3|journal_20260102|2026-01-02|" + std::to_string(t0 + 999) +
                             "\n4|journal_20260101|2026-01-01|" + std::to_string(t0 + 1000) +
                             "\n5|journal_default|2027-02-05|" + std::to_string(t0 + 1000));

  // The rows come back byte for byte.
  ok(rows->begin(false));
  const std::vector<StoredEvent> stored =
      value(rows->chain_events(PendingChain{s1t1, "e1", 0, 5}, 0, 5, 10));
  ok(rows->commit());
  REQUIRE(stored.size() == 5);
  CHECK(stored[0].payload == tricky);
  CHECK(stored[0].annex == "{\"ledger\":[]}");
  CHECK(stored[0].kind == "checkout");
  CHECK(stored[0].receipt_id == "r1");
  CHECK(stored[0].key == EventKey{Timestamp{t0 + 10}, "s1", "t1", "e1", 1});
  CHECK(stored[4].key == EventKey{Timestamp{t0 + 400 * 86400}, "s1", "t1", "e1", 5});
}

TEST_CASE("postgres held_events, events_after and drop_events_from", "[postgres]") {
  PgServer pg = start_server("held");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  std::vector<WireEvent> events;
  for (std::int64_t seq : {1, 2, 3, 5, 6}) events.push_back(wire_event(seq, t0 + seq));
  std::vector<WireEvent> other = {wire_event(1, t0), wire_event(4, t0)};
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(events, "2026-01-01"), noon)) == 5);
  CHECK(value(rows->insert_events(s1t1, "e2", journal_rows(other, "2026-01-01"), noon)) == 2);
  CHECK(value(rows->insert_events({"s1", "t2"}, "e1", journal_rows(other, "2026-01-01"), noon)) ==
        2);

  const std::map<std::int64_t, HeldEvent> held = value(rows->held_events(s1t1, "e1", 2, 5));
  REQUIRE(held.size() == 3);
  CHECK(held.at(2).payload_hash == "h2");
  CHECK(held.at(2).prev_hash == "h1");
  CHECK(held.at(3).payload_hash == "h3");
  CHECK(held.at(5).prev_hash == "h4");
  CHECK(value(rows->held_events(s1t1, "e1", 7, 9)).empty());
  CHECK(value(rows->held_events(s1t1, "e9", 1, 9)).empty());

  const auto after = value(rows->events_after(s1t1, "e1", 1, 3));
  REQUIRE(after.size() == 3);
  CHECK(after[0].first == 2);
  CHECK(after[1].first == 3);
  CHECK(after[2].first == 5);
  CHECK(after[2].second.payload_hash == "h5");
  CHECK(value(rows->events_after(s1t1, "e1", 6, 10)).empty());

  CHECK(value(rows->drop_events_from(s1t1, "e1", 3)) == 3);
  CHECK(value(rows->drop_events_from(s1t1, "e1", 3)) == 0);
  ok(rows->commit());
  CHECK(pg.psql("SELECT terminal_id, epoch, seq FROM journal ORDER BY 1, 2, 3", "hq") ==
        "t1|e1|1\nt1|e1|2\nt1|e2|1\nt1|e2|4\nt2|e1|1\nt2|e1|4");
}

TEST_CASE("postgres ensure and detach journal partitions", "[postgres]") {
  PgServer pg = start_server("partitions");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  // Two events of 2026-02-01, before its partition exists: the default partition holds them.
  std::vector<WireEvent> events = {wire_event(1, t0 + 31 * 86400), wire_event(2, t0 + 31 * 86400)};
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(events, "2026-02-01"), noon)) == 2);
  ok(rows->commit());

  CHECK(value(ensure_journal_partitions(conninfo, "2026-01-30", "2026-02-02")) == 4);
  CHECK(value(ensure_journal_partitions(conninfo, "2026-01-30", "2026-02-02")) == 0);
  CHECK(pg.psql("SELECT seq, tableoid::regclass FROM journal ORDER BY seq", "hq") ==
        "1|journal_20260201\n2|journal_20260201");
  CHECK(pg.psql("SELECT count(*) FROM journal_default", "hq") == "0");
  // The range check used to attach without a scan is gone again; the table's own stay.
  CHECK(pg.psql("SELECT conname FROM pg_constraint WHERE conrelid = 'journal_20260201'::regclass "
                "AND contype = 'c' ORDER BY conname",
                "hq") == "journal_seq_check");
  // The partition lookups of the journal keep working through the new partition.
  ok(rows->begin(false));
  CHECK(value(rows->held_events(s1t1, "e1", 1, 2)).size() == 2);
  ok(rows->commit());

  // Detach the days before 2026-01-02: 2025-12-31 and 2026-01-01 of the migration's.
  CHECK(value(detach_journal_partitions_before(conninfo, "2026-01-02")) == 2);
  CHECK(value(detach_journal_partitions_before(conninfo, "2026-01-02")) == 0);
  CHECK(pg.psql("SELECT relname, relispartition FROM pg_class WHERE relname IN "
                "('journal_20251231', 'journal_20260101', 'journal_20260102') ORDER BY relname",
                "hq") == "journal_20251231|f\njournal_20260101|f\njournal_20260102|t");
  // Ensuring a detached day again is refused, naming what to do.
  Result<std::int64_t> detached = ensure_journal_partitions(conninfo, "2026-01-01", "2026-01-01");
  REQUIRE_FALSE(detached.ok());
  CHECK(detached.error().code == ErrorCode::conflict);
  CHECK_THAT(detached.error().message,
             Contains("journal_20260101 exists but is not a partition of journal"));

  Result<std::int64_t> bad = ensure_journal_partitions(conninfo, "2026-02-30", "2026-03-01");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  Result<std::int64_t> backwards = ensure_journal_partitions(conninfo, "2026-03-02", "2026-03-01");
  REQUIRE_FALSE(backwards.ok());
  CHECK(backwards.error().code == ErrorCode::invalid_argument);
  Result<std::int64_t> huge = ensure_journal_partitions(conninfo, "2000-01-01", "2026-03-01");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().code == ErrorCode::limit_exceeded);
}

TEST_CASE("postgres save_owners and load_owners round-trip a full state", "[postgres]") {
  PgServer pg = start_server("owners");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  OwnerState full;
  full.pseudonym = "ps_full";
  full.lots = {Lot{1, "customer_points:ps_full", 100, 60, Timestamp{t0}, Timestamp{t0 + 5000}},
               Lot{3, "customer_points:ps_full", 40, 40, Timestamp{t0 + 10}, std::nullopt}};
  full.owed_points = 0;
  full.tier = "gold";
  full.review_at = Timestamp{t0 + 86400};
  full.tier_from = EventKey{Timestamp{t0 + 5}, "s1", "t1", "e1", 7};
  full.period_spend = 12345;
  full.period_points = 321;
  full.receipts = 4;
  full.spend_minor = 99900;
  full.flagged = true;
  full.flagged_at = Timestamp{t0 + 1};
  full.cleared_at = Timestamp{t0 + 2};
  full.next_lot_no = 4;
  full.last = EventKey{Timestamp{t0 + 6}, "s2", "t9", "e3", 12};
  full.swept_through = Timestamp{t0 + 7};
  full.state_version = 17;
  OwnerState bare;  // every optional unset
  bare.pseudonym = "ps_bare";
  bare.owed_points = 25;
  bare.state_version = 18;
  const std::vector<const OwnerState*> states = {&full, &bare};
  ok(rows->begin(true));
  ok(rows->save_owners(states, Timestamp{t0 + 100}));
  ok(rows->commit());
  CHECK(
      pg.psql("SELECT pseudonym, balance_points, owed_points, changed_at FROM customers ORDER BY 1",
              "hq") ==
      "ps_bare|0|25|" + std::to_string(t0 + 100) + "\nps_full|100|0|" + std::to_string(t0 + 100));

  const std::vector<std::string> names = {"ps_bare", "ps_new", "ps_full", "ps_bare"};
  ok(rows->begin(false));
  const std::vector<OwnerState> loaded = value(rows->load_owners(names));
  ok(rows->commit());
  REQUIRE(loaded.size() == 4);
  const OwnerState& got = loaded[2];
  CHECK(got.pseudonym == "ps_full");
  REQUIRE(got.lots.size() == 2);
  CHECK(got.lots[0].lot_no == 1);
  CHECK(got.lots[0].account == "customer_points:ps_full");
  CHECK(got.lots[0].points == 100);
  CHECK(got.lots[0].remaining == 60);
  CHECK(got.lots[0].active_from == Timestamp{t0});
  CHECK(got.lots[0].expires_at == std::optional<Timestamp>(Timestamp{t0 + 5000}));
  CHECK(got.lots[1].lot_no == 3);
  CHECK(got.lots[1].expires_at == std::nullopt);
  CHECK(got.owed_points == 0);
  CHECK(got.tier == std::optional<std::string>("gold"));
  CHECK(got.review_at == full.review_at);
  CHECK(got.tier_from == full.tier_from);
  CHECK(got.period_spend == 12345);
  CHECK(got.period_points == 321);
  CHECK(got.receipts == 4);
  CHECK(got.spend_minor == 99900);
  CHECK(got.flagged);
  CHECK(got.flagged_at == full.flagged_at);
  CHECK(got.cleared_at == full.cleared_at);
  CHECK(got.next_lot_no == 4);
  CHECK(got.last == full.last);
  CHECK(got.swept_through == full.swept_through);
  CHECK(got.state_version == 17);
  for (std::size_t i : {std::size_t{0}, std::size_t{3}}) {
    const OwnerState& b = loaded[i];
    CHECK(b.pseudonym == "ps_bare");
    CHECK(b.lots.empty());
    CHECK(b.owed_points == 25);
    CHECK(b.tier == std::nullopt);
    CHECK(b.review_at == std::nullopt);
    CHECK(b.tier_from == std::nullopt);
    CHECK_FALSE(b.flagged);
    CHECK(b.flagged_at == std::nullopt);
    CHECK(b.cleared_at == std::nullopt);
    CHECK(b.next_lot_no == 1);
    CHECK(b.last == std::nullopt);
    CHECK(b.swept_through == std::nullopt);
    CHECK(b.state_version == 18);
  }
  const OwnerState& fresh = loaded[1];
  CHECK(fresh.pseudonym == "ps_new");
  CHECK(fresh.state_version == 0);
  CHECK(fresh.lots.empty());
  CHECK(fresh.next_lot_no == 1);

  // Saving again replaces the row and the lots; of two states of one pseudonym the last stays.
  OwnerState spent = full;
  spent.lots = {Lot{3, "customer_points:ps_full", 40, 5, Timestamp{t0 + 10}, std::nullopt}};
  spent.tier = std::nullopt;
  spent.last = std::nullopt;
  spent.state_version = 19;
  const std::vector<const OwnerState*> twice = {&full, &spent};
  ok(rows->begin(true));
  ok(rows->save_owners(twice, Timestamp{t0 + 200}));
  ok(rows->commit());
  CHECK(pg.psql("SELECT owner, lot_no, remaining FROM lots ORDER BY 1, 2", "hq") == "ps_full|3|5");
  CHECK(pg.psql("SELECT tier IS NULL, last_at IS NULL, last_store IS NULL, balance_points, "
                "state_version FROM customers WHERE pseudonym = 'ps_full'",
                "hq") == "t|t|t|5|19");
}

TEST_CASE("postgres record_events, owner_events, entries and the views", "[postgres]") {
  PgServer pg = start_server("apply");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  std::vector<WireEvent> events = {wire_event(1, t0 + 30), wire_event(2, t0 + 10),
                                   wire_event(3, t0 + 20)};
  ok(rows->begin(true));
  ok(rows->insert_terminal(s1t1, "e1"));
  ok(rows->insert_chain(s1t1, "e1", Timestamp{t0}));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(events, "2026-01-01"), noon)) == 3);
  ok(rows->save_chain(s1t1, ChainRow{"e1", 3, "h3", 0}));
  ok(rows->commit());

  ok(rows->begin(true));
  const std::vector<PendingChain> pending = value(rows->pending_chains());
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].terminal == s1t1);
  CHECK(pending[0].applied_seq == 0);
  CHECK(pending[0].held_seq == 3);
  const std::vector<StoredEvent> stored = value(rows->chain_events(pending[0], 0, 3, 2));
  REQUIRE(stored.size() == 2);
  std::vector<ParsedEvent> parsed;
  for (const StoredEvent& event : value(rows->chain_events(pending[0], 0, 3, 10))) {
    ParsedEvent p;
    p.key = event.key;
    p.kind = event.kind;
    p.receipt_id = event.receipt_id;
    parsed.push_back(p);
  }
  parsed[1].note = "no ledger annex";
  const std::vector<RecordedEvent> recorded = {
      {&parsed[0], {"ps_a", "ps_b"}}, {&parsed[1], {"ps_a"}}, {&parsed[2], {"ps_a"}}};
  ok(rows->record_events(recorded));
  ok(rows->record_events(recorded));  // idempotent
  ok(rows->set_applied(s1t1, "e1", 3));
  // Entries numbered in order, from 1, per the whole table.
  const std::vector<NewEntry> entries = {
      NewEntry{"issuance", "customer_points:ps_a", 10, "earn", Timestamp{t0 + 10},
               EventKey{Timestamp{t0 + 10}, "s1", "t1", "e1", 2}, "r2"},
      NewEntry{"customer_points:ps_a", "redemption", 4, "burn", Timestamp{t0 + 20},
               EventKey{Timestamp{t0 + 20}, "s1", "t1", "e1", 3}, "r3"}};
  ok(rows->insert_entries("ps_a", entries));
  ok(rows->insert_entries("", std::span<const NewEntry>(entries).first(1)));
  ok(rows->commit());
  CHECK(pg.psql("SELECT entry_id, owner, code FROM entries ORDER BY entry_id", "hq") ==
        "1|ps_a|earn\n2|ps_a|burn\n3||earn");
  CHECK(pg.psql("SELECT store_id, seq, note FROM apply_notes", "hq") == "s1|2|no ledger annex");
  CHECK(pg.psql("SELECT count(*) FROM customer_events", "hq") == "4");

  ok(rows->begin(false));
  // In projection order (created_at first), not by seq.
  const std::vector<StoredEvent> of_a = value(rows->owner_events("ps_a"));
  REQUIRE(of_a.size() == 3);
  CHECK(of_a[0].key.seq == 2);
  CHECK(of_a[1].key.seq == 3);
  CHECK(of_a[2].key.seq == 1);
  CHECK(value(rows->owner_events("ps_b")).size() == 1);
  CHECK(value(rows->owner_events("ps_none")).empty());
  const std::vector<HqEntry> history = value(rows->history("ps_a", 1));
  REQUIRE(history.size() == 1);
  CHECK(history[0].entry_id == 2);
  CHECK(history[0].code == "burn");
  CHECK(history[0].terminal == s1t1);
  CHECK(history[0].seq == 3);
  CHECK(history[0].receipt_id == "r3");
  const std::vector<HqEntry> all = value(rows->history("ps_a", 10));
  REQUIRE(all.size() == 2);
  CHECK(all[0].entry_id == 1);  // newest last
  const HqTotals totals = value(rows->sum_totals());
  CHECK(totals.events == 3);
  CHECK(totals.receipts == 3);
  CHECK(totals.points_issued == 20);
  CHECK(totals.points_redeemed == 4);
  CHECK(totals.points_donated == 0);
  CHECK(totals.points_expired == 0);
  ok(rows->commit());

  // Re-projection: the owner's entries go, the next ones number on from the largest left.
  ok(rows->begin(true));
  ok(rows->delete_entries("ps_a"));
  ok(rows->insert_entries("ps_a", std::span<const NewEntry>(entries).first(1)));
  ok(rows->commit());
  CHECK(pg.psql("SELECT entry_id, owner FROM entries ORDER BY entry_id", "hq") == "3|\n4|ps_a");

  // The nightly report's reads: entries by time (at < until), the stock as of an instant.
  const std::vector<NewEntry> owed = {
      NewEntry{"overdraft_receivable:ps_b", "customer_points:ps_b", 3, "overdraft",
               Timestamp{t0 + 30}, EventKey{Timestamp{t0 + 30}, "s1", "t1", "e1", 1}, "r1"}};
  ok(rows->begin(true));
  ok(rows->insert_entries("ps_b", owed));
  ok(rows->commit());
  ok(rows->begin(false));
  std::vector<LedgerEntryRow> scanned;
  auto collect = [&scanned](const LedgerEntryRow& entry) -> Status {
    scanned.push_back(entry);
    return {};
  };
  ok(rows->scan_entries(Timestamp{t0 + 10}, Timestamp{t0 + 30}, collect));
  REQUIRE(scanned.size() == 2);
  CHECK(scanned[0].at == Timestamp{t0 + 10});
  CHECK(scanned[0].store_id == "s1");
  CHECK(scanned[0].code == "earn");
  CHECK(scanned[0].points == 10);
  CHECK(scanned[0].debit == "issuance");
  CHECK(scanned[0].credit == "customer_points:ps_a");
  scanned.clear();
  ok(rows->scan_entries(Timestamp{t0}, Timestamp{t0 + 100}, collect));
  CHECK(scanned.size() == 3);
  const LedgerStock before = value(rows->ledger_stock(Timestamp{t0 + 30}));
  CHECK(before.liability_points == 20);
  CHECK(before.overdraft_points == 0);
  const LedgerStock after = value(rows->ledger_stock(Timestamp{t0 + 31}));
  CHECK(after.liability_points == 23);
  CHECK(after.overdraft_points == 3);
  CHECK(value(rows->ledger_stock(Timestamp{t0})).liability_points == 0);
  ok(rows->commit());

  // Lots due, by owner.
  OwnerState owner;
  owner.pseudonym = "ps_a";
  owner.lots = {Lot{1, "customer_points:ps_a", 6, 6, Timestamp{t0}, Timestamp{t0 + 50}}};
  owner.state_version = 1;
  OwnerState later = owner;
  later.pseudonym = "ps_b";
  later.lots[0].expires_at = Timestamp{t0 + 500};
  later.state_version = 2;
  const std::vector<const OwnerState*> both = {&later, &owner};
  ok(rows->begin(true));
  ok(rows->save_owners(both, noon));
  CHECK(value(rows->owners_with_lots_due(Timestamp{t0 + 49})).empty());
  CHECK(value(rows->owners_with_lots_due(Timestamp{t0 + 50})) == std::vector<std::string>{"ps_a"});
  CHECK(value(rows->owners_with_lots_due(Timestamp{t0 + 500})) ==
        (std::vector<std::string>{"ps_a", "ps_b"}));
  const HqTotals liability = value(rows->sum_totals());
  CHECK(liability.liability_points == 12);
  ok(rows->commit());
}

TEST_CASE("postgres downlink items and a store's changed customers", "[postgres]") {
  PgServer pg = start_server("downlink");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  ok(rows->begin(true));
  CHECK(value(rows->next_version()) == 1);
  ok(rows->insert_item(StoredItem{1, "", Timestamp{t0}, "block", "{\"b\":1}", ""}));
  CHECK(value(rows->next_version()) == 2);
  ok(rows->insert_item(StoredItem{2, "s2", Timestamp{t0 + 1}, "key", "{}", "PEM"}));
  CHECK(value(rows->next_version()) == 3);
  ok(rows->insert_item(StoredItem{3, "s1", Timestamp{t0 + 2}, "bundle", "{}", "{\"p\":1}"}));
  // ps_a and ps_b at s1, ps_c at s2 only; ps_d at s1 with no customers row yet.
  ParsedEvent e1, e2;
  e1.key = EventKey{Timestamp{t0}, "s1", "t1", "e1", 1};
  e2.key = EventKey{Timestamp{t0}, "s2", "t1", "e1", 1};
  const std::vector<RecordedEvent> recorded = {{&e1, {"ps_a", "ps_b", "ps_d"}}, {&e2, {"ps_c"}}};
  ok(rows->record_events(recorded));
  OwnerState a, b, c;
  a.pseudonym = "ps_a";
  a.state_version = 6;
  a.lots = {Lot{1, "customer_points:ps_a", 10, 10, Timestamp{t0}, Timestamp{t0 + 900}},
            Lot{2, "customer_points:ps_a", 5, 5, Timestamp{t0}, Timestamp{t0 + 800}}};
  a.owed_points = 0;
  a.tier = "silver";
  a.review_at = Timestamp{t0 + 3};
  a.period_spend = 7;
  a.period_points = 8;
  b.pseudonym = "ps_b";
  b.state_version = 4;
  b.owed_points = 3;
  b.flagged = true;
  c.pseudonym = "ps_c";
  c.state_version = 5;
  const std::vector<const OwnerState*> states = {&a, &b, &c};
  ok(rows->save_owners(states, Timestamp{t0 + 60}));
  ok(rows->commit());

  ok(rows->begin(false));
  const std::vector<StoredItem> items = value(rows->items_after("s1", 0, 10));
  REQUIRE(items.size() == 2);
  CHECK(items[0].version == 1);
  CHECK(items[0].store_id == "");
  CHECK(items[0].kind == "block");
  CHECK(items[0].body == "{\"b\":1}");
  CHECK(items[1].version == 3);
  CHECK(items[1].large == "{\"p\":1}");
  CHECK(value(rows->items_after("s1", 1, 1)).size() == 1);
  CHECK(value(rows->items_after("s2", 0, 10)).size() == 2);

  const std::vector<CustomerItemRow> customers = value(rows->customers_after("s1", 0, 10));
  REQUIRE(customers.size() == 2);
  CHECK(customers[0].pseudonym == "ps_b");
  CHECK(customers[0].state_version == 4);
  CHECK(customers[0].balance_points == -3);
  CHECK(customers[0].expires_at == std::nullopt);
  CHECK(customers[0].tier == std::nullopt);
  CHECK(customers[0].flagged);
  CHECK(customers[0].review_at == std::nullopt);
  CHECK(customers[0].changed_at == Timestamp{t0 + 60});
  CHECK(customers[1].pseudonym == "ps_a");
  CHECK(customers[1].state_version == 6);
  CHECK(customers[1].balance_points == 15);
  CHECK(customers[1].expires_at == std::optional<Timestamp>(Timestamp{t0 + 800}));
  CHECK(customers[1].tier == std::optional<std::string>("silver"));
  CHECK_FALSE(customers[1].flagged);
  CHECK(customers[1].review_at == std::optional<Timestamp>(Timestamp{t0 + 3}));
  CHECK(customers[1].period_spend == 7);
  CHECK(customers[1].period_points == 8);
  CHECK(value(rows->customers_after("s1", 4, 10)).size() == 1);
  CHECK(value(rows->customers_after("s1", 0, 1)).size() == 1);
  CHECK(value(rows->customers_after("s1", -5, 10)).size() == 2);
  CHECK(value(rows->customers_after("s3", 0, 10)).empty());
  CHECK(value(rows->latest_for("s1")) == 6);
  CHECK(value(rows->latest_for("s2")) == 5);
  CHECK(value(rows->latest_for("s3")) == 1);
  ok(rows->commit());

  // A new state version reaches the store's copy.
  a.state_version = 9;
  const std::vector<const OwnerState*> again = {&a};
  ok(rows->begin(true));
  ok(rows->save_owners(again, Timestamp{t0 + 70}));
  ok(rows->commit());
  ok(rows->begin(false));
  CHECK(value(rows->latest_for("s1")) == 9);
  const std::vector<CustomerItemRow> changed = value(rows->customers_after("s1", 6, 10));
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].pseudonym == "ps_a");
  CHECK(changed[0].state_version == 9);
  ok(rows->commit());
}

TEST_CASE("postgres terminals, chains, quarantine, alerts and statuses", "[postgres]") {
  PgServer pg = start_server("terminals");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  const TerminalIdentity s1t2{"s1", "t2"};
  ok(rows->begin(true));
  CHECK(value(rows->load_terminal(s1t1)) == std::nullopt);
  ok(rows->insert_terminal(s1t1, "e1"));
  ok(rows->insert_chain(s1t1, "e1", Timestamp{t0}));
  ok(rows->insert_terminal(s1t2, "e1"));
  ok(rows->insert_chain(s1t2, "e1", Timestamp{t0}));
  Status twice = rows->insert_terminal(s1t1, "e1");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::busy);
  ok(rows->commit());

  std::vector<WireEvent> events = {wire_event(1, t0 + 5), wire_event(2, t0 + 6),
                                   wire_event(4, t0 + 9)};
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(events, "2026-01-01"), noon)) == 3);
  ok(rows->save_chain(s1t1, ChainRow{"e1", 2, "h2", 1}));
  ok(rows->touch_terminal(s1t1, Timestamp{t0 + 100}));
  ok(rows->set_quarantine(s1t1, "broken chain at seq 3", Timestamp{t0 + 101}));
  ok(rows->set_quarantine(s1t1, "a second reason", Timestamp{t0 + 102}));
  ok(rows->raise_alert(s1t1, "quarantined: broken chain at seq 3", Timestamp{t0 + 101}));
  ok(rows->raise_alert(s1t2, "second", Timestamp{t0 + 102}));
  const TerminalRow row = *value(rows->load_terminal(s1t1));
  CHECK(row.epoch == "e1");
  CHECK(row.quarantined);
  CHECK(row.reason == "broken chain at seq 3");
  const ChainRow chain = *value(rows->load_chain(s1t1, "e1"));
  CHECK(chain.held_seq == 2);
  CHECK(chain.held_hash == "h2");
  CHECK(chain.applied_seq == 1);
  CHECK(value(rows->load_chain(s1t1, "e2")) == std::nullopt);
  ok(rows->commit());

  ok(rows->begin(false));
  const std::vector<TerminalStatus> statuses = value(rows->terminal_statuses());
  REQUIRE(statuses.size() == 2);
  CHECK(statuses[0].terminal == s1t1);
  CHECK(statuses[0].held_seq == 2);
  CHECK(statuses[0].applied_seq == 1);
  CHECK(statuses[0].stored_beyond == 1);
  CHECK(statuses[0].last_batch_at == std::optional<Timestamp>(Timestamp{t0 + 100}));
  CHECK(statuses[0].last_event_at == std::optional<Timestamp>(Timestamp{t0 + 9}));
  CHECK(statuses[0].quarantined);
  CHECK(statuses[0].quarantine_reason == "broken chain at seq 3");
  CHECK(statuses[0].quarantined_at == std::optional<Timestamp>(Timestamp{t0 + 101}));
  CHECK(statuses[1].terminal == s1t2);
  CHECK(statuses[1].stored_beyond == 0);
  CHECK(statuses[1].last_batch_at == std::nullopt);
  CHECK(statuses[1].last_event_at == std::nullopt);
  CHECK_FALSE(statuses[1].quarantined);
  const std::vector<Alert> alerts = value(rows->all_alerts());
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].alert_id == 1);
  CHECK(alerts[0].terminal == s1t1);
  CHECK(alerts[0].message == "quarantined: broken chain at seq 3");
  CHECK(alerts[0].raised_at == Timestamp{t0 + 101});
  CHECK(alerts[1].alert_id == 2);
  CHECK(alerts[1].terminal == s1t2);
  // A quarantined terminal's chain is not pending.
  ok(rows->commit());
  ok(rows->begin(true));
  CHECK(value(rows->pending_chains()).empty());
  ok(rows->clear_quarantine(s1t1));
  CHECK(value(rows->pending_chains()).size() == 1);
  // A new epoch: the retired chain sorts before the current one.
  ok(rows->retire_chain(s1t1, "e1", Timestamp{t0 + 200}));
  ok(rows->insert_chain(s1t1, "e0", Timestamp{t0 + 200}));
  ok(rows->set_terminal_epoch(s1t1, "e0"));
  std::vector<WireEvent> fresh = {wire_event(1, t0 + 201)};
  CHECK(value(rows->insert_events(s1t1, "e0", journal_rows(fresh, "2026-01-01"), noon)) == 1);
  ok(rows->save_chain(s1t1, ChainRow{"e0", 1, "h1", 0}));
  const std::vector<PendingChain> pending = value(rows->pending_chains());
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].epoch == "e1");
  CHECK(pending[1].epoch == "e0");
  // applied_seq beyond held_seq (a release meanwhile) is busy, and the row stays.
  Status beyond = rows->set_applied(s1t1, "e1", 3);
  REQUIRE_FALSE(beyond.ok());
  CHECK(beyond.error().code == ErrorCode::busy);
  ok(rows->set_applied(s1t1, "e1", 2));
  ok(rows->commit());
  CHECK(pg.psql("SELECT epoch, held_seq, applied_seq, retired_at FROM chains WHERE "
                "terminal_id = 't1' ORDER BY epoch",
                "hq") == "e0|1|0|\ne1|2|2|" + std::to_string(t0 + 200));
  // Rolled back: nothing of it stays, and the versions counter is back.
  ok(rows->begin(true));
  CHECK(value(rows->next_version()) == 1);
  ok(rows->raise_alert(s1t1, "gone", Timestamp{t0}));
  rows->rollback();
  rows->rollback();  // a no-op
  ok(rows->begin(true));
  CHECK(value(rows->next_version()) == 1);
  ok(rows->raise_alert(s1t1, "third", Timestamp{t0}));
  ok(rows->commit());
  CHECK(pg.psql("SELECT alert_id, message FROM alerts ORDER BY alert_id", "hq") ==
        "1|quarantined: broken chain at seq 3\n2|second\n3|third");
}

TEST_CASE("postgres scan_journal streams in projection order, by dates, stores and kinds",
          "[postgres]") {
  PgServer pg = start_server("scan");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  // 2,500 events of s1/t1 and s2/t1 over two days (more than two FETCH chunks), interleaved in
  // time, and a refund on the third day.
  std::vector<WireEvent> s1, s2;
  for (std::int64_t i = 1; i <= 1250; ++i) {
    s1.push_back(wire_event(i, t0 + 2 * i));
    s2.push_back(wire_event(i, t0 + 2 * i));  // the same second: store_id decides
  }
  for (WireEvent& event : s2) {
    if (event.seq > 625) event.created_at = Timestamp{event.created_at.unix_seconds + 86400};
  }
  std::vector<WireEvent> refund = {wire_event(1251, t0 + 2 * 86400)};
  refund[0].kind = "refund";
  ok(rows->begin(true));
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(s1, "2026-01-01"), noon)) == 1250);
  std::vector<NewJournalRow> s2_rows = journal_rows(s2, "2026-01-01");
  for (std::size_t i = 625; i < s2_rows.size(); ++i) s2_rows[i].business_date = "2026-01-02";
  CHECK(value(rows->insert_events({"s2", "t1"}, "e1", s2_rows, noon)) == 1250);
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(refund, "2026-01-03"), noon)) == 1);
  ok(rows->commit());

  auto scan = [&](JournalScan what) {
    std::vector<JournalEvent> seen;
    ok(rows->begin(false));
    ok(rows->scan_journal(what, [&](JournalEvent&& event) -> Status {
      seen.push_back(std::move(event));
      return {};
    }));
    ok(rows->commit());
    return seen;
  };
  const std::vector<JournalEvent> all = scan({"2026-01-01", "2026-01-03", {}, {}});
  REQUIRE(all.size() == 2501);
  CHECK(all[0].store_id == "s1");
  CHECK(all[0].seq == 1);
  CHECK(all[1].store_id == "s2");
  CHECK(all[1].seq == 1);
  bool ordered = true;
  for (std::size_t i = 1; i < all.size(); ++i) {
    const auto key = [](const JournalEvent& e) {
      return std::tie(e.created_at, e.store_id, e.terminal_id, e.epoch, e.seq);
    };
    if (!(key(all[i - 1]) < key(all[i]))) ordered = false;
  }
  CHECK(ordered);
  CHECK(all.back().kind == "refund");
  CHECK(all.back().business_date == "2026-01-03");
  CHECK(all.back().payload == "{}");
  CHECK(all.back().annex == "{\"ledger\":[]}");
  CHECK(all.back().receipt_id == "r1251");
  CHECK(all.back().created_at == Timestamp{t0 + 2 * 86400});

  CHECK(scan({"2026-01-02", "2026-01-02", {}, {}}).size() == 625);
  CHECK(scan({"2026-01-01", "2026-01-01", {"s2"}, {}}).size() == 625);
  CHECK(scan({"2026-01-01", "2026-01-03", {"s1", "s9"}, {}}).size() == 1251);
  CHECK(scan({"2026-01-01", "2026-01-03", {}, {"refund"}}).size() == 1);
  CHECK(scan({"2026-01-01", "2026-01-03", {"s2"}, {"refund"}}).empty());
  CHECK(scan({"2026-02-01", "2026-02-03", {}, {}}).empty());

  // The visitor's first error ends the scan and is the answer; the transaction goes on.
  int visited = 0;
  ok(rows->begin(false));
  Status stopped =
      rows->scan_journal({"2026-01-01", "2026-01-03", {}, {}}, [&](JournalEvent&&) -> Status {
        if (++visited == 1500) {
          return make_error(ErrorCode::io_error, "disk full");
        }
        return {};
      });
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().message == "disk full");
  CHECK(visited == 1500);
  CHECK(value(rows->held_events(s1t1, "e1", 1, 1)).size() == 1);
  ok(rows->commit());
}

TEST_CASE("postgres a connection whose server restarted recovers on the next begin", "[postgres]") {
  PgServer pg = start_server("restart");
  const std::string conninfo = migrated_database(pg, "hq");
  auto rows = open_rows(conninfo);
  ok(rows->begin(false));
  CHECK(value(rows->load_terminal(s1t1)) == std::nullopt);
  ok(rows->commit());

  // Idle through a restart: the next transaction reconnects, prepares again, stages again.
  pg.restart();
  std::vector<WireEvent> events = {wire_event(1, t0)};
  ok(rows->begin(true));
  CHECK(value(rows->load_terminal(s1t1)) == std::nullopt);
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(events, "2026-01-01"), noon)) == 1);
  ok(rows->commit());

  // Inside a transaction: the call fails, the transaction counts as rolled back.
  ok(rows->begin(true));
  std::vector<WireEvent> lost = {wire_event(2, t0)};
  CHECK(value(rows->insert_events(s1t1, "e1", journal_rows(lost, "2026-01-01"), noon)) == 1);
  pg.restart();
  Result<std::optional<TerminalRow>> broken = rows->load_terminal(s1t1);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ErrorCode::io_error);
  CHECK_THAT(broken.error().message,
             Contains("lost the connection to the HQ database at " + pg.conninfo("hq")));
  CHECK_THAT(broken.error().message, Contains("the transaction was rolled back"));
  Status commit = rows->commit();
  CHECK_FALSE(commit.ok());
  rows->rollback();
  ok(rows->begin(false));
  CHECK(value(rows->held_events(s1t1, "e1", 1, 5)).size() == 1);
  ok(rows->commit());

  // Down: begin names the server; up again: begin works.
  pg.stop("fast");
  Status down = rows->begin(false);
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == ErrorCode::io_error);
  CHECK_THAT(down.error().message,
             Contains("cannot reconnect to the HQ database at " + pg.conninfo("hq")));
  pg.start_again();
  ok(rows->begin(false));
  CHECK(value(rows->held_events(s1t1, "e1", 1, 5)).size() == 1);
  ok(rows->commit());
}

TEST_CASE("postgres a lock held past the lock timeout is busy", "[postgres]") {
  PgServer pg = start_server("busy");
  const std::string conninfo = migrated_database(pg, "hq");
  auto first = open_rows(conninfo);
  auto second = open_rows(conninfo, 200);
  ok(first->begin(true));
  ok(first->insert_terminal(s1t1, "e1"));
  ok(first->commit());
  ok(first->begin(true));
  REQUIRE(value(first->load_terminal(s1t1)).has_value());  // locks the row
  ok(second->begin(true));
  Result<std::optional<TerminalRow>> waited = second->load_terminal(s1t1);
  REQUIRE_FALSE(waited.ok());
  CHECK(waited.error().code == ErrorCode::busy);
  CHECK_THAT(waited.error().message, Contains("SQLSTATE 55P03"));
  second->rollback();
  // A reader does not wait.
  ok(second->begin(false));
  CHECK(value(second->load_terminal(s1t1)).has_value());
  ok(second->commit());
  first->rollback();
  // Appliers take turns: the second waits for the first's commit (here, past its lock timeout).
  ok(first->begin(true));
  CHECK(value(first->pending_chains()).empty());
  ok(second->begin(true));
  Result<std::vector<PendingChain>> turn = second->pending_chains();
  REQUIRE_FALSE(turn.ok());
  CHECK(turn.error().code == ErrorCode::busy);
  second->rollback();
  ok(first->commit());
  ok(second->begin(true));
  CHECK(value(second->pending_chains()).empty());
  ok(second->commit());
  // Other errors are io_error with PostgreSQL's message and SQLSTATE.
  ok(first->begin(true));
  Status check = first->save_chain(s1t1, ChainRow{"e1", 0, "", 0});  // no row: fine
  ok(check);
  ok(first->insert_chain(s1t1, "e1", Timestamp{t0}));
  Status duplicate = first->insert_chain(s1t1, "e1", Timestamp{t0});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == ErrorCode::io_error);
  CHECK_THAT(duplicate.error().message, Contains("SQLSTATE 23505"));
  Status after = first->commit();
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().message == "the HQ database transaction failed earlier and was rolled back");
  CHECK(pg.psql("SELECT count(*) FROM chains", "hq") == "0");
}

TEST_CASE("postgres messages never show a password", "[postgres]") {
  CHECK(redact_conninfo("postgresql://u:secret@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_conninfo("postgres://u:s%40c@h1:5432,h2:5433/db?sslmode=require") ==
        "postgres://u:***@h1:5432,h2:5433/db?sslmode=require");
  CHECK(redact_conninfo("postgresql://u:se@cret@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_conninfo("postgresql://u@h/db?password=secret&application_name=x") ==
        "postgresql://u@h/db?password=***&application_name=x");
  CHECK(redact_conninfo("postgresql://h/db") == "postgresql://h/db");
  CHECK(redact_conninfo("postgresql://u:secret@h") == "postgresql://u:***@h");
  CHECK(redact_conninfo("password=secret host=h") == "password=*** host=h");
  CHECK(redact_conninfo("host=h password = 'se cret\\'s' dbname=db") ==
        "host=h password = *** dbname=db");
  CHECK(redact_conninfo("host=h password='unterminated dbname=db") == "host=h password=***");
  CHECK(redact_conninfo("host=h dbname='sec ret' user=u") == "host=h dbname='sec ret' user=u");
  CHECK(redact_conninfo("dbname=postgresql://u:secret@h/db") == "dbname='postgresql://u:***@h/db'");
  CHECK(redact_conninfo("") == "");

  PgServer pg = start_server("password");
  // Nobody listens on the port after the server's: the connection fails, naming the server.
  const std::string uri = "postgresql://hq:secret@127.0.0.1:" + std::to_string(pg.port() + 1) +
                          "/postgres?connect_timeout=2";
  Result<std::unique_ptr<HqStore>> refused = open_postgres_hq_store(uri);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::io_error);
  CHECK_THAT(refused.error().message,
             Contains("cannot connect to the HQ database at postgresql://hq:***@127.0.0.1:"));
  CHECK_THAT(refused.error().message, !Contains("secret"));
  const std::string pairs = "host=127.0.0.1 port=" + std::to_string(pg.port() + 1) +
                            " password=secret dbname=postgres connect_timeout=2";
  Result<PostgresMigration> migrate = migrate_postgres_hq_store(pairs, {}, noon);
  REQUIRE_FALSE(migrate.ok());
  CHECK_THAT(migrate.error().message, Contains("password=***"));
  CHECK_THAT(migrate.error().message, !Contains("secret"));
}

TEST_CASE("postgres the Citus statements and every unique key holding its distribution column",
          "[postgres]") {
  CHECK(citus_statements() ==
        "SELECT create_distributed_table('journal', 'store_id');\n"
        "SELECT create_distributed_table('terminals', 'store_id', colocate_with => 'journal');\n"
        "SELECT create_distributed_table('chains', 'store_id', colocate_with => 'journal');\n"
        "SELECT create_distributed_table('alerts', 'store_id', colocate_with => 'journal');\n"
        "SELECT create_distributed_table('apply_notes', 'store_id', colocate_with => 'journal');\n"
        "SELECT create_distributed_table('store_customers', 'store_id', colocate_with => "
        "'journal');\n"
        "SELECT create_distributed_table('customers', 'pseudonym', colocate_with => 'none');\n"
        "SELECT create_distributed_table('lots', 'owner', colocate_with => 'customers');\n"
        "SELECT create_distributed_table('customer_events', 'pseudonym', colocate_with => "
        "'customers');\n"
        "SELECT create_distributed_table('entries', 'owner', colocate_with => 'customers');\n"
        "SELECT create_reference_table('meta');\n"
        "SELECT create_reference_table('versions');\n"
        "SELECT create_reference_table('downlink_items');\n"
        "SELECT create_reference_table('schema_migrations');\n");
  PgServer pg = start_server("citus");
  migrated_database(pg, "hq");
  // Every table of the schema is in exactly one list.
  std::string listed;
  std::vector<std::string> names;
  for (const DistributedTable& table : distributed_tables()) names.push_back(table.table);
  for (std::string_view table : reference_tables()) names.emplace_back(table);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) listed += (listed.empty() ? "" : "\n") + name;
  CHECK(pg.psql("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND "
                "relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname COLLATE \"C\"",
                "hq") == listed);
  for (const DistributedTable& table : distributed_tables()) {
    INFO(table.table);
    // Unique indexes without the distribution column: none.
    CHECK(pg.psql("SELECT count(*) FROM pg_index i WHERE i.indrelid = '" + table.table +
                      "'::regclass AND i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_attribute a "
                      "WHERE a.attrelid = i.indrelid AND a.attname = '" +
                      table.column + "' AND a.attnum = ANY(i.indkey))",
                  "hq") == "0");
    // And a primary key that has it.
    CHECK(pg.psql("SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                  "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '" +
                      table.table + "'::regclass AND i.indisprimary AND a.attname = '" +
                      table.column + "'",
                  "hq") == "1");
  }
  CHECK(pg.psql("SELECT count(*) FROM pg_constraint WHERE contype = 'f'", "hq") == "0");
}
