// JSON of what loyalty-hq reports: terminals, alerts, totals, a customer, an apply. Times are
// RFC 3339 UTC text, absent ones null; ids of HQ's own entries (no terminal) are null.
//
// Thread-safety: pure functions writing into the caller's Writer.
#pragma once

#include "loyalty/core/json.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::hq {

// {"store","terminal","epoch","held_seq","applied_seq","stored_beyond","lag_seconds",
//  "last_batch_at","quarantined","reason"}; lag_seconds: seconds from the last batch to `now`
// (null before the first), reason: null unless quarantined.
void write_terminal(json::Writer& out, const sync::TerminalStatus& status, Timestamp now);
// {"alert_id","store","terminal","message","raised_at"}.
void write_alert(json::Writer& out, const sync::Alert& alert);
// {"events","receipts","points_issued","points_redeemed","points_donated","points_expired",
//  "liability_points","overdraft_points"}.
void write_totals(json::Writer& out, const sync::HqTotals& totals);
// {"pseudonym","balance_points","overdraft_points","tier","review_at","period_spend_minor",
//  "period_points","receipts","spend_minor","flagged",
//  "history":[{"entry_id","debit","credit","points","code","at","store","terminal","seq",
//  "receipt_id"}]}.
void write_customer(json::Writer& out, const sync::CustomerReport& report);
// {"events_applied","customers_reprojected","entries_written"}.
void write_apply_report(json::Writer& out, const sync::ApplyReport& report);

}  // namespace loyalty::hq
