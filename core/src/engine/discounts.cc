// Stage 2 of a quote: discount rules in evaluation order, with stacking groups, coupons, stamp
// cards and instant-win draws. Each rule first computes the discounts it would give on the lines'
// current nets (into scratch.trial); committing adds them. best_for_customer groups compare the
// trial totals of their rules before committing the winner.
#include <algorithm>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

enum GroupState : std::uint8_t { group_open = 0, group_taken = 1, group_decided = 2 };

Minor net_of(const QuoteContext& ctx, std::uint32_t line) { return ctx.out.lines[line].net; }

void push_trial(QuoteContext& ctx, std::uint32_t line, std::uint32_t rule, std::int64_t amount) {
  LOYALTY_ASSERT(amount >= 0 && amount <= net_of(ctx, line).value());
  if (amount > 0) ctx.scratch.trial.push_back(Discount{line, rule_source(rule), Minor(amount)});
}

// Splits `total` over `lines` in proportion to their nets; every share stays within its net.
void push_basket_share(QuoteContext& ctx, std::uint32_t rule, std::span<const std::uint32_t> lines,
                       std::int64_t total) {
  if (ctx.totals_only) {
    ctx.unsplit_total += total;
    return;
  }
  auto& weights = ctx.scratch.weights;
  weights.resize(lines.size());
  for (std::size_t k = 0; k < lines.size(); ++k) weights[k] = net_of(ctx, lines[k]).value();
  allocate(ctx, total, lines, weights);
  for (std::size_t k = 0; k < lines.size(); ++k)
    push_trial(ctx, lines[k], rule, ctx.scratch.shares[k]);
}

std::int64_t nets_of(const QuoteContext& ctx, std::span<const std::uint32_t> lines) {
  std::int64_t sum = 0;
  for (std::uint32_t line : lines) sum += net_of(ctx, line).value();
  return sum;
}

void compute_percent(QuoteContext& ctx, std::uint32_t rule, BasisPoints percent, Scope scope) {
  auto lines = ctx.lines_of(rule);
  Rounding rounding = ctx.rule(rule).rounding;
  if (scope == Scope::basket) {
    std::int64_t total = multiply_divide(nets_of(ctx, lines), percent.value, 10000, rounding);
    push_basket_share(ctx, rule, lines, total);
    return;
  }
  for (std::uint32_t line : lines) {
    std::int64_t net = net_of(ctx, line).value();
    push_trial(ctx, line, rule,
               std::min(net, multiply_divide(net, percent.value, 10000, rounding)));
  }
}

void compute_amount(QuoteContext& ctx, std::uint32_t rule, Minor amount, Scope scope) {
  auto lines = ctx.lines_of(rule);
  if (scope == Scope::basket) {
    push_basket_share(ctx, rule, lines, std::min(amount.value(), nets_of(ctx, lines)));
    return;
  }
  for (std::uint32_t line : lines) {
    std::int64_t per_line = amount.value() * ctx.receipt.lines[line].quantity;
    push_trial(ctx, line, rule, std::min(net_of(ctx, line).value(), per_line));
  }
}

void compute_member_price(QuoteContext& ctx, std::uint32_t rule, const MemberPriceRule& params) {
  if (ctx.customer == nullptr) return;  // member prices need a scanned card
  for (std::uint32_t line : ctx.lines_of(rule)) {
    const ReceiptLine& receipt_line = ctx.receipt.lines[line];
    auto it = std::lower_bound(
        params.prices.begin(), params.prices.end(), receipt_line.sku,
        [](const MemberPrice& price, const std::string& sku) { return price.sku < sku; });
    if (it == params.prices.end() || it->sku != receipt_line.sku) continue;
    std::int64_t saving = (receipt_line.unit_price - it->price).value() * receipt_line.quantity;
    if (saving > 0) push_trial(ctx, line, rule, std::min(saving, net_of(ctx, line).value()));
  }
}

