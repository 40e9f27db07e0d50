// Stage 6 of a quote: receipt-level awards for an identified customer: the welcome bonus on the
// first purchase, the birthday bonus in its window (once a year), the referral bonus when a
// referred customer first buys (to both), and points for HQ-delivered events. Each is an earn
// entry on the receipt (no line) naming its rule.
#include <algorithm>
#include <optional>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

CivilDate birthday_in(CivilDate birthday, int year) {
  CivilDate date{year, birthday.month, birthday.day};
  if (birthday.month == 2 && birthday.day == 29 && !is_leap_year(year)) date.day = 28;
  return date;
}

// Store-local days since the customer's last purchase; none when it was never recorded.
std::optional<std::int64_t> days_away(const QuoteContext& ctx) {
  const auto& last = ctx.customer->last_purchase_at;
  if (!last) return std::nullopt;
  return local_days_between(*last, ctx.at, ctx.zone);
}

// The year of the birthday whose window holds `today`, or 0. Windows near New Year reach into
// the neighbouring year, so the three candidate years are checked.
int birthday_window_year(CivilDate birthday, CivilDate today, const BonusRule& params) {
  std::int64_t today_days = days_from_civil(today);
  for (int year = today.year - 1; year <= today.year + 1; ++year) {
    std::int64_t day = days_from_civil(birthday_in(birthday, year));
    if (today_days >= day - params.window_days_before &&
        today_days <= day + params.window_days_after) {
      return year;
    }
  }
  return 0;
}

void award_bonus(QuoteContext& ctx, std::uint32_t rule, const BonusRule& params) {
  const CustomerState& customer = *ctx.customer;
  Minor net = earning_net(ctx);
  if (net.value() == 0 || net < params.min_basket) return;  // bonuses reward a purchase
  switch (params.trigger) {
    case BonusTrigger::welcome:
      if (customer.purchase_count != 0) return;
      break;
    case BonusTrigger::birthday: {
      if (!customer.birthday) return;
      int year = birthday_window_year(*customer.birthday, ctx.local.date, params);
      if (year == 0 || customer.last_birthday_bonus_year >= year) return;
      ctx.out.birthday_bonus_year = year;
      break;
    }
    case BonusTrigger::referral:
      if (customer.purchase_count != 0 || customer.referred_by.empty()) return;
      break;
    case BonusTrigger::win_back: {
      const std::optional<std::int64_t> away = days_away(ctx);
      if (!away || *away < params.days_away) return;
      break;
    }
  }
  // A budget counts the customer's points first, then the referrer's.
  const std::int64_t referrer =
      params.trigger == BonusTrigger::referral ? params.referrer_points.value() : 0;
  const std::int64_t granted = take_budget(ctx, rule, params.points.value() + referrer);
  const std::int64_t to_customer = std::min(granted, params.points.value());
  add_earn(ctx, no_line, rule_source(rule), EarnAccount::referrer, Points(granted - to_customer));
  add_earn(ctx, no_line, rule_source(rule), EarnAccount::customer, Points(to_customer));
}

// Events of the same type earlier on this receipt count towards the per-customer limit.
std::int64_t awarded_on_receipt(const QuoteContext& ctx, std::uint32_t rule) {
  std::int64_t count = 0;
  for (const EarnEntry& entry : ctx.out.earns) {
    if (entry.line == no_line && entry.source == rule_source(rule)) ++count;
  }
  return count;
}

Status award_event(QuoteContext& ctx, std::size_t index) {
  const ReceiptEvent& event = ctx.receipt.events[index];
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    const Rule& rule = ctx.rule(r);
    if (rule.kind != RuleKind::event_award || !ctx.rule_active(r)) continue;
    const auto& params = std::get<EventAwardRule>(rule.params);
    if (params.event_type != event.event_type) continue;
    std::int64_t before = ctx.customer->event_awards_for(event.event_type);
    if (params.per_customer_max > 0 &&
        before + awarded_on_receipt(ctx, r) >= params.per_customer_max) {
      add_note(ctx, NoteCode::event_limit_reached, rule_source(r), params.per_customer_max);
      return {};
    }
    // An event its budget has nothing left for earns nothing (the note says why).
    add_earn(ctx, no_line, rule_source(r), EarnAccount::customer,
             Points(take_budget(ctx, r, params.points.value())));
    return {};
  }
  return make_error(ErrorCode::invalid_receipt, "events[" + std::to_string(index) +
                                                    "].event_type: no active event_award rule "
                                                    "for \"" +
                                                    event.event_type + "\" in program " +
                                                    ctx.program.program_id);
}

}  // namespace

Status apply_awards(QuoteContext& ctx) {
  if (ctx.customer == nullptr) {
    if (ctx.receipt.events.empty()) return {};
    return make_error(ErrorCode::invalid_receipt, "events: crediting events needs a customer");
  }
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    const Rule& rule = ctx.rule(r);
    if (rule.kind == RuleKind::bonus && ctx.rule_active(r)) {
      award_bonus(ctx, r, std::get<BonusRule>(rule.params));
    }
  }
  for (std::size_t i = 0; i < ctx.receipt.events.size(); ++i) TRY(award_event(ctx, i));
  return {};
}

}  // namespace loyalty::engine
