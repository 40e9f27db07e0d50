// Stage 5 of a quote: purchase points per line, and B2B company points.
//
// Each line earns from one rate: the first active earn_rate rule that matches it, else the base
// rate. Per rate, the receipt's exact points (sum of base × points / per_minor) are rounded once
// with the named rounding, then split over the lines by largest remainder, so no point is lost to
// per-line rounding and every point belongs to a line. Multipliers (the tier's, then
// earn_multiplier rules) add their extra share of each line's base points the same way. Earning
// uses the net the customer pays: after discounts and, by default, after points used as tender;
// reward, voided and excluded lines earn nothing.
#include <algorithm>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

const Source base_source{SourceKind::earn_base, 0};

std::int64_t earn_base_of(const QuoteContext& ctx, const QuoteLine& line) {
  if (line.status != LineStatus::regular || line.earn_excluded) return 0;
  Minor base = line.net;
  if (ctx.program.earn.base_on == EarnBase::net_after_points) base -= line.points_tender;
  return base.value();
}

// Rounds and splits one component: weights[k] / denominator is line k's exact share. A component
// of a rule with a budget (budget_rule) gives at most what the budget has left.
void earn_component(QuoteContext& ctx, Source source, EarnAccount account,
                    std::span<const std::uint32_t> lines, std::span<const std::int64_t> weights,
                    std::int64_t denominator, Rounding rounding,
                    std::uint32_t budget_rule = no_rule) {
  std::int64_t numerator = 0;
  for (std::int64_t weight : weights) numerator += weight;
  std::int64_t total = divide_rounded(numerator, denominator, rounding);
  if (budget_rule != no_rule) total = take_budget(ctx, budget_rule, total);
  if (total == 0) return;
  allocate(ctx, total, lines, weights);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    add_earn(ctx, lines[k], source, account, Points(ctx.scratch.shares[k]));
  }
}

// Earns one rate's component over the lines whose rate it is, and records their base points in
// scratch.line_values for the multipliers.
void earn_rate_component(QuoteContext& ctx, std::uint32_t rate,
                         std::span<const std::uint32_t> candidates) {
  auto& scratch = ctx.scratch;
  const EarnRate& earn_rate =
      rate == no_rule ? ctx.program.earn.base : std::get<EarnRateRule>(ctx.rule(rate).params).rate;
  scratch.order.clear();
  scratch.weights.clear();
  for (std::uint32_t line : candidates) {
    std::int64_t base = earn_base_of(ctx, ctx.out.lines[line]);
    if (scratch.line_rate[line] != rate || base == 0) continue;
    scratch.order.push_back(line);
    scratch.weights.push_back(base * earn_rate.points);
  }
  if (scratch.order.empty()) return;
  Source source = rate == no_rule ? base_source : rule_source(rate);
  Rounding rounding = rate == no_rule ? ctx.program.earn.rounding : ctx.rule(rate).rounding;
  std::size_t first_entry = ctx.out.earns.size();
  earn_component(ctx, source, EarnAccount::customer, scratch.order, scratch.weights,
                 earn_rate.per_minor, rounding);
  for (std::size_t e = first_entry; e < ctx.out.earns.size(); ++e) {
    scratch.line_values[ctx.out.earns[e].line] = ctx.out.earns[e].points.value();
  }
}

// Base points of every earning line into scratch.line_values: each line takes the first
// earn_rate rule that touches it, else the base rate; one component per rate, the base first.
void earn_base_points(QuoteContext& ctx) {
  auto& scratch = ctx.scratch;
  const auto line_count = static_cast<std::uint32_t>(ctx.out.lines.size());
  scratch.line_rate.assign(line_count, no_rule);
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    if (ctx.rule(r).kind != RuleKind::earn_rate) continue;
    for (std::uint32_t line : ctx.lines_of(r)) {
      if (scratch.line_rate[line] == no_rule) scratch.line_rate[line] = r;
    }
  }
  scratch.line_values.assign(line_count, 0);
  // A rule's lines include those whose rate it is, so no pass scans every line for every rate.
  earn_rate_component(ctx, no_rule, ctx.regular_lines());
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    if (ctx.rule(r).kind == RuleKind::earn_rate) earn_rate_component(ctx, r, ctx.lines_of(r));
  }
}

