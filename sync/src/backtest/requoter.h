// Requoter: one worker's pipeline for one journal event: read it, rebuild the receipt and the
// customer, quote under the new program and tally the two sets of figures (a refund is only
// counted). Internal to the backtest.
//
// Thread-safety: one per worker thread; it borrows the Shared state, read-only and shared by all
// workers. Ownership: owns its Quoter, its Quote and its reusable buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backtest/program_index.h"
#include "backtest/rebuild.h"
#include "backtest/stored_event.h"
#include "backtest/tally.h"
#include "loyalty/core/engine.h"
#include "loyalty/sync/journal_event.h"

namespace loyalty::sync::backtest {

// What every worker reads: the new program (a copy without effective_from), the programs the
// receipts were quoted with, and the zone. Immutable while the workers run.
struct Shared {
  Shared(const Program& program, const BacktestOptions& options);

  // The program a stored quote of this id and version was made with, else the new program.
  const ProgramIndex& reference_for(std::string_view program_id, std::int64_t version) const;

  Program program;
  ProgramIndex target;
  std::vector<ProgramIndex> quoted;             // sorted by (id, version)
  std::unique_ptr<FixedOffsetZone> fixed_zone;  // when BacktestOptions::zone is null
  const TimeZone* zone = nullptr;               // never null
};

class Requoter {
 public:
  explicit Requoter(const Shared& shared) : shared_(&shared) {}

  // `order`: the event's place in the stream (later events have a higher one).
  void process(const JournalEvent& event, std::int64_t order, Tally& tally);

 private:
  void checkout(const JournalEvent& event, std::int64_t order, Tally& tally);
  void refund(const JournalEvent& event, Tally& tally);
  Status rebuild(const JournalEvent& event, const RebuildContext& context);
  Status quote_again();

  const Shared* shared_;
  Quoter quoter_;
  Quote quote_;
  StoredQuote stored_;
  StoredAnnex annex_;
  Rebuilt rebuilt_;
};

}  // namespace loyalty::sync::backtest
