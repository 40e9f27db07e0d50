// The nightly report's accumulators (nightly_report.h): one Figures per store and one for the
// chain, filled from the journal's checkouts (receipt_figures.cc) and the HQ ledger's entries,
// then written as the document (report_document.cc).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/sync/journal_event.h"

namespace loyalty::sync::report {

struct SourceCost {
  std::int64_t discount_minor = 0;
  std::int64_t points = 0;
  std::int64_t receipts = 0;  // receipts on which the source gave something
};

struct Figures {
  std::int64_t receipts = 0;
  std::int64_t member_receipts = 0;
  std::int64_t member_net_minor = 0;
  std::int64_t non_member_net_minor = 0;
  std::set<std::string> members;  // pseudonyms of identified receipts ("unkeyed" not counted)
  std::int64_t issued = 0;
  std::int64_t redeemed = 0;
  std::int64_t expired = 0;
  std::int64_t donated = 0;
  std::int64_t liability_change = 0;
  std::int64_t overdrafts_opened = 0;
  std::map<std::string, SourceCost> sources;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> budgets;  // (id, unit,
                                                                                      // period)
};

struct DayFigures {
  std::int64_t receipts = 0;
  std::int64_t member_receipts = 0;
  std::int64_t issued = 0;
  std::int64_t redeemed = 0;
};

// What one checkout adds to a store's and the chain's figures; the receipt's currency goes to
// `currency` ("" when its quote has none). A payload that is not a quote is counted as a receipt
// of a non-member with nothing else, and noted in `unreadable`.
struct ReceiptSink {
  Figures* store = nullptr;
  Figures* chain = nullptr;
  DayFigures* day = nullptr;
  std::string* currency = nullptr;
  std::int64_t* unreadable = nullptr;
};
void add_checkout(const JournalEvent& event, const ReceiptSink& sink);

// What one ledger entry adds (by its code) to `figures`.
void add_entry(std::string_view code, std::string_view debit, std::string_view credit,
               std::int64_t points, Figures& figures);
void add_entry(std::string_view code, std::int64_t points, DayFigures& day);

// The largest part of a point value (parse_point_value), so that ratio_half_up cannot overflow.

// a * num / den rounded half up (a, num >= 0, 0 < den; num, den <=
// limits::hq_point_value_part_max).
std::int64_t ratio_half_up(std::int64_t a, std::int64_t num, std::int64_t den);

}  // namespace loyalty::sync::report
