// Rule-bundle rules: the parameters of each rule kind (program/loader_internal.h).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/limits.h"
#include "program/loader_internal.h"

namespace loyalty::loader {

namespace {

using fields::Field;
using fields::Need;
using fields::StringRule;

constexpr std::string_view bonus_trigger_names[] = {"welcome", "birthday", "referral", "win_back"};
constexpr std::int64_t bp_max = limits::basis_points_max;
constexpr std::int64_t amount_max = limits::amount_minor_max;
constexpr std::int64_t points_max = limits::points_max;
constexpr std::int64_t birthday_window_days_max = 31;
constexpr std::int64_t per_customer_max_max = 1'000'000;
constexpr std::int64_t coupon_uses_max_max = 1'000'000'000;
constexpr std::int64_t quantity_param_max = 1'000;
constexpr std::int64_t odds_max = 1'000'000;
constexpr std::int64_t period_days_max = 3650;

Field min_basket_field(const fields::Reader& r, Minor* out) {
  return fields::int_field(r, "min_basket_minor", Need::optional, out, 0, amount_max);
}

Field scope_field(const fields::Reader& r, Scope* out) {
  return fields::choice_field(r, "scope", Need::optional, out, scope_names);
}

Status read_price(const Context& ctx, const json::Value& value, const std::string& path,
                  MemberPrice* out) {
  const Field price_fields[] = {
      fields::string_field(ctx.reader, "sku", Need::required, &out->sku, StringRule::text),
      fields::int_field(ctx.reader, "price_minor", Need::required, &out->price, 0, amount_max),
  };
  return fields::read_object(ctx.reader, value, path, price_fields);
}

Status read_prices(const Context& ctx, const json::Value& value, const std::string& path,
                   std::vector<MemberPrice>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::rule_filter_items_max));
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by rule_filter_items_max
    const std::string item_at = fields::item_path(path, i);
    MemberPrice price;
    TRY(read_price(ctx, (*items)[i], item_at, &price));
    for (const MemberPrice& earlier : *out) {  // bounded by rule_filter_items_max
      if (earlier.sku == price.sku) {
        return ctx.reader.error(fields::member_path(item_at, "sku"),
                                "duplicate sku " + json::quote(price.sku));
      }
    }
    out->push_back(std::move(price));
  }
  std::sort(out->begin(), out->end(),
            [](const MemberPrice& a, const MemberPrice& b) { return a.sku < b.sku; });
  LOYALTY_ASSERT(!out->empty());
  return Status();
}

Status read_threshold(const Context& ctx, const json::Value& value, const std::string& path,
                      ProgressiveThreshold* out) {
  const Field threshold_fields[] = {
      fields::int_field(ctx.reader, "from_spend_minor", Need::required, &out->from_spend, 0,
                        amount_max),
      fields::int_field(ctx.reader, "percent_bp", Need::required, &out->percent, 1, bp_max),
  };
  return fields::read_object(ctx.reader, value, path, threshold_fields);
}

Status read_thresholds(const Context& ctx, const json::Value& value, const std::string& path,
                       std::vector<ProgressiveThreshold>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::rule_thresholds_max));
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by rule_thresholds_max
    const std::string item_at = fields::item_path(path, i);
    ProgressiveThreshold threshold;
    TRY(read_threshold(ctx, (*items)[i], item_at, &threshold));
    if (!out->empty() && threshold.from_spend <= out->back().from_spend) {
      return ctx.reader.error(fields::member_path(item_at, "from_spend_minor"),
                              "must be greater than the previous threshold's from_spend_minor (" +
                                  std::to_string(out->back().from_spend.value()) + "), got " +
                                  std::to_string(threshold.from_spend.value()));
    }
    out->push_back(threshold);
  }
  LOYALTY_ASSERT(!out->empty());
  return Status();
}

Status read_odds(const Context& ctx, const json::Value& value, const std::string& path,
                 InstantWinRule* out) {
  std::int64_t denominator = 0;
  const Field odds_fields[] = {
      fields::int_field(ctx.reader, "numerator", Need::required, &out->odds_numerator, 1, odds_max),
      fields::int_field(ctx.reader, "denominator", Need::required, &denominator, 1, odds_max),
  };
  TRY(fields::read_object(ctx.reader, value, path, odds_fields));
  if (denominator < out->odds_numerator) {
    return ctx.reader.error(fields::member_path(path, "denominator"),
                            "must be between " + std::to_string(out->odds_numerator) + " and " +
                                std::to_string(odds_max) + ", got " + std::to_string(denominator));
  }
  out->odds_denominator = denominator;
  LOYALTY_ASSERT(out->odds_numerator >= 1 && out->odds_numerator <= out->odds_denominator);
  return Status();
}

