// Ledger::check() and what every check shares: the scope (the whole history, or what was written
// since a checkpoint), the problem collector, and the list of parts. Debits equal credits per row
// by construction (one amount, two accounts), so the queries look for what could still be wrong:
// rows the constraints would have refused (a file written by other software, foreign_keys off, a
// bug), and invariants that span rows. The invariants themselves are in check_transfers.cc,
// check_accounts.cc, check_lots.cc and chain.cc; the checkpoint in checkpoint.cc.

#include <algorithm>
#include <array>
#include <string>

#include "ledger/check_internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/migrations.h"

namespace loyalty::storage {

namespace ledger_check {

std::vector<std::int64_t> Scope::lot_parameters() const {
  if (whole()) return {};
  return {since->transfer_id, since->lot_id};
}

std::vector<std::int64_t> Scope::account_parameters() const {
  if (whole()) return {};
  return {since->transfer_id, since->lot_id, since->account_id};
}

std::string lots_in(const Scope& scope) {
  if (scope.whole()) return "lots";
  // A set of ids looked up by primary key: an OR of the two conditions would scan every lot.
  return "(SELECT * FROM lots WHERE lot_id IN (SELECT lot_id FROM lots WHERE lot_id > ?3 "
         "UNION SELECT lot_id FROM transfers WHERE id > ?2 AND lot_id IS NOT NULL))";
}

std::string accounts_in(const Scope& scope) {
  if (scope.whole()) return "accounts";
  return "(SELECT * FROM accounts WHERE id IN (SELECT id FROM accounts WHERE id > ?4 "
         "UNION SELECT debit_account FROM transfers WHERE id > ?2 "
         "UNION SELECT credit_account FROM transfers WHERE id > ?2 "
         "UNION SELECT account FROM lots WHERE lot_id > ?3))";
}

std::string n(const Statement& row, int column) { return std::to_string(row.column_int64(column)); }

Status collect(const Database& db, std::string_view sql, const Describe& describe,
               LedgerReport& report, const std::vector<std::int64_t>& parameters) {
  LOYALTY_ASSERT(report.problems.size() <= limits::ledger_check_problems_max);
  const std::size_t room = limits::ledger_check_problems_max - report.problems.size();
  if (room == 0) return {};
  Statement statement = TRY(Statement::prepare(db, sql));
  TRY(statement.bind_int64(1, static_cast<std::int64_t>(room)));
  int index = 2;
  for (const std::int64_t parameter : parameters) TRY(statement.bind_int64(index++, parameter));
  while (TRY(statement.step()) == Step::row) report.problems.push_back(describe(statement));
  return {};
}

Result<std::int64_t> count(const Database& db, std::string_view sql) {
  Statement statement = TRY(Statement::prepare(db, sql));
  const Step step = TRY(statement.step());
  LOYALTY_ASSERT(step == Step::row);  // an aggregate always yields a row
  return statement.column_int64(0);
}

namespace {

// The report's counts: what the ledger holds (whole history only; counting is itself a scan).
Status check_counts(const Database& db, const Scope& scope, LedgerReport& report) {
  report.schema_version = TRY(storage::schema_version(db));
  if (!scope.whole()) return {};
  report.accounts = TRY(count(db, "SELECT COUNT(*) FROM accounts"));
  report.transfers = TRY(count(db, "SELECT COUNT(*) FROM transfers"));
  report.pending_open = TRY(count(db,
                                  "SELECT COUNT(*) FROM transfers t WHERE t.flags = 'pending' "
                                  "AND NOT EXISTS (SELECT 1 FROM transfers r "
                                  "WHERE r.pending_id = t.id)"));
  report.lots = TRY(count(db, "SELECT COUNT(*) FROM lots"));
  report.events = TRY(count(db, "SELECT COUNT(*) FROM events"));
  return {};
}

Status check_events(const Database& db, const Scope& scope, LedgerReport& report) {
  return check_chain(db, scope.whole() ? 1 : std::max<std::int64_t>(1, scope.since->event_seq),
                     report);
}

Status check_stored_checkpoint(const Database& db, const Scope&, LedgerReport& report) {
  return check_checkpoint(db, report);
}

// In the order of docs/storage.md "Invariants".
constexpr std::array<CheckPart, 12> parts = {{
    {"counts", check_counts},
    {"transfer accounts, amounts and units", check_transfer_accounts},
    {"pending transfers and their resolution", check_pending},
    {"running totals rows", check_totals_rows},
    {"running totals against the transfers", check_totals_sums},
    {"balance floors", check_floors},
    {"lot accounts and ranges", check_lot_rows},
    {"lot histories", check_lot_histories},
    {"holds on lots", check_lot_holds},
    {"lots against balances", check_lots_against_balances},
    {"event chain", check_events},
    {"checkpoint", check_stored_checkpoint},
}};

}  // namespace

std::span<const CheckPart> check_parts() { return parts; }

Status run_check(const Database& db, const Scope& scope, LedgerReport& report) {
  for (const CheckPart& part : parts) {
    TRY(part.run(db, scope, report));
  }
  return {};
}

}  // namespace ledger_check

Result<LedgerReport> Ledger::check() {
  // One snapshot: a concurrent writer in another process cannot make two queries disagree.
  Transaction snapshot = TRY(Transaction::begin(db_, TransactionKind::read));
  LedgerReport report = TRY(check_uncommitted());
  TRY(snapshot.commit());
  return report;
}

Result<LedgerReport> Ledger::check_and_checkpoint(Timestamp now) {
  return verify(OpenCheck::full, now, OpenRecord{});
}

Result<LedgerReport> Ledger::check_since_checkpoint(Timestamp now) {
  return verify(OpenCheck::since_checkpoint, now, OpenRecord{});
}

Result<LedgerReport> Ledger::verify(OpenCheck open_check, Timestamp now, OpenRecord record) {
  using ledger_check::StoredCheckpoint;
  StoredCheckpoint stored;
  LedgerCheckpoint end;
  LedgerReport report;
  bool whole = true;
  {
    // One snapshot for the checkpoint, the checks and the end they reach.
    Transaction snapshot = TRY(Transaction::begin(db_, TransactionKind::read));
    stored = TRY(ledger_check::read_checkpoint(db_));
    end = TRY(ledger_check::ledger_end(db_));
    // A migration may have rewritten verified rows, so a checkpoint from another schema version
    // does not count; neither does a malformed one (the full check reports it).
    whole = open_check == OpenCheck::full || stored.state != StoredCheckpoint::State::present ||
            stored.checkpoint.schema_version != end.schema_version;
    const ledger_check::Scope scope{whole ? nullptr : &stored.checkpoint, whole ? nullptr : &end};
    TRY(ledger_check::run_check(db_, scope, report));
    TRY(snapshot.commit());
  }
  if (!report.ok()) return report;
  // What the snapshot held is verified; rows written since are the next check's. Recording the
  // snapshot's end is right even if others wrote meanwhile: nothing verified can change.
  end.checked_at = now;
  end.full_check_at = whole ? now : stored.checkpoint.full_check_at;
  bool moves = true;
  if (!whole) {
    LedgerCheckpoint unchanged = stored.checkpoint;
    unchanged.checked_at = now;
    moves = !(unchanged == end);  // nothing new: the checkpoint stays, not even its time moves
  }
  if (!moves && record.release.empty()) return report;  // nothing to write
  // The checkpoint's nine rows and the release's row commit together, or not at all.
  Transaction transaction = TRY(Transaction::begin(db_, TransactionKind::write));
  if (moves) TRY(ledger_check::write_checkpoint(db_, end));
  if (!record.release.empty()) TRY(record_release(record, now));
  TRY(transaction.commit());
  return report;
}

Result<LedgerReport> Ledger::check_within(const Transaction& transaction) {
  assert_ours(transaction);
  // What open() verifies: the rows written since the checkpoint (the whole history without a
  // usable one), so that an HQ update does not hold the write lock for a check of every event.
  using ledger_check::StoredCheckpoint;
  const StoredCheckpoint stored = TRY(ledger_check::read_checkpoint(db_));
  const LedgerCheckpoint end = TRY(ledger_check::ledger_end(db_));
  const bool whole = stored.state != StoredCheckpoint::State::present ||
                     stored.checkpoint.schema_version != end.schema_version;
  LedgerReport report;
  const ledger_check::Scope scope{whole ? nullptr : &stored.checkpoint, whole ? nullptr : &end};
  TRY(ledger_check::run_check(db_, scope, report));
  return report;
}

Result<LedgerReport> Ledger::check_uncommitted() {
  LedgerReport report;
  TRY(ledger_check::run_check(db_, ledger_check::Scope{}, report));
  return report;
}

Result<std::optional<LedgerCheckpoint>> Ledger::checkpoint() const {
  const ledger_check::StoredCheckpoint stored = TRY(ledger_check::read_checkpoint(db_));
  switch (stored.state) {
    case ledger_check::StoredCheckpoint::State::absent:
      return std::optional<LedgerCheckpoint>();
    case ledger_check::StoredCheckpoint::State::malformed:
      return make_error(ErrorCode::io_error, "ledger " + db_.path() +
                                                 ": checkpoint: " + stored.malformed +
                                                 " (delete the checkpoint_* "
                                                 "rows of meta to have it checked whole)");
    case ledger_check::StoredCheckpoint::State::present:
      break;
  }
  return std::optional<LedgerCheckpoint>(stored.checkpoint);
}

}  // namespace loyalty::storage
