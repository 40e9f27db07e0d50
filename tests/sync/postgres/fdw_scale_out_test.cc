// HQ's scale-out with what PostgreSQL itself ships (Citus is not in Debian 12): three real
// PostgreSQL 15 servers on this machine, a coordinator whose journal is hash-partitioned by
// store_id with its partitions on the other two through postgres_fdw, laid out by
// tests/sync/postgres/fdw_layout.sql around an ordinary migrated HQ database
// (docs/hq-postgres.md, "Scale-out without Citus: postgres_fdw"). The HQ store's code is the
// normal one: open_postgres_hq_store on the coordinator.
//
// - The same journals (20 stores × 2 terminals, sent in parts, out of order, twice, and one
//   terminal quarantined and released with held events dropped) go to the distributed store and
//   to a single-node one: every ingest outcome, apply report, the terminals, alerts, customers,
//   totals, the journal scan, the nightly report and the tables themselves are equal.
// - Every event lies on the node its store hashes to (satisfies_hash_partition on the
//   coordinator, checked against tableoid), in its day's table, and on no other: node1 and node2
//   are read directly with psql.
// - The layout keeps working with HQ's own operations: `migrate` finds its days made, a local
//   day from `partitions --create-through` is refused by the layout's guard with nothing moved,
//   and laying out a day that already has events moves them from the default partition.
// - The ingest rate of 100,000 events on both layouts is printed (WARN), never asserted.

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hq/hq_describe.h"
#include "hq/journal_builder.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/nightly_report.h"
#include "postgres/pg_server.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using loyalty::test::PgServer;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t day = 86400;
// The days migrate makes at t0 (yesterday and a week ahead), laid out on the nodes.
constexpr const char* first_day = "2025-12-31";
constexpr const char* last_day = "2026-01-08";
// A day without a partition: its events go to the default partition.
constexpr std::int64_t late_day_start = t0 + 19 * day;  // 2026-01-20

// The three servers, started once for this program's [fdw] tests and stopped at exit.
struct Cluster {
  PgServer coordinator;
  PgServer node1;
  PgServer node2;
};

