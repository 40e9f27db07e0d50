// The transfers' invariants (docs/storage.md "Invariants", 1 to 3). Each query looks at the
// transfers with an id above ?2: 0 for the whole history, the checkpoint's transfer id at open.

#include <string>

#include "ledger/check_internal.h"

namespace loyalty::storage::ledger_check {

namespace {

std::string describe_resolution(const Statement& row) {
  const std::string name = "transfer " + n(row, 0);
  const std::string pending = "transfer " + n(row, 2);
  if (row.column_is_null(3)) return name + ": resolves " + pending + ", which does not exist";
  if (row.column_text(4) != "pending") {
    return name + ": resolves " + pending + ", which is not pending";
  }
  if (row.column_int64(7) == 0) {
    return name + ": resolves pending " + pending + " but moves between other accounts";
  }
  const bool is_void = row.column_text(1) == "void_pending";
  return name + ": " + (is_void ? "voids " : "posts ") + n(row, 5) + " of pending " + pending +
         ", which holds " + n(row, 6) + (is_void ? " (a void releases all of it)" : "");
}

std::string describe_resolved_twice(const Statement& row) {
  return "pending transfer " + n(row, 0) + " is resolved " + n(row, 1) + " times (by transfers " +
         row.column_text(2) + "); it may be posted or voided once";
}

}  // namespace

Status check_transfer_accounts(const Database& db, const Scope& scope, LedgerReport& report) {
  const std::vector<std::int64_t> since = {scope.transfer_id()};
  TRY(collect(
      db,
      "SELECT t.id, 'debit', t.debit_account FROM transfers t WHERE t.id > ?2 AND NOT EXISTS "
      "(SELECT 1 FROM accounts a WHERE a.id = t.debit_account) "
      "UNION ALL SELECT t.id, 'credit', t.credit_account FROM transfers t WHERE t.id > ?2 AND "
      "NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.credit_account) "
      "ORDER BY 1, 2 DESC LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": " + row.column_text(1) + " account " + n(row, 2) +
               " does not exist";
      },
      report, since));
  TRY(collect(
      db,
      "SELECT t.id, t.amount FROM transfers t WHERE t.id > ?2 AND t.amount <= 0 "
      "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": amount " + n(row, 1) + " is not positive";
      },
      report, since));
  TRY(collect(
      db,
      "SELECT t.id, t.debit_account FROM transfers t "
      "WHERE t.id > ?2 AND t.debit_account = t.credit_account ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": debits and credits the same account " + n(row, 1);
      },
      report, since));
  return collect(
      db,
      "SELECT t.id, d.id, d.unit, c.id, c.unit FROM transfers t "
      "JOIN accounts d ON d.id = t.debit_account "
      "JOIN accounts c ON c.id = t.credit_account "
      "WHERE t.id > ?2 AND d.unit <> c.unit ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": debit account " + n(row, 1) + " counts " +
               row.column_text(2) + " but credit account " + n(row, 3) + " counts " +
               row.column_text(4);
      },
      report, since);
}

Status check_pending(const Database& db, const Scope& scope, LedgerReport& report) {
  const std::vector<std::int64_t> since = {scope.transfer_id()};
  // `+r.pending_id`: walk the transfers by id (from ?2 on), not the index of resolutions.
  TRY(collect(db,
              "SELECT r.id, r.flags, r.pending_id, p.id, p.flags, r.amount, p.amount, "
              "(r.debit_account = p.debit_account AND r.credit_account = p.credit_account) "
              "FROM transfers r LEFT JOIN transfers p ON p.id = r.pending_id "
              "WHERE r.id > ?2 AND +r.pending_id IS NOT NULL AND (p.id IS NULL "
              "OR p.flags <> 'pending' OR r.debit_account <> p.debit_account "
              "OR r.credit_account <> p.credit_account OR r.amount > p.amount "
              "OR (r.flags = 'void_pending' AND r.amount <> p.amount)) ORDER BY 1 LIMIT ?1",
              describe_resolution, report, since));
  if (scope.whole()) {
    return collect(db,
                   "SELECT pending_id, COUNT(*), group_concat(id, ', ') FROM "
                   "(SELECT pending_id, id FROM transfers WHERE pending_id IS NOT NULL "
                   "ORDER BY id) GROUP BY pending_id HAVING COUNT(*) > 1 ORDER BY 1 LIMIT ?1",
                   describe_resolved_twice, report);
  }
  // A pending transfer resolved twice has at least one resolution since the checkpoint (the check
  // that recorded it saw at most one).
  return collect(db,
                 "SELECT pending_id, COUNT(*), group_concat(id, ', ') FROM "
                 "(SELECT pending_id, id FROM transfers WHERE pending_id IN "
                 "(SELECT pending_id FROM transfers WHERE id > ?2 AND pending_id IS NOT NULL) "
                 "ORDER BY id) GROUP BY pending_id HAVING COUNT(*) > 1 ORDER BY 1 LIMIT ?1",
                 describe_resolved_twice, report, since);
}

}  // namespace loyalty::storage::ledger_check
