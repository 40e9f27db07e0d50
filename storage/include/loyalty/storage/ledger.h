// Ledger: the terminal's double-entry points ledger in one SQLite file.
//
// Every movement of points is an immutable transfer from a debit account to a credit account, so
// the sum of all debits equals the sum of all credits by construction; corrections are new
// transfers. Pending transfers hold points for an open receipt and are later posted (in full or
// in part) or voided, exactly once. open() migrates the schema and refuses a ledger whose
// invariants fail: it verifies what was written since the checkpoint of the last check that
// passed, and check() verifies the whole history on demand (docs/storage.md, "Verification at
// open").
//
// Writes happen inside a caller's write Transaction (begin()), so one receipt's transfers, lots,
// counters and event commit together or not at all. Methods that write take the Transaction as
// proof; it must come from this ledger's begin().
//
// Ownership: a Ledger owns its Database. Move-only; a Transaction must not outlive the Ledger
// (nor a move of it). Thread-safety: none; one thread at a time, like its Database. Several
// processes may open the same file: SQLite serialises their write transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/ledger_types.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage {

// What open() verifies before it returns a ledger (with refuse_broken).
enum class OpenCheck {
  // What was written since the checkpoint (LedgerCheckpoint), and that the ledger still reaches
  // the checkpoint; then the checkpoint moves to the end. Costs what was written since, not the
  // ledger's history. A ledger without a checkpoint gets the full check (and then a checkpoint).
  since_checkpoint,
  // check(): every invariant over the whole history, then the checkpoint moves to the end.
  full,
};

struct LedgerOptions {
  DatabaseOptions database;
  // Required to create a ledger; when reopening, "" accepts the stored one and anything else must
  // match it.
  std::string terminal_id;
  // The epoch of a new ledger (a random 64-bit id that tells a re-created database apart). When
  // absent, open() draws one from std::random_device. Ignored when reopening.
  std::optional<std::uint64_t> epoch;
  // The current time, for the rows open() writes.
  Timestamp now;
  // true: open() verifies the ledger (open_check) and refuses one that fails. false: opens it
  // without a check, so a tool (`loyaltyctl ledger check`) can report every problem; nothing may
  // write to it then but the checkpoint of a check that passed.
  bool refuse_broken = true;
  // What open() verifies when refuse_broken is true.
  OpenCheck open_check = OpenCheck::since_checkpoint;
  // The software release opening the ledger, e.g. "0.2.0": 1..limits::id_bytes_max bytes of
  // letters, digits and ".+~-_" (anything else is invalid_argument). With refuse_broken, once
  // open()'s check has passed, its row in software_releases is upserted (first_opened_at kept,
  // last_opened_at = now, schema_build = this build's last schema version), in the write
  // transaction that moves the checkpoint when there is one. "" (the default) records nothing:
  // tests and tools that must not leave a trace; a terminal's programs pass their version.
  std::string release{};
};

// One software release that opened the ledger (the software_releases table, schema v6): which
// code has written to this file, for support and for the rollback rules of docs/storage.md.
struct SoftwareRelease {
  std::string release;            // LedgerOptions::release
  std::int64_t schema_build = 0;  // the last schema version that release knows
  Timestamp first_opened_at;      // LedgerOptions::now of its first recorded open
  Timestamp last_opened_at;       // LedgerOptions::now of its latest recorded open

  bool operator==(const SoftwareRelease&) const = default;
};

// How far the ledger has been verified, kept in `meta` (the checkpoint_* keys). Every check that
// passes records one, in one transaction: open() (for what it verified) and check_and_checkpoint().
// open() does not verify again the rows it covers (docs/storage.md, "Verification at open").
struct LedgerCheckpoint {
  std::int64_t event_seq = 0;  // the last event verified; 0 when the chain was empty
  std::string event_hash;      // its payload_hash; "" when event_seq is 0
  // The highest transfer, lot and account ids verified (ids only grow: rows are never deleted).
  std::int64_t transfer_id = 0;
  std::int64_t lot_id = 0;
  std::int64_t account_id = 0;
  std::int64_t schema_version = 0;  // the schema the rows were verified under
  // A digest of every account's running totals (account_totals) when they were verified equal to
  // the transfers: open() checks the totals against it and the transfers since, without summing
  // every transfer again.
  std::uint64_t totals_digest = 0;
  Timestamp checked_at;     // when this checkpoint was recorded
  Timestamp full_check_at;  // when a check of the whole history last passed

  bool operator==(const LedgerCheckpoint&) const = default;
};

// What check() found. Counts describe the ledger; `problems` holds one line per broken invariant
// naming the transfer, account, lot or event (at most limits::ledger_check_problems_max).
struct LedgerReport {
  std::int64_t schema_version = 0;
  std::int64_t accounts = 0;
  std::int64_t transfers = 0;
  std::int64_t pending_open = 0;
  std::int64_t lots = 0;
  std::int64_t events = 0;
  std::vector<std::string> problems;

  bool ok() const { return problems.empty(); }
  // The first three problems joined by "; ", then "; and N more": what an error message shows.
  std::string first_problems() const;
};

