// The HQ schema against Citus's rules for distributed tables (docs/hq-postgres.md), checked on
// the schema a real PostgreSQL server holds after migrate: every table is distributed or a
// reference table; every primary key and unique constraint or index of a distributed table
// holds its distribution column; no foreign key joins two distributed tables except on both
// distribution columns, and none leads from a reference table to a distributed one. The checker
// is shown to catch each kind of violation on a schema made to break them.

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hq/postgres/distribution.h"
#include "loyalty/sync/hq_postgres.h"
#include "postgres/pg_server.h"

namespace {

using loyalty::test::PgServer;

std::vector<std::vector<std::string>> rows(const PgServer& server, const std::string& database,
                                           const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  std::istringstream lines(server.psql(sql, database));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> row;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, '|');) row.push_back(field);
    out.push_back(std::move(row));
  }
  return out;
}

// Every violation of Citus's rules in `database`'s public schema, given which tables distribute
// by which column and which are reference tables.
std::vector<std::string> citus_violations(const PgServer& server, const std::string& database,
                                          const std::map<std::string, std::string>& distributed,
                                          const std::vector<std::string>& reference) {
  std::vector<std::string> problems;
  const auto is_reference = [&](const std::string& table) {
    return std::find(reference.begin(), reference.end(), table) != reference.end();
  };
  // Top-level tables (partitions follow their parent).
  for (const auto& row :
       rows(server, database,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "ORDER BY 1")) {
    if (!distributed.contains(row[0]) && !is_reference(row[0])) {
      problems.push_back(row[0] + ": neither distributed nor a reference table");
    }
  }
  // Unique indexes (primary keys and unique constraints are such indexes) of distributed tables.
  for (const auto& row :
       rows(server, database,
            "SELECT t.relname, i.relname, string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index "
            "x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace CROSS JOIN LATERAL "
            "unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON "
            "a.attrelid = t.oid AND a.attnum = k.attnum WHERE n.nspname = 'public' AND "
            "x.indisunique AND NOT t.relispartition GROUP BY t.relname, i.relname ORDER BY 1, 2")) {
    const auto found = distributed.find(row[0]);
    if (found == distributed.end()) continue;
    const std::string columns = "," + row[2] + ",";
    if (columns.find("," + found->second + ",") == std::string::npos) {
      problems.push_back(row[0] + ": unique index " + row[1] + " (" + row[2] +
                         ") does not hold the distribution column " + found->second);
    }
  }
  // Foreign keys.
  for (const auto& row :
       rows(server, database,
            "SELECT c.conname, t.relname, f.relname, (SELECT string_agg(a.attname, ',') FROM "
            "unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = "
            "k), (SELECT string_agg(a.attname, ',') FROM unnest(c.confkey) k JOIN pg_attribute "
            "a ON a.attrelid = c.confrelid AND a.attnum = k) FROM pg_constraint c JOIN pg_class "
            "t ON t.oid = c.conrelid JOIN pg_class f ON f.oid = c.confrelid WHERE c.contype = "
            "'f' AND NOT t.relispartition ORDER BY 1")) {
    const std::string& name = row[0];
    const auto from = distributed.find(row[1]);
    const auto to = distributed.find(row[2]);
    if (is_reference(row[1]) && to != distributed.end()) {
      problems.push_back(name + ": a foreign key from reference table " + row[1] +
                         " to distributed table " + row[2]);
    }
    if (from != distributed.end() && to != distributed.end()) {
      const std::string here = "," + row[3] + ",";
      const std::string there = "," + row[4] + ",";
      if (here.find("," + from->second + ",") == std::string::npos ||
          there.find("," + to->second + ",") == std::string::npos) {
        problems.push_back(name + ": joins " + row[1] + " and " + row[2] +
                           " without their distribution columns");
      }
    }
  }
  return problems;
}

}  // namespace

TEST_CASE("the HQ schema on PostgreSQL keeps Citus's rules for distributed tables",
          "[postgres][citus]") {
  const PgServer server = PgServer::start();
  server.create_database("hq");
  const auto migrated = loyalty::sync::migrate_postgres_hq_store(server.conninfo("hq"), {},
                                                                 loyalty::Timestamp{1767225600});
  REQUIRE(migrated.ok());
  std::map<std::string, std::string> distributed;
  for (const auto& table : loyalty::sync::hq::pg::distributed_tables()) {
    distributed[table.table] = table.column;
  }
  std::vector<std::string> reference;
  for (const std::string_view table : loyalty::sync::hq::pg::reference_tables()) {
    reference.emplace_back(table);
  }
  CHECK(distributed.at("journal") == "store_id");
  CHECK(distributed.at("customers") == "pseudonym");
  CHECK(distributed.size() == 10);
  CHECK(citus_violations(server, "hq", distributed, reference).empty());

  // The checker catches each rule broken.
  server.create_database("broken");
  server.psql(
      "CREATE TABLE shops (store_id TEXT PRIMARY KEY);"
      "CREATE TABLE sales (store_id TEXT NOT NULL, sale_id BIGINT NOT NULL, "
      "  PRIMARY KEY (store_id, sale_id), receipt TEXT UNIQUE);"
      "CREATE TABLE settings (key TEXT PRIMARY KEY, store_id TEXT REFERENCES shops (store_id));"
      "CREATE TABLE returns (return_id BIGINT PRIMARY KEY, store_id TEXT, sale_id BIGINT, "
      "  FOREIGN KEY (store_id, sale_id) REFERENCES sales (store_id, sale_id));"
      "CREATE TABLE lines (sale_id BIGINT, store_id TEXT, line_id BIGINT, "
      "  PRIMARY KEY (store_id, sale_id, line_id));"
      "ALTER TABLE lines ADD CONSTRAINT lines_sale FOREIGN KEY (store_id, sale_id) "
      "  REFERENCES sales (store_id, sale_id);"
      "CREATE TABLE forgotten (id BIGINT PRIMARY KEY);",
      "broken");
  const std::vector<std::string> problems = citus_violations(
      server, "broken",
      {{"shops", "store_id"}, {"sales", "store_id"}, {"returns", "return_id"},
       {"lines", "store_id"}},
      {"settings"});
  CHECK(problems == std::vector<std::string>{
                        "forgotten: neither distributed nor a reference table",
                        "sales: unique index sales_receipt_key (receipt) does not hold the "
                        "distribution column store_id",
                        "returns_store_id_sale_id_fkey: joins returns and sales without their "
                        "distribution columns",
                        "settings_store_id_fkey: a foreign key from reference table settings to "
                        "distributed table shops",
                    });
}
