// The accounts' invariants (docs/storage.md "Invariants", 4, 7 and 8). Over the whole history a
// balance is what the account_balances view sums from every transfer; since a checkpoint it is
// the running totals row (one read): the full check that recorded the checkpoint found the two
// equal, and comparing them again would sum every transfer of the chain-wide accounts.

#include <string>

#include "ledger/check_internal.h"
#include "loyalty/core/limits.h"

namespace loyalty::storage::ledger_check {

namespace {

std::string account_name(const Statement& row) {
  return "account " + n(row, 0) + " (" + row.column_text(1) + ":" + row.column_text(2) + ")";
}

std::string describe_lots_against_balance(const Statement& row) {
  return account_name(row) + ": its lots hold " + n(row, 3) + " points but its balance is " +
         n(row, 4);
}

// The balances of a scope: the view over all transfers, or the running totals.
std::string balances_in(const Scope& scope) {
  return scope.whole() ? "account_balances" : "account_totals";
}

}  // namespace

Status check_totals_rows(const Database& db, const Scope& scope, LedgerReport& report) {
  return collect(
      db,
      "SELECT a.id, a.kind, a.owner FROM " + accounts_in(scope) +
          " a WHERE NOT EXISTS (SELECT 1 FROM account_totals t WHERE t.account = a.id) "
          "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) { return account_name(row) + ": has no running totals row"; },
      report, scope.account_parameters());
}

// The running totals the triggers keep must equal what the transfers add up to. Since a
// checkpoint, through the digest (totals_digest.cc); only when that differs, which means some
// total is wrong, are the accounts compared one by one over all their transfers, to name them.
Status check_totals_sums(const Database& db, const Scope& scope, LedgerReport& report) {
  if (!scope.whole()) {
    const std::uint64_t expected =
        scope.since->totals_digest + TRY(balances_moved_since(db, scope.since->transfer_id));
    if (expected == scope.end->totals_digest) return {};
    const std::size_t found_before = report.problems.size();
    TRY(check_totals_sums(db, Scope{}, report));
    if (report.problems.size() == found_before &&
        report.problems.size() < limits::ledger_check_problems_max) {
      report.problems.push_back(
          "checkpoint: the running totals' digest is not the checkpoint's moved by the transfers "
          "since, yet every account's totals equal its transfers: the checkpoint was changed "
          "(delete the checkpoint_* rows of meta to have the next open check the whole ledger)");
    }
    return {};
  }
  return collect(
      db,
      "SELECT t.account, t.credits_posted, t.debits_posted, t.credits_pending, t.debits_pending, "
      "b.credits_posted, b.debits_posted, b.credits_pending, b.debits_pending "
      "FROM account_totals t JOIN account_balances b ON b.account = t.account "
      "WHERE t.credits_posted <> b.credits_posted OR t.debits_posted <> b.debits_posted "
      "OR t.credits_pending <> b.credits_pending OR t.debits_pending <> b.debits_pending "
      "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "account " + n(row, 0) + ": running totals (credits " + n(row, 1) + ", debits " +
               n(row, 2) + ", pending " + n(row, 3) + "/" + n(row, 4) +
               ") differ from its transfers (credits " + n(row, 5) + ", debits " + n(row, 6) +
               ", pending " + n(row, 7) + "/" + n(row, 8) + ")";
      },
      report);
}

Status check_floors(const Database& db, const Scope& scope, LedgerReport& report) {
  return collect(
      db,
      "SELECT a.id, a.kind, a.owner, a.balance_floor, "
      "b.credits_posted - b.debits_posted, b.debits_pending FROM " +
          accounts_in(scope) + " a JOIN " + balances_in(scope) +
          " b ON b.account = a.id WHERE a.balance_floor IS NOT NULL "
          "AND b.credits_posted - b.debits_posted - b.debits_pending < a.balance_floor "
          "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return account_name(row) + ": balance " + n(row, 4) + " less pending debits " + n(row, 5) +
               " is below its floor " + n(row, 3);
      },
      report, scope.account_parameters());
}

// Every account with at least one lot: its lots' remaining points add up to its posted balance.
Status check_lots_against_balances(const Database& db, const Scope& scope, LedgerReport& report) {
  if (scope.whole()) {
    return collect(db,
                   "SELECT l.account, a.kind, a.owner, SUM(l.remaining), "
                   "b.credits_posted - b.debits_posted "
                   "FROM lots l JOIN accounts a ON a.id = l.account "
                   "JOIN account_balances b ON b.account = l.account GROUP BY l.account "
                   "HAVING SUM(l.remaining) <> b.credits_posted - b.debits_posted "
                   "ORDER BY 1 LIMIT ?1",
                   describe_lots_against_balance, report);
  }
  // Only customer and company accounts hold lots (credit_lot refuses others; a lot on another
  // account is the full check's to find): the chain-wide accounts, which most transfers move,
  // are not asked. Lots are found by account through the index of available lots
  // (remaining > 0), so this reads what the accounts moved since hold now, not their history. Only
  // when the sums differ does the query ask whether the account has lots at all (it may have only
  // spent ones, or none): through the transfers that credit it naming one of its lots, as every
  // earn does. MATERIALIZED: the sum is computed once per account, not once per use.
  return collect(db,
                 "WITH s AS MATERIALIZED (SELECT a.id AS account_id, a.kind, a.owner, "
                 "COALESCE((SELECT SUM(l.remaining) FROM lots l "
                 "WHERE l.account = a.id AND l.remaining > 0), 0) AS held, "
                 "b.credits_posted - b.debits_posted AS balance FROM " +
                     accounts_in(scope) +
                     " a JOIN account_totals b ON b.account = a.id "
                     "WHERE a.kind IN ('customer_points', 'company_points')) "
                     "SELECT account_id, kind, owner, held, balance FROM s "
                     "WHERE held <> balance AND (held > 0 OR EXISTS (SELECT 1 FROM "
                     "transfers x JOIN lots l ON l.lot_id = x.lot_id "
                     "WHERE x.credit_account = s.account_id AND l.account = s.account_id)) "
                     "ORDER BY 1 LIMIT ?1",
                 describe_lots_against_balance, report, scope.account_parameters());
}

}  // namespace loyalty::storage::ledger_check
