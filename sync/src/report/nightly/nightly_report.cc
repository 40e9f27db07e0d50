// nightly_report_json(): the journal's checkouts and the ledger's entries of the business days,
// summed per store and for the chain, written as "loyalty-hq-report-v1" (nightly_report.h).

#include "loyalty/sync/nightly_report.h"

#include <algorithm>
#include <charconv>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time_zone.h"
#include "report/nightly/report_figures.h"

namespace loyalty::sync {

namespace {

using report::DayFigures;
using report::Figures;
using report::ratio_half_up;

struct Period {
  std::int64_t first_day = 0;  // days since 1970-01-01
  std::int64_t last_day = 0;
  Timestamp from;   // the first day's local midnight
  Timestamp until;  // the local midnight after the last day
};

Result<Period> period_of(const ReportOptions& options, const TimeZone& zone) {
  Result<CivilDate> from = parse_date(options.from_date);
  if (!from.ok()) return make_error(ErrorCode::invalid_argument, "from: " + from.error().message);
  Result<CivilDate> to = parse_date(options.to_date);
  if (!to.ok()) return make_error(ErrorCode::invalid_argument, "to: " + to.error().message);
  Period period{days_from_civil(*from), days_from_civil(*to), {}, {}};
  if (period.last_day < period.first_day) {
    return make_error(ErrorCode::invalid_argument, "the report's first day " + options.from_date +
                                                       " is after its last day " + options.to_date);
  }
  if (period.last_day - period.first_day + 1 > limits::hq_report_days_max) {
    return make_error(ErrorCode::invalid_argument,
                      "a report covers at most " + std::to_string(limits::hq_report_days_max) +
                          " days, not " + std::to_string(period.last_day - period.first_day + 1));
  }
  period.from = from_local(*from, 0, zone);
  period.until = from_local(civil_from_days(period.last_day + 1), 0, zone);
  return period;
}

void write_summary(json::Writer& out, const Figures& figures, const PointValue& value,
                   std::size_t top_max, const LedgerStock* stock) {
  const std::int64_t non_members = figures.receipts - figures.member_receipts;
  out.key("receipts");
  out.value(figures.receipts);
  out.key("member_receipts");
  out.value(figures.member_receipts);
  out.key("loyalty_share_bp");
  out.value(
      figures.receipts == 0 ? 0 : ratio_half_up(figures.member_receipts, 10000, figures.receipts));
  out.key("average_check_minor");
  out.begin_object();
  out.key("members");
  out.value(figures.member_receipts == 0
                ? 0
                : ratio_half_up(std::max<std::int64_t>(figures.member_net_minor, 0), 1,
                                figures.member_receipts));
  out.key("non_members");
  out.value(
      non_members == 0
          ? 0
          : ratio_half_up(std::max<std::int64_t>(figures.non_member_net_minor, 0), 1, non_members));
  out.end_object();
  const auto members = static_cast<std::int64_t>(figures.members.size());
  out.key("members");
  out.value(members);
  out.key("visits_per_member_milli");
  out.value(members == 0 ? 0 : ratio_half_up(figures.member_receipts, 1000, members));
  out.key("points");
  out.begin_object();
  out.key("issued");
  out.value(figures.issued);
  out.key("redeemed");
  out.value(figures.redeemed);
  out.key("expired");
  out.value(figures.expired);
  out.key("donated");
  out.value(figures.donated);
  out.end_object();
  out.key("liability");
  out.begin_object();
  out.key("change_points");
  out.value(figures.liability_change);
  out.key("end_points");
  if (stock != nullptr) {
    out.value(stock->liability_points);
  } else {
    out.null();
  }
  out.end_object();
  out.key("overdrafts");
  out.begin_object();
  out.key("opened_points");
  out.value(figures.overdrafts_opened);
  out.key("end_points");
  if (stock != nullptr) {
    out.value(stock->overdraft_points);
  } else {
    out.null();
  }
  out.end_object();
  // The sources that cost something: discounts and points, burns excepted (a redemption is the
  // customer spending what was already counted when it was earned).
  struct Ranked {
    std::string source;
    report::SourceCost cost;
    std::int64_t cost_minor = 0;
  };
  std::vector<Ranked> ranked;
  for (const auto& [source, cost] : figures.sources) {
    if (source == "burn" || source.starts_with("reward:")) continue;
    const std::int64_t points_minor =
        ratio_half_up(std::max<std::int64_t>(cost.points, 0), value.minor, value.points);
    ranked.push_back(Ranked{source, cost, cost.discount_minor + points_minor});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.cost_minor != b.cost_minor ? a.cost_minor > b.cost_minor : a.source < b.source;
  });
  if (ranked.size() > top_max) ranked.resize(top_max);
  out.key("top_rules");
  out.begin_array();
  for (const Ranked& rule : ranked) {
    out.begin_object();
    out.key("source");
    out.value(rule.source);
    out.key("discount_minor");
    out.value(rule.cost.discount_minor);
    out.key("points");
    out.value(rule.cost.points);
    out.key("cost_minor");
    out.value(rule.cost_minor);
    out.key("receipts");
    out.value(rule.cost.receipts);
    out.end_object();
  }
  out.end_array();
  out.key("budgets");
  out.begin_array();
  for (const auto& [key, used] : figures.budgets) {
    out.begin_object();
    out.key("budget");
    out.value(std::get<0>(key));
    out.key("unit");
    out.value(std::get<1>(key));
    out.key("period");
    out.value(std::get<2>(key));
    out.key("used");
    out.value(used);
    out.end_object();
  }
  out.end_array();
}

}  // namespace