void bonus_fields(const fields::Reader& r, BonusRule* p, std::vector<Field>* out) {
  out->push_back(
      fields::choice_field(r, "trigger", Need::required, &p->trigger, bonus_trigger_names));
  out->push_back(fields::int_field(r, "points", Need::required, &p->points, 0, points_max));
  out->push_back(
      fields::int_field(r, "referrer_points", Need::optional, &p->referrer_points, 0, points_max));
  out->push_back(fields::int_field(r, "window_days_before", Need::optional, &p->window_days_before,
                                   0, birthday_window_days_max));
  out->push_back(fields::int_field(r, "window_days_after", Need::optional, &p->window_days_after, 0,
                                   birthday_window_days_max));
  out->push_back(fields::int_field(r, "days_away", Need::optional, &p->days_away, 1,
                                   limits::recency_days_max));
  out->push_back(min_basket_field(r, &p->min_basket));
}

void coupon_fields(Context& ctx, CouponRule* p, std::vector<Field>* out) {
  const fields::Reader& r = ctx.reader;
  out->push_back(Field{
      "code", Need::required, [&ctx, p](const json::Value& v, const std::string& path) -> Status {
        p->code = TRY(ctx.reader.coupon_code(v, path));
        if (!ctx.coupon_codes.insert(p->code).second) {
          return ctx.reader.error(path, "duplicate coupon code " + json::quote(p->code));
        }
        return Status();
      }});
  out->push_back(fields::int_field(r, "percent_bp", Need::optional, &p->percent, 1, bp_max));
  out->push_back(fields::int_field(r, "amount_minor", Need::optional, &p->amount, 1, amount_max));
  out->push_back(scope_field(r, &p->scope));
  out->push_back(min_basket_field(r, &p->min_basket));
  out->push_back(fields::int_field(r, "per_customer_max", Need::optional, &p->per_customer_max, 0,
                                   per_customer_max_max));
  out->push_back(
      fields::int_field(r, "uses_max", Need::optional, &p->uses_max, 0, coupon_uses_max_max));
}

void discount_fields(Context& ctx, RuleKind kind, RuleParams* params, std::vector<Field>* out) {
  const fields::Reader& r = ctx.reader;
  switch (kind) {
    case RuleKind::member_price: {
      auto* p = std::get_if<MemberPriceRule>(params);
      out->push_back(Field{"prices", Need::required,
                           [&ctx, p](const json::Value& v, const std::string& path) -> Status {
                             return read_prices(ctx, v, path, &p->prices);
                           }});
      return;
    }
    case RuleKind::percent_off: {
      auto* p = std::get_if<PercentOffRule>(params);
      out->push_back(fields::int_field(r, "percent_bp", Need::required, &p->percent, 1, bp_max));
      out->push_back(scope_field(r, &p->scope));
      return;
    }
    case RuleKind::amount_off: {
      auto* p = std::get_if<AmountOffRule>(params);
      out->push_back(
          fields::int_field(r, "amount_minor", Need::required, &p->amount, 1, amount_max));
      out->push_back(scope_field(r, &p->scope));
      out->push_back(min_basket_field(r, &p->min_basket));
      return;
    }
    case RuleKind::progressive_discount: {
      auto* p = std::get_if<ProgressiveDiscountRule>(params);
      out->push_back(Field{"thresholds", Need::required,
                           [&ctx, p](const json::Value& v, const std::string& path) -> Status {
                             return read_thresholds(ctx, v, path, &p->thresholds);
                           }});
      out->push_back(fields::int_field(r, "step_down_after_days", Need::optional,
                                       &p->step_down_after_days, 1, limits::recency_days_max));
      return;
    }
    default:
      LOYALTY_ASSERT(false);
  }
}

