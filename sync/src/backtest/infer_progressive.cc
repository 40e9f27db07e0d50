// infer_progressive(): the lifetime spend behind a progressive discount. The step the stored quote
// used is the one whose percentage gives the stored discounts on the nets the rule saw (or, for a
// rule outbid by its stacking group, the total its note says it would have given); with the
// recency note's steps dropped on top, the customer's spend is that step's threshold. The days
// away that a recency step-down (and a win-back bonus, infer_awards) need become the last
// purchase.

#include <algorithm>

#include "backtest/rebuild.h"

namespace loyalty::sync::backtest {

namespace {

std::int64_t percent_of(std::int64_t net, BasisPoints percent, Rounding rounding) {
  if (net <= 0) return 0;
  return std::min(net, multiply_divide(net, percent.value, 10000, rounding));
}

// Where the rule's discounts were computed: its own place in the program, or for a
// best_for_customer group the place of its first member at work on this receipt.
std::uint32_t place_of(const Program& program, const std::vector<std::uint32_t>& evidence,
                       std::uint32_t rule) {
  const std::uint32_t group = program.rule_group[rule];
  if (program.groups[group].mode != GroupMode::best_for_customer) return rule;
  for (std::uint32_t r : evidence) {  // ascending
    if (program.rule_group[r] == group) return std::min(r, rule);
  }
  return rule;
}

// The rule's discount entries, each with the line's net just before it. A net past int64 (a damaged
// quote's amounts) matches no step.
bool applied_step_matches(const StoredQuote& quote, std::string_view label, const Rule& rule,
                          BasisPoints percent, bool& any) {
  for (std::size_t i = 0; i < quote.line_count; ++i) {
    const StoredLine& line = quote.lines[i];
    std::int64_t net = line.gross_minor;
    for (const StoredEntry& entry : line.discounts) {
      if (entry.source == label) {
        any = true;
        if (percent_of(net, percent, rule.rounding) != entry.amount) return false;
      }
      if (__builtin_sub_overflow(net, entry.amount, &net)) return false;
    }
  }
  return true;
}

// What the outbid rule would have given at `percent` on the nets at its place; -1 (no note's
// value) when a net or the total is past int64 (a damaged quote's amounts).
std::int64_t outbid_total(const StoredQuote& quote, const RebuildContext& context,
                          const std::vector<std::uint32_t>& evidence, std::uint32_t rule_index,
                          BasisPoints percent) {
  const ProgramIndex& reference = context.reference;
  const Program& program = reference.program();
  const Rule& rule = program.rules[rule_index];
  const std::uint32_t place = place_of(program, evidence, rule_index);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < quote.line_count; ++i) {
    const StoredLine& line = quote.lines[i];
    if (line.status != LineStatus::regular || !rule.filter.matches(line.sku, line.category) ||
        rule.filter.excludes(line.sku, line.category)) {
      continue;
    }
    std::int64_t net = line.gross_minor;
    for (const StoredEntry& entry : line.discounts) {
      const std::optional<std::string_view> id = label_id(entry.source, "rule");
      const std::optional<std::uint32_t> other = id ? reference.rule_index(*id) : std::nullopt;
      if ((!other || place_of(program, evidence, *other) < place) &&
          __builtin_sub_overflow(net, entry.amount, &net)) {
        return -1;
      }
    }
    if (__builtin_add_overflow(total, percent_of(net, percent, rule.rounding), &total)) return -1;
  }
  return total;
}

std::int64_t note_value(const StoredQuote& quote, std::string_view code, std::string_view label) {
  for (const StoredNote& note : quote.notes) {
    if (note.code == code && note.source == label) return note.value;
  }
  return -1;
}

// The step the stored quote used for this rule, or nullopt.
std::optional<std::size_t> used_step(const StoredQuote& quote, const RebuildContext& context,
                                     const Rebuilt& out, std::uint32_t index) {
  const Rule& rule = context.reference.program().rules[index];
  const auto& params = std::get<ProgressiveDiscountRule>(rule.params);
  const std::string label = "rule:" + rule.id;
  const std::int64_t outbid = note_value(quote, "stacking_skipped", label);
  for (std::size_t k = 0; k < params.thresholds.size(); ++k) {  // bounded by thresholds_max
    const BasisPoints percent = params.thresholds[k].percent;
    bool any = false;
    if (applied_step_matches(quote, label, rule, percent, any) && any) return k;
    if (outbid > 0 && outbid_total(quote, context, out.evidence, index, percent) == outbid) {
      return k;
    }
  }
  return std::nullopt;
}

}  // namespace

void infer_progressive(const StoredQuote& quote, const RebuildContext& context, Rebuilt& out) {
  const Program& program = context.reference.program();
  CustomerState& customer = out.customer;
  std::int64_t days_away = out.days_away_min;
  for (std::uint32_t index : out.evidence) {
    const Rule& rule = program.rules[index];
    if (rule.kind != RuleKind::progressive_discount) continue;
    const auto& params = std::get<ProgressiveDiscountRule>(rule.params);
    const std::optional<std::size_t> step = used_step(quote, context, out, index);
    if (!step) continue;
    // At most every step: the note of a damaged quote cannot push the date out of range.
    const std::int64_t dropped =
        std::clamp<std::int64_t>(note_value(quote, "recency_stepped_down", "rule:" + rule.id), 0,
                                 static_cast<std::int64_t>(params.thresholds.size()));
    const std::size_t reached =
        std::min(*step + static_cast<std::size_t>(dropped), params.thresholds.size() - 1);
    customer.cumulative_spend =
        max_of(customer.cumulative_spend, params.thresholds[reached].from_spend);
    days_away = std::max<std::int64_t>(days_away, dropped * params.step_down_after_days);
  }
  if (days_away > 0)
    customer.last_purchase_at = plus_local_days(quote.at, context.zone, -days_away);
}

}  // namespace loyalty::sync::backtest