// Recency: the step drops one step per `step_down_after_days` store-local days since the last
// purchase, never below the first step. An unknown last purchase drops nothing.
std::size_t steps_dropped(const QuoteContext& ctx, const ProgressiveDiscountRule& params) {
  const auto& last = ctx.customer->last_purchase_at;
  if (params.step_down_after_days == 0 || !last) return 0;
  const std::int64_t days_away = local_days_between(*last, ctx.at, ctx.zone);
  if (days_away <= 0) return 0;
  return static_cast<std::size_t>(days_away / params.step_down_after_days);
}

void compute_progressive(QuoteContext& ctx, std::uint32_t rule,
                         const ProgressiveDiscountRule& params, bool commit) {
  if (ctx.customer == nullptr) return;
  std::size_t reached = params.thresholds.size();  // none yet
  for (std::size_t i = 0; i < params.thresholds.size(); ++i) {
    if (ctx.customer->cumulative_spend >= params.thresholds[i].from_spend) reached = i;
  }
  if (reached == params.thresholds.size()) return;
  const std::size_t dropped = std::min(steps_dropped(ctx, params), reached);
  if (commit && dropped > 0) {
    add_note(ctx, NoteCode::recency_stepped_down, rule_source(rule),
             static_cast<std::int64_t>(dropped));
  }
  compute_percent(ctx, rule, params.thresholds[reached - dropped].percent, Scope::line);
}

// The highest step the rule's lines reach together, by units or by net amount, applies to each.
void compute_volume(QuoteContext& ctx, std::uint32_t rule, const VolumeDiscountRule& params) {
  auto lines = ctx.lines_of(rule);
  std::int64_t measured = 0;
  for (std::uint32_t line : lines) {
    measured += params.measure == VolumeMeasure::quantity ? ctx.receipt.lines[line].quantity
                                                          : net_of(ctx, line).value();
  }
  const VolumeStep* reached = nullptr;
  for (const VolumeStep& step : params.steps) {
    if (measured >= step.from) reached = &step;
  }
  if (reached != nullptr) compute_percent(ctx, rule, reached->percent, Scope::line);
}

// The cheapest `free` units among the rule's lines get `get_percent` off.
void compute_buy_x_get_y(QuoteContext& ctx, std::uint32_t rule, const BuyXGetYRule& params) {
  auto lines = ctx.lines_of(rule);
  std::int64_t units = 0;
  for (std::uint32_t line : lines) units += ctx.receipt.lines[line].quantity;
  std::int64_t free = units / (params.buy_quantity + params.get_quantity) * params.get_quantity;
  if (free == 0) return;
  auto& order = ctx.scratch.order;
  order.assign(lines.begin(), lines.end());
  std::sort(order.begin(), order.end(), [&ctx](std::uint32_t a, std::uint32_t b) {
    Minor price_a = ctx.receipt.lines[a].unit_price;
    Minor price_b = ctx.receipt.lines[b].unit_price;
    return price_a != price_b ? price_a < price_b : a < b;
  });
  Rounding rounding = ctx.rule(rule).rounding;
  for (std::uint32_t line : order) {
    if (free == 0) break;
    std::int64_t quantity = ctx.receipt.lines[line].quantity;
    std::int64_t take = std::min(free, quantity);
    free -= take;
    std::int64_t net = net_of(ctx, line).value();
    std::int64_t off =
        multiply_divide(net, take * params.get_percent.value, quantity * 10000, rounding);
    push_trial(ctx, line, rule, std::min(net, off));
  }
}

// Units are stamped in line order; with `stamps_required` stamps held, the next unit is the
// reward and spends them. Over q units from s stamps, (s + q) / (N + 1) units are rewards.
// When stacking keeps the card's discount out (collect_only), its units still collect stamps, up
// to the N that make the next qualifying unit a reward.
enum class StampMode { trial, commit, collect_only };