// Adds (percent - 100) % of the base points of `lines` as one component.
void earn_multiplier(QuoteContext& ctx, Source source, std::span<const std::uint32_t> lines,
                     std::int64_t percent, Rounding rounding, std::uint32_t budget_rule = no_rule) {
  auto& scratch = ctx.scratch;
  scratch.weights.clear();
  scratch.order.clear();
  for (std::uint32_t line : lines) {
    std::int64_t base = scratch.line_values[line];
    if (base == 0) continue;
    scratch.order.push_back(line);
    scratch.weights.push_back(base * (percent - 100));
  }
  if (scratch.order.empty()) return;
  // `order` and `weights` are scratch that earn_component's allocation does not touch.
  earn_component(ctx, source, EarnAccount::customer, scratch.order, scratch.weights, 100, rounding,
                 budget_rule);
}

void earn_multipliers(QuoteContext& ctx) {
  if (ctx.tier) {
    const Tier& tier = ctx.program.tiers.tiers[*ctx.tier];
    if (tier.earn_multiplier_percent > 100) {
      earn_multiplier(ctx, Source{SourceKind::tier, *ctx.tier}, ctx.regular_lines(),
                      tier.earn_multiplier_percent, ctx.program.earn.rounding);
    }
  }
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    const Rule& rule = ctx.rule(r);
    if (rule.kind != RuleKind::earn_multiplier) continue;
    const auto& params = std::get<EarnMultiplierRule>(rule.params);
    earn_multiplier(ctx, rule_source(r), ctx.lines_of(r), params.multiplier_percent, rule.rounding,
                    rule.budget_index == no_budget ? no_rule : r);
  }
}

// B2B dual accrual: the company earns its band's rate of the same net, in points worth one minor
// unit each, on top of the employee's own points.
void earn_company(QuoteContext& ctx) {
  const CompanyPolicy& company = ctx.program.company;
  if (ctx.customer == nullptr || !ctx.customer->company || company.bands.empty()) return;
  Minor spend = ctx.customer->company->year_spend;
  std::uint32_t band = 0;
  while (band + 1 < company.bands.size() && spend >= *company.bands[band].up_to_spend) ++band;
  ctx.out.company_band = band;
  auto& scratch = ctx.scratch;
  scratch.order.clear();
  scratch.weights.clear();
  for (std::uint32_t i = 0; i < ctx.out.lines.size(); ++i) {
    std::int64_t base = earn_base_of(ctx, ctx.out.lines[i]);
    if (base == 0) continue;
    scratch.order.push_back(i);
    scratch.weights.push_back(base * company.bands[band].rate.value);
  }
  earn_component(ctx, Source{SourceKind::company, band}, EarnAccount::company, scratch.order,
                 scratch.weights, 10000, company.rounding);
}

}  // namespace

Minor earning_net(const QuoteContext& ctx) {
  Minor net;
  for (const QuoteLine& line : ctx.out.lines) {
    if (line.status == LineStatus::regular && !line.earn_excluded) net += line.net;
  }
  return net;
}

void apply_earning(QuoteContext& ctx) {
  if (ctx.customer == nullptr) return;  // an anonymous receipt has no account to credit
  Minor net = earning_net(ctx);
  if (net.value() == 0) return;  // nothing bought that earns (an events-only receipt, say)
  if (net < ctx.program.earn.min_basket) {
    add_note(ctx, NoteCode::below_min_basket_for_earn, base_source,
             ctx.program.earn.min_basket.value());
    return;
  }
  earn_base_points(ctx);
  earn_multipliers(ctx);
  earn_company(ctx);
}

}  // namespace loyalty::engine