Cluster& cluster() {
  static std::unique_ptr<Cluster> servers;
  if (!servers) {
    const auto start = [](const char* name) {
      PgServer::Options options;
      options.name = name;
      return PgServer::start(options);  // fsync on: the rates below are of durable commits
    };
    PgServer coordinator = start("fdw-coordinator");
    PgServer node1 = start("fdw-node1");
    PgServer node2 = start("fdw-node2");
    servers = std::make_unique<Cluster>(
        Cluster{std::move(coordinator), std::move(node1), std::move(node2)});
  }
  return *servers;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string quoted(const std::string& word) { return "'" + word + "'"; }

// One distributed HQ (a coordinator database and a journal database on each node) and a
// single-node HQ beside it (another database on the coordinator's server), both migrated at t0.
class Layouts {
 public:
  explicit Layouts(const std::string& name, const std::string& last = last_day)
      : hq_db_("hq_fdw_" + name), node_db_("journal_" + name), single_db_("hq_single_" + name) {
    Cluster& servers = cluster();
    servers.coordinator.create_database(hq_db_);
    servers.coordinator.create_database(single_db_);
    servers.node1.create_database(node_db_);
    servers.node2.create_database(node_db_);
    for (const std::string& conninfo : {fdw_conninfo(), single_conninfo()}) {
      Result<PostgresMigration> migrated =
          migrate_postgres_hq_store(conninfo, PostgresHqOptions{}, at_seconds(t0));
      if (!migrated.ok()) FAIL(migrated.error().message);
    }
    const std::string output = lay_out(first_day, last);
    INFO(output);
    REQUIRE(output.find("journal_20260101 | FOR VALUES FROM ('2026-01-01') TO ('2026-01-02') | "
                        "journal_20260101_h0 on journal_node1, journal_20260101_h1 on "
                        "journal_node2") != std::string::npos);
  }

  std::string fdw_conninfo() const { return cluster().coordinator.conninfo(hq_db_); }
  std::string single_conninfo() const { return cluster().coordinator.conninfo(single_db_); }

  std::unique_ptr<HqStore> open(const std::string& conninfo) const {
    Result<std::unique_ptr<HqStore>> store = open_postgres_hq_store(conninfo);
    if (!store.ok()) FAIL(store.error().message);
    return std::move(store).value();
  }

  std::string coordinator(const std::string& sql) const {
    return cluster().coordinator.psql(sql, hq_db_);
  }
  std::string single(const std::string& sql) const {
    return cluster().coordinator.psql(sql, single_db_);
  }
  std::string node(int which, const std::string& sql) const {
    return (which == 1 ? cluster().node1 : cluster().node2).psql(sql, node_db_);
  }

  // Runs fdw_layout.sql for the days [from, to]; returns psql's output (stdout and stderr).
  // Throws when psql fails.
  std::string lay_out(const std::string& from, const std::string& to) const {
    const std::string output = run_layout(from, to);
    if (last_status_ != 0) {
      throw std::runtime_error("fdw_layout.sql failed (status " + std::to_string(last_status_) +
                               "):\n" + output);
    }
    return output;
  }
  // The same; returns the output and leaves the status in last_status().
  std::string run_layout(const std::string& from, const std::string& to) const {
    const Cluster& servers = cluster();
    const std::string psql = std::filesystem::exists("/usr/lib/postgresql/15/bin/psql")
                                 ? "/usr/lib/postgresql/15/bin/psql"
                                 : "psql";
    const std::string file =
        std::string(LOYALTY_SOURCE_DIR) + "/tests/sync/postgres/fdw_layout.sql";
    // Every word is made here (ports, names of this test, the source path): no shell input.
    std::string command = psql + " -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " +
                          std::to_string(servers.coordinator.port()) +
                          " -U loyalty_test -d postgres -f " + quoted(file);
    const auto set = [&](const std::string& name, const std::string& value) {
      command += " -v " + name + "=" + quoted(value);
    };
    set("coordinator_host", servers.coordinator.host());
    set("coordinator_port", std::to_string(servers.coordinator.port()));
    set("coordinator_db", hq_db_);
    set("node1_host", servers.node1.host());
    set("node1_port", std::to_string(servers.node1.port()));
    set("node1_db", node_db_);
    set("node2_host", servers.node2.host());
    set("node2_port", std::to_string(servers.node2.port()));
    set("node2_db", node_db_);
    set("from_date", from);
    set("to_date", to);
    command += " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed for " + command);
    std::string output;
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
      output.append(buffer, got);
    }
    const int status = ::pclose(pipe);
    last_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output;
  }
  int last_status() const { return last_status_; }

 private:
  std::string hq_db_;
  std::string node_db_;
  std::string single_db_;
  mutable int last_status_ = 0;
};

// --- The journals -----------------------------------------------------------------------------

std::string store_name(int index) {
  char text[8];
  std::snprintf(text, sizeof text, "S%02d", index + 1);
  return text;
}

// A quote with what the nightly report reads.
std::string quote(bool identified, std::int64_t net, std::int64_t discount, std::int64_t points) {
  std::string discounts =
      discount > 0 ? R"({"source":"rule:promo","amount_minor":)" + std::to_string(discount) + "}"
                   : "";
  std::string earns = points > 0 ? R"({"source":"earn.base","account":"customer","points":)" +
                                       std::to_string(points) + "}"
                                 : "";
  return std::string("{\"identified\":") + (identified ? "true" : "false") +
         ",\"currency\":\"EUR\",\"totals\":{\"net_minor\":" + std::to_string(net) +
         "},\"lines\":[{\"discounts\":[" + discounts + "],\"earns\":[" + earns +
         "]}],\"receipt_earns\":[],\"budgets\":[]}";
}

