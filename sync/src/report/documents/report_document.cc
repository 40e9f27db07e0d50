// Reading the "loyalty-hq-report-v1" document (report_document.h).

#include "report/documents/report_document.h"

#include "loyalty/core/time.h"
#include "report/documents/document_reader.h"

namespace loyalty::sync::report {
namespace {

constexpr std::string_view document_name = "report";
constexpr std::string_view root_members[] = {"format",       "from",     "to",          "time_zone",
                                             "generated_at", "currency", "point_value", "chain",
                                             "stores",       "days"};
constexpr std::string_view summary_members[] = {"receipts",         "member_receipts",
                                                "loyalty_share_bp", "average_check_minor",
                                                "members",          "visits_per_member_milli",
                                                "points",           "liability",
                                                "overdrafts",       "top_rules",
                                                "budgets"};
constexpr std::string_view store_members[] = {"store_id",
                                              "receipts",
                                              "member_receipts",
                                              "loyalty_share_bp",
                                              "average_check_minor",
                                              "members",
                                              "visits_per_member_milli",
                                              "points",
                                              "liability",
                                              "overdrafts",
                                              "top_rules",
                                              "budgets"};
constexpr std::string_view average_members[] = {"members", "non_members"};
constexpr std::string_view points_members[] = {"issued", "redeemed", "expired", "donated"};
constexpr std::string_view liability_members[] = {"change_points", "end_points"};
constexpr std::string_view overdraft_members[] = {"opened_points", "end_points"};
constexpr std::string_view rule_members[] = {"source", "discount_minor", "points", "cost_minor",
                                             "receipts"};
constexpr std::string_view budget_members[] = {"budget", "unit", "period", "used"};
constexpr std::string_view day_members[] = {"date", "receipts", "member_receipts", "points_issued",
                                            "points_redeemed"};
constexpr std::string_view point_value_members[] = {"minor", "points"};

Result<std::vector<RuleCost>> read_rules(const DocObject& o) {
  std::vector<RuleCost> rules;
  const auto items = TRY(o.array("top_rules", limits::hq_document_top_rules_max));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DocObject r = TRY(o.item(items[i], o.item_path("top_rules", i), rule_members));
    RuleCost rule;
    rule.source = TRY(r.string("source", limits::hq_document_text_bytes_max, false));
    rule.discount_minor = TRY(r.integer("discount_minor", 0, limits::hq_document_money_minor_max));
    rule.points = TRY(r.integer("points", 0, limits::hq_document_points_max));
    rule.cost_minor = TRY(r.integer("cost_minor", 0, limits::hq_document_money_minor_max));
    rule.receipts = TRY(r.integer("receipts", 0, limits::hq_document_count_max));
    rules.push_back(std::move(rule));
  }
  return rules;
}

Result<BudgetUnit> read_unit(const DocObject& b) {
  const std::string unit = TRY(b.string("unit", limits::hq_document_text_bytes_max, false));
  if (unit == "money") return BudgetUnit::money;
  if (unit == "points") return BudgetUnit::points;
  return b.error("unit", "must be \"money\" or \"points\", got " + json::quote(unit));
}

Result<std::vector<BudgetUse>> read_budgets(const DocObject& o) {
  std::vector<BudgetUse> budgets;
  const auto items = TRY(o.array("budgets", limits::hq_document_budgets_max));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DocObject b = TRY(o.item(items[i], o.item_path("budgets", i), budget_members));
    BudgetUse use;
    use.budget = TRY(b.string("budget", limits::hq_document_text_bytes_max, false));
    use.unit = TRY(read_unit(b));
    use.period = TRY(b.string("period", limits::hq_document_text_bytes_max, true));
    use.used = TRY(b.integer("used", 0,
                             use.unit == BudgetUnit::money ? limits::hq_document_money_minor_max
                                                           : limits::hq_document_points_max));
    budgets.push_back(std::move(use));
  }
  return budgets;
}