void promotion_fields(Context& ctx, RuleKind kind, RuleParams* params, std::vector<Field>* out) {
  const fields::Reader& r = ctx.reader;
  switch (kind) {
    case RuleKind::buy_x_get_y: {
      auto* p = std::get_if<BuyXGetYRule>(params);
      out->push_back(fields::int_field(r, "buy_quantity", Need::required, &p->buy_quantity, 1,
                                       quantity_param_max));
      out->push_back(fields::int_field(r, "get_quantity", Need::required, &p->get_quantity, 1,
                                       quantity_param_max));
      out->push_back(
          fields::int_field(r, "get_percent_bp", Need::optional, &p->get_percent, 1, bp_max));
      return;
    }
    case RuleKind::stamp_card: {
      auto* p = std::get_if<StampCardRule>(params);
      // One rule per card: two rules reading the same counter would spend the same stamps twice.
      out->push_back(Field{"card_id", Need::required,
                           [&ctx, p](const json::Value& v, const std::string& path) -> Status {
                             p->card_id = TRY(ctx.reader.id(v, path));
                             if (!ctx.stamp_cards.insert(p->card_id).second) {
                               return ctx.reader.error(path, "duplicate stamp card " +
                                                                 json::quote(p->card_id) +
                                                                 " (one stamp_card rule per card)");
                             }
                             return Status();
                           }});
      out->push_back(fields::int_field(r, "stamps_required", Need::required, &p->stamps_required, 1,
                                       quantity_param_max));
      out->push_back(
          fields::int_field(r, "reward_percent_bp", Need::optional, &p->reward_percent, 1, bp_max));
      return;
    }
    case RuleKind::coupon:
      coupon_fields(ctx, std::get_if<CouponRule>(params), out);
      return;
    case RuleKind::instant_win: {
      auto* p = std::get_if<InstantWinRule>(params);
      out->push_back(Field{"odds", Need::required,
                           [&ctx, p](const json::Value& v, const std::string& path) -> Status {
                             return read_odds(ctx, v, path, p);
                           }});
      out->push_back(
          fields::int_field(r, "prize_points", Need::optional, &p->prize_points, 0, points_max));
      out->push_back(fields::int_field(r, "prize_amount_minor", Need::optional, &p->prize_amount, 0,
                                       amount_max));
      out->push_back(min_basket_field(r, &p->min_basket));
      return;
    }
    default:
      LOYALTY_ASSERT(false);
  }
}

Status finish_bonus(const Context& ctx, const json::Value& value, const std::string& path,
                    const BonusRule& bonus) {
  const fields::Reader& r = ctx.reader;
  if (bonus.trigger != BonusTrigger::referral && value.find("referrer_points") != nullptr) {
    return r.error(fields::member_path(path, "referrer_points"),
                   "is only allowed when trigger is \"referral\"");
  }
  for (std::string_view name : {"window_days_before", "window_days_after"}) {  // two names
    if (bonus.trigger != BonusTrigger::birthday && value.find(name) != nullptr) {
      return r.error(fields::member_path(path, name),
                     "is only allowed when trigger is \"birthday\"");
    }
  }
  const bool has_days_away = value.find("days_away") != nullptr;
  if (bonus.trigger != BonusTrigger::win_back && has_days_away) {
    return r.error(fields::member_path(path, "days_away"),
                   "is only allowed when trigger is \"win_back\"");
  }
  if (bonus.trigger == BonusTrigger::win_back && !has_days_away) {
    return r.error(fields::member_path(path, "days_away"),
                   "is required when trigger is \"win_back\"");
  }
  if (bonus.points.value() == 0 && bonus.referrer_points.value() == 0) {
    return r.error(path, "points and referrer_points must not both be 0");
  }
  return Status();
}

}  // namespace

RuleParams default_params(RuleKind kind) {
  switch (kind) {
    case RuleKind::earn_rate:
      return EarnRateRule{};
    case RuleKind::earn_multiplier:
      return EarnMultiplierRule{};
    case RuleKind::bonus:
      return BonusRule{};
    case RuleKind::event_award:
      return EventAwardRule{};
    case RuleKind::member_price:
      return MemberPriceRule{};
    case RuleKind::percent_off:
      return PercentOffRule{};
    case RuleKind::amount_off:
      return AmountOffRule{};
    case RuleKind::progressive_discount:
      return ProgressiveDiscountRule{};
    case RuleKind::buy_x_get_y:
      return BuyXGetYRule{};
    case RuleKind::stamp_card:
      return StampCardRule{};
    case RuleKind::coupon:
      return CouponRule{};
    case RuleKind::instant_win:
      return InstantWinRule{};
    case RuleKind::paid_membership:
      return PaidMembershipRule{};
    case RuleKind::volume_discount:
      return VolumeDiscountRule{};
  }
  LOYALTY_ASSERT(false);
  return EarnRateRule{};
}

