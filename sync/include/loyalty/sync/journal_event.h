// One event of HQ's journal as a reader of the journal sees it (the nightly report, the what-if
// backtest): the terminal's ledger row exactly as it arrived, plus where HQ files it.
//
// `business_date` is the local calendar date of `created_at` in the chain's business time zone
// (HQ's configuration, UTC by default), written "YYYY-MM-DD"; the journal is partitioned by it.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/core/time.h"

namespace loyalty::sync {

struct JournalEvent {
  std::string store_id;
  std::string terminal_id;
  std::string epoch;
  std::int64_t seq = 0;
  std::string kind;        // "checkout", "refund", "hq_update", ...
  std::string receipt_id;  // "" when not about a receipt
  std::string payload;     // the event's JSON text (a checkout: the quote, quote_to_json)
  std::string annex;       // the ledger annex's JSON text ("" when the event has none)
  Timestamp created_at;
  std::string business_date;  // "YYYY-MM-DD"
};

// Which journal events a reader wants: business dates [from_date, to_date] (inclusive,
// "YYYY-MM-DD"), of the listed stores (empty: every store) and kinds (empty: every kind).
// Events come ordered by (created_at, store_id, terminal_id, epoch, seq): the HQ ledger's
// projection order.
struct JournalScan {
  std::string from_date;
  std::string to_date;
  std::vector<std::string> stores;
  std::vector<std::string> kinds;
};

}  // namespace loyalty::sync
