// Ledger::check(): every invariant of docs/storage.md "Invariants", each one query over one read
// snapshot. Debits equal credits per row by construction (one amount, two accounts), so the
// queries look for what could still be wrong: rows the constraints would have refused (a file
// written by other software, foreign_keys off, a bug), and invariants that span rows.

#include <functional>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

using Describe = std::function<std::string(const Statement&)>;

std::string n(const Statement& row, int column) { return std::to_string(row.column_int64(column)); }

// Runs `sql` (whose last parameter ?1 is the number of rows still wanted) and adds one problem
// per row, described by `describe`.
Status collect(const Database& db, std::string_view sql, const Describe& describe,
               LedgerReport& report) {
  const std::size_t room = limits::ledger_check_problems_max - report.problems.size();
  if (room == 0) return {};
  Statement statement = TRY(Statement::prepare(db, sql));
  TRY(statement.bind_int64(1, static_cast<std::int64_t>(room)));
  while (TRY(statement.step()) == Step::row) report.problems.push_back(describe(statement));
  return {};
}

Result<std::int64_t> count(const Database& db, std::string_view sql) {
  Statement statement = TRY(Statement::prepare(db, sql));
  const Step step = TRY(statement.step());
  LOYALTY_ASSERT(step == Step::row);  // an aggregate always yields a row
  return statement.column_int64(0);
}

Status check_transfer_accounts(const Database& db, LedgerReport& report) {
  TRY(collect(
      db,
      "SELECT t.id, 'debit', t.debit_account FROM transfers t WHERE NOT EXISTS "
      "(SELECT 1 FROM accounts a WHERE a.id = t.debit_account) "
      "UNION ALL SELECT t.id, 'credit', t.credit_account FROM transfers t WHERE NOT "
      "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.credit_account) "
      "ORDER BY 1, 2 DESC LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": " + row.column_text(1) + " account " + n(row, 2) +
               " does not exist";
      },
      report));
  TRY(collect(
      db, "SELECT t.id, t.amount FROM transfers t WHERE t.amount <= 0 ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": amount " + n(row, 1) + " is not positive";
      },
      report));
  TRY(collect(
      db,
      "SELECT t.id, t.debit_account FROM transfers t "
      "WHERE t.debit_account = t.credit_account ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": debits and credits the same account " + n(row, 1);
      },
      report));
  return collect(
      db,
      "SELECT t.id, d.id, d.unit, c.id, c.unit FROM transfers t "
      "JOIN accounts d ON d.id = t.debit_account "
      "JOIN accounts c ON c.id = t.credit_account "
      "WHERE d.unit <> c.unit ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "transfer " + n(row, 0) + ": debit account " + n(row, 1) + " counts " +
               row.column_text(2) + " but credit account " + n(row, 3) + " counts " +
               row.column_text(4);
      },
      report);
}

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

Status check_pending(const Database& db, LedgerReport& report) {
  TRY(collect(db,
              "SELECT r.id, r.flags, r.pending_id, p.id, p.flags, r.amount, p.amount, "
              "(r.debit_account = p.debit_account AND r.credit_account = p.credit_account) "
              "FROM transfers r LEFT JOIN transfers p ON p.id = r.pending_id "
              "WHERE r.pending_id IS NOT NULL AND (p.id IS NULL OR p.flags <> 'pending' "
              "OR r.debit_account <> p.debit_account OR r.credit_account <> p.credit_account "
              "OR r.amount > p.amount OR (r.flags = 'void_pending' AND r.amount <> p.amount)) "
              "ORDER BY 1 LIMIT ?1",
              describe_resolution, report));
  return collect(
      db,
      "SELECT pending_id, COUNT(*), group_concat(id, ', ') FROM "
      "(SELECT pending_id, id FROM transfers WHERE pending_id IS NOT NULL "
      "ORDER BY id) GROUP BY pending_id HAVING COUNT(*) > 1 ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "pending transfer " + n(row, 0) + " is resolved " + n(row, 1) +
               " times (by transfers " + row.column_text(2) + "); it may be posted or voided once";
      },
      report);
}

