// RowStore: HqStore's logic over an HqRows backend (rows.h, row_store.h). Each public method
// runs in one transaction of the backend's; the parts live in ingest.cc, release.cc, apply.cc,
// downlink.cc and reports.cc, the shared steps in store_rows.cc.
//
// Ownership: owns its backend. Thread-safety: none (one object per thread).
#pragma once

#include <memory>
#include <string>

#include "hq/internal.h"
#include "hq/rows.h"

namespace loyalty::sync::hq {

// One transaction of a backend: rolled back when it goes out of scope uncommitted.
class RowTransaction {
 public:
  static Result<RowTransaction> begin(HqRows& rows, bool write);
  RowTransaction(RowTransaction&& other) noexcept : rows_(other.rows_) { other.rows_ = nullptr; }
  RowTransaction& operator=(RowTransaction&&) = delete;
  ~RowTransaction();
  Status commit();

 private:
  explicit RowTransaction(HqRows& rows) : rows_(&rows) {}
  HqRows* rows_;
};

class RowStore final : public HqStore {
 public:
  RowStore(std::unique_ptr<HqRows> rows, BusinessZone zone)
      : rows_(std::move(rows)), zone_(std::move(zone)) {}

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
  Status scan_journal(const JournalScan& scan,
                      const std::function<Status(JournalEvent&&)>& visit) override;
  Status scan_entries(Timestamp from, Timestamp until,
                      const std::function<Status(const LedgerEntryRow&)>& visit) override;
  Result<LedgerStock> ledger_stock(Timestamp until) override;

 private:
  std::unique_ptr<HqRows> rows_;
  BusinessZone zone_;
};

// --- Shared steps (store_rows.cc), inside the caller's transaction ---

// Advances held_seq over the stored events that follow it and link to it, and saves the chain.
Status advance_held(HqRows& rows, const TerminalIdentity& terminal, ChainRow& chain);
// Quarantines (the first reason stays) and raises the alert "quarantined: <reason>".
Status quarantine(HqRows& rows, const TerminalIdentity& terminal, std::string_view reason,
                  Timestamp at);
Ack make_ack(const TerminalIdentity& terminal, const std::optional<TerminalRow>& row,
             const std::optional<ChainRow>& chain);

}  // namespace loyalty::sync::hq
