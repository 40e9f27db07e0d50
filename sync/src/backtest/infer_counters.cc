// infer_counters(): the counts the stored quote shows at a limit or at work: coupon uses that
// stopped a coupon (the customer's, or chain-wide), and the stamps a card held before the receipt
// (the smallest count that gives the stored stamp movements).

#include <algorithm>

#include "backtest/rebuild.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::backtest {

namespace {

void infer_coupons(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  out.coupon_uses_total.clear();
  for (const StoredCoupon& coupon : quote.coupons) {
    const Rule* rule = context.reference.rule_of_kind(coupon.rule, RuleKind::coupon);
    if (rule == nullptr) continue;
    const CouponRule& params = std::get<CouponRule>(rule->params);
    if (coupon.status == "customer_limit_reached" && out.identified) {
      raise_count(out.customer.coupon_uses, params.code,
                  std::max<std::int64_t>(1, params.per_customer_max));
    } else if (coupon.status == "used_up") {
      raise_count(out.coupon_uses_total, params.code, std::max<std::int64_t>(1, params.uses_max));
    }
  }
  // Keyed by the rules' codes, which the loader keeps in upper case: what coupon_count_for()
  // expects whatever case the code was presented in.
  if (out.identified) out.customer.coupon_uses_total = out.coupon_uses_total;
}

// Whether `held` stamps before the receipt give the movements `moves` of a card of `required`
// stamps, in the commit mode (the card's discount applied) or the collect-only mode (outbid).
bool stamps_reproduce(std::int64_t held, std::int64_t required, bool collect_only,
                      const std::vector<const StoredStamp*>& moves, const Receipt& receipt) {
  for (const StoredStamp* move : moves) {  // bounded by the stored quote
    if (move->line < 0 || static_cast<std::size_t>(move->line) >= receipt.lines.size())
      return false;
    const std::int64_t quantity = receipt.lines[static_cast<std::size_t>(move->line)].quantity;
    // Beyond a receipt's bound the receipt is skipped (check_rebuilt_limits), and held + quantity
    // could overflow: no count reproduces it.
    if (quantity > limits::quantity_max) return false;
    if (collect_only) {
      const std::int64_t earned = std::min(quantity, required - held);
      if (earned <= 0 || move->earned != earned || move->redeemed != 0) return false;
      held += earned;
      continue;
    }
    const std::int64_t rewarded = (held + quantity) / (required + 1);
    held = (held + quantity) % (required + 1);
    if (move->earned != quantity - rewarded || move->redeemed != rewarded * required) return false;
  }
  return true;
}

// The card's size: the reference program's rule, else what a redemption in the moves shows.
std::int64_t stamps_required(const RebuildContext& context, std::string_view rule_id,
                             const std::vector<const StoredStamp*>& moves, const Receipt& receipt) {
  if (const Rule* rule = context.reference.rule_of_kind(rule_id, RuleKind::stamp_card)) {
    return std::get<StampCardRule>(rule->params).stamps_required;
  }
  for (const StoredStamp* move : moves) {
    if (move->redeemed <= 0 || move->line < 0 ||
        static_cast<std::size_t>(move->line) >= receipt.lines.size()) {
      continue;
    }
    std::int64_t rewarded = 0;
    // A difference past int64 is more than any redeemed count: it divides none.
    if (__builtin_sub_overflow(receipt.lines[static_cast<std::size_t>(move->line)].quantity,
                               move->earned, &rewarded)) {
      continue;
    }
    if (rewarded > 0 && move->redeemed % rewarded == 0) return move->redeemed / rewarded;
  }
  return 0;
}

void infer_stamps(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  std::vector<const StoredStamp*> moves;
  for (std::size_t i = 0; i < quote.stamps.size(); ++i) {
    const StoredStamp& first = quote.stamps[i];
    bool seen = false;
    for (std::size_t j = 0; j < i; ++j) seen = seen || quote.stamps[j].rule == first.rule;
    if (seen) continue;
    moves.clear();
    for (std::size_t j = i; j < quote.stamps.size(); ++j) {
      if (quote.stamps[j].rule == first.rule) moves.push_back(&quote.stamps[j]);
    }
    const std::int64_t required = stamps_required(context, first.rule, moves, out.receipt);
    // The loader's bound on a card's size, and a receipt's lines: the search stays bounded.
    if (required <= 0 || required > limits::quantity_max ||
        moves.size() > limits::receipt_lines_max) {
      continue;
    }
    for (std::int64_t held = 0; held <= required; ++held) {  // bounded by the card's size
      if (stamps_reproduce(held, required, false, moves, out.receipt) ||
          stamps_reproduce(held, required, true, moves, out.receipt)) {
        if (held > 0) raise_count(out.customer.stamps, first.card_id, held);
        break;
      }
    }
  }
}

}  // namespace

void infer_counters(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  infer_coupons(quote, context, out);
  if (out.identified) infer_stamps(quote, context, out);
}

}  // namespace loyalty::sync::backtest
