// Coupons presented on a receipt: each gets an outcome before discounts run. A coupon that passes
// these checks is "pending" (status not_stackable until the discount stage applies it), and the
// discount stage settles it: applied, below_min_basket, no_eligible_items or not_stackable.
#include "engine/internal.h"

namespace loyalty::engine {
namespace {

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool same_code(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (upper(a[i]) != upper(b[i])) return false;
  }
  return true;
}

std::uint32_t find_coupon_rule(const QuoteContext& ctx, std::string_view code) {
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    const Rule& rule = ctx.rule(r);
    if (rule.kind == RuleKind::coupon && same_code(std::get<CouponRule>(rule.params).code, code)) {
      return r;
    }
  }
  return no_rule;
}

CouponStatus check_coupon(const QuoteContext& ctx, std::uint32_t rule) {
  const Rule& r = ctx.rule(rule);
  const auto& params = std::get<CouponRule>(r.params);
  if (r.schedule.valid_from && ctx.at < *r.schedule.valid_from) return CouponStatus::not_yet_valid;
  if (r.schedule.valid_to && !(ctx.at < *r.schedule.valid_to)) return CouponStatus::expired;
  if (!ctx.rule_active(rule)) return CouponStatus::not_eligible;
  if (params.per_customer_max > 0) {
    if (ctx.customer == nullptr) return CouponStatus::not_eligible;
    if (ctx.customer->coupon_uses_for(params.code) >= params.per_customer_max) {
      return CouponStatus::customer_limit_reached;
    }
  }
  // Chain-wide, anonymous receipts included: the ledger counts every use.
  if (params.uses_max > 0 &&
      coupon_count_for(ctx.coupon_uses_total, params.code) >= params.uses_max) {
    return CouponStatus::used_up;
  }
  return CouponStatus::not_stackable;  // pending: the discount stage decides
}

}  // namespace

void prepare_coupons(QuoteContext& ctx) {
  ctx.scratch.coupon_outcome.assign(ctx.program.rules.size(), -1);
  const auto& presented = ctx.receipt.coupons;
  for (std::uint32_t i = 0; i < presented.size(); ++i) {
    CouponOutcome outcome;
    outcome.presented = i;
    outcome.status = CouponStatus::unknown_code;
    bool duplicate = false;
    for (std::uint32_t j = 0; j < i; ++j)
      duplicate = duplicate || same_code(presented[j], presented[i]);
    std::uint32_t rule = find_coupon_rule(ctx, presented[i]);
    if (duplicate) {
      outcome.status = CouponStatus::duplicate;
    } else if (rule != no_rule) {
      outcome.rule = rule;
      outcome.status = check_coupon(ctx, rule);
      if (outcome.status == CouponStatus::not_stackable) {
        ctx.scratch.coupon_outcome[rule] = static_cast<std::int32_t>(ctx.out.coupons.size());
      }
    }
    ctx.out.coupons.push_back(outcome);
  }
}

}  // namespace loyalty::engine
