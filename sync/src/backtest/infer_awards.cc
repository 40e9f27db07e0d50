// infer_awards(): what the receipt-level awards of the stored quote say about the customer: a
// welcome or referral bonus (a first purchase; a referrer), a birthday bonus (the birthday falls
// on the receipt's local date), a win-back bonus (at least its days away), and an event award's
// limit (the count that stopped it).

#include <algorithm>

#include "backtest/rebuild.h"

namespace loyalty::sync::backtest {

namespace {

// The bonus rule a source label names, or null.
const BonusRule* bonus_of(const RebuildContext& context, std::string_view source) {
  const Rule* rule = context.reference.rule_of_source(source);
  if (rule == nullptr || rule->kind != RuleKind::bonus) return nullptr;
  return &std::get<BonusRule>(rule->params);
}

void infer_bonus(const BonusRule& bonus, const StoredQuote& quote, const RebuildContext& context,
                 Rebuilt& out) {
  CustomerState& customer = out.customer;
  switch (bonus.trigger) {
    case BonusTrigger::welcome:
      customer.purchase_count = 0;
      break;
    case BonusTrigger::referral:
      customer.purchase_count = 0;
      customer.referred_by = "hq-referrer";  // the referrer's account is not the backtest's
      break;
    case BonusTrigger::birthday:
      customer.birthday = to_local(quote.at, context.zone).date;
      customer.last_birthday_bonus_year = 0;
      break;
    case BonusTrigger::win_back:
      out.days_away_min = std::max<std::int64_t>(out.days_away_min, bonus.days_away);
      break;
  }
}

// An event_award rule that stopped at its per-customer limit: the customer held the limit less
// what this receipt awarded (a note's value is the limit).
void infer_event_limit(const StoredNote& note, const StoredQuote& quote,
                       const RebuildContext& context, Rebuilt& out) {
  const Rule* rule = context.reference.rule_of_source(note.source);
  if (rule == nullptr || rule->kind != RuleKind::event_award) return;
  const std::int64_t awarded =
      std::count_if(quote.receipt_earns.begin(), quote.receipt_earns.end(),
                    [&note](const StoredEarn& earn) { return earn.source == note.source; });
  const std::string& type = std::get<EventAwardRule>(rule->params).event_type;
  // Within a customer document's counts (1,000,000,000), whatever a damaged note says.
  raise_count(
      out.customer.event_awards, type,
      std::clamp<std::int64_t>(saturating_difference(note.value, awarded), 0, 1'000'000'000));
}

}  // namespace

void infer_awards(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  out.days_away_min = 0;
  for (const StoredEarn& earn : quote.receipt_earns) {
    if (const BonusRule* bonus = bonus_of(context, earn.source)) {
      infer_bonus(*bonus, quote, context, out);
    }
  }
  for (const StoredNote& note : quote.notes) {
    // A bonus whose budget gave nothing or part still met its conditions.
    if (note.code == "budget_capped" || note.code == "budget_exhausted") {
      if (const BonusRule* bonus = bonus_of(context, note.source)) {
        infer_bonus(*bonus, quote, context, out);
      }
    }
    if (note.code == "event_limit_reached") infer_event_limit(note, quote, context, out);
  }
}

}  // namespace loyalty::sync::backtest