// One terminal's day-by-day journal: checkouts of members and anonymous ones, earns with and
// without expiring lots, redemptions (some beyond the balance: overdrafts), refunds, and a few
// events on the late day that has no partition.
JournalBuilder terminal_journal(std::mt19937_64& rng, const std::string& store, int terminal,
                                std::uint64_t epoch, int events) {
  JournalBuilder journal(store, "T" + std::to_string(terminal), epoch);
  std::uniform_int_distribution<int> customer(0, 14);
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<std::int64_t> minor(200, 20000);
  std::int64_t at = t0 + 6 * 3600 + static_cast<std::int64_t>(rng() % 3600);
  for (int i = 0; i < events; ++i) {
    // Three days, then the last few on the late day.
    at = i == events - 3 ? late_day_start + 9 * 3600 + static_cast<std::int64_t>(rng() % 600)
                         : at + 3 * day / events;
    const int kind = percent(rng);
    const std::int64_t spend = minor(rng);
    if (kind < 15) {
      journal.quoted_checkout(at_seconds(at), std::nullopt, quote(false, spend, 0, 0), spend, {});
      continue;
    }
    const std::string who = test_pseudonym(customer(rng));
    const std::int64_t points = spend / 100;
    if (kind < 55) {
      journal.quoted_checkout(at_seconds(at), who, quote(true, spend, spend / 20, points), spend,
                              {earn_lot(who, points, at_seconds(at + 2 * day))});
    } else if (kind < 75) {
      journal.quoted_checkout(at_seconds(at), who, quote(true, spend, 0, points), spend,
                              {earn(who, points)});
    } else if (kind < 92) {
      const std::int64_t redeemed = 1 + static_cast<std::int64_t>(rng() % 60);
      journal.quoted_checkout(at_seconds(at), who, quote(true, spend, 0, points), spend,
                              {burn(who, redeemed), earn(who, points)});
    } else {
      journal.refund(at_seconds(at), who, -spend / 4,
                     {move("reverse_earn", points_account(who), "issuance", 1 + points / 4)});
    }
  }
  return journal;
}

// --- Comparing two stores ---------------------------------------------------------------------

std::string scanned(HqStore& store, const std::string& from, const std::string& to) {
  std::string out;
  JournalScan scan;
  scan.from_date = from;
  scan.to_date = to;
  const Status done = store.scan_journal(scan, [&out](JournalEvent&& e) -> Status {
    out += e.business_date + " " + std::to_string(e.created_at.unix_seconds) + " " + e.store_id +
           "/" + e.terminal_id + "/" + e.epoch + "/" + std::to_string(e.seq) + " " + e.kind + " " +
           e.receipt_id + " " + e.payload + " " + e.annex + "\n";
    return {};
  });
  if (!done.ok()) FAIL(done.error().message);
  return out;
}

std::string report(HqStore& store, const std::string& from, const std::string& to,
                   std::vector<std::string> stores = {}) {
  ReportOptions options;
  options.from_date = from;
  options.to_date = to;
  options.generated_at = at_seconds(t0 + 25 * day);
  options.stores = std::move(stores);
  Result<std::string> text = nightly_report_json(store, options);
  if (!text.ok()) FAIL(text.error().message);
  return std::move(text).value();
}

// Both stores take the same call; the results must be the same.
struct Pair {
  HqStore& fdw;
  HqStore& single;