Result<PointValue> parse_point_value(std::string_view text) {
  const std::size_t slash = text.find('/');
  PointValue value{0, 0};
  auto part = [](std::string_view digits, std::int64_t& out) {
    if (digits.empty() || digits.size() > 10) return false;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return error == std::errc() && end == digits.data() + digits.size() && out > 0 &&
           out <= limits::hq_point_value_part_max;
  };
  if (slash == std::string_view::npos || !part(text.substr(0, slash), value.minor) ||
      !part(text.substr(slash + 1), value.points)) {
    return make_error(ErrorCode::invalid_argument,
                      "point value \"" + std::string(text) +
                          "\" is not MINOR/POINTS with two whole numbers from 1 to 1000000000 "
                          "(1/1: one minor unit a point)");
  }
  return value;
}

Result<std::string> nightly_report_json(HqStore& store, const ReportOptions& options) {
  if (options.point_value.minor <= 0 || options.point_value.points <= 0 ||
      options.point_value.minor > limits::hq_point_value_part_max ||
      options.point_value.points > limits::hq_point_value_part_max) {
    return make_error(ErrorCode::invalid_argument, "the point value must be positive");
  }
  const FixedOffsetZone utc(0);
  const TimeZone& zone = options.zone ? *options.zone : static_cast<const TimeZone&>(utc);
  const Period period = TRY(period_of(options, zone));
  const auto wanted = [&](const std::string& store_id) {
    return options.stores.empty() || std::find(options.stores.begin(), options.stores.end(),
                                               store_id) != options.stores.end();
  };

  Figures chain;
  std::map<std::string, Figures> stores;
  std::vector<DayFigures> days(static_cast<std::size_t>(period.last_day - period.first_day + 1));
  auto day_of = [&](Timestamp at) -> DayFigures* {
    const std::int64_t day = days_from_civil(to_local(at, zone).date) - period.first_day;
    if (day < 0 || day >= static_cast<std::int64_t>(days.size())) return nullptr;
    return &days[static_cast<std::size_t>(day)];
  };
  std::string currency;
  std::int64_t unreadable = 0;
  JournalScan scan{options.from_date, options.to_date, options.stores, {"checkout"}};
  TRY(store.scan_journal(scan, [&](JournalEvent&& event) -> Status {
    DayFigures* day = day_of(event.created_at);
    LOYALTY_ASSERT(day != nullptr);  // its business date is in the range
    report::add_checkout(
        event, report::ReceiptSink{&stores[event.store_id], &chain, day, &currency, &unreadable});
    return {};
  }));
  TRY(store.scan_entries(period.from, period.until, [&](const LedgerEntryRow& entry) -> Status {
    // HQ's own entries (expiry: store "") count for the chain only, and only when every store
    // is asked for.
    if (!entry.store_id.empty() && !wanted(entry.store_id)) return {};
    if (entry.store_id.empty() && !options.stores.empty()) return {};
    report::add_entry(entry.code, entry.debit, entry.credit, entry.points, chain);
    if (!entry.store_id.empty()) {
      report::add_entry(entry.code, entry.debit, entry.credit, entry.points,
                        stores[entry.store_id]);
    }
    if (DayFigures* day = day_of(entry.at)) report::add_entry(entry.code, entry.points, *day);
    return {};
  }));
  // The whole chain's stock, also when the report is of some stores only (a customer's balance
  // belongs to no store).
  const LedgerStock stock = TRY(store.ledger_stock(period.until));

  json::Writer out;
  out.begin_object();
  out.key("format");
  out.value("loyalty-hq-report-v1");
  out.key("from");
  out.value(options.from_date);
  out.key("to");
  out.value(options.to_date);
  out.key("time_zone");
  out.value(zone.name());
  out.key("generated_at");
  out.value(format_timestamp(options.generated_at));
  out.key("currency");
  out.value(currency == "*" ? std::string() : currency);
  out.key("point_value");
  out.begin_object();
  out.key("minor");
  out.value(options.point_value.minor);
  out.key("points");
  out.value(options.point_value.points);
  out.end_object();
  out.key("chain");
  out.begin_object();
  write_summary(out, chain, options.point_value, options.top_rules_max, &stock);
  out.end_object();
  out.key("stores");
  out.begin_array();
  for (const auto& [store_id, figures] : stores) {
    out.begin_object();
    out.key("store_id");
    out.value(store_id);
    write_summary(out, figures, options.point_value, options.top_rules_max, nullptr);
    out.end_object();
  }
  out.end_array();
  out.key("days");
  out.begin_array();
  for (std::size_t i = 0; i < days.size(); ++i) {
    out.begin_object();
    out.key("date");
    out.value(format_date(civil_from_days(period.first_day + static_cast<std::int64_t>(i))));
    out.key("receipts");
    out.value(days[i].receipts);
    out.key("member_receipts");
    out.value(days[i].member_receipts);
    out.key("points_issued");
    out.value(days[i].issued);
    out.key("points_redeemed");
    out.value(days[i].redeemed);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  (void)unreadable;
  return out.take();
}

}  // namespace loyalty::sync