void kind_fields(Context& ctx, RuleKind kind, RuleParams* params, std::vector<Field>* out) {
  LOYALTY_ASSERT(static_cast<std::size_t>(kind) == params->index());
  const fields::Reader& r = ctx.reader;
  switch (kind) {
    case RuleKind::earn_rate: {
      auto* p = std::get_if<EarnRateRule>(params);
      out->push_back(fields::int_field(r, "points", Need::required, &p->rate.points, 0,
                                       limits::earn_points_per_unit_max));
      out->push_back(
          fields::int_field(r, "per_minor", Need::required, &p->rate.per_minor, 1, amount_max));
      return;
    }
    case RuleKind::earn_multiplier:
      out->push_back(fields::int_field(r, "multiplier_percent", Need::required,
                                       &std::get_if<EarnMultiplierRule>(params)->multiplier_percent,
                                       101, limits::multiplier_percent_max));
      return;
    case RuleKind::bonus:
      bonus_fields(r, std::get_if<BonusRule>(params), out);
      return;
    case RuleKind::event_award: {
      auto* p = std::get_if<EventAwardRule>(params);
      out->push_back(
          fields::string_field(r, "event_type", Need::required, &p->event_type, StringRule::id));
      out->push_back(fields::int_field(r, "points", Need::required, &p->points, 1, points_max));
      out->push_back(fields::int_field(r, "per_customer_max", Need::optional, &p->per_customer_max,
                                       0, per_customer_max_max));
      return;
    }
    case RuleKind::paid_membership: {
      auto* p = std::get_if<PaidMembershipRule>(params);
      out->push_back(fields::string_field(r, "sku", Need::required, &p->sku, StringRule::text));
      out->push_back(
          fields::int_field(r, "period_days", Need::optional, &p->period_days, 1, period_days_max));
      return;
    }
    case RuleKind::member_price:
    case RuleKind::percent_off:
    case RuleKind::amount_off:
    case RuleKind::progressive_discount:
      discount_fields(ctx, kind, params, out);
      return;
    case RuleKind::buy_x_get_y:
    case RuleKind::stamp_card:
    case RuleKind::coupon:
    case RuleKind::instant_win:
      promotion_fields(ctx, kind, params, out);
      return;
    case RuleKind::volume_discount:
      volume_fields(ctx, std::get_if<VolumeDiscountRule>(params), out);
      return;
  }
}

Status finish_params(const Context& ctx, const json::Value& value, const std::string& path,
                     Rule* rule) {
  const bool has_items = value.find("items") != nullptr;
  if (const auto* bonus = std::get_if<BonusRule>(&rule->params)) {
    return finish_bonus(ctx, value, path, *bonus);
  }
  if (const auto* coupon = std::get_if<CouponRule>(&rule->params)) {
    const bool has_percent = value.find("percent_bp") != nullptr;
    const bool has_amount = value.find("amount_minor") != nullptr;
    if (has_percent == has_amount) {
      return ctx.reader.error(path, "must have exactly one of percent_bp and amount_minor");
    }
    LOYALTY_ASSERT(coupon->percent.value > 0 || coupon->amount.value() > 0);
  }
  if (const auto* win = std::get_if<InstantWinRule>(&rule->params)) {
    if (win->prize_points.value() == 0 && win->prize_amount.value() == 0) {
      return ctx.reader.error(path, "prize_points and prize_amount_minor must not both be 0");
    }
  }
  if (const auto* prices = std::get_if<MemberPriceRule>(&rule->params); prices && !has_items) {
    rule->filter.skus.clear();
    for (const MemberPrice& price : prices->prices) rule->filter.skus.push_back(price.sku);
    LOYALTY_ASSERT(std::is_sorted(rule->filter.skus.begin(), rule->filter.skus.end()));
  }
  if (const auto* membership = std::get_if<PaidMembershipRule>(&rule->params);
      membership && !has_items) {
    rule->filter.skus = {membership->sku};
  }
  return Status();
}

}  // namespace loyalty::loader