// A lot's history is the posted transfers that name it: its earn (points in), burns, expiries and
// reversals (points out of its account) and restores (points back into it).
Status check_lot_histories(const Database& db, LedgerReport& report) {
  constexpr std::string_view history =
      "WITH h AS (SELECT l.lot_id, l.account, l.points, l.remaining, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.credit_account = l.account "
      "AND t.code = 'earn'), 0) AS earned, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.debit_account = l.account), 0) AS taken, "
      "COALESCE((SELECT SUM(t.amount) FROM transfers t WHERE t.lot_id = l.lot_id "
      "AND t.flags IN ('none', 'post_pending') AND t.credit_account = l.account "
      "AND t.code <> 'earn'), 0) AS restored FROM lots l) ";
  TRY(collect(
      db,
      std::string(history) + "SELECT lot_id, account, earned, points FROM h WHERE earned <> points "
                             "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": its earn transfers total " +
               n(row, 2) + ", not its " + n(row, 3) + " points";
      },
      report));
  return collect(
      db,
      std::string(history) +
          "SELECT lot_id, account, points, remaining, points - remaining, taken - restored "
          "FROM h WHERE points - remaining <> taken - restored ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": " + n(row, 2) +
               " points less " + n(row, 3) + " remaining is " + n(row, 4) +
               ", but its transfers took " + n(row, 5) +
               " (burned, expired and reversed, less restored)";
      },
      report);
}

// The running totals the triggers keep must equal what the transfers add up to.
Status check_totals(const Database& db, LedgerReport& report) {
  TRY(collect(
      db,
      "SELECT a.id, a.kind, a.owner FROM accounts a WHERE NOT EXISTS "
      "(SELECT 1 FROM account_totals t WHERE t.account = a.id) ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "account " + n(row, 0) + " (" + row.column_text(1) + ":" + row.column_text(2) +
               "): has no running totals row";
      },
      report));
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

Status check_floors_and_lots(const Database& db, LedgerReport& report) {
  TRY(collect(
      db,
      "SELECT a.id, a.kind, a.owner, a.balance_floor, "
      "b.credits_posted - b.debits_posted, b.debits_pending "
      "FROM accounts a JOIN account_balances b ON b.account = a.id "
      "WHERE a.balance_floor IS NOT NULL "
      "AND b.credits_posted - b.debits_posted - b.debits_pending < a.balance_floor "
      "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "account " + n(row, 0) + " (" + row.column_text(1) + ":" + row.column_text(2) +
               "): balance " + n(row, 4) + " less pending debits " + n(row, 5) +
               " is below its floor " + n(row, 3);
      },
      report));
  TRY(collect(
      db,
      "SELECT l.lot_id, l.account FROM lots l WHERE NOT EXISTS "
      "(SELECT 1 FROM accounts a WHERE a.id = l.account) ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + ": account " + n(row, 1) + " does not exist";
      },
      report));
  TRY(collect(
      db,
      "SELECT lot_id, account, remaining, points FROM lots "
      "WHERE remaining < 0 OR remaining > points ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "lot " + n(row, 0) + " of account " + n(row, 1) + ": remaining " + n(row, 2) +
               " is outside [0, " + n(row, 3) + "]";
      },
      report));
  TRY(check_lot_histories(db, report));
  // A hold names the lot it reserves: the lot is its debit account's, and holds it within what
  // remains in it.
  TRY(collect(
      db,
      "SELECT t.lot_id, l.account, SUM(t.amount), l.remaining, "
      "SUM(t.debit_account <> l.account) FROM transfers t JOIN lots l ON l.lot_id = t.lot_id "
      "WHERE t.flags = 'pending' AND NOT EXISTS "
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
      report));
  return collect(
      db,
      "SELECT l.account, a.kind, a.owner, SUM(l.remaining), "
      "b.credits_posted - b.debits_posted "
      "FROM lots l JOIN accounts a ON a.id = l.account "
      "JOIN account_balances b ON b.account = l.account GROUP BY l.account "
      "HAVING SUM(l.remaining) <> b.credits_posted - b.debits_posted "
      "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "account " + n(row, 0) + " (" + row.column_text(1) + ":" + row.column_text(2) +
               "): its lots hold " + n(row, 3) + " points but its balance is " + n(row, 4);
      },
      report);
}

