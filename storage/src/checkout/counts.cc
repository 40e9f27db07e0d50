// Limited uses the ledger counts for a receipt: coupon uses per customer and chain-wide and what
// campaign budgets spent, what a quote takes of them, what an open receipt reserves, and the
// chain-wide counts a quote is given (docs/storage.md, "Limited uses").

#include <algorithm>
#include <string>
#include <variant>

#include "checkout/internal.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::checkout_internal {

namespace {

void add(std::vector<Counter>& list, std::string_view key, std::int64_t count) {
  auto it = std::lower_bound(list.begin(), list.end(), key,
                             [](const Counter& c, std::string_view k) { return c.key < k; });
  if (it != list.end() && it->key == key) {
    it->count += count;
    return;
  }
  list.insert(it, Counter{std::string(key), count});
}

void write_list(json::Writer& out, std::string_view name, const std::vector<Counter>& list) {
  out.key(name);
  out.begin_object();
  for (const Counter& counter : list) {  // bounded by the receipt's coupons
    out.key(counter.key);
    out.value(counter.count);
  }
  out.end_object();
}

Status read_list(const json::Value& document, std::string_view name, std::vector<Counter>& out) {
  const json::Value* list = document.find(name);
  if (list == nullptr) return Status();
  if (!list->is_object() || list->as_object().size() > limits::customer_counters_max) {
    return make_error(ErrorCode::io_error,
                      "stored counts: " + std::string(name) + " is not an object of counts");
  }
  for (const json::Member& member : list->as_object()) {  // bounded above
    if (!member.value.is_int()) {
      return make_error(ErrorCode::io_error, "stored counts: " + std::string(name) + "." +
                                                 member.key + " is not an integer");
    }
    add(out, member.key, member.value.as_int());
  }
  return Status();
}

// The coupon rule `presented` names (case-insensitively), if the program has one.
const CouponRule* coupon_rule(const Program& program, std::string_view presented) {
  for (const Rule& rule : program.rules) {  // bounded by program_rules_max
    const auto* coupon = std::get_if<CouponRule>(&rule.params);
    if (coupon == nullptr || coupon->code.size() != presented.size()) continue;
    const bool same = std::equal(
        coupon->code.begin(), coupon->code.end(), presented.begin(), [](char stored, char given) {
          return stored ==
                 ((given >= 'a' && given <= 'z') ? static_cast<char>(given - 'a' + 'A') : given);
        });
    if (same) return coupon;
  }
  return nullptr;
}

}  // namespace

bool CounterSet::empty() const {
  return coupon_uses.empty() && coupon_uses_total.empty() && budget_spent.empty();
}

std::string budget_key(std::string_view budget_id, std::string_view period) {
  std::string key(budget_id);
  key += '/';
  key += period;
  return key;
}

CounterSet limited_uses(const Quote& quote, bool identified) {
  CounterSet uses;
  const Program& program = *quote.program;
  for (const CouponOutcome& coupon : quote.coupons) {  // bounded by receipt_coupons_max
    if (coupon.status != CouponStatus::applied || !coupon.rule) continue;
    const auto* rule = std::get_if<CouponRule>(&program.rules[*coupon.rule].params);
    LOYALTY_ASSERT(rule != nullptr);
    if (identified) add(uses.coupon_uses, rule->code, 1);
    add(uses.coupon_uses_total, rule->code, 1);
  }
  for (const BudgetUse& use : quote.budgets) {  // bounded by program_budgets_max
    LOYALTY_ASSERT(use.budget < program.budgets.size());
    if (use.used > 0)
      add(uses.budget_spent, budget_key(program.budgets[use.budget].id, use.period), use.used);
  }
  return uses;
}

