// The "loyalty-hq-report-v1" document: the chain's figures over a range of business dates, as
// loyalty-hq writes it and report_page.cc shows it. Private to sync/src/report.
//
//   {"format": "loyalty-hq-report-v1",
//    "from": "2026-12-05", "to": "2026-12-07",   business dates, inclusive, from <= to
//    "time_zone": "Europe/Berlin",
//    "generated_at": "2026-12-08T02:00:00Z",
//    "currency": "EUR",                           "" when the receipts had several or none
//    "point_value": {"minor": 1, "points": 1},    the cost of points: minor units per points
//    "chain": SUMMARY,
//    "stores": [{"store_id": "FM014", ...SUMMARY's members}, ...],   by store_id
//    "days": [{"date": "2026-12-05", "receipts": 120, "member_receipts": 80,
//              "points_issued": 900, "points_redeemed": 100}, ...]}  the chain per day, every
//                                                                     day from..to in order
//   SUMMARY = {
//    "receipts": 120, "member_receipts": 80,            member_receipts <= receipts
//    "loyalty_share_bp": 6667,                          0..10000
//    "average_check_minor": {"members": 4590, "non_members": 2310},
//    "members": 40, "visits_per_member_milli": 2000,
//    "points": {"issued": 900, "redeemed": 100, "expired": 20, "donated": 5},
//    "liability": {"change_points": 775, "end_points": 12345},   end_points: null for a store
//    "overdrafts": {"opened_points": 12, "end_points": 40},      end_points: null for a store
//    "top_rules": [{"source": "rule:glow-card", "discount_minor": 3250, "points": 0,
//                   "cost_minor": 3250, "receipts": 40}, ...],   at most 10, by cost
//    "budgets": [{"budget": "autumn-serum-money", "unit": "money" | "points",
//                 "period": "campaign", "used": 500}, ...]}      used in minor units or points
//
// Every count, amount and point figure is an integer >= 0 but liability.change_points, which may
// be negative. Thread-safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::sync::report {

inline constexpr std::string_view report_format = "loyalty-hq-report-v1";

struct RuleCost {
  std::string source;  // "rule:glow-card"
  std::int64_t discount_minor = 0;
  std::int64_t points = 0;
  std::int64_t cost_minor = 0;
  std::int64_t receipts = 0;
};

enum class BudgetUnit { money, points };

struct BudgetUse {
  std::string budget;
  BudgetUnit unit = BudgetUnit::money;
  std::string period;
  std::int64_t used = 0;  // minor units or points, as `unit` says
};

struct Summary {
  std::string store_id;  // "" for the chain
  std::int64_t receipts = 0;
  std::int64_t member_receipts = 0;
  std::int64_t loyalty_share_bp = 0;
  std::int64_t average_members_minor = 0;
  std::int64_t average_non_members_minor = 0;
  std::int64_t members = 0;
  std::int64_t visits_per_member_milli = 0;
  std::int64_t points_issued = 0;
  std::int64_t points_redeemed = 0;
  std::int64_t points_expired = 0;
  std::int64_t points_donated = 0;
  std::int64_t liability_change_points = 0;
  std::int64_t liability_end_points = 0;  // the chain's; null in a store's summary
  std::int64_t overdrafts_opened_points = 0;
  std::int64_t overdrafts_end_points = 0;  // the chain's; null in a store's summary
  std::vector<RuleCost> top_rules;
  std::vector<BudgetUse> budgets;
};

struct DayTotals {
  std::string date;  // YYYY-MM-DD
  std::int64_t receipts = 0;
  std::int64_t member_receipts = 0;
  std::int64_t points_issued = 0;
  std::int64_t points_redeemed = 0;
};

struct ReportDocument {
  std::string from;
  std::string to;
  std::string time_zone;
  std::string generated_at;
  std::string currency;
  std::int64_t point_value_minor = 0;
  std::int64_t point_value_points = 1;
  Summary chain;
  std::vector<Summary> stores;
  std::vector<DayTotals> days;
};

// Reads and checks a report document; errors as document_reader.h says ("report: ...").
Result<ReportDocument> read_report_document(std::string_view text);

}  // namespace loyalty::sync::report
