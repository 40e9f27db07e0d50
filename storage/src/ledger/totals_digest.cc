// The running totals' digest: how open() checks every account's account_totals row against the
// transfers without summing them all. The checkpoint records the digest of the totals when they
// were verified equal to what the transfers add up to (the account_balances view); at open, that
// digest plus what the transfers written since move the view by must be the digest of the
// totals now. The digest is linear (a sum modulo 2^64 of each total times a weight drawn from its
// account and column), so the change a transfer makes is one term, whichever account it moves.
// A single wrong total always changes it (every weight is odd); several wrong totals cancel out
// only for contrived values. It guards against drift (a bug, an edit behind the ledger's back),
// not against a forger, who could recompute it as easily as the event hashes.

#include <cstdint>

#include "ledger/check_internal.h"

namespace loyalty::storage::ledger_check {

namespace {

// The four totals, numbered as in the queries below: 0 credits_posted, 1 debits_posted,
// 2 credits_pending, 3 debits_pending.
constexpr int total_columns = 4;

// SplitMix64 of (account, column): well spread, and odd so that no total's change vanishes.
std::uint64_t weight(std::int64_t account, std::int64_t column) {
  std::uint64_t x = static_cast<std::uint64_t>(account) * total_columns +
                    static_cast<std::uint64_t>(column) + 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return (x ^ (x >> 31)) | 1;
}

std::uint64_t term(std::int64_t account, std::int64_t column, std::int64_t amount) {
  return weight(account, column) * static_cast<std::uint64_t>(amount);  // modulo 2^64
}

}  // namespace

Result<std::uint64_t> totals_digest(const Database& db) {
  Statement rows = TRY(Statement::prepare(
      db,
      "SELECT account, credits_posted, debits_posted, credits_pending, debits_pending "
      "FROM account_totals"));
  std::uint64_t digest = 0;
  while (TRY(rows.step()) == Step::row) {
    const std::int64_t account = rows.column_int64(0);
    for (int column = 0; column < total_columns; ++column) {
      digest += term(account, column, rows.column_int64(1 + column));
    }
  }
  return digest;
}

// What the transfers with an id above `transfer_id` moved the account_balances view by, as a
// change of the digest: each posted transfer adds to its accounts' posted sums, each pending one
// still unresolved to their pending sums, and each older pending transfer they resolved (which
// the view counted until then) leaves its accounts' pending sums. The view counts existing
// accounts only; so does this.
Result<std::uint64_t> balances_moved_since(const Database& db, std::int64_t transfer_id) {
  Statement moves = TRY(Statement::prepare(
      db,
      "SELECT 0, t.credit_account, t.amount FROM transfers t "
      "JOIN accounts a ON a.id = t.credit_account "
      "WHERE t.id > ?1 AND t.flags IN ('none', 'post_pending') "
      "UNION ALL SELECT 1, t.debit_account, t.amount FROM transfers t "
      "JOIN accounts a ON a.id = t.debit_account "
      "WHERE t.id > ?1 AND t.flags IN ('none', 'post_pending') "
      "UNION ALL SELECT 2, t.credit_account, t.amount FROM transfers t "
      "JOIN accounts a ON a.id = t.credit_account WHERE t.id > ?1 AND t.flags = 'pending' "
      "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id) "
      "UNION ALL SELECT 3, t.debit_account, t.amount FROM transfers t "
      "JOIN accounts a ON a.id = t.debit_account WHERE t.id > ?1 AND t.flags = 'pending' "
      "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id) "
      "UNION ALL SELECT 2, p.credit_account, -p.amount FROM transfers p "
      "JOIN accounts a ON a.id = p.credit_account WHERE p.id <= ?1 AND p.flags = 'pending' "
      "AND p.id IN (SELECT pending_id FROM transfers WHERE id > ?1 AND pending_id IS NOT NULL) "
      "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id AND r.id <= ?1) "
      "UNION ALL SELECT 3, p.debit_account, -p.amount FROM transfers p "
      "JOIN accounts a ON a.id = p.debit_account WHERE p.id <= ?1 AND p.flags = 'pending' "
      "AND p.id IN (SELECT pending_id FROM transfers WHERE id > ?1 AND pending_id IS NOT NULL) "
      "AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id AND r.id <= ?1)"));
  TRY(moves.bind_int64(1, transfer_id));
  std::uint64_t moved = 0;
  while (TRY(moves.step()) == Step::row) {
    moved += term(moves.column_int64(1), moves.column_int64(0), moves.column_int64(2));
  }
  return moved;
}

}  // namespace loyalty::storage::ledger_check
