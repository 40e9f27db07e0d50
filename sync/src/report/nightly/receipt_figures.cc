// A checkout's and an entry's share of the nightly report's figures (report_figures.h).

#include "loyalty/core/json.h"
#include "report/nightly/report_figures.h"

namespace loyalty::sync::report {

namespace {

std::int64_t int_member(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_int() ? value->as_int() : 0;
}

std::string string_member(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}

const std::vector<json::Value>& array_member(const json::Value& object, std::string_view key) {
  static const std::vector<json::Value> none;
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_array() ? value->as_array() : none;
}

// The receipt's customer pseudonym from its annex ("" when none or unkeyed).
std::string customer_of(std::string_view annex) {
  if (annex.empty()) return "";
  Result<json::Value> parsed = json::parse(annex);
  if (!parsed.ok() || !parsed->is_object()) return "";
  const std::string customer = string_member(*parsed, "customer");
  return customer == "unkeyed" ? "" : customer;
}

struct ReceiptCosts {
  std::map<std::string, SourceCost> sources;  // receipts = 1 where the source gave something
};

void add_earns(const std::vector<json::Value>& earns, ReceiptCosts& costs) {
  for (const json::Value& earn : earns) {
    if (!earn.is_object()) continue;
    const std::int64_t points = int_member(earn, "points");
    if (points == 0) continue;
    costs.sources[string_member(earn, "source")].points += points;
  }
}

void add_costs(const ReceiptCosts& costs, Figures& figures) {
  for (const auto& [source, cost] : costs.sources) {
    SourceCost& total = figures.sources[source];
    total.discount_minor += cost.discount_minor;
    total.points += cost.points;
    ++total.receipts;
  }
}

}  // namespace

void add_checkout(const JournalEvent& event, const ReceiptSink& sink) {
  for (Figures* figures : {sink.store, sink.chain}) ++figures->receipts;
  ++sink.day->receipts;
  Result<json::Value> parsed = json::parse(event.payload);
  if (!parsed.ok() || !parsed->is_object() || parsed->find("totals") == nullptr) {
    ++*sink.unreadable;
    return;
  }
  const json::Value& quote = *parsed;
  const json::Value* identified = quote.find("identified");
  const bool member = identified != nullptr && identified->is_bool() && identified->as_bool();
  const json::Value* totals = quote.find("totals");
  const std::int64_t net = totals->is_object() ? int_member(*totals, "net_minor") : 0;
  const std::string currency = string_member(quote, "currency");
  if (!currency.empty()) {
    if (sink.currency->empty()) {
      *sink.currency = currency;
    } else if (*sink.currency != currency && *sink.currency != "*") {
      *sink.currency = "*";  // several: the document says ""
    }
  }
  const std::string customer = member ? customer_of(event.annex) : std::string();
  ReceiptCosts costs;
  for (const json::Value& line : array_member(quote, "lines")) {
    if (!line.is_object()) continue;
    for (const json::Value& discount : array_member(line, "discounts")) {
      if (!discount.is_object()) continue;
      const std::int64_t amount = int_member(discount, "amount_minor");
      if (amount != 0) costs.sources[string_member(discount, "source")].discount_minor += amount;
    }
    add_earns(array_member(line, "earns"), costs);
  }
  add_earns(array_member(quote, "receipt_earns"), costs);
  for (Figures* figures : {sink.store, sink.chain}) {
    if (member) {
      ++figures->member_receipts;
      figures->member_net_minor += net;
      if (!customer.empty()) figures->members.insert(customer);
    } else {
      figures->non_member_net_minor += net;
    }
    add_costs(costs, *figures);
    for (const json::Value& budget : array_member(quote, "budgets")) {
      if (!budget.is_object()) continue;
      figures->budgets[{string_member(budget, "budget"), string_member(budget, "unit"),
                        string_member(budget, "period")}] += int_member(budget, "used");
    }
  }
  if (member) ++sink.day->member_receipts;
}

namespace {

bool is_floor(std::string_view account) {
  return account.starts_with("customer_points:") || account.starts_with("company_points:");
}

}  // namespace

void add_entry(std::string_view code, std::string_view debit, std::string_view credit,
               std::int64_t points, Figures& figures) {
  if (code == "earn") figures.issued += points;
  if (code == "reverse_earn") figures.issued -= points;
  if (code == "burn" || code == "reward") figures.redeemed += points;
  if (code == "restore_burn") figures.redeemed -= points;
  if (code == "expire") figures.expired += points;
  if (code == "donate") figures.donated += points;
  if (code == "overdraft") figures.overdrafts_opened += points;
  if (is_floor(credit)) figures.liability_change += points;
  if (is_floor(debit)) figures.liability_change -= points;
}

void add_entry(std::string_view code, std::int64_t points, DayFigures& day) {
  if (code == "earn") day.issued += points;
  if (code == "reverse_earn") day.issued -= points;
  if (code == "burn" || code == "reward") day.redeemed += points;
  if (code == "restore_burn") day.redeemed -= points;
}

std::int64_t ratio_half_up(std::int64_t a, std::int64_t num, std::int64_t den) {
  LOYALTY_ASSERT(a >= 0 && num >= 0 && den > 0 && num <= limits::hq_point_value_part_max &&
                 den <= limits::hq_point_value_part_max);
  // a*num/den = (a/den)*num + (a%den)*num/den: the first part is exact, the second is where the
  // rounding happens, and (a%den)*num < 10^18 fits.
  return (a / den) * num + ((a % den) * num + den / 2) / den;
}

}  // namespace loyalty::sync::report