class Ledger {
 public:
  // Opens or creates the ledger at `path`: applies the migrations, records terminal_id and epoch
  // in a new ledger, then verifies it (options.open_check) and records the checkpoint. Fails with
  // conflict for a schema newer than this build allows or another terminal's ledger, with
  // io_error naming the first problems when the invariants fail, with invalid_argument for a new
  // ledger without a terminal_id, with busy when another connection holds the file's lock for
  // longer than the busy timeout (retryable).
  static Result<Ledger> open(const std::string& path, const LedgerOptions& options);

  // Verifies every invariant over the whole history in one read snapshot (docs/storage.md lists
  // them), the checkpoint included. Problems go into the report; only SQLite failures are
  // errors. Writes nothing. Must not run inside a Transaction.
  Result<LedgerReport> check();
  // check(), and when it finds no problem, records the checkpoint at the end of what it verified
  // (checked_at and full_check_at = `now`) in a write transaction of its own.
  Result<LedgerReport> check_and_checkpoint(Timestamp now);
  // What open() verifies by default, on demand: the rows written since the checkpoint, and that
  // the ledger still reaches it (a ledger without a usable checkpoint gets the full check); when
  // it finds no problem, the checkpoint moves to the end (checked_at = `now`). A program that
  // keeps the ledger open for long calls it when idle, so that the next open has little to
  // verify. The report's counts are 0 unless the full check ran. Must not run inside a
  // Transaction.
  Result<LedgerReport> check_since_checkpoint(Timestamp now);
  // The checkpoint `meta` holds; nullopt when none was recorded. io_error when it is malformed.
  Result<std::optional<LedgerCheckpoint>> checkpoint() const;
  // The checks open() runs (what was written since the checkpoint, or the whole history without
  // a usable one) inside a write transaction, over what it has written so far: a batch that must
  // leave the ledger sound (an applied HQ update) checks before it commits. Records no
  // checkpoint.
  Result<LedgerReport> check_within(const Transaction& transaction);

  // The releases that opened the ledger with LedgerOptions::release, the most recently opened
  // first (ties by name), at most limits::ledger_releases_max. Reads the committed state (or the
  // caller's open transaction); releases before 0.2.0 (schema v5) recorded nothing.
  Result<std::vector<SoftwareRelease>> releases() const;

  // A write transaction (BEGIN IMMEDIATE) for the methods below.
  Result<Transaction> begin();

  // The account of `kind` and `owner`, created with the kind's unit and floor if missing.
  Result<AccountId> find_or_create_account(const Transaction& transaction, AccountKind kind,
                                           std::string_view owner, Timestamp at);
  Result<Account> account(AccountId id) const;

  // A posted transfer. Fails with invalid_argument for a bad amount or text, not_found for a
  // missing account, invalid_argument for an account that does not count points, and conflict
  // when the debit account would fall below its floor.
  Result<TransferId> transfer(const Transaction& transaction, const TransferRequest& request);
  // A posted transfer of money between two accounts that count minor units (partner settlement).
  // Fails like transfer(), with invalid_argument when either account counts points.
  Result<TransferId> transfer_money(const Transaction& transaction,
                                    const MoneyTransferRequest& request);
  // A pending transfer: checked like transfer(); its amount counts as a pending debit and credit.
  Result<TransferId> create_pending(const Transaction& transaction, const TransferRequest& request);
  // Posts `amount` (default: all) of a pending transfer; the rest is released. Fails with
  // not_found, invalid_argument (not a pending transfer, amount outside 1..pending), or conflict
  // (already posted or voided).
  Result<TransferId> post_pending(const Transaction& transaction, TransferId pending,
                                  std::optional<Points> amount, Timestamp at);
  // Voids a pending transfer: all of it is released. Errors as for post_pending.
  Result<TransferId> void_pending(const Transaction& transaction, TransferId pending, Timestamp at);

  Result<Balance> balance(AccountId id) const;

  const std::string& terminal_id() const { return terminal_id_; }
  std::uint64_t epoch() const { return epoch_; }
  std::int64_t schema_version() const { return schema_version_; }
  // The borrowed connection, for later parts of storage and for tests.
  Database& database() { return db_; }

 private:
  explicit Ledger(Database db) : db_(std::move(db)) {}
  Status load_or_init_meta(const LedgerOptions& options);
  // What open() records in software_releases once its check passed; an empty release: nothing.
  struct OpenRecord {
    std::string_view release;
    std::int64_t schema_build = 0;
  };
  Result<LedgerReport> verify(OpenCheck open_check, Timestamp now, OpenRecord record);
  // Upserts the release's row, inside the caller's write transaction.
  Status record_release(OpenRecord record, Timestamp now);
  Result<TransferId> insert_checked(const Transaction& transaction, const TransferRequest& request,
                                    std::string_view flags);
  Result<TransferId> resolve_pending(const Transaction& transaction, TransferId pending,
                                     std::optional<Points> amount, Timestamp at, bool post);
  void assert_ours(const Transaction& transaction) const;
  Result<LedgerReport> check_uncommitted();

  Database db_;
  std::string terminal_id_;
  std::uint64_t epoch_ = 0;
  std::int64_t schema_version_ = 0;
};

}  // namespace loyalty::storage