void compute_stamps(QuoteContext& ctx, std::uint32_t rule, const StampCardRule& params,
                    StampMode mode) {
  if (ctx.customer == nullptr) return;
  const std::int64_t required = params.stamps_required;
  std::int64_t held =
      std::clamp<std::int64_t>(ctx.customer->stamps_for(params.card_id), 0, required);
  for (std::uint32_t line : ctx.lines_of(rule)) {
    std::int64_t quantity = ctx.receipt.lines[line].quantity;
    if (mode == StampMode::collect_only) {
      std::int64_t earned = std::min(quantity, required - held);
      held += earned;
      if (earned > 0) ctx.out.stamps.push_back(StampMovement{rule, line, earned, 0});
      continue;
    }
    std::int64_t rewarded = (held + quantity) / (required + 1);
    held = (held + quantity) % (required + 1);
    if (rewarded > 0) {
      std::int64_t net = net_of(ctx, line).value();
      std::int64_t off = multiply_divide(net, rewarded * params.reward_percent.value,
                                         quantity * 10000, ctx.rule(rule).rounding);
      push_trial(ctx, line, rule, std::min(net, off));
    }
    if (mode == StampMode::commit) {
      ctx.out.stamps.push_back(StampMovement{rule, line, quantity - rewarded, rewarded * required});
    }
  }
}

CouponOutcome* pending_coupon(QuoteContext& ctx, std::uint32_t rule) {
  std::int32_t index = ctx.scratch.coupon_outcome[rule];
  return index < 0 ? nullptr : &ctx.out.coupons[static_cast<std::size_t>(index)];
}

void compute_coupon(QuoteContext& ctx, std::uint32_t rule, const CouponRule& params, bool commit) {
  CouponOutcome* outcome = pending_coupon(ctx, rule);
  if (outcome == nullptr) return;
  if (nets_of(ctx, ctx.lines_of(rule)) < params.min_basket.value()) {
    if (commit) outcome->status = CouponStatus::below_min_basket;
    return;
  }
  if (params.percent.value > 0) {
    compute_percent(ctx, rule, params.percent, params.scope);
  } else {
    compute_amount(ctx, rule, params.amount, params.scope);
  }
  if (commit && ctx.scratch.trial.empty()) outcome->status = CouponStatus::no_eligible_items;
}

bool has_budget_in(const QuoteContext& ctx, std::uint32_t rule, BudgetUnit unit) {
  const std::uint32_t budget = ctx.rule(rule).budget_index;
  return budget != no_budget && ctx.program.budgets[budget].unit == unit;
}

// The draw is keyed (draw.h): without a DrawKeyer no draw is held and the rule gives nothing.
void compute_instant_win(QuoteContext& ctx, std::uint32_t rule, const InstantWinRule& params,
                         bool commit) {
  if (nets_of(ctx, ctx.lines_of(rule)) < params.min_basket.value()) return;
  const DrawKeyer* keyer = ctx.environment.draw_keyer;
  if (keyer == nullptr) {
    if (commit) add_note(ctx, NoteCode::draw_not_held, rule_source(rule), 0);
    return;
  }
  draw_message(ctx.program.program_id, ctx.program.version, ctx.receipt.receipt_id,
               ctx.rule(rule).id, ctx.scratch.draw_message);
  const std::uint64_t value = keyer->draw_value(ctx.scratch.draw_message);
  const bool won = draw_wins(value, params.odds_numerator, params.odds_denominator);
  if (commit) {
    ctx.out.draws.push_back(DrawOutcome{rule, value, won});
    if (won && ctx.customer != nullptr) {
      std::int64_t prize = params.prize_points.value();
      if (has_budget_in(ctx, rule, BudgetUnit::points)) prize = take_budget(ctx, rule, prize);
      add_earn(ctx, no_line, rule_source(rule), EarnAccount::customer, Points(prize));
    }
  }
  if (!won || params.prize_amount.value() == 0) return;
  auto lines = ctx.lines_of(rule);
  push_basket_share(ctx, rule, lines, std::min(params.prize_amount.value(), nets_of(ctx, lines)));
}

