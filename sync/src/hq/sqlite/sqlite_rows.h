// SqliteRows: the HQ store's tables in one SQLite file (schema.cc), the default backend of
// RowStore (rows.h). Its calls are split by family: sqlite_rows_chains.cc (terminals, chains,
// alerts, versions), sqlite_rows_journal.cc, sqlite_rows_apply.cc (with owner_rows.cc),
// sqlite_rows_downlink.cc and sqlite_rows_views.cc; open_sqlite.cc opens and migrates the file.
//
// Ownership: owns its Database. Thread-safety: none (one object per thread).
#pragma once

#include <optional>

#include "hq/rows.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync::hq {

std::span<const storage::Migration> hq_migrations();

class SqliteRows final : public HqRows {
 public:
  explicit SqliteRows(storage::Database db) : db_(std::move(db)) {}

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
                                                std::int64_t up_to_seq,
                                                std::size_t limit) override;
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
  storage::Database db_;
  std::optional<storage::Transaction> transaction_;
};

}  // namespace loyalty::sync::hq
