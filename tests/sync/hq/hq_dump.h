// Reads an HQ store's tables directly, on either backend (store_backends.h): a canonical dump of
// its derived ledger (entries without their ids, customers without their state versions, open
// lots), so that two stores fed the same journal in different orders can be compared, and
// per-account sums of the entries.
#pragma once

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/storage/database.h"
#include "loyalty/storage/statement.h"
#include "store_backends.h"

namespace loyalty::sync::test {

using DumpRow = std::vector<std::optional<std::string>>;

inline std::vector<DumpRow> query_rows(const TestStore& where, const std::string& sql,
                                       int columns) {
  std::vector<DumpRow> rows;
  if (where.backend() == Backend::sqlite) {
    Result<storage::Database> db = storage::Database::open(where.location());
    LOYALTY_ASSERT(db.ok());
    Result<storage::Statement> select = storage::Statement::prepare(*db, sql);
    LOYALTY_ASSERT(select.ok());
    while (true) {
      Result<storage::Step> step = select->step();
      LOYALTY_ASSERT(step.ok());
      if (*step != storage::Step::row) break;
      DumpRow row;
      for (int i = 0; i < columns; ++i) {
        row.push_back(select->column_is_null(i) ? std::nullopt
                                                : std::optional(select->column_text(i)));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
  const std::unique_ptr<PGconn, decltype(&PQfinish)> connection(
      PQconnectdb(where.conninfo().c_str()), &PQfinish);
  REQUIRE(PQstatus(connection.get()) == CONNECTION_OK);
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), sql.c_str()),
                                                             &PQclear);
  INFO(PQerrorMessage(connection.get()));
  REQUIRE(PQresultStatus(result.get()) == PGRES_TUPLES_OK);
  REQUIRE(PQnfields(result.get()) == columns);
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    DumpRow row;
    for (int i = 0; i < columns; ++i) {
      row.push_back(PQgetisnull(result.get(), r, i) != 0
                        ? std::nullopt
                        : std::optional(std::string(PQgetvalue(result.get(), r, i))));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::string dump_query(const TestStore& where, const std::string& sql, int columns) {
  std::string out;
  for (const DumpRow& row : query_rows(where, sql, columns)) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i] ? *row[i] : "NULL";
      out += i + 1 < row.size() ? "|" : "\n";
    }
  }
  return out;
}

inline std::string canonical_dump(const TestStore& where) {
  return dump_query(where,
                    "SELECT owner, debit, credit, points, code, at, store_id, terminal_id, seq, "
                    "receipt_id FROM entries ORDER BY owner, at, store_id, terminal_id, seq, "
                    "code, debit, credit, points",
                    10) +
         "--\n" +
         dump_query(where,
                    "SELECT pseudonym, tier, receipts, spend_minor, balance_points, owed_points, "
                    "flagged, flagged_at, cleared_at FROM customers ORDER BY pseudonym",
                    9) +
         "--\n" +
         dump_query(where,
                    "SELECT owner, lot_no, account, points, remaining, active_from, expires_at "
                    "FROM lots ORDER BY owner, lot_no",
                    7);
}

// credits - debits of every account over all entries, and per code Σ points (each entry debits
// and credits the same amount, so per code debits and credits agree by construction; the test
// checks the sums of both sides from SQL).
inline std::map<std::string, std::int64_t> entry_balances(const TestStore& where) {
  std::map<std::string, std::int64_t> balances;
  for (const DumpRow& row :
       query_rows(where,
                  "SELECT account, SUM(amount) FROM (SELECT credit AS account, points AS amount "
                  "FROM entries UNION ALL SELECT debit, -points FROM entries) AS moves "
                  "GROUP BY account",
                  2)) {
    balances[*row[0]] = std::stoll(*row[1]);
  }
  return balances;
}

}  // namespace loyalty::sync::test