// A money budget caps the rule at what it has left: the trial's discounts are scaled down to it,
// each in proportion to its amount (largest remainder), so each stays within its line's net.
// Returns the capped total; ctx.budget_withheld says how much the cap took.
std::int64_t cap_to_budget(QuoteContext& ctx, std::uint32_t rule, std::int64_t total) {
  ctx.budget_withheld = 0;
  if (!has_budget_in(ctx, rule, BudgetUnit::money)) return total;
  const std::int64_t left = budget_left(ctx, rule);
  if (total <= left) return total;
  ctx.budget_withheld = total - left;
  auto& trial = ctx.scratch.trial;
  if (ctx.totals_only || trial.empty()) return left;  // totals only: nothing to split
  auto& weights = ctx.scratch.weights;
  auto& lines = ctx.scratch.order;
  weights.resize(trial.size());
  lines.resize(trial.size());
  for (std::size_t k = 0; k < trial.size(); ++k) {
    weights[k] = trial[k].amount.value();
    lines[k] = trial[k].line;
  }
  allocate(ctx, left, lines, weights);
  std::size_t kept = 0;
  for (std::size_t k = 0; k < trial.size(); ++k) {
    LOYALTY_ASSERT(ctx.scratch.shares[k] <= trial[k].amount.value());
    if (ctx.scratch.shares[k] == 0) continue;
    trial[kept] = Discount{trial[k].line, trial[k].source, Minor(ctx.scratch.shares[k])};
    ++kept;
  }
  trial.resize(kept);
  return left;
}

// Fills scratch.trial with what `rule` would give now; with `commit`, also records the rule's
// side effects (stamps, draws, coupon status). Returns the total discount.
std::int64_t compute_rule(QuoteContext& ctx, std::uint32_t rule, bool commit) {
  ctx.scratch.trial.clear();
  ctx.totals_only = !commit;
  ctx.unsplit_total = 0;
  const Rule& r = ctx.rule(rule);
  switch (r.kind) {
    case RuleKind::member_price:
      compute_member_price(ctx, rule, std::get<MemberPriceRule>(r.params));
      break;
    case RuleKind::percent_off: {
      const auto& params = std::get<PercentOffRule>(r.params);
      compute_percent(ctx, rule, params.percent, params.scope);
      break;
    }
    case RuleKind::amount_off: {
      const auto& params = std::get<AmountOffRule>(r.params);
      if (nets_of(ctx, ctx.lines_of(rule)) >= params.min_basket.value()) {
        compute_amount(ctx, rule, params.amount, params.scope);
      }
      break;
    }
    case RuleKind::progressive_discount:
      compute_progressive(ctx, rule, std::get<ProgressiveDiscountRule>(r.params), commit);
      break;
    case RuleKind::volume_discount:
      compute_volume(ctx, rule, std::get<VolumeDiscountRule>(r.params));
      break;
    case RuleKind::buy_x_get_y:
      compute_buy_x_get_y(ctx, rule, std::get<BuyXGetYRule>(r.params));
      break;
    case RuleKind::stamp_card:
      compute_stamps(ctx, rule, std::get<StampCardRule>(r.params),
                     commit ? StampMode::commit : StampMode::trial);
      break;
    case RuleKind::coupon:
      compute_coupon(ctx, rule, std::get<CouponRule>(r.params), commit);
      break;
    case RuleKind::instant_win:
      compute_instant_win(ctx, rule, std::get<InstantWinRule>(r.params), commit);
      break;
    default:
      LOYALTY_ASSERT(false);
  }
  std::int64_t total = ctx.unsplit_total;
  for (const Discount& discount : ctx.scratch.trial) total += discount.amount.value();
  total = cap_to_budget(ctx, rule, total);
  ctx.totals_only = false;
  return total;
}