Status move_counts(Ledger& ledger, std::string_view customer_id, const CounterSet& counts,
                   std::int64_t sign) {
  LOYALTY_ASSERT(sign == 1 || sign == -1);
  LOYALTY_ASSERT(counts.coupon_uses.empty() || !customer_id.empty());
  for (const Counter& uses : counts.coupon_uses) {
    TRY(add_counter(ledger, customer_id, "coupon_uses", uses.key, sign * uses.count));
  }
  for (const Counter& uses : counts.coupon_uses_total) {
    TRY(add_counter(ledger, "", "coupon_uses_total", uses.key, sign * uses.count));
  }
  for (const Counter& spent : counts.budget_spent) {
    TRY(add_counter(ledger, "", "budget_spent", spent.key, sign * spent.count));
  }
  return Status();
}

std::string counts_to_json(const CounterSet& counts) {
  json::Writer out;
  out.begin_object();
  if (!counts.coupon_uses.empty()) write_list(out, "coupon_uses", counts.coupon_uses);
  if (!counts.coupon_uses_total.empty()) {
    write_list(out, "coupon_uses_total", counts.coupon_uses_total);
  }
  if (!counts.budget_spent.empty()) write_list(out, "budget_spent", counts.budget_spent);
  out.end_object();
  return out.take();
}

Result<CounterSet> counts_from_json(std::string_view text) {
  Result<json::Value> document = json::parse(text);
  if (!document.ok() || !document->is_object()) {
    return make_error(ErrorCode::io_error, "stored counts are not a JSON object: " +
                                               (document.ok() ? std::string("another value")
                                                              : document.error().message));
  }
  CounterSet counts;
  TRY(read_list(*document, "coupon_uses", counts.coupon_uses));
  TRY(read_list(*document, "coupon_uses_total", counts.coupon_uses_total));
  TRY(read_list(*document, "budget_spent", counts.budget_spent));
  return counts;
}

namespace {

// The count of the chain-wide counter (kind, key); 0 when it has none.
Result<std::int64_t> chain_count(Ledger& ledger, std::string_view kind, std::string_view key) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT count FROM counters WHERE customer_id = '' AND kind = ?1 AND key = ?2"));
  TRY(select.bind_text(1, kind));
  TRY(select.bind_text(2, key));
  return TRY(select.step()) == Step::row ? select.column_int64(0) : 0;
}

}  // namespace

Result<CounterSet> load_chain_counts(Ledger& ledger, const Program& program, const Receipt& receipt,
                                     Timestamp at, const TimeZone* zone) {
  CounterSet counts;
  for (const std::string& presented : receipt.coupons) {  // bounded by receipt_coupons_max
    const CouponRule* rule = coupon_rule(program, presented);
    if (rule == nullptr || rule->uses_max == 0) continue;
    const bool seen = std::any_of(counts.coupon_uses_total.begin(), counts.coupon_uses_total.end(),
                                  [rule](const Counter& c) { return c.key == rule->code; });
    if (seen) continue;  // presented twice: the quote reports the duplicate
    add(counts.coupon_uses_total, rule->code,
        TRY(chain_count(ledger, "coupon_uses_total", rule->code)));
  }
  for (const Budget& budget : program.budgets) {  // bounded by program_budgets_max
    const std::string key = budget_key(budget.id, budget_period_at(program, budget, at, zone));
    const std::int64_t spent = TRY(chain_count(ledger, "budget_spent", key));
    if (spent > 0) add(counts.budget_spent, key, spent);
  }
  return counts;
}

QuoteEnvironment quote_environment(const TillEnvironment& till, const Program& program,
                                   const CounterSet& counts, std::vector<BudgetSpent>& spent) {
  spent.clear();
  for (const Counter& counter : counts.budget_spent) {  // bounded by program_budgets_max
    const std::size_t slash = counter.key.find('/');
    LOYALTY_ASSERT(slash != std::string::npos);  // budget_key() wrote it; budget ids have no '/'
    spent.push_back(
        BudgetSpent{counter.key.substr(0, slash), counter.key.substr(slash + 1), counter.count});
  }
  QuoteEnvironment environment;
  environment.zone = till.zone;
  if (till.draw_keyer) environment.draw_keyer = till.draw_keyer(program.program_id);
  environment.coupon_uses_total = std::span<const Counter>(counts.coupon_uses_total);
  environment.budgets_spent = spent;
  return environment;
}

}  // namespace loyalty::storage::checkout_internal
