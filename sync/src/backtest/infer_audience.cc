// infer_audience(): who the customer was, as far as the rules that applied to them say: a segment
// of a segment-restricted rule (the first it lists, unless the customer already holds one), the
// customer id a personalised rule names, an active paid membership, and the company's spend band.

#include <algorithm>

#include "backtest/rebuild.h"

namespace loyalty::sync::backtest {

namespace {

void add_segment(const std::vector<std::string>& listed, std::vector<std::string>& segments) {
  for (const std::string& segment : listed) {
    if (std::binary_search(segments.begin(), segments.end(), segment)) return;
  }
  segments.insert(std::lower_bound(segments.begin(), segments.end(), listed.front()),
                  listed.front());
}

// The id a personalised rule lists: the first that every such rule lists, else the first rule's
// first; empty without one.
std::string personal_id(const RebuildContext& context, const std::vector<std::uint32_t>& rules) {
  const Program& program = context.reference.program();
  const std::vector<std::string>* first = nullptr;
  for (std::uint32_t r : rules) {
    const auto& customers = program.rules[r].audience.customers;
    if (!customers.empty()) {
      first = &customers;
      break;
    }
  }
  if (first == nullptr) return {};
  for (const std::string& id : *first) {
    const bool everywhere = std::all_of(rules.begin(), rules.end(), [&](std::uint32_t r) {
      const auto& customers = program.rules[r].audience.customers;
      return customers.empty() ||
             std::find(customers.begin(), customers.end(), id) != customers.end();
    });
    if (everywhere) return id;
  }
  return first->front();
}

// A membership this receipt activated or extended starts after the one it extended, if any; a
// member-only rule at work says one was active.
void infer_membership(const StoredQuote& quote, const RebuildContext& context, bool member_rule,
                      CustomerState& customer) {
  const auto activated =
      std::find_if(quote.notes.rbegin(), quote.notes.rend(),
                   [](const StoredNote& n) { return n.code == "membership_activated"; });
  // A membership period is 1..3650 days (the loader's bound); another note value is damage.
  if (quote.paid_membership_until && activated != quote.notes.rend() && activated->value > 0 &&
      activated->value <= 3650) {
    const Timestamp before =
        plus_local_days(*quote.paid_membership_until, context.zone, -activated->value);
    if (quote.at < before) customer.paid_membership_until = before;
    return;
  }
  if (member_rule) customer.paid_membership_until = plus_seconds(quote.at, 1);
}

// "company:band-N": the company's yearly spend was in band N (from the lower bound of band N).
void infer_company(const StoredQuote& quote, const RebuildContext& context,
                   CustomerState& customer) {
  if (!quote.company_band) return;
  const std::optional<std::string_view> band = label_id(*quote.company_band, "company");
  if (!band || !band->starts_with("band-")) return;
  std::int64_t number = 0;
  for (char c : band->substr(5)) {
    if (c < '0' || c > '9' || number > 1000) return;
    number = number * 10 + (c - '0');
  }
  const auto& bands = context.reference.program().company.bands;
  Minor spend(0);
  if (number >= 2 && static_cast<std::size_t>(number - 2) < bands.size() &&
      bands[static_cast<std::size_t>(number - 2)].up_to_spend) {
    spend = *bands[static_cast<std::size_t>(number - 2)].up_to_spend;
  }
  customer.company = CompanyLink{"hq-company", spend};
}

}  // namespace

void infer_audience(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  const Program& program = context.reference.program();
  CustomerState& customer = out.customer;
  bool member_rule = false;
  for (std::uint32_t r : out.evidence) {
    const Audience& audience = program.rules[r].audience;
    if (!audience.segments.empty()) add_segment(audience.segments, customer.segments);
    member_rule = member_rule || audience.paid_membership_only;
  }
  const std::string id = personal_id(context, out.evidence);
  if (!id.empty()) customer.customer_id = id;
  infer_membership(quote, context, member_rule, customer);
  infer_company(quote, context, customer);
}

}  // namespace loyalty::sync::backtest
