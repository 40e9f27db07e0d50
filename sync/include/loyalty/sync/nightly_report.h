// The nightly report: what happened in the chain over a range of business days, per store and
// in total, as the "loyalty-hq-report-v1" document that render_report_html (report_html.h) turns
// into a page. docs/hq-report.md defines every figure; in short:
// - receipts: checkout events of the days; member receipts those of an identified customer; the
//   loyalty share member/all in basis points; the average check (the quote's net_minor, after
//   discounts, before points tender) of members and of non-members; visits per member;
// - points issued (earn − reverse_earn), redeemed (burn + reward − restore_burn), expired and
//   donated, from the HQ ledger's entries of those days, and the liability and overdrafts: their
//   change over the days and (for the chain) their stock at the end of the last day;
// - the top rules by cost: each source's discounts plus its points valued at the point value;
// - the campaign budgets' use, by budget and period.
// Every amount is an integer; each division rounds half up (named in the document's notes).
//
// Thread-safety: functions of their arguments; the store is used by the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync {

// The cost of points: `minor` minor units per `points` points (both > 0): 1/1 is a cent a point.
struct PointValue {
  std::int64_t minor = 1;
  std::int64_t points = 1;
};

struct ReportOptions {
  std::string from_date;  // "YYYY-MM-DD", business dates, inclusive
  std::string to_date;
  BusinessZone zone;  // the store's business zone (null: UTC)
  PointValue point_value;
  Timestamp generated_at;
  std::vector<std::string> stores;  // empty: every store
  std::size_t top_rules_max = 10;
};

// The report document (compact JSON). invalid_argument for dates that are not dates, a range
// backwards or longer than limits::hq_report_days_max, a point value that is not positive.
Result<std::string> nightly_report_json(HqStore& store, const ReportOptions& options);

// "a/b" -> PointValue{a, b}; invalid_argument otherwise.
Result<PointValue> parse_point_value(std::string_view text);

}  // namespace loyalty::sync
