// HqRows: the HQ store's tables behind one interface, so that the store's logic (ingest, release,
// apply, downlink, the views: row_store.h) is written once and runs on SQLite (sqlite/) or
// PostgreSQL (postgres/). A backend holds one connection and runs every call inside the
// transaction the logic opened with begin(); it decides nothing: every rule (what a duplicate is,
// when to quarantine, how the ledger is projected) lives in the logic.
//
// Calls that take many rows (insert_events, record_events, load_owners, save_owners,
// insert_entries) take them all at once, so that a backend with round trips (PostgreSQL) makes one
// or a few per call instead of one per row.
//
// Ownership: a backend owns its connection. Thread-safety: none; one object per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hq/internal.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/journal_event.h"

namespace loyalty::sync::hq {

// The current chain of a terminal: its epoch and how far HQ holds and applied it.
struct ChainRow {
  std::string epoch;
  std::int64_t held_seq = 0;
  std::string held_hash;
  std::int64_t applied_seq = 0;
};

struct TerminalRow {
  std::string epoch;
  bool quarantined = false;
  std::string reason;
};

// What HQ holds of one seq: enough to tell a duplicate from other content, and to follow links.
struct HeldEvent {
  std::string payload_hash;
  std::string prev_hash;
};

// An event to store: the wire event and its business date ("YYYY-MM-DD", journal_event.h).
struct NewJournalRow {
  const WireEvent* event = nullptr;
  std::string business_date;
};

// A chain with held events not yet applied (of a terminal that is not quarantined).
struct PendingChain {
  TerminalIdentity terminal;
  std::string epoch;
  std::int64_t applied_seq = 0;
  std::int64_t held_seq = 0;
};

// One journal row as apply() reads it.
struct StoredEvent {
  EventKey key;
  std::string kind;
  std::string receipt_id;
  std::string payload;
  std::string annex;
};

// A published downlink item as stored (body_codec.cc encodes and decodes body/large).
struct StoredItem {
  std::int64_t version = 0;
  std::string store_id;
  Timestamp published_at;
  std::string kind;
  std::string body;
  std::string large;
};

// A customer's visible state for a store's downlink (customers HQ projected whose events that
// store's terminals sent).
struct CustomerItemRow {
  std::int64_t state_version = 0;
  Timestamp changed_at;
  std::string pseudonym;
  std::int64_t balance_points = 0;  // balance minus what is owed
  std::optional<Timestamp> expires_at;
  std::optional<std::string> tier;
  bool flagged = false;
  std::optional<Timestamp> review_at;
  std::int64_t period_spend = 0;
  std::int64_t period_points = 0;
};

// An event apply() recorded, with the pseudonyms it concerns.
// The entries of one projection, written by `owner` ('' for movements of no pseudonym).
struct OwnedEntries {
  std::string_view owner;
  std::span<const NewEntry> entries;
};

struct RecordedEvent {
  const ParsedEvent* event = nullptr;
  std::vector<std::string> owners;
};

// The SQL of ledger_stock, the same on every backend, up to the bound instant at its end: the
// floor accounts (customer_points:, company_points:) hold what the chain owes, the receivables
// what the customers owe it.
inline constexpr std::string_view ledger_stock_sql =
    "SELECT COALESCE(SUM(CASE WHEN substr(credit, 1, 16) = 'customer_points:' OR "
    "substr(credit, 1, 15) = 'company_points:' THEN points ELSE 0 END) - SUM(CASE WHEN "
    "substr(debit, 1, 16) = 'customer_points:' OR substr(debit, 1, 15) = 'company_points:' "
    "THEN points ELSE 0 END), 0), COALESCE(SUM(CASE WHEN substr(debit, 1, 21) = "
    "'overdraft_receivable:' THEN points ELSE 0 END) - SUM(CASE WHEN substr(credit, 1, 21) = "
    "'overdraft_receivable:' THEN points ELSE 0 END), 0) FROM entries WHERE at < ";

class HqRows {
 public:
  virtual ~HqRows() = default;

  // --- Transactions: every other call runs inside one ---
  // `write`: the transaction will write (SQLite: BEGIN IMMEDIATE). Busy/serialisation failures
  // are ErrorCode::busy, so that a caller may retry the whole method.
  virtual Status begin(bool write) = 0;
  virtual Status commit() = 0;
  // Ends the open transaction without its changes; a no-op when none is open.
  virtual void rollback() noexcept = 0;

  // --- Terminals and their chains ---
  virtual Result<std::optional<TerminalRow>> load_terminal(const TerminalIdentity& terminal) = 0;
  virtual Status insert_terminal(const TerminalIdentity& terminal, std::string_view epoch) = 0;
  virtual Status set_terminal_epoch(const TerminalIdentity& terminal, std::string_view epoch) = 0;
  virtual Status touch_terminal(const TerminalIdentity& terminal, Timestamp last_batch_at) = 0;
  // Quarantines the terminal with `reason` unless it is quarantined already (the first reason
  // stays).
  virtual Status set_quarantine(const TerminalIdentity& terminal, std::string_view reason,
                                Timestamp at) = 0;
  virtual Status clear_quarantine(const TerminalIdentity& terminal) = 0;
  virtual Result<std::optional<ChainRow>> load_chain(const TerminalIdentity& terminal,
                                                     std::string_view epoch) = 0;
  // A new chain (held 0, applied 0) started at `now`.
  virtual Status insert_chain(const TerminalIdentity& terminal, std::string_view epoch,
                              Timestamp now) = 0;
  virtual Status retire_chain(const TerminalIdentity& terminal, std::string_view epoch,
                              Timestamp now) = 0;
  // Writes held_seq, held_hash and applied_seq.
  virtual Status save_chain(const TerminalIdentity& terminal, const ChainRow& chain) = 0;
  virtual Status raise_alert(const TerminalIdentity& terminal, std::string_view message,
                             Timestamp at) = 0;
  // The first of `count` (>= 1) consecutive numbers taken from the one versions counter
  // (downlink items, customer states), as `count` calls of next_version would give them.
  virtual Result<std::int64_t> reserve_versions(std::int64_t count) = 0;
  Result<std::int64_t> next_version() { return reserve_versions(1); }

