// Tally: sums per store, skip reasons, customers' last receipts; merged and turned into the
// result's lists.

#include "backtest/tally.h"

#include <algorithm>
#include <vector>

namespace loyalty::sync::backtest {

namespace {

void add_figure(BacktestFigure& figure, std::int64_t actual, std::int64_t simulated) {
  figure.actual += actual;
  figure.simulated += simulated;
}

void add_diff(BacktestDiff& into, const BacktestDiff& from) {
  into.receipts += from.receipts;
  add_figure(into.discount_minor, from.discount_minor.actual, from.discount_minor.simulated);
  add_figure(into.points_issued, from.points_issued.actual, from.points_issued.simulated);
  add_figure(into.points_redeemed, from.points_redeemed.actual, from.points_redeemed.simulated);
  add_figure(into.liability_points, from.liability_points.actual, from.liability_points.simulated);
  into.tier_changes += from.tier_changes;
  into.refunds.count += from.refunds.count;
  into.refunds.points_reversed += from.refunds.points_reversed;
  into.refunds.points_restored += from.refunds.points_restored;
  into.refunds.money_refund_minor += from.refunds.money_refund_minor;
}

std::int64_t liability(const ReceiptFigures& figures) {
  return figures.points_issued - figures.points_redeemed - figures.points_donated;
}

}  // namespace

BacktestDiff& Tally::store(std::string_view store_id) {
  auto it = stores_.find(store_id);
  if (it == stores_.end()) it = stores_.emplace(std::string(store_id), BacktestDiff{}).first;
  return it->second;
}

void Tally::count_receipt(bool identified) {
  ++receipts_;
  if (identified) ++identified_;
}

void Tally::compared(std::string_view store_id, const ReceiptFigures& actual,
                     const ReceiptFigures& simulated) {
  BacktestDiff& diff = store(store_id);
  ++diff.receipts;
  add_figure(diff.discount_minor, actual.discount_minor, simulated.discount_minor);
  add_figure(diff.points_issued, actual.points_issued, simulated.points_issued);
  add_figure(diff.points_redeemed, actual.points_redeemed, simulated.points_redeemed);
  add_figure(diff.liability_points, liability(actual), liability(simulated));
}

void Tally::refund(std::string_view store_id, const BacktestRefunds& refund) {
  BacktestDiff single;
  single.refunds = refund;
  add_diff(store(store_id), single);
}

void Tally::skipped(std::string_view reason) {
  auto it = skipped_.find(reason);
  if (it != skipped_.end()) {
    ++it->second;
  } else if (skipped_.size() < backtest_skip_reasons_max) {
    skipped_.emplace(std::string(reason), 1);
  } else {
    ++skipped_["other reasons (more than " + std::to_string(backtest_skip_reasons_max) +
               " distinct)"];
  }
}

void Tally::customer_tier(std::string_view pseudonym, std::int64_t order, std::string_view store_id,
                          std::string_view actual, std::string_view simulated) {
  key_.assign(pseudonym);
  auto it = last_.find(key_);
  if (it == last_.end()) it = last_.emplace(key_, LastReceipt{}).first;
  LastReceipt& last = it->second;
  if (order <= last.order) return;
  last.order = order;
  last.store_id = store_id;
  last.actual = actual;
  last.simulated = simulated;
}

void Tally::merge(Tally&& other) {
  receipts_ += other.receipts_;
  identified_ += other.identified_;
  for (auto& [store_id, diff] : other.stores_) add_diff(store(store_id), diff);
  for (auto& [reason, count] : other.skipped_) skipped_[reason] += count;
  for (auto& [pseudonym, theirs] : other.last_) {
    LastReceipt& mine = last_[pseudonym];
    if (theirs.order > mine.order) mine = std::move(theirs);
  }
}

namespace {

// Up (+1), down (-1) or a tier the new program does not have (0), by the new program's order.
int direction(const ProgramIndex& target, const LastReceipt& last) {
  const auto rank = [&target](const std::string& tier) -> std::optional<std::uint32_t> {
    return tier.empty() ? std::optional<std::uint32_t>(0) : target.tier_rank(tier);
  };
  const std::optional<std::uint32_t> actual = rank(last.actual);
  const std::optional<std::uint32_t> simulated = rank(last.simulated);
  if (!actual || !simulated) return 0;
  return *simulated > *actual ? 1 : (*simulated < *actual ? -1 : 0);
}

}  // namespace

void Tally::fill(const ProgramIndex& target, std::size_t listed_max, BacktestResult& result) const {
  result.receipts = receipts_;
  result.identified = identified_;
  std::map<std::string, BacktestDiff, std::less<>> stores = stores_;
  std::vector<BacktestTierChange> changes;
  for (const auto& [pseudonym, last] : last_) {
    if (last.actual == last.simulated) continue;
    ++result.tier_changes.count;
    const int moved = direction(target, last);
    if (moved > 0) ++result.tier_changes.up;
    if (moved < 0) ++result.tier_changes.down;
    ++stores[last.store_id].tier_changes;
    changes.push_back(BacktestTierChange{pseudonym, last.actual, last.simulated});
  }
  std::sort(changes.begin(), changes.end(),
            [](const auto& a, const auto& b) { return a.pseudonym < b.pseudonym; });
  if (changes.size() > listed_max) changes.resize(listed_max);
  result.tier_changes.customers = std::move(changes);
  for (const auto& [store_id, diff] : stores) {
    add_diff(result.total, diff);
    result.stores.push_back(BacktestStore{store_id, diff});
  }
  for (const auto& [reason, count] : skipped_)
    result.skipped.push_back(BacktestSkip{reason, count});
  std::sort(result.skipped.begin(), result.skipped.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.reason < b.reason;
  });
}

}  // namespace loyalty::sync::backtest
