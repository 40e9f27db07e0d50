// Limited uses the ledger counts for a receipt: coupon uses per customer and chain-wide, what a
// quote takes of them, what an open receipt reserves, and the chain-wide counts a quote is given
// (docs/storage.md, "Limited uses").

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

bool CounterSet::empty() const { return coupon_uses.empty() && coupon_uses_total.empty(); }

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
  return Status();
}

std::string counts_to_json(const CounterSet& counts) {
  json::Writer out;
  out.begin_object();
  if (!counts.coupon_uses.empty()) write_list(out, "coupon_uses", counts.coupon_uses);
  if (!counts.coupon_uses_total.empty()) {
    write_list(out, "coupon_uses_total", counts.coupon_uses_total);
  }
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
  return counts;
}

Result<std::vector<Counter>> load_chain_counts(Ledger& ledger, const Program& program,
                                               const Receipt& receipt) {
  std::vector<Counter> counts;
  for (const std::string& presented : receipt.coupons) {  // bounded by receipt_coupons_max
    const CouponRule* rule = coupon_rule(program, presented);
    if (rule == nullptr || rule->uses_max == 0) continue;
    Statement select = TRY(Statement::prepare(
        ledger.database(),
        "SELECT count FROM counters WHERE customer_id = '' AND kind = 'coupon_uses_total' "
        "AND key = ?1"));
    TRY(select.bind_text(1, rule->code));
    const std::int64_t count = TRY(select.step()) == Step::row ? select.column_int64(0) : 0;
    auto it = std::lower_bound(counts.begin(), counts.end(), rule->code,
                               [](const Counter& c, const std::string& k) { return c.key < k; });
    if (it == counts.end() || it->key != rule->code) counts.insert(it, Counter{rule->code, count});
  }
  return counts;
}

}  // namespace loyalty::storage::checkout_internal