  void ingest(const JournalBuilder& journal, const Batch& batch, Timestamp now) {
    INFO(journal.identity().store_id << "/" << journal.identity().terminal_id << " seqs "
                                     << batch.from_seq << ".." << batch.to_seq);
    Result<IngestOutcome> a = fdw.ingest(journal.identity(), batch, now);
    Result<IngestOutcome> b = single.ingest(journal.identity(), batch, now);
    if (!a.ok()) FAIL("postgres_fdw layout: " << a.error().message);
    if (!b.ok()) FAIL("single node: " << b.error().message);
    CHECK(describe(*a) == describe(*b));
    stored += a->events_stored;
    duplicates += a->events_duplicate;
  }
  void apply(Timestamp now, std::size_t events_max) {
    Result<ApplyReport> a = fdw.apply(now, events_max);
    Result<ApplyReport> b = single.apply(now, events_max);
    if (!a.ok()) FAIL("postgres_fdw layout: " << a.error().message);
    if (!b.ok()) FAIL("single node: " << b.error().message);
    CHECK(describe(*a) == describe(*b));
    applied += a->events_applied;
    reprojected += a->customers_reprojected;
    last_applied = a->events_applied;
  }

  std::int64_t stored = 0;
  std::int64_t duplicates = 0;
  std::int64_t applied = 0;
  std::int64_t reprojected = 0;
  std::int64_t last_applied = 0;
};

// Every row of `table`, as text, sorted.
std::string table_rows(const std::function<std::string(const std::string&)>& query,
                       const std::string& table) {
  return query("SELECT t::text FROM " + table + " t ORDER BY 1");
}

// (store, table, events) on a node, journal and journal_default together.
std::map<std::string, std::string> node_placement(const Layouts& where, int node) {
  std::map<std::string, std::string> placement;
  for (const std::string& line : lines_of(
           where.node(node,
                      "SELECT store_id, tableoid::regclass::text, count(*) FROM (SELECT tableoid, "
                      "store_id FROM journal UNION ALL SELECT tableoid, store_id FROM "
                      "journal_default) j GROUP BY 1, 2 ORDER BY 1, 2"))) {
    const std::string store = line.substr(0, line.find('|'));
    placement[store] += line.substr(line.find('|') + 1) + " ";
  }
  return placement;
}

// The same from the single-node store, for `stores`.
std::map<std::string, std::string> single_placement(const Layouts& where,
                                                    const std::set<std::string>& stores) {
  std::map<std::string, std::string> placement;
  for (const std::string& line :
       lines_of(where.single("SELECT store_id, tableoid::regclass::text, count(*) FROM journal "
                             "GROUP BY 1, 2 ORDER BY 1, 2"))) {
    const std::string store = line.substr(0, line.find('|'));
    if (stores.contains(store)) placement[store] += line.substr(line.find('|') + 1) + " ";
  }
  return placement;
}

std::string flat(const std::map<std::string, std::string>& placement) {
  std::string out;
  for (const auto& [store, tables] : placement) out += store + ": " + tables + "\n";
  return out;
}

// Which node each store's events belong on, as PostgreSQL computes it on the coordinator:
// remainder 0 of MODULUS 2 is node1.
std::map<std::string, int> hashed_nodes(const Layouts& where,
                                        const std::vector<std::string>& stores) {
  std::string array;
  for (const std::string& store : stores) array += (array.empty() ? "" : ",") + store;
  std::map<std::string, int> nodes;
  for (const std::string& line : lines_of(where.coordinator(
           "SELECT s, satisfies_hash_partition('journal_default'::regclass, 2, 0, s) FROM "
           "unnest('{" +
           array + "}'::text[]) s ORDER BY 1"))) {
    nodes[line.substr(0, line.find('|'))] = line.ends_with("|t") ? 1 : 2;
  }
  return nodes;
}

}  // namespace

