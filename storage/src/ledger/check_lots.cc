// The lots' invariants (docs/storage.md "Invariants", 5 and 6, and the holds on lots), over the
// lots of a scope: all of them, or those created since the checkpoint and those that transfers
// since name (every change of a lot's remaining comes with a transfer naming it).

#include <string>

#include "ledger/check_internal.h"

namespace loyalty::storage::ledger_check {

Status check_lot_rows(const Database& db, const Scope& scope, LedgerReport& report) {
  const std::string lots = lots_in(scope);
  TRY(collect(
      db,
      "SELECT l.lot_id, l.account FROM " + lots +
          " l WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.account) "
          "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + ": account " + n(row, 1) + " does not exist";
      },
      report, scope.lot_parameters()));
  return collect(
      db,
      "SELECT l.lot_id, l.account, l.remaining, l.points FROM " + lots +
          " l WHERE l.remaining < 0 OR l.remaining > l.points ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": remaining " + n(row, 2) +
               " is outside [0, " + n(row, 3) + "]";
      },
      report, scope.lot_parameters());
}

// A lot's history is the posted transfers that name it: its earn (points in), burns, expiries and
// reversals (points out of its account) and restores (points back into it).
Status check_lot_histories(const Database& db, const Scope& scope, LedgerReport& report) {
  const std::string history =
      "WITH h AS (SELECT l.lot_id, l.account, l.points, l.remaining, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.credit_account = l.account "
      "AND t.code = 'earn'), 0) AS earned, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.debit_account = l.account), 0) AS taken, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.credit_account = l.account "
      "AND t.code <> 'earn'), 0) AS restored FROM " +
      lots_in(scope) + " l) ";
  TRY(collect(
      db,
      history + "SELECT lot_id, account, earned, points FROM h WHERE earned <> points "
                "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": its earn transfers total " +
               n(row, 2) + ", not its " + n(row, 3) + " points";
      },
      report, scope.lot_parameters()));
  return collect(
      db,
      history +
          "SELECT lot_id, account, points, remaining, points - remaining, taken - restored "
          "FROM h WHERE points - remaining <> taken - restored ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": " + n(row, 2) +
               " points less " + n(row, 3) + " remaining is " + n(row, 4) +
               ", but its transfers took " + n(row, 5) +
               " (burned, expired and reversed, less restored)";
      },
      report, scope.lot_parameters());
}

// A hold names the lot it reserves: the lot is its debit account's, and holds it within what
// remains in it.
Status check_lot_holds(const Database& db, const Scope& scope, LedgerReport& report) {
  return collect(
      db,
      "SELECT t.lot_id, l.account, SUM(t.amount), l.remaining, "
      "SUM(t.debit_account <> l.account) FROM " +
          lots_in(scope) +
          " l JOIN transfers t ON t.lot_id = l.lot_id WHERE t.flags = 'pending' AND NOT EXISTS "
          "(SELECT 1 FROM transfers r WHERE r.pending_id = t.id) GROUP BY t.lot_id "
          "HAVING SUM(t.amount) > l.remaining OR SUM(t.debit_account <> l.account) > 0 "
          "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        if (row.column_int64(4) > 0) {
          return "lot " + n(row, 0) + " of account " + n(row, 1) +
                 ": an open hold on it debits another account";
        }
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": open holds reserve " +
               n(row, 2) + " points of it but only " + n(row, 3) + " remain";
      },
      report, scope.lot_parameters());
}

}  // namespace loyalty::storage::ledger_check