std::int64_t apply_rule(QuoteContext& ctx, std::uint32_t rule) {
  std::int64_t total = compute_rule(ctx, rule, true);
  for (const Discount& discount : ctx.scratch.trial) {
    add_discount(ctx, discount.line, discount.source, discount.amount);
  }
  const std::int64_t withheld = ctx.budget_withheld;
  if (has_budget_in(ctx, rule, BudgetUnit::money)) {
    const std::int64_t granted = take_budget(ctx, rule, total + withheld);
    LOYALTY_ASSERT(granted == total);
  }
  if (CouponOutcome* outcome = pending_coupon(ctx, rule)) {
    if (total > 0) {
      outcome->status = CouponStatus::applied;
      outcome->discount = Minor(total);
    } else if (withheld > 0) {
      outcome->status = CouponStatus::budget_exhausted;
    }
  }
  return total;
}

// A rule kept out by its group or by an exclusive rule. A coupon says so in its status; another
// rule gets a note if it would have given something. A stamp card still collects stamps.
void skip_rule(QuoteContext& ctx, std::uint32_t rule) {
  if (CouponOutcome* outcome = pending_coupon(ctx, rule)) {
    outcome->status = CouponStatus::not_stackable;
    return;
  }
  const Rule& r = ctx.rule(rule);
  std::int64_t would_give = compute_rule(ctx, rule, false);
  if (r.kind == RuleKind::stamp_card) {
    compute_stamps(ctx, rule, std::get<StampCardRule>(r.params), StampMode::collect_only);
  }
  if (would_give > 0) add_note(ctx, NoteCode::stacking_skipped, rule_source(rule), would_give);
}

bool candidate(const QuoteContext& ctx, std::uint32_t rule) {
  const Rule& r = ctx.rule(rule);
  if (!is_discount_kind(r.kind) || !ctx.rule_active(rule)) return false;
  if (r.kind == RuleKind::coupon && ctx.scratch.coupon_outcome[rule] < 0) return false;
  return !ctx.lines_of(rule).empty();
}

// Evaluates every candidate rule of `group` from `first` on, applies the one giving the most and
// returns it.
std::uint32_t apply_best_of_group(QuoteContext& ctx, std::uint32_t first, std::uint32_t group,
                                  std::int64_t& applied_total) {
  const auto rule_count = static_cast<std::uint32_t>(ctx.program.rules.size());
  std::uint32_t best = first;
  std::int64_t best_total = -1;
  for (std::uint32_t r = first; r < rule_count; ++r) {
    if (ctx.program.rule_group[r] != group || !candidate(ctx, r)) continue;
    std::int64_t total = compute_rule(ctx, r, false);
    if (total > best_total) {
      best = r;
      best_total = total;
    }
  }
  for (std::uint32_t r = first; r < rule_count; ++r) {
    if (r != best && ctx.program.rule_group[r] == group && candidate(ctx, r)) skip_rule(ctx, r);
  }
  applied_total = apply_rule(ctx, best);
  return best;
}

}  // namespace

void apply_discounts(QuoteContext& ctx) {
  prepare_coupons(ctx);
  auto& group_state = ctx.scratch.group_state;
  group_state.assign(ctx.program.groups.size(), group_open);
  bool stopped = false;
  const auto rule_count = static_cast<std::uint32_t>(ctx.program.rules.size());
  for (std::uint32_t r = 0; r < rule_count; ++r) {
    if (!candidate(ctx, r)) {
      if (CouponOutcome* outcome = pending_coupon(ctx, r)) {
        outcome->status = CouponStatus::no_eligible_items;
      }
      continue;
    }
    std::uint32_t group = ctx.program.rule_group[r];
    GroupMode mode = ctx.program.groups[group].mode;
    if (stopped || group_state[group] != group_open) {
      if (group_state[group] != group_decided) skip_rule(ctx, r);
      continue;
    }
    std::int64_t total = 0;
    std::uint32_t applied = r;
    if (mode == GroupMode::best_for_customer) {
      applied = apply_best_of_group(ctx, r, group, total);
      group_state[group] = group_decided;
    } else {
      total = apply_rule(ctx, r);
      if (mode == GroupMode::first && total > 0) group_state[group] = group_taken;
    }
    if (ctx.rule(applied).exclusive && total > 0) stopped = true;
  }
}

}  // namespace loyalty::engine
