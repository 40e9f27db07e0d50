// HqStore: the chain's central store behind one interface, so loyalty-hq runs on embedded SQLite
// (open_sqlite_hq_store, the default) or PostgreSQL (open_postgres_hq_store, hq_postgres.h).
//
// What a store keeps (docs/sync.md, "HQ"):
// - the journal: every event of every terminal, stored idempotently by (store, terminal, epoch,
//   seq) exactly as it arrived, hashes and links checked;
// - per terminal: its epoch, the highest contiguous seq held (the resume point) and its head hash,
//   and a quarantine when its chain broke, a seq came again with other content, or its epoch
//   went backwards. A quarantined terminal's batches are still kept, not applied;
// - the HQ ledger: double entry over pseudonymous accounts, a deterministic projection of the
//   journal ordered by (effective time, terminal, seq). It never rejects a completed till event:
//   a debit the balance lacks (an offline double redemption) becomes an overdraft receivable,
//   recovered from later earning, and the card is flagged; every step is an entry;
// - the downlink: versioned items published by operators, for the chain or one store.
//
// Every method is one transaction: an ingest returns its Ack only after the batch is durable
// (SQLite: synchronous=FULL; PostgreSQL: the commit), so an acknowledged batch survives a kill -9
// of loyalty-hq.
//
// Business dates. Each journal event is filed under the local date of its created_at in the
// chain's business time zone (UTC unless HQ was set up with another): the report's days and the
// PostgreSQL journal's partitions. A store remembers the zone it was created with and refuses to
// open with another, since the events already filed would then be on the wrong days.
//
// Thread-safety: one store object per thread; several may open the same SQLite file (writes are
// serialised by SQLite's lock; busy waits up to the busy timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/journal_event.h"

namespace loyalty::sync {

// Who sent a batch, from the client certificate (never from the batch itself).
struct TerminalIdentity {
  std::string store_id;
  std::string terminal_id;
  bool operator==(const TerminalIdentity&) const = default;
};

struct IngestOutcome {
  Ack ack;
  std::int64_t events_stored = 0;     // new events of this batch (0 for a repeat)
  std::int64_t events_duplicate = 0;  // events HQ already held with the same content
};

struct TerminalStatus {
  TerminalIdentity terminal;
  std::string epoch;
  std::int64_t held_seq = 0;       // highest contiguous seq held
  std::int64_t applied_seq = 0;    // highest seq applied to the HQ ledger
  std::int64_t stored_beyond = 0;  // events held above a gap (out of order), waiting for it
  std::optional<Timestamp> last_batch_at;
  std::optional<Timestamp> last_event_at;  // created_at of the newest event held
  bool quarantined = false;
  std::string quarantine_reason;
  std::optional<Timestamp> quarantined_at;
};

struct Alert {
  std::int64_t alert_id = 0;
  TerminalIdentity terminal;
  std::string message;
  Timestamp raised_at;
};

// One entry of the HQ ledger touching a pseudonym's accounts.
struct HqEntry {
  std::int64_t entry_id = 0;
  std::string debit;  // "<kind>" or "<kind>:<owner>", as in an event's movements
  std::string credit;
  std::int64_t points = 0;
  std::string code;           // a storage transfer code ("earn", "burn", "overdraft", ...)
  Timestamp at;               // the event's effective time
  TerminalIdentity terminal;  // empty for HQ's own entries (expiry at HQ)
  std::int64_t seq = 0;       // the event behind it; 0 for HQ's own entries
  std::string receipt_id;
};

struct CustomerReport {
  std::string pseudonym;
  std::int64_t balance_points = 0;     // customer_points:<pseudonym>, >= 0
  std::int64_t overdraft_points = 0;   // what overdraft_receivable:<pseudonym> is owed, >= 0
  std::optional<std::string> tier;     // the tier after the customer's latest receipt or return
  std::optional<Timestamp> review_at;  // the next tier review, as the latest event reported
  std::int64_t period_spend = 0;       // the tier period's spend and points, every store
  std::int64_t period_points = 0;
  std::int64_t receipts = 0;
  std::int64_t spend_minor = 0;  // net spend of the receipts, returns deducted
  bool flagged = false;          // an overdraft is (or was, until recovered) open
  std::vector<HqEntry> history;  // newest last, at most the `history_max` asked
};

struct ApplyReport {
  std::int64_t events_applied = 0;
  std::int64_t customers_reprojected = 0;  // customers rebuilt because an event arrived late
  std::int64_t entries_written = 0;
};

struct HqTotals {
  std::int64_t events = 0;
  std::int64_t receipts = 0;         // checkout events applied
  std::int64_t points_issued = 0;    // earn, net of reverse_earn
  std::int64_t points_redeemed = 0;  // burn + reward, net of restore_burn
  std::int64_t points_donated = 0;
  std::int64_t points_expired = 0;
  std::int64_t liability_points = 0;  // Σ customer balances
  std::int64_t overdraft_points = 0;  // Σ receivables owed
};

// One entry of the HQ ledger as the nightly report reads it.
struct LedgerEntryRow {
  Timestamp at;          // the event's effective time (HQ's expiry: when the lot expired)
  std::string store_id;  // "" for HQ's own entries (expiry)
  std::string code;      // "earn", "burn", "reward", "donate", "expire", "overdraft", ...
  std::int64_t points = 0;
  std::string debit;
  std::string credit;
};

// The points the chain owes its customers and what they owe it, as of an instant.
struct LedgerStock {
  std::int64_t liability_points = 0;  // Σ customer_points and company_points balances
  std::int64_t overdraft_points = 0;  // Σ overdraft_receivable balances
};

class HqStore {
 public:
  virtual ~HqStore() = default;

