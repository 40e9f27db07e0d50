// SqliteHqStore: HqStore over one SQLite file (hq_store.h). Each public method runs in one
// transaction of its own; the parts live in ingest.cc, release.cc, apply.cc, downlink.cc and
// reports.cc.
//
// Ownership: owns its Database. Thread-safety: none (one object per thread).
#pragma once

#include <string>

#include "hq/internal.h"
#include "loyalty/storage/database.h"
#include "loyalty/storage/transaction.h"

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

class SqliteHqStore final : public HqStore {
 public:
  explicit SqliteHqStore(storage::Database db) : db_(std::move(db)) {}

  Result<IngestOutcome> ingest(const TerminalIdentity& from, const Batch& batch,
                               Timestamp now) override;
  Result<Ack> uplink_state(const TerminalIdentity& terminal) override;
  Result<ApplyReport> apply(Timestamp now, std::size_t events_max) override;
  Result<std::vector<TerminalStatus>> terminals() override;
  Result<std::vector<Alert>> alerts() override;
  Status release(const TerminalIdentity& terminal, std::int64_t accept_from_seq,
                 std::string_view note, Timestamp now) override;
  Result<std::optional<CustomerReport>> customer(std::string_view pseudonym,
                                                 std::size_t history_max) override;
  Result<HqTotals> totals() override;
  Result<std::int64_t> publish(std::string_view store_id, const DownlinkBody& body,
                               Timestamp now) override;
  Result<Downlink> downlink(const TerminalIdentity& terminal, std::int64_t after,
                            std::size_t items_max) override;
  Result<std::int64_t> latest_version(std::string_view store_id) override;

 private:
  storage::Database db_;
};

// --- Shared row helpers (store_rows.cc), inside the caller's transaction ---

Result<std::optional<TerminalRow>> load_terminal(storage::Database& db,
                                                 const TerminalIdentity& terminal);
Result<std::optional<ChainRow>> load_chain(storage::Database& db, const TerminalIdentity& terminal,
                                           std::string_view epoch);
Status save_chain(storage::Database& db, const TerminalIdentity& terminal, const ChainRow& chain);
// Advances held_seq over the stored events that follow it and link to it.
Status advance_held(storage::Database& db, const TerminalIdentity& terminal, ChainRow& chain);
Status raise_alert(storage::Database& db, const TerminalIdentity& terminal,
                   std::string_view message, Timestamp at);
Status quarantine(storage::Database& db, const TerminalIdentity& terminal, std::string_view reason,
                  Timestamp at);
// The next number of the shared versions counter (downlink items, customer states).
Result<std::int64_t> next_version(storage::Database& db);
Ack make_ack(const TerminalIdentity& terminal, const std::optional<TerminalRow>& row,
             const std::optional<ChainRow>& chain);

}  // namespace loyalty::sync::hq
