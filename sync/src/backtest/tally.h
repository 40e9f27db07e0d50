// Tally: one worker's sums while the backtest runs, merged into the result at the end. Every sum
// is order-independent and each customer's last receipt is chosen by the order of add(), so the
// merged result does not depend on how receipts were spread over the workers. Internal.
//
// Thread-safety: one per worker; merge() on the finishing thread after the workers joined.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "backtest/program_index.h"
#include "loyalty/sync/backtest.h"

namespace loyalty::sync::backtest {

// One receipt's figures (BacktestDiff says what each is).
struct ReceiptFigures {
  std::int64_t discount_minor = 0;
  std::int64_t points_issued = 0;
  std::int64_t points_redeemed = 0;
  std::int64_t points_donated = 0;
};

// A customer's latest receipt so far: its place in the stream, its store, and the tier after it
// as it happened and under the new program ("" = the entry tier).
struct LastReceipt {
  std::int64_t order = -1;
  std::string store_id;
  std::string actual;
  std::string simulated;
};

class Tally {
 public:
  void count_receipt(bool identified);
  void compared(std::string_view store_id, const ReceiptFigures& actual,
                const ReceiptFigures& simulated);
  void refund(std::string_view store_id, const BacktestRefunds& refund);
  void skipped(std::string_view reason);
  void customer_tier(std::string_view pseudonym, std::int64_t order, std::string_view store_id,
                     std::string_view actual, std::string_view simulated);

  void merge(Tally&& other);
  // The result's counts, stores, skips and tier changes (ranked by the new program's tiers).
  void fill(const ProgramIndex& target, std::size_t listed_max, BacktestResult& result) const;

 private:
  BacktestDiff& store(std::string_view store_id);

  std::int64_t receipts_ = 0;
  std::int64_t identified_ = 0;
  std::map<std::string, BacktestDiff, std::less<>> stores_;
  std::map<std::string, std::int64_t, std::less<>> skipped_;
  std::unordered_map<std::string, LastReceipt> last_;  // by pseudonym
  std::string key_;  // reused for lookups, so that a customer seen before costs no allocation
};

}  // namespace loyalty::sync::backtest