  // Stores `batch` from `from` (the certificate's terminal). Fails with invalid_argument when
  // the batch names another store or terminal than the certificate (nothing stored), and with
  // io_error/busy for the store itself. A broken chain, a reused seq with other content or an
  // epoch going backwards is not an error: the terminal is quarantined, the batch kept, and the
  // Ack says so. Durable before it returns.
  virtual Result<IngestOutcome> ingest(const TerminalIdentity& from, const Batch& batch,
                                       Timestamp now) = 0;
  // The Ack HQ would give now (the resume point), without a batch.
  virtual Result<Ack> uplink_state(const TerminalIdentity& terminal) = 0;

  // Applies what is held and not yet applied (quarantined terminals excepted) to the HQ ledger,
  // at most `events_max` events per call; lots that expired by `now` become breakage.
  virtual Result<ApplyReport> apply(Timestamp now, std::size_t events_max) = 0;

  virtual Result<std::vector<TerminalStatus>> terminals() = 0;
  virtual Result<std::vector<Alert>> alerts() = 0;
  // Lifts a quarantine after an operator's inspection. `accept_from_seq`: what HQ holds from that
  // seq on is dropped so the terminal resends it (0: keep everything held). Fails with not_found
  // for an unknown terminal, conflict when it is not quarantined.
  virtual Status release(const TerminalIdentity& terminal, std::int64_t accept_from_seq,
                         std::string_view note, Timestamp now) = 0;

  virtual Result<std::optional<CustomerReport>> customer(std::string_view pseudonym,
                                                         std::size_t history_max) = 0;
  virtual Result<HqTotals> totals() = 0;

  // Publishes a downlink item for `store_id` ("" for the chain); returns its version.
  virtual Result<std::int64_t> publish(std::string_view store_id, const DownlinkBody& body,
                                       Timestamp now) = 0;
  // The items after `after` for a terminal of `store_id` (chain-wide and the store's own), at
  // most `items_max`. Customer items are computed here for the customers whose events this
  // store's terminals sent, when their HQ state changed since `after`.
  virtual Result<Downlink> downlink(const TerminalIdentity& terminal, std::int64_t after,
                                    std::size_t items_max) = 0;
  // The latest version any terminal of `store_id` could be sent (0 when none).
  virtual Result<std::int64_t> latest_version(std::string_view store_id) = 0;

  // Every journal event `scan` selects, in projection order, to `visit` (which may move from
  // it); stops at visit's first error and returns it. One read transaction.
  virtual Status scan_journal(const JournalScan& scan,
                              const std::function<Status(JournalEvent&&)>& visit) = 0;
  // Every HQ ledger entry with from <= at < until, in no particular order, to `visit`.
  virtual Status scan_entries(Timestamp from, Timestamp until,
                              const std::function<Status(const LedgerEntryRow&)>& visit) = 0;
  // The stock of points from the entries with at < until.
  virtual Result<LedgerStock> ledger_stock(Timestamp until) = 0;
};

// The chain's business time zone, shared by the store's threads (immutable). Null: UTC.
using BusinessZone = std::shared_ptr<const TimeZone>;

struct SqliteHqOptions {
  int busy_timeout_ms = 5000;
  BusinessZone business_zone;
};

// Opens (creating and migrating) the SQLite HQ store at `path`.
Result<std::unique_ptr<HqStore>> open_sqlite_hq_store(const std::string& path,
                                                      const SqliteHqOptions& options = {});

}  // namespace loyalty::sync
