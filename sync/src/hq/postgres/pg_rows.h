// PgRows: the HQ store's rows (hq/rows.h) on PostgreSQL, over one PgConnection. Each call has the
// meaning of the SQLite backend's query for it (same rows, order, NULLs); the parts live in
// pg_rows.cc (transactions, terminals, chains, alerts, versions), pg_rows_journal.cc,
// pg_rows_apply.cc, pg_rows_owners.cc, pg_rows_downlink.cc and pg_rows_views.cc.
//
// Isolation. SQLite runs one writer at a time; PostgreSQL runs many, so the backend takes the
// locks that give the logic the same answers:
// - a read transaction is REPEATABLE READ READ ONLY: one snapshot for all its statements;
// - a write transaction is READ COMMITTED (each statement sees what committed before it), and
//   - load_terminal and load_chain lock their row (FOR UPDATE): ingest and release of one
//     terminal take turns, and apply's set_applied waits for them;
//   - the appliers take turns under an advisory lock taken by the first call of apply's
//     (pending_chains, record_events, ...); entries are numbered under it;
//   - raise_alert numbers alerts under an advisory lock of their own (alerts are rare);
//   - reserve_versions updates one row, so version numbers are handed out in commit order;
//   - set_applied refuses (busy) a seq beyond the chain's held_seq, which only a release that
//     committed during the apply can cause.
// A wait longer than the lock timeout is ErrorCode::busy, as a deadlock is.
//
// Ownership: owns its connection. Thread-safety: none; one object per thread.
#pragma once

#include "hq/postgres/pg_connection.h"
#include "hq/rows.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq::pg {

class PgRows final : public HqRows {
 public:
  // Takes the connection over and creates its session's staging tables; the schema must be
  // migrated (open_postgres_hq_store checks it).
  static Result<std::unique_ptr<PgRows>> create(PgConnection connection);

  Status begin(bool write) override;
  Status commit() override;
  void rollback() noexcept override;

  Result<std::optional<TerminalRow>> load_terminal(const TerminalIdentity& terminal) override;
  Status insert_terminal(const TerminalIdentity& terminal, std::string_view epoch) override;
  Status set_terminal_epoch(const TerminalIdentity& terminal, std::string_view epoch) override;
  Status touch_terminal(const TerminalIdentity& terminal, Timestamp last_batch_at) override;
  Status set_quarantine(const TerminalIdentity& terminal, std::string_view reason,
                        Timestamp at) override;
  Status clear_quarantine(const TerminalIdentity& terminal) override;
  Result<std::optional<ChainRow>> load_chain(const TerminalIdentity& terminal,
                                             std::string_view epoch) override;
  Status insert_chain(const TerminalIdentity& terminal, std::string_view epoch,
                      Timestamp now) override;
  Status retire_chain(const TerminalIdentity& terminal, std::string_view epoch,
                      Timestamp now) override;
  Status save_chain(const TerminalIdentity& terminal, const ChainRow& chain) override;
  Status raise_alert(const TerminalIdentity& terminal, std::string_view message,
                     Timestamp at) override;
  Result<std::int64_t> reserve_versions(std::int64_t count) override;

  Result<std::map<std::int64_t, HeldEvent>> held_events(const TerminalIdentity& terminal,
                                                        std::string_view epoch,
                                                        std::int64_t from_seq,
                                                        std::int64_t to_seq) override;
  Result<std::int64_t> insert_events(const TerminalIdentity& terminal, std::string_view epoch,
                                     std::span<const NewJournalRow> rows, Timestamp now) override;
  Result<std::vector<std::pair<std::int64_t, HeldEvent>>> events_after(
      const TerminalIdentity& terminal, std::string_view epoch, std::int64_t after_seq,
      std::size_t limit) override;
  Result<std::int64_t> drop_events_from(const TerminalIdentity& terminal, std::string_view epoch,
                                        std::int64_t from_seq) override;
  Status scan_journal(const JournalScan& scan,
                      const std::function<Status(JournalEvent&&)>& visit) override;

  Result<std::vector<PendingChain>> pending_chains() override;
  Result<std::vector<StoredEvent>> chain_events(const PendingChain& chain, std::int64_t after_seq,
                                                std::int64_t up_to_seq, std::size_t limit) override;
  Status set_applied(const TerminalIdentity& terminal, std::string_view epoch,
                     std::int64_t applied_seq) override;
  Status record_events(std::span<const RecordedEvent> events) override;
  Result<std::vector<StoredEvent>> owner_events(std::string_view pseudonym) override;
  Result<std::vector<OwnerState>> load_owners(std::span<const std::string> pseudonyms) override;
  Status save_owners(std::span<const OwnerState* const> states, Timestamp changed_at) override;
  Status insert_entries(std::span<const OwnedEntries> runs) override;
  using HqRows::insert_entries;
  Status delete_entries(std::string_view owner) override;
  Result<std::vector<std::string>> owners_with_lots_due(Timestamp now) override;

  Status insert_item(const StoredItem& item) override;
  Result<std::vector<StoredItem>> items_after(std::string_view store_id, std::int64_t after,
                                              std::size_t limit) override;
  Result<std::vector<CustomerItemRow>> customers_after(std::string_view store_id,
                                                       std::int64_t after,
                                                       std::size_t limit) override;
  Result<std::int64_t> latest_for(std::string_view store_id) override;

  Result<std::vector<TerminalStatus>> terminal_statuses() override;
  Result<std::vector<Alert>> all_alerts() override;
  Result<std::vector<HqEntry>> history(std::string_view pseudonym, std::size_t limit) override;
  Result<HqTotals> sum_totals() override;
  Status scan_entries(Timestamp from, Timestamp until,
                      const std::function<Status(const LedgerEntryRow&)>& visit) override;
  Result<LedgerStock> ledger_stock(Timestamp until) override;

 private:
  explicit PgRows(PgConnection connection) : db_(std::move(connection)) {}
  // The appliers' advisory lock, once per transaction.
  Status lock_apply();
  // Runs `query` (a SELECT) through a cursor of the open transaction,
  // limits::hq_pg_scan_fetch_rows_max rows at a time, and gives each row to `visit`; stops at
  // visit's first error and returns it. The cursor is closed either way, so that the transaction
  // may go on.
  Status stream(std::string_view query, const PgParams& params,
                const std::function<Status(const PgResult&, int)>& visit);

  PgConnection db_;
  bool write_ = false;          // the open transaction writes
  bool apply_locked_ = false;   // it holds the appliers' lock
  bool alerts_locked_ = false;  // it holds the alerts' lock
  bool staging_used_ = false;   // journal_staging has rows of this transaction
};

// Advisory lock keys (pg_advisory_xact_lock), one per thing that takes turns.
inline constexpr std::int64_t apply_lock_key = 0x6c6f79616c747901;       // "loyalty" 01
inline constexpr std::int64_t alerts_lock_key = 0x6c6f79616c747902;      // "loyalty" 02
inline constexpr std::int64_t migrate_lock_key = 0x6c6f79616c747903;     // "loyalty" 03
inline constexpr std::int64_t partitions_lock_key = 0x6c6f79616c747904;  // "loyalty" 04

}  // namespace loyalty::sync::hq::pg
