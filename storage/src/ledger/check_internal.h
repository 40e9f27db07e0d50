// Internal to ledger/: what the ledger's checks share. The full check (check.cc), the check of
// what was written since the checkpoint (check_since.cc), the event chain (chain.cc) and the
// checkpoint kept in `meta` (checkpoint.cc). docs/storage.md ("Invariants", "Verification at
// open") says what each verifies.
//
// Every function reads through the caller's transaction (one snapshot) and adds problems to the
// caller's report, at most limits::ledger_check_problems_max in all; only SQLite failures are
// errors. Thread-safety: that of the Database.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::ledger_check {

using Describe = std::function<std::string(const Statement&)>;

// Which rows a check looks at: the whole history (check()), or what was written since a
// checkpoint (the check at open): the transfers, lots and accounts with higher ids than it
// covers, the lots those transfers name, the accounts they move, and the events from the
// checkpoint's own on, up to `end` (ledger_end() of the same snapshot).
struct Scope {
  const LedgerCheckpoint* since = nullptr;  // nullptr: the whole history
  const LedgerCheckpoint* end = nullptr;    // set with `since`

  bool whole() const { return since == nullptr; }
  // ?2 of the transfer queries: transfers with a higher id are checked (0: all of them).
  std::int64_t transfer_id() const { return whole() ? 0 : since->transfer_id; }
  // The parameters of lots_in() (?2 transfer id, ?3 lot id) and accounts_in() (and ?4 account
  // id); none for the whole history.
  std::vector<std::int64_t> lot_parameters() const;
  std::vector<std::int64_t> account_parameters() const;
};

// The lots a scope covers, as a row source for FROM: the table itself, or the lots created since
// the checkpoint and those the transfers since name. Parameters: Scope::lot_parameters().
std::string lots_in(const Scope& scope);
// The accounts a scope covers: all of them, or those created since the checkpoint, moved by the
// transfers since, or holding the lots created since. Parameters: Scope::account_parameters().
std::string accounts_in(const Scope& scope);

// Column `column` of `row` as decimal text.
std::string n(const Statement& row, int column);

// Runs `sql`, whose ?1 is the number of problems still wanted and ?2, ?3... are `parameters` in
// order, and adds one problem per row, described by `describe`.
Status collect(const Database& db, std::string_view sql, const Describe& describe,
               LedgerReport& report, const std::vector<std::int64_t>& parameters = {});

// The one value of an aggregate query.
Result<std::int64_t> count(const Database& db, std::string_view sql);

// The invariants, one family per file; each adds the problems it finds in `scope` to `report`.
Status check_transfer_accounts(const Database& db, const Scope& scope, LedgerReport& report);
Status check_pending(const Database& db, const Scope& scope, LedgerReport& report);
Status check_totals_rows(const Database& db, const Scope& scope, LedgerReport& report);
Status check_totals_sums(const Database& db, const Scope& scope, LedgerReport& report);
Status check_floors(const Database& db, const Scope& scope, LedgerReport& report);
Status check_lot_rows(const Database& db, const Scope& scope, LedgerReport& report);
Status check_lot_histories(const Database& db, const Scope& scope, LedgerReport& report);
Status check_lot_holds(const Database& db, const Scope& scope, LedgerReport& report);
Status check_lots_against_balances(const Database& db, const Scope& scope, LedgerReport& report);

// A digest of every row of account_totals: a sum modulo 2^64 of each total times a weight drawn
// from its account and column, so that a change of any one total changes it.
Result<std::uint64_t> totals_digest(const Database& db);
// How far the transfers with an id above `transfer_id` moved the totals the account_balances view
// computes, in the digest's terms: a checkpoint's digest plus this is the digest the totals must
// have now.
Result<std::uint64_t> balances_moved_since(const Database& db, std::int64_t transfer_id);

// The event chain from event `first_seq` (>= 1) to the end: every event's hash recomputed from its
// fields, no gap in the numbering, and every event linked to the one before it (event first_seq
// to event first_seq - 1 too, when that one exists). Problems come hashes first, then gaps, then
// links, each in seq order.
Status check_chain(const Database& db, std::int64_t first_seq, LedgerReport& report);

// The checkpoint as `meta` holds it: absent (no check recorded one yet, or the ledger predates
// checkpoints), malformed (keys missing, or values this code never writes: `malformed` says
// which), or present.
struct StoredCheckpoint {
  enum class State { absent, malformed, present };
  State state = State::absent;
  LedgerCheckpoint checkpoint;
  std::string malformed;
};
Result<StoredCheckpoint> read_checkpoint(const Database& db);

// Records `checkpoint` in `meta`, replacing the one there, inside the caller's write transaction.
Status write_checkpoint(const Database& db, const LedgerCheckpoint& checkpoint);

// The checkpoint that names the end of the ledger as the current snapshot sees it: the last event
// and its hash, the highest transfer, lot and account ids, the schema version and the running
// totals' digest. The times are left for the caller.
Result<LedgerCheckpoint> ledger_end(const Database& db);

// The ledger still reaches the stored checkpoint: its event exists with the hash it was verified
// with, and no transfer, lot or account it covered is gone. A malformed checkpoint is a problem.
Status check_checkpoint(const Database& db, LedgerReport& report);

// The parts of a check, in the order they run; each one does what its scope asks. Named so that a
// benchmark can time each one.
struct CheckPart {
  std::string_view name;
  Status (*run)(const Database& db, const Scope& scope, LedgerReport& report);
};
std::span<const CheckPart> check_parts();

// Runs every part of check_parts() in `scope`.
Status run_check(const Database& db, const Scope& scope, LedgerReport& report);

}  // namespace loyalty::storage::ledger_check