  // --- The journal ---
  // What HQ holds of seqs [from_seq, to_seq] of the chain, by seq.
  virtual Result<std::map<std::int64_t, HeldEvent>> held_events(const TerminalIdentity& terminal,
                                                                std::string_view epoch,
                                                                std::int64_t from_seq,
                                                                std::int64_t to_seq) = 0;
  // Stores `rows` (seqs HQ does not hold: held_events said so in this transaction), received at
  // `now`. A row whose key exists already is left as it is (idempotent: ON CONFLICT DO NOTHING);
  // returns how many rows were new.
  virtual Result<std::int64_t> insert_events(const TerminalIdentity& terminal,
                                             std::string_view epoch,
                                             std::span<const NewJournalRow> rows,
                                             Timestamp now) = 0;
  // The seqs held above `after_seq`, in order, up to `limit` of them: (seq -> hashes).
  virtual Result<std::vector<std::pair<std::int64_t, HeldEvent>>> events_after(
      const TerminalIdentity& terminal, std::string_view epoch, std::int64_t after_seq,
      std::size_t limit) = 0;
  // Deletes what the chain holds from `from_seq` on; returns how many events.
  virtual Result<std::int64_t> drop_events_from(const TerminalIdentity& terminal,
                                                std::string_view epoch, std::int64_t from_seq) = 0;
  // Every event of `scan` in projection order, to `visit`; stops at visit's first error.
  virtual Status scan_journal(const JournalScan& scan,
                              const std::function<Status(JournalEvent&&)>& visit) = 0;

  // --- apply() ---
  // Ordered by (store, terminal, retired chains before the current one, started_at).
  virtual Result<std::vector<PendingChain>> pending_chains() = 0;
  // Up to `limit` events of the chain with seq in (after_seq, up_to_seq], by seq.
  virtual Result<std::vector<StoredEvent>> chain_events(const PendingChain& chain,
                                                        std::int64_t after_seq,
                                                        std::int64_t up_to_seq,
                                                        std::size_t limit) = 0;
  virtual Status set_applied(const TerminalIdentity& terminal, std::string_view epoch,
                             std::int64_t applied_seq) = 0;
  // For each event: its no-op note (when it has one), its index entries by pseudonym and its
  // store's customers (both idempotent).
  virtual Status record_events(std::span<const RecordedEvent> events) = 0;
  // The applied events touching `pseudonym`, in projection order.
  virtual Result<std::vector<StoredEvent>> owner_events(std::string_view pseudonym) = 0;
  // The saved states of `pseudonyms`, in the same order; a fresh state (state_version 0) for one
  // HQ has not projected.
  virtual Result<std::vector<OwnerState>> load_owners(std::span<const std::string> pseudonyms) = 0;
  // Replaces each state's customers row and open lots.
  virtual Status save_owners(std::span<const OwnerState* const> states, Timestamp changed_at) = 0;
  // Appends the entries of each run in order, numbered one more than the largest entry_id.
  virtual Status insert_entries(std::span<const OwnedEntries> runs) = 0;
  Status insert_entries(std::string_view owner, std::span<const NewEntry> entries) {
    const OwnedEntries run{owner, entries};
    return insert_entries(std::span<const OwnedEntries>(&run, 1));
  }
  virtual Status delete_entries(std::string_view owner) = 0;
  // The pseudonyms with an open lot expiring at or before `now`.
  virtual Result<std::vector<std::string>> owners_with_lots_due(Timestamp now) = 0;

  // --- The downlink ---
  virtual Status insert_item(const StoredItem& item) = 0;
  // Items for the chain ('') and `store_id` after `after`, by version, at most `limit`.
  virtual Result<std::vector<StoredItem>> items_after(std::string_view store_id,
                                                      std::int64_t after, std::size_t limit) = 0;
  virtual Result<std::vector<CustomerItemRow>> customers_after(std::string_view store_id,
                                                               std::int64_t after,
                                                               std::size_t limit) = 0;
  // The latest version a terminal of `store_id` could be sent: items and its customers (0: none).
  virtual Result<std::int64_t> latest_for(std::string_view store_id) = 0;

  // --- Views ---
  virtual Result<std::vector<TerminalStatus>> terminal_statuses() = 0;
  virtual Result<std::vector<Alert>> all_alerts() = 0;
  // The newest `limit` entries of `pseudonym`, newest last.
  virtual Result<std::vector<HqEntry>> history(std::string_view pseudonym, std::size_t limit) = 0;
  virtual Result<HqTotals> sum_totals() = 0;
  // HqStore::scan_entries and ledger_stock.
  virtual Status scan_entries(Timestamp from, Timestamp until,
                              const std::function<Status(const LedgerEntryRow&)>& visit) = 0;
  virtual Result<LedgerStock> ledger_stock(Timestamp until) = 0;
};

}  // namespace loyalty::sync::hq
