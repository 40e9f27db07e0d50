// Reads an HQ store's file directly: a canonical dump of its derived ledger (entries without
// their ids, customers without their state versions, open lots), so that two stores fed the same
// journal in different orders can be compared, and per-account sums of the entries.
#pragma once

#include <map>
#include <string>

#include "loyalty/storage/database.h"
#include "loyalty/storage/statement.h"

namespace loyalty::sync::test {

inline std::string dump_query(storage::Database& db, const std::string& sql, int columns) {
  Result<storage::Statement> select = storage::Statement::prepare(db, sql);
  LOYALTY_ASSERT(select.ok());
  std::string out;
  while (true) {
    Result<storage::Step> step = select->step();
    LOYALTY_ASSERT(step.ok());
    if (*step != storage::Step::row) break;
    for (int i = 0; i < columns; ++i) {
      out += select->column_is_null(i) ? "NULL" : select->column_text(i);
      out += i + 1 < columns ? "|" : "\n";
    }
  }
  return out;
}

inline std::string canonical_dump(const std::string& path) {
  Result<storage::Database> db = storage::Database::open(path);
  LOYALTY_ASSERT(db.ok());
  return dump_query(*db,
                    "SELECT owner, debit, credit, points, code, at, store_id, terminal_id, seq, "
                    "receipt_id FROM entries ORDER BY owner, at, store_id, terminal_id, seq, "
                    "code, debit, credit, points",
                    10) +
         "--\n" +
         dump_query(*db,
                    "SELECT pseudonym, tier, receipts, spend_minor, balance_points, owed_points, "
                    "flagged, flagged_at, cleared_at FROM customers ORDER BY pseudonym",
                    9) +
         "--\n" +
         dump_query(*db,
                    "SELECT owner, lot_no, account, points, remaining, active_from, expires_at "
                    "FROM lots ORDER BY owner, lot_no",
                    7);
}

// credits - debits of every account over all entries, and per code Σ points (each entry debits
// and credits the same amount, so per code debits and credits agree by construction; the test
// checks the sums of both sides from SQL).
inline std::map<std::string, std::int64_t> entry_balances(const std::string& path) {
  Result<storage::Database> db = storage::Database::open(path);
  LOYALTY_ASSERT(db.ok());
  Result<storage::Statement> select = storage::Statement::prepare(
      *db,
      "SELECT account, SUM(amount) FROM (SELECT credit AS account, points AS amount FROM "
      "entries UNION ALL SELECT debit, -points FROM entries) GROUP BY account");
  LOYALTY_ASSERT(select.ok());
  std::map<std::string, std::int64_t> balances;
  while (true) {
    Result<storage::Step> step = select->step();
    LOYALTY_ASSERT(step.ok());
    if (*step != storage::Step::row) break;
    balances[select->column_text(0)] = select->column_int64(1);
  }
  return balances;
}

}  // namespace loyalty::sync::test
