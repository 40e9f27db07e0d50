// Reading the "loyalty-hq-backtest-v1" document (backtest_document.h).

#include "report/documents/backtest_document.h"

#include "loyalty/core/time.h"
#include "report/documents/document_reader.h"

namespace loyalty::sync::report {
namespace {

constexpr std::string_view document_name = "backtest";
constexpr std::string_view root_members[] = {
    "format",     "program", "from",  "to",     "time_zone",    "stores_filter", "receipts",
    "identified", "skipped", "total", "stores", "tier_changes", "elapsed_ms",    "threads"};
constexpr std::string_view program_members[] = {"id", "version"};
constexpr std::string_view total_members[] = {"receipts",         "discount_minor",
                                              "points_issued",    "points_redeemed",
                                              "liability_points", "tier_changes"};
constexpr std::string_view store_members[] = {
    "store_id",        "receipts",         "discount_minor", "points_issued",
    "points_redeemed", "liability_points", "tier_changes"};
constexpr std::string_view diff_optional_members[] = {"refunds"};
constexpr std::string_view measure_members[] = {"actual", "simulated", "difference"};
constexpr std::string_view refund_members[] = {"count", "points_reversed", "points_restored",
                                               "money_refund_minor"};
constexpr std::string_view skip_members[] = {"reason", "count"};
constexpr std::string_view tier_members[] = {"count", "up", "down", "customers"};
constexpr std::string_view customer_members[] = {"pseudonym", "actual", "simulated"};

Result<Measure> read_measure(const DocObject& o, std::string_view member, std::int64_t max,
                             bool signed_values) {
  const DocObject m = TRY(o.object(member, measure_members));
  const std::int64_t min = signed_values ? -max : 0;
  Measure measure;
  measure.actual = TRY(m.integer("actual", min, max));
  measure.simulated = TRY(m.integer("simulated", min, max));
  measure.difference = TRY(m.integer("difference", -2 * max, 2 * max));
  if (measure.difference != measure.simulated - measure.actual) {
    return m.error("difference", "must be simulated - actual (" +
                                     std::to_string(measure.simulated - measure.actual) +
                                     "), got " + std::to_string(measure.difference));
  }
  return measure;
}

Result<Diff> read_diff(const DocObject& o) {
  Diff diff;
  diff.receipts = TRY(o.integer("receipts", 0, limits::hq_document_count_max));
  diff.discount_minor =
      TRY(read_measure(o, "discount_minor", limits::hq_document_money_minor_max, false));
  diff.points_issued = TRY(read_measure(o, "points_issued", limits::hq_document_points_max, false));
  diff.points_redeemed =
      TRY(read_measure(o, "points_redeemed", limits::hq_document_points_max, false));
  diff.liability_points =
      TRY(read_measure(o, "liability_points", limits::hq_document_points_max, true));
  diff.tier_changes = TRY(o.integer("tier_changes", 0, limits::hq_document_count_max));
  if (o.has("refunds")) {
    const DocObject r = TRY(o.object("refunds", refund_members));
    Refunds refunds;
    refunds.count = TRY(r.integer("count", 0, limits::hq_document_count_max));
    refunds.points_reversed = TRY(r.integer("points_reversed", 0, limits::hq_document_points_max));
    refunds.points_restored = TRY(r.integer("points_restored", 0, limits::hq_document_points_max));
    refunds.money_refund_minor =
        TRY(r.integer("money_refund_minor", 0, limits::hq_document_money_minor_max));
    diff.refunds = refunds;
  }
  return diff;
}

Result<std::vector<Diff>> read_stores(const DocObject& root) {
  std::vector<Diff> stores;
  const auto items = TRY(root.array("stores", limits::hq_document_stores_max));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DocObject o =
        TRY(root.item(items[i], root.item_path("stores", i), store_members, diff_optional_members));
    const std::string store_id =
        TRY(o.string("store_id", limits::hq_document_text_bytes_max, false));
    Diff diff = TRY(read_diff(o));
    diff.store_id = store_id;
    stores.push_back(std::move(diff));
  }
  return stores;
}

Status read_selection(const DocObject& root, BacktestDocument& backtest) {
  const DocObject program = TRY(root.object("program", program_members));
  backtest.program_id = TRY(program.string("id", limits::hq_document_text_bytes_max, false));
  backtest.program_version = TRY(program.integer("version", 0, limits::hq_document_count_max));
  const CivilDate from = TRY(root.date("from"));
  const CivilDate to = TRY(root.date("to"));
  if (to < from) return root.error("to", "must not be before from (" + format_date(from) + ")");
  backtest.from = format_date(from);
  backtest.to = format_date(to);
  backtest.time_zone = TRY(root.string("time_zone", limits::hq_document_text_bytes_max, false));
  const auto filter = TRY(root.array("stores_filter", limits::hq_document_stores_max));
  for (std::size_t i = 0; i < filter.size(); ++i) {
    if (!filter[i].is_string() || filter[i].as_string().empty() ||
        filter[i].as_string().size() > limits::hq_document_text_bytes_max) {
      return root.error("stores_filter[" + std::to_string(i) + "]",
                        "must be a store id (a string of 1 to " +
                            std::to_string(limits::hq_document_text_bytes_max) + " bytes)");
    }
    backtest.stores_filter.push_back(filter[i].as_string());
  }
  return Status();
}

Status read_counts(const DocObject& root, BacktestDocument& backtest) {
  backtest.receipts = TRY(root.integer("receipts", 0, limits::hq_document_count_max));
  backtest.identified = TRY(root.integer("identified", 0, backtest.receipts));
  const auto skipped = TRY(root.array("skipped", limits::hq_document_skipped_reasons_max));
  for (std::size_t i = 0; i < skipped.size(); ++i) {
    const DocObject o = TRY(root.item(skipped[i], root.item_path("skipped", i), skip_members));
    Skip skip;
    skip.reason = TRY(o.string("reason", limits::hq_document_text_bytes_max, false));
    skip.count = TRY(o.integer("count", 0, limits::hq_document_count_max));
    backtest.skipped.push_back(std::move(skip));
  }
  backtest.elapsed_ms = TRY(root.integer("elapsed_ms", 0, limits::hq_document_count_max));
  backtest.threads = TRY(root.integer("threads", 0, limits::hq_document_count_max));
  return Status();
}

Status read_tier_changes(const DocObject& root, BacktestDocument& backtest) {
  const DocObject tiers = TRY(root.object("tier_changes", tier_members));
  backtest.tier_changes = TRY(tiers.integer("count", 0, limits::hq_document_count_max));
  backtest.tiers_up = TRY(tiers.integer("up", 0, backtest.tier_changes));
  backtest.tiers_down = TRY(tiers.integer("down", 0, backtest.tier_changes));
  const auto customers = TRY(tiers.array("customers", limits::hq_document_tier_customers_max));
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const DocObject o =
        TRY(tiers.item(customers[i], tiers.item_path("customers", i), customer_members));
    TierChange change;
    change.pseudonym = TRY(o.string("pseudonym", limits::hq_document_text_bytes_max, false));
    change.actual = TRY(o.string("actual", limits::hq_document_text_bytes_max, true));
    change.simulated = TRY(o.string("simulated", limits::hq_document_text_bytes_max, true));
    backtest.customers.push_back(std::move(change));
  }
  return Status();
}

}  // namespace

Result<BacktestDocument> read_backtest_document(std::string_view text) {
  const json::Value document = TRY(parse_document(text, document_name));
  TRY(check_format(document, document_name, backtest_format));
  const DocObject root = TRY(DocObject::root(document, document_name, root_members));
  BacktestDocument backtest;
  TRY(read_selection(root, backtest));
  TRY(read_counts(root, backtest));
  backtest.total = TRY(read_diff(TRY(root.object("total", total_members, diff_optional_members))));
  backtest.stores = TRY(read_stores(root));
  TRY(read_tier_changes(root, backtest));
  return backtest;
}

}  // namespace loyalty::sync::report