TEST_CASE(
    "the journal hash-partitioned over two postgres_fdw nodes gives the single node's results, "
    "each event on its store's node",
    "[postgres][fdw]") {
  Layouts where("exact");
  std::unique_ptr<HqStore> fdw = where.open(where.fdw_conninfo());
  std::unique_ptr<HqStore> single = where.open(where.single_conninfo());
  Pair both{*fdw, *single};

  // The coordinator keeps no journal row: every leaf of its journal is a foreign table.
  CHECK(where.coordinator("SELECT count(*) FROM pg_partition_tree('journal') t JOIN pg_class c ON "
                          "c.oid = t.relid WHERE t.level > 0 AND c.relkind NOT IN ('f', 'p')") ==
        "0");
  CHECK(where.coordinator("SELECT count(*) FROM pg_index WHERE indrelid = 'journal'::regclass "
                          "AND indisunique") == "0");
  // The nodes' journal has HQ's columns (names, types, collations, order) and primary key.
  const std::string columns =
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || "
      "coalesce((SELECT collname FROM pg_collation WHERE oid = attcollation), ''), ', ' ORDER BY "
      "attnum) FROM pg_attribute WHERE attrelid = 'journal'::regclass AND attnum > 0 AND NOT "
      "attisdropped";
  const std::string key =
      "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'journal'::regclass "
      "AND contype = 'p'";
  for (int node : {1, 2}) {
    CHECK(where.node(node, columns) == where.single(columns));
    CHECK(where.node(node, key) == where.single(key));
    CHECK(where.node(node,
                     "SELECT count(*) FROM pg_index WHERE indrelid = "
                     "'journal_default'::regclass AND indisprimary") == "1");
  }

  std::mt19937_64 rng(20260101);
  std::vector<JournalBuilder> journals;
  std::vector<std::string> stores;
  for (int s = 0; s < 20; ++s) {
    stores.push_back(store_name(s));
    for (int t = 1; t <= 2; ++t) {
      journals.push_back(terminal_journal(rng, store_name(s), t,
                                          static_cast<std::uint64_t>(100 + s * 10 + t),
                                          24 + static_cast<int>(rng() % 12)));
    }
  }
  const Timestamp now = at_seconds(t0 + 21 * day);
  const std::size_t quarantined = 13;  // S07/T2
  const auto size_of = [](const JournalBuilder& j) {
    return static_cast<std::int64_t>(j.events().size());
  };

  // The first half of every journal, applied in chunks.
  for (const JournalBuilder& journal : journals) {
    both.ingest(journal, journal.batch(1, size_of(journal) / 2), now);
  }
  for (int chunk = 0; chunk < 3; ++chunk) both.apply(now, 150);

  // The rest: some terminals send the end first (held above a gap); S07/T2 sends a tampered
  // batch into its gap, is quarantined, and released with what it held beyond dropped.
  for (std::size_t i = 0; i < journals.size(); ++i) {
    const JournalBuilder& journal = journals[i];
    const std::int64_t n = size_of(journal);
    const std::int64_t half = n / 2;
    if (i == quarantined) {
      both.ingest(journal, journal.batch(half + 4, n), now);
      Batch bad = journal.batch(half + 1, half + 3);
      bad.events[0].payload += " ";
      both.ingest(journal, bad, at_seconds(now.unix_seconds + 5));
      continue;
    }
    if (i % 3 == 0) {
      both.ingest(journal, journal.batch(3 * n / 4, n), now);
      both.ingest(journal, journal.batch(half + 1, 3 * n / 4 - 1), now);
    } else {
      both.ingest(journal, journal.batch(half + 1, n), now);
    }
  }
  const JournalBuilder& held_back = journals[quarantined];
  const std::int64_t release_from = size_of(held_back) / 2 + 1;
  REQUIRE(fdw->release(held_back.identity(), release_from, "checked the till", now).ok());
  REQUIRE(single->release(held_back.identity(), release_from, "checked the till", now).ok());
  const std::string alerts = describe(*fdw->alerts());
  CHECK(alerts == describe(*single->alerts()));
  INFO(alerts);
  // The DELETE went through the foreign partitions and counted what it dropped: what was held
  // from release_from on, i.e. the tampered batch's events after its first and those beyond.
  CHECK(alerts.find("released: checked the till; dropped " +
                    std::to_string(size_of(held_back) - release_from) + " events from seq " +
                    std::to_string(release_from)) != std::string::npos);
  both.ingest(held_back, held_back.batch(release_from, size_of(held_back)), now);

  // Everything again, and a middle part: all duplicates, nothing stored.
  const std::int64_t stored_before = both.stored;
  for (const JournalBuilder& journal : journals) {
    both.ingest(journal, journal.all(), now);
    both.ingest(journal, journal.batch(2, size_of(journal) / 2), now);
  }
  CHECK(both.stored == stored_before);
  CHECK(both.duplicates > 0);

  // Apply the rest (after the lots' expiry).
  both.last_applied = 1;
  for (int chunk = 0; chunk < 100 && both.last_applied > 0; ++chunk) {
    both.apply(at_seconds(t0 + 22 * day), 200);
  }
  std::int64_t events = 0;
  for (const JournalBuilder& journal : journals) events += size_of(journal);
  CHECK(both.applied == events);
  CHECK(both.reprojected > 0);  // second halves arrived before earlier events of other stores

  // The same answers, through the normal API.
  const HqTotals totals = *fdw->totals();
  CHECK(describe(totals) == describe(*single->totals()));
  CHECK(totals.events == events);
  CHECK(totals.points_expired > 0);
  CHECK(totals.overdraft_points + totals.liability_points > 0);
  CHECK(describe(*fdw->terminals()) == describe(*single->terminals()));
  for (int c = 0; c < 15; ++c) {
    CHECK(describe(*fdw->customer(test_pseudonym(c), 1000)) ==
          describe(*single->customer(test_pseudonym(c), 1000)));
  }
  const std::string scan = scanned(*fdw, "2026-01-01", "2026-01-31");
  CHECK(scan == scanned(*single, "2026-01-01", "2026-01-31"));
  CHECK(static_cast<std::int64_t>(lines_of(scan).size()) == events);
  CHECK(scanned(*fdw, "2026-01-02", "2026-01-02") == scanned(*single, "2026-01-02", "2026-01-02"));
  const std::string month = report(*fdw, "2026-01-01", "2026-01-31");
  CHECK(month == report(*single, "2026-01-01", "2026-01-31"));
  CHECK(report(*fdw, "2026-01-02", "2026-01-03", {"S03", "S04", "S11"}) ==
        report(*single, "2026-01-02", "2026-01-03", {"S03", "S04", "S11"}));
  // And the same tables, row for row: the journal as the coordinator sees it, and HQ's own.
  const auto on_fdw = [&](const std::string& sql) { return where.coordinator(sql); };
  const auto on_single = [&](const std::string& sql) { return where.single(sql); };
  for (const char* table :
       {"journal", "terminals", "chains", "alerts", "apply_notes", "store_customers", "customers",
        "lots", "customer_events", "entries", "versions"}) {
    INFO(table);
    CHECK(table_rows(on_fdw, table) == table_rows(on_single, table));
  }

  // Every event on the node its store hashes to, in its day's table, and nowhere else.
  const std::map<std::string, int> nodes = hashed_nodes(where, stores);
  REQUIRE(nodes.size() == stores.size());
  std::set<std::string> on_node[3];
  for (const auto& [store, node] : nodes) on_node[node].insert(store);
  CHECK(!on_node[1].empty());
  CHECK(!on_node[2].empty());
  // The coordinator's routing agrees: a store's rows come from its _h0 or _h1 partitions only.
  for (const std::string& line : lines_of(where.coordinator(
           "SELECT DISTINCT store_id, right(tableoid::regclass::text, 3) FROM journal"))) {
    const std::string store = line.substr(0, line.find('|'));
    INFO(line);
    CHECK(line.substr(line.find('|') + 1) == (nodes.at(store) == 1 ? "_h0" : "_h1"));
  }
  const auto placed = [&]() {
    for (int node : {1, 2}) {
      INFO("node" << node);
      const std::map<std::string, std::string> held = node_placement(where, node);
      CHECK(flat(held) == flat(single_placement(where, on_node[node])));
      std::set<std::string> held_stores;
      for (const auto& entry : held) held_stores.insert(entry.first);
      CHECK(held_stores == on_node[node]);
    }
  };
  placed();
  const std::string late =
      where.single("SELECT count(*) FROM journal WHERE business_date = '2026-01-20'");
  CHECK(late != "0");
  CHECK(std::stoll(where.node(1, "SELECT count(*) FROM journal_default")) +
            std::stoll(where.node(2, "SELECT count(*) FROM journal_default")) ==
        std::stoll(late));

  // HQ's own operations on this layout. migrate at t0 finds its days laid out.
  Result<PostgresMigration> again =
      migrate_postgres_hq_store(where.fdw_conninfo(), PostgresHqOptions{}, at_seconds(t0));
  REQUIRE(again.ok());
  CHECK(again->applied == 0);
  // `partitions --create-through` would make a local day and move its events off the nodes:
  // the layout's guard refuses it, and the nodes keep every event.
  Result<std::int64_t> local_day =
      ensure_journal_partitions(where.fdw_conninfo(), "2026-01-20", "2026-01-20");
  REQUIRE(!local_day.ok());
  CHECK_THAT(local_day.error().message,
             Catch::Contains("journal partition journal_20260120 is a table on the coordinator: "
                             "this journal lies on its nodes (postgres_fdw)"));
  placed();
  // fdw_layout.sql lays the late day out and moves its events out of the default partitions
  // into the nodes' new day; the single node gets the day from HQ's own partitions command.
  const std::string output = where.lay_out("2026-01-20", "2026-01-20");
  CHECK_THAT(output, Catch::Contains("moved from the default partition into their days: " + late +
                                     " events"));
  Result<std::int64_t> made =
      ensure_journal_partitions(where.single_conninfo(), "2026-01-20", "2026-01-20");
  REQUIRE(made.ok());
  CHECK(*made == 1);
  placed();
  for (int node : {1, 2}) CHECK(where.node(node, "SELECT count(*) FROM journal_default") == "0");
  CHECK(report(*fdw, "2026-01-01", "2026-01-31") == month);
  CHECK(report(*single, "2026-01-01", "2026-01-31") == month);
  CHECK(scanned(*fdw, "2026-01-20", "2026-01-20") == scanned(*single, "2026-01-20", "2026-01-20"));
  // Run again, the file changes nothing.
  CHECK_THAT(where.lay_out(first_day, "2026-01-20"),
             Catch::Contains("moved from the default partition into their days: 0 events"));
  CHECK(scanned(*fdw, "2026-01-01", "2026-01-31") == scan);
  // `partitions --detach-before` takes an old day out of the coordinator's journal, foreign
  // partitions and all (the nodes keep their tables).
  Result<std::int64_t> detached =
      detach_journal_partitions_before(where.fdw_conninfo(), "2026-01-01");
  REQUIRE(detached.ok());
  CHECK(*detached == 1);
  CHECK(where.coordinator("SELECT count(*) FROM pg_inherits WHERE inhrelid = "
                          "'journal_20251231'::regclass") == "0");
  CHECK(report(*fdw, "2026-01-01", "2026-01-31") == month);
}