Status read_receipts(const DocObject& o, Summary& s) {
  s.receipts = TRY(o.integer("receipts", 0, limits::hq_document_count_max));
  s.member_receipts = TRY(o.integer("member_receipts", 0, s.receipts));
  s.loyalty_share_bp = TRY(o.integer("loyalty_share_bp", 0, 10'000));
  const DocObject average = TRY(o.object("average_check_minor", average_members));
  s.average_members_minor = TRY(average.integer("members", 0, limits::hq_document_money_minor_max));
  s.average_non_members_minor =
      TRY(average.integer("non_members", 0, limits::hq_document_money_minor_max));
  s.members = TRY(o.integer("members", 0, limits::hq_document_count_max));
  s.visits_per_member_milli =
      TRY(o.integer("visits_per_member_milli", 0, limits::hq_document_count_max));
  return Status();
}

// A store's summary has no end_points (null); the chain's has them.
Status read_points(const DocObject& o, bool chain, Summary& s) {
  const DocObject points = TRY(o.object("points", points_members));
  s.points_issued = TRY(points.integer("issued", 0, limits::hq_document_points_max));
  s.points_redeemed = TRY(points.integer("redeemed", 0, limits::hq_document_points_max));
  s.points_expired = TRY(points.integer("expired", 0, limits::hq_document_points_max));
  s.points_donated = TRY(points.integer("donated", 0, limits::hq_document_points_max));
  const DocObject liability = TRY(o.object("liability", liability_members));
  s.liability_change_points = TRY(liability.integer(
      "change_points", -limits::hq_document_points_max, limits::hq_document_points_max));
  if (chain) {
    s.liability_end_points =
        TRY(liability.integer("end_points", 0, limits::hq_document_points_max));
  } else {
    TRY(liability.null("end_points"));
  }
  const DocObject overdrafts = TRY(o.object("overdrafts", overdraft_members));
  s.overdrafts_opened_points =
      TRY(overdrafts.integer("opened_points", 0, limits::hq_document_points_max));
  if (chain) {
    s.overdrafts_end_points =
        TRY(overdrafts.integer("end_points", 0, limits::hq_document_points_max));
  } else {
    TRY(overdrafts.null("end_points"));
  }
  return Status();
}

Result<Summary> read_summary(const DocObject& o, bool chain) {
  Summary summary;
  TRY(read_receipts(o, summary));
  TRY(read_points(o, chain, summary));
  summary.top_rules = TRY(read_rules(o));
  summary.budgets = TRY(read_budgets(o));
  return summary;
}

Result<std::vector<Summary>> read_stores(const DocObject& root) {
  std::vector<Summary> stores;
  const auto items = TRY(root.array("stores", limits::hq_document_stores_max));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DocObject o = TRY(root.item(items[i], root.item_path("stores", i), store_members));
    const std::string store_id =
        TRY(o.string("store_id", limits::hq_document_text_bytes_max, false));
    Summary summary = TRY(read_summary(o, false));
    summary.store_id = store_id;
    stores.push_back(std::move(summary));
  }
  return stores;
}

// Every day from..to, in order, once.
Result<std::vector<DayTotals>> read_days(const DocObject& root, CivilDate from, CivilDate to) {
  const auto items = TRY(root.array("days", limits::hq_document_days_max));
  const std::int64_t first = days_from_civil(from);
  const std::int64_t expected = days_from_civil(to) - first + 1;
  if (static_cast<std::int64_t>(items.size()) != expected) {
    return root.error("days", "must have one item for each of the " + std::to_string(expected) +
                                  " days from..to, got " + std::to_string(items.size()));
  }
  std::vector<DayTotals> days;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DocObject o = TRY(root.item(items[i], root.item_path("days", i), day_members));
    DayTotals day;
    const CivilDate date = TRY(o.date("date"));
    day.date = format_date(date);
    if (days_from_civil(date) != first + static_cast<std::int64_t>(i)) {
      return o.error(
          "date", "must be " + format_date(civil_from_days(first + static_cast<std::int64_t>(i))) +
                      " (every day from..to in order), got " + day.date);
    }
    day.receipts = TRY(o.integer("receipts", 0, limits::hq_document_count_max));
    day.member_receipts = TRY(o.integer("member_receipts", 0, day.receipts));
    day.points_issued = TRY(o.integer("points_issued", 0, limits::hq_document_points_max));
    day.points_redeemed = TRY(o.integer("points_redeemed", 0, limits::hq_document_points_max));
    days.push_back(std::move(day));
  }
  return days;
}

Status read_currency(const DocObject& root, ReportDocument& report) {
  report.currency = TRY(root.string("currency", 3, true));
  for (char c : report.currency) {
    if (c < 'A' || c > 'Z' || report.currency.size() != 3) {
      return root.error("currency", "must be \"\" or an ISO 4217 code such as \"EUR\", got " +
                                        json::quote(report.currency));
    }
  }
  const DocObject value = TRY(root.object("point_value", point_value_members));
  report.point_value_minor = TRY(value.integer("minor", 0, limits::hq_document_money_minor_max));
  report.point_value_points = TRY(value.integer("points", 1, limits::hq_document_points_max));
  return Status();
}

}  // namespace

Result<ReportDocument> read_report_document(std::string_view text) {
  const json::Value document = TRY(parse_document(text, document_name));
  TRY(check_format(document, document_name, report_format));
  const DocObject root = TRY(DocObject::root(document, document_name, root_members));
  ReportDocument report;
  const CivilDate from = TRY(root.date("from"));
  const CivilDate to = TRY(root.date("to"));
  if (to < from) return root.error("to", "must not be before from (" + format_date(from) + ")");
  report.from = format_date(from);
  report.to = format_date(to);
  report.time_zone = TRY(root.string("time_zone", limits::hq_document_text_bytes_max, false));
  report.generated_at = TRY(root.timestamp("generated_at"));
  TRY(read_currency(root, report));
  report.chain = TRY(read_summary(TRY(root.object("chain", summary_members)), true));
  report.stores = TRY(read_stores(root));
  report.days = TRY(read_days(root, from, to));
  return report;
}

}  // namespace loyalty::sync::report
