// The "loyalty-hq-backtest-v1" document: a program replayed over past receipts, what it would
// have given (simulated) beside what the receipts got (actual), as loyalty-hq writes it and
// backtest_page.cc shows it. Private to sync/src/report.
//
//   {"format": "loyalty-hq-backtest-v1",
//    "program": {"id": "fm-next", "version": 4},
//    "from": "2026-12-05", "to": "2026-12-07", "time_zone": "UTC",   from <= to
//    "stores_filter": ["FM014"],                 the --stores asked for; [] for all
//    "receipts": 1000, "identified": 700,        identified <= receipts
//    "skipped": [{"reason": "payload is not a quote", "count": 3}],
//    "total": DIFF,
//    "stores": [{"store_id": "FM014", ...DIFF's members}, ...],
//    "tier_changes": {"count": 12, "up": 8, "down": 4,
//                     "customers": [{"pseudonym": "ps1_...", "actual": "silver",
//                                    "simulated": "gold"}, ...]},   at most 100; a tier may
//                                                                    be "" (the entry tier)
//    "elapsed_ms": 1234, "threads": 2}
//   DIFF = {"receipts": 400,
//           "discount_minor":   {"actual": 1000, "simulated": 1200, "difference": 200},
//           "points_issued":    MEASURE, "points_redeemed": MEASURE,
//           "liability_points": MEASURE,
//           "tier_changes": 5,
//           "refunds": {"count": 2, "points_reversed": 120,       optional: refund events as
//                       "points_restored": 40,                    they happened, not replayed
//                       "money_refund_minor": 2599}}
//
// A measure's difference is simulated - actual; actual and simulated are >= 0 but for
// liability_points. Thread-safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::sync::report {

inline constexpr std::string_view backtest_format = "loyalty-hq-backtest-v1";

struct Measure {
  std::int64_t actual = 0;
  std::int64_t simulated = 0;
  std::int64_t difference = 0;  // simulated - actual
};

struct Refunds {
  std::int64_t count = 0;
  std::int64_t points_reversed = 0;
  std::int64_t points_restored = 0;
  std::int64_t money_refund_minor = 0;
};

struct Diff {
  std::string store_id;  // "" for the total
  std::int64_t receipts = 0;
  Measure discount_minor;
  Measure points_issued;
  Measure points_redeemed;
  Measure liability_points;
  std::int64_t tier_changes = 0;
  std::optional<Refunds> refunds;
};

struct Skip {
  std::string reason;
  std::int64_t count = 0;
};

struct TierChange {
  std::string pseudonym;
  std::string actual;     // "" for the entry tier
  std::string simulated;  // "" for the entry tier
};

struct BacktestDocument {
  std::string program_id;
  std::int64_t program_version = 0;
  std::string from;
  std::string to;
  std::string time_zone;
  std::vector<std::string> stores_filter;
  std::int64_t receipts = 0;
  std::int64_t identified = 0;
  std::vector<Skip> skipped;
  Diff total;
  std::vector<Diff> stores;
  std::int64_t tier_changes = 0;
  std::int64_t tiers_up = 0;
  std::int64_t tiers_down = 0;
  std::vector<TierChange> customers;
  std::int64_t elapsed_ms = 0;
  std::int64_t threads = 0;
};

// Reads and checks a backtest document; errors as document_reader.h says ("backtest: ...").
Result<BacktestDocument> read_backtest_document(std::string_view text);

}  // namespace loyalty::sync::report
