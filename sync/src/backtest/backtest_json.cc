// backtest_to_json(): the "loyalty-hq-backtest-v1" document (docs/backtest.md).

#include "loyalty/core/json.h"
#include "loyalty/sync/backtest.h"

namespace loyalty::sync {

namespace {

void write_figure(json::Writer& w, std::string_view key, const BacktestFigure& figure) {
  w.key(key);
  w.begin_object();
  w.key("actual");
  w.value(figure.actual);
  w.key("simulated");
  w.value(figure.simulated);
  w.key("difference");
  w.value(figure.difference());
  w.end_object();
}

// The members of a DIFF, inside an object the caller opened.
void write_diff_members(json::Writer& w, const BacktestDiff& diff) {
  w.key("receipts");
  w.value(diff.receipts);
  write_figure(w, "discount_minor", diff.discount_minor);
  write_figure(w, "points_issued", diff.points_issued);
  write_figure(w, "points_redeemed", diff.points_redeemed);
  write_figure(w, "liability_points", diff.liability_points);
  w.key("tier_changes");
  w.value(diff.tier_changes);
  w.key("refunds");
  w.begin_object();
  w.key("count");
  w.value(diff.refunds.count);
  w.key("points_reversed");
  w.value(diff.refunds.points_reversed);
  w.key("points_restored");
  w.value(diff.refunds.points_restored);
  w.key("money_refund_minor");
  w.value(diff.refunds.money_refund_minor);
  w.end_object();
}

void write_header(json::Writer& w, const BacktestResult& result) {
  w.key("format");
  w.value("loyalty-hq-backtest-v1");
  w.key("program");
  w.begin_object();
  w.key("id");
  w.value(result.program_id);
  w.key("version");
  w.value(result.program_version);
  w.end_object();
  w.key("from");
  w.value(result.from_date);
  w.key("to");
  w.value(result.to_date);
  w.key("time_zone");
  w.value(result.time_zone);
  w.key("stores_filter");
  w.begin_array();
  for (const std::string& store : result.stores_filter) w.value(store);
  w.end_array();
  w.key("receipts");
  w.value(result.receipts);
  w.key("identified");
  w.value(result.identified);
  w.key("skipped");
  w.begin_array();
  for (const BacktestSkip& skip : result.skipped) {
    w.begin_object();
    w.key("reason");
    w.value(skip.reason);
    w.key("count");
    w.value(skip.count);
    w.end_object();
  }
  w.end_array();
}

void write_tier_changes(json::Writer& w, const BacktestTierChanges& changes) {
  w.key("tier_changes");
  w.begin_object();
  w.key("count");
  w.value(changes.count);
  w.key("up");
  w.value(changes.up);
  w.key("down");
  w.value(changes.down);
  w.key("customers");
  w.begin_array();
  for (const BacktestTierChange& change : changes.customers) {
    w.begin_object();
    w.key("pseudonym");
    w.value(change.pseudonym);
    w.key("actual");
    w.value(change.actual);
    w.key("simulated");
    w.value(change.simulated);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string backtest_to_json(const BacktestResult& result) {
  json::Writer w;
  w.begin_object();
  write_header(w, result);
  w.key("total");
  w.begin_object();
  write_diff_members(w, result.total);
  w.end_object();
  w.key("stores");
  w.begin_array();
  for (const BacktestStore& store : result.stores) {
    w.begin_object();
    w.key("store_id");
    w.value(store.store_id);
    write_diff_members(w, store.diff);
    w.end_object();
  }
  w.end_array();
  write_tier_changes(w, result.tier_changes);
  w.key("elapsed_ms");
  w.value(result.elapsed_ms);
  w.key("threads");
  w.value(result.threads);
  w.end_object();
  return w.take();
}

}  // namespace loyalty::sync