// Recomputes every event's hash from its stored fields; a changed field changes the hash.
Status check_event_hashes(const Database& db, LedgerReport& report) {
  Statement events = TRY(Statement::prepare(
      db,
      "SELECT seq, terminal_id, epoch, kind, receipt_id, payload, payload_hash FROM events "
      "ORDER BY seq"));
  while (report.problems.size() < limits::ledger_check_problems_max &&
         TRY(events.step()) == Step::row) {
    const std::string expected = sha256_hex(
        event_hash_input(events.column_text(1), events.column_text(2), events.column_int64(0),
                         events.column_text(3), events.column_text(4), events.column_text(5)));
    if (expected != events.column_text(6)) {
      report.problems.push_back("event " + n(events, 0) +
                                ": payload_hash does not match its content (changed after it "
                                "was written)");
    }
  }
  return {};
}

Status check_events(const Database& db, LedgerReport& report) {
  TRY(check_event_hashes(db, report));
  TRY(collect(
      db,
      "SELECT e.seq, e.seq - 1 FROM events e WHERE e.seq > 1 AND NOT EXISTS "
      "(SELECT 1 FROM events p WHERE p.seq = e.seq - 1) ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        return "event " + n(row, 0) + " follows a gap: event " + n(row, 1) + " is missing";
      },
      report));
  return collect(
      db,
      "SELECT e.seq, p.seq FROM events e JOIN events p ON p.seq = e.seq - 1 "
      "WHERE e.prev_hash <> p.payload_hash "
      "UNION ALL SELECT seq, NULL FROM events WHERE seq = 1 AND prev_hash <> '' "
      "ORDER BY 1 LIMIT ?1",
      [](const Statement& row) {
        if (row.column_is_null(1)) return std::string("event 1: prev_hash must be empty");
        return "event " + n(row, 0) + ": prev_hash is not the payload_hash of event " + n(row, 1);
      },
      report);
}

}  // namespace

Result<LedgerReport> Ledger::check() {
  // One snapshot: a concurrent writer in another process cannot make two queries disagree.
  Transaction snapshot = TRY(Transaction::begin(db_, TransactionKind::read));
  LedgerReport report = TRY(check_uncommitted());
  TRY(snapshot.commit());
  return report;
}

Result<LedgerReport> Ledger::check_within(const Transaction& transaction) {
  assert_ours(transaction);
  return check_uncommitted();
}

Result<LedgerReport> Ledger::check_uncommitted() {
  LedgerReport report;
  report.schema_version = TRY(storage::schema_version(db_));
  report.accounts = TRY(count(db_, "SELECT COUNT(*) FROM accounts"));
  report.transfers = TRY(count(db_, "SELECT COUNT(*) FROM transfers"));
  report.pending_open = TRY(count(db_,
                                  "SELECT COUNT(*) FROM transfers t WHERE t.flags = 'pending' "
                                  "AND NOT EXISTS (SELECT 1 FROM transfers r "
                                  "WHERE r.pending_id = t.id)"));
  report.lots = TRY(count(db_, "SELECT COUNT(*) FROM lots"));
  report.events = TRY(count(db_, "SELECT COUNT(*) FROM events"));
  TRY(check_transfer_accounts(db_, report));
  TRY(check_pending(db_, report));
  TRY(check_totals(db_, report));
  TRY(check_floors_and_lots(db_, report));
  TRY(check_events(db_, report));
  return report;
}

}  // namespace loyalty::storage