namespace {

// 100 terminals' journals of 1000 events over three days, as 500-event batches.
std::vector<std::pair<JournalBuilder, std::vector<Batch>>> rate_journals() {
  std::vector<std::pair<JournalBuilder, std::vector<Batch>>> journals;
  std::mt19937_64 rng(7);
  for (int s = 0; s < 50; ++s) {
    for (int t = 1; t <= 2; ++t) {
      JournalBuilder journal("R" + std::to_string(100 + s), "T" + std::to_string(t),
                             static_cast<std::uint64_t>(1000 + s * 10 + t));
      for (int i = 0; i < 1000; ++i) {
        const std::string who = test_pseudonym(static_cast<int>(rng() % 5000));
        const std::int64_t spend = 200 + static_cast<std::int64_t>(rng() % 20000);
        journal.quoted_checkout(at_seconds(t0 + 6 * 3600 + i * 250 + s), who,
                                quote(true, spend, spend / 20, spend / 100), spend,
                                {earn(who, spend / 100)});
      }
      std::vector<Batch> batches{journal.batch(1, 500), journal.batch(501, 1000)};
      journals.emplace_back(std::move(journal), std::move(batches));
    }
  }
  return journals;
}

// Seconds to ingest every batch, 2 threads each with its own store object, terminal k on
// thread k % 2.
double timed_ingest(const std::string& conninfo,
                    const std::vector<std::pair<JournalBuilder, std::vector<Batch>>>& journals) {
  std::vector<std::unique_ptr<HqStore>> stores;
  for (int thread = 0; thread < 2; ++thread) {
    Result<std::unique_ptr<HqStore>> store = open_postgres_hq_store(conninfo);
    if (!store.ok()) FAIL(store.error().message);
    stores.push_back(std::move(store).value());
  }
  std::vector<std::string> failures(2);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t thread = 0; thread < 2; ++thread) {
    threads.emplace_back([&, thread] {
      for (std::size_t k = thread; k < journals.size(); k += 2) {
        for (const Batch& batch : journals[k].second) {
          Result<IngestOutcome> done =
              stores[thread]->ingest(journals[k].first.identity(), batch, at_seconds(t0 + day));
          if (!done.ok() || done->events_stored != 500) {
            failures[thread] =
                done.ok() ? "stored " + std::to_string(done->events_stored) : done.error().message;
            return;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const std::string& failure : failures) {
    if (!failure.empty()) FAIL(failure);
  }
  return seconds;
}

}  // namespace

TEST_CASE("hq ingest rate on one node beside the postgres_fdw layout (printed and never asserted)",
          "[postgres][fdw]") {
  Layouts where("rate");
  // The same layout with a quarter's days attached: every lookup by (store, terminal, epoch,
  // seq) has no date to prune by, so it scans one foreign partition per day.
  Layouts quarter("rate_quarter", "2026-03-31");
  const auto journals = rate_journals();
  const double events = 100000;
  const double single_seconds = timed_ingest(where.single_conninfo(), journals);
  const double fdw_seconds = timed_ingest(where.fdw_conninfo(), journals);
  const double quarter_seconds = timed_ingest(quarter.fdw_conninfo(), journals);
  char line[600];
  std::snprintf(line, sizeof line,
                "HQ ingest of 100,000 events (100 terminals, 500-event batches, 2 threads), "
                "fsync on: single node %.2f s = %.0f events/s; postgres_fdw coordinator + 2 "
                "nodes, 9 days and the default partition %.2f s = %.0f events/s (%.2f x the "
                "single node's rate); the same with 91 days %.2f s = %.0f events/s (%.2f x)",
                single_seconds, events / single_seconds, fdw_seconds, events / fdw_seconds,
                single_seconds / fdw_seconds, quarter_seconds, events / quarter_seconds,
                single_seconds / quarter_seconds);
  WARN(line);
  // Each holds everything, and the nodes hold it all between them.
  for (const std::string& conninfo :
       {where.fdw_conninfo(), where.single_conninfo(), quarter.fdw_conninfo()}) {
    std::unique_ptr<HqStore> store = where.open(conninfo);
    CHECK(store->totals()->events == 100000);
  }
  for (const Layouts* layout : {&where, &quarter}) {
    const std::int64_t node1 = std::stoll(layout->node(1, "SELECT count(*) FROM journal"));
    const std::int64_t node2 = std::stoll(layout->node(2, "SELECT count(*) FROM journal"));
    CHECK(node1 > 0);
    CHECK(node2 > 0);
    CHECK(node1 + node2 == 100000);
  }
}
