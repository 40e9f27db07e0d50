// Stage 1 of a quote: the lines as sold (gross, voids, catalogue rewards, exclusions), then which
// rules are active for this receipt and which lines each rule can touch.
#include <algorithm>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

// Exclusion lists name what is excluded; an empty list excludes nothing.
bool policy_excludes(const ItemFilter& excluded, std::string_view sku, std::string_view category) {
  return !excluded.matches_everything() && excluded.matches(sku, category);
}

Status take_reward_line(QuoteContext& ctx, std::uint32_t index) {
  const ReceiptLine& line = ctx.receipt.lines[index];
  // Built only on failure: the error path may allocate, the quote path must not.
  auto fail = [index](const std::string& reason) {
    return make_error(ErrorCode::invalid_receipt,
                      "lines[" + std::to_string(index) + "].reward_id: " + reason);
  };
  if (ctx.customer == nullptr) return fail("a catalogue reward needs an identified customer");
  const RewardItem* reward = ctx.program.find_reward(line.reward_id);
  if (reward == nullptr) {
    return fail("unknown reward \"" + line.reward_id + "\" in program " + ctx.program.program_id);
  }
  if (reward->sku != line.sku) {
    return fail("reward \"" + reward->reward_id + "\" is for SKU " + reward->sku + ", not " +
                line.sku);
  }
  auto reward_index = static_cast<std::uint32_t>(reward - ctx.program.rewards.data());
  Source source{SourceKind::reward, reward_index};
  QuoteLine& quote_line = ctx.out.lines[index];
  quote_line.status = LineStatus::reward;
  // Rewards are priced up to points_max each and lines hold up to quantity_max units, so the
  // product and the receipt's running total are checked: no balance could cover an overflow.
  auto product = checked_multiply(reward->price.value(), line.quantity);
  std::int64_t running = 0;
  if (!product || __builtin_add_overflow(ctx.reward_points.value(), *product, &running)) {
    return fail("the rewards on this receipt need more points than any balance can hold");
  }
  Points points(*product);
  Minor value = quote_line.gross;
  if (value.value() > 0) add_discount(ctx, index, source, value);
  ctx.out.burns.push_back(BurnEntry{index, source, points, value});
  quote_line.burned += points;
  ctx.out.burned_total += points;
  ctx.reward_points += points;
  return {};
}

Status check_partner(QuoteContext& ctx) {
  if (ctx.receipt.partner_id.empty()) return {};
  const Partner* partner = ctx.program.find_partner(ctx.receipt.partner_id);
  if (partner == nullptr) {
    return make_error(ErrorCode::invalid_receipt, "partner_id: unknown partner \"" +
                                                      ctx.receipt.partner_id + "\" in program " +
                                                      ctx.program.program_id);
  }
  ctx.out.partner = static_cast<std::uint32_t>(partner - ctx.program.partners.data());
  return {};
}

}  // namespace

Status prepare_lines(QuoteContext& ctx) {
  TRY(check_partner(ctx));
  const auto line_count = static_cast<std::uint32_t>(ctx.receipt.lines.size());
  ctx.out.lines.resize(line_count);
  for (std::uint32_t i = 0; i < line_count; ++i) {
    const ReceiptLine& line = ctx.receipt.lines[i];
    QuoteLine& quote_line = ctx.out.lines[i];
    if (line.voided) {
      quote_line.status = LineStatus::voided;
      continue;
    }
    quote_line.gross = line.unit_price * line.quantity;
    quote_line.net = quote_line.gross;
    quote_line.due = quote_line.gross;
    quote_line.earn_excluded = policy_excludes(ctx.program.earn.excluded, line.sku, line.category);
    quote_line.burn_excluded = policy_excludes(ctx.program.burn.excluded, line.sku, line.category);
    ctx.out.gross_total += quote_line.gross;
    ctx.out.net_total += quote_line.gross;
    ctx.out.due_total += quote_line.gross;
    if (!line.reward_id.empty()) TRY(take_reward_line(ctx, i));
  }
  Points available = ctx.customer ? ctx.customer->available_points(ctx.at) : Points{};
  ctx.out.available_before = available;
  const BurnPolicy& burn = ctx.program.burn;
  if (ctx.reward_points.value() > 0 && !burn.enabled) {
    return make_error(ErrorCode::invalid_receipt,
                      "lines: program " + ctx.program.program_id +
                          " does not let customers pay with points (burn.enabled is false)");
  }
  if (ctx.reward_points.value() > 0 && available < burn.min_balance) {
    return make_error(ErrorCode::invalid_receipt,
                      "lines: catalogue rewards need a balance of at least " +
                          std::to_string(burn.min_balance.value()) + " points, the customer has " +
                          std::to_string(available.value()));
  }
  if (ctx.reward_points > available) {
    return make_error(ErrorCode::invalid_receipt,
                      "lines: the catalogue rewards on this receipt need " +
                          std::to_string(ctx.reward_points.value()) + " points, the customer has " +
                          std::to_string(available.value()) + " available");
  }
  ctx.available = available - ctx.reward_points;
  return {};
}

namespace {

const std::vector<std::uint32_t>* find_index(const std::vector<RuleIndexEntry>& index,
                                             std::string_view key) {
  auto it = std::lower_bound(
      index.begin(), index.end(), key,
      [](const RuleIndexEntry& entry, std::string_view wanted) { return entry.key < wanted; });
  if (it == index.end() || it->key != key) return nullptr;
  return &it->rules;
}

bool line_bought(const QuoteContext& ctx, std::string_view sku) {
  for (std::size_t i = 0; i < ctx.receipt.lines.size(); ++i) {
    if (ctx.out.lines[i].status == LineStatus::regular && ctx.receipt.lines[i].sku == sku) {
      return true;
    }
  }
  return false;
}

// Buying a membership SKU starts (or extends) a paid membership at once, so the same receipt
// already gets member prices.
void activate_membership(QuoteContext& ctx) {
  const CustomerState* customer = ctx.customer;
  std::optional<Timestamp> until;
  if (customer && customer->paid_membership_until && ctx.at < *customer->paid_membership_until) {
    until = customer->paid_membership_until;
  }
  ctx.paid_member = until.has_value();
  if (customer == nullptr) return;
  for (std::uint32_t r = 0; r < ctx.program.rules.size(); ++r) {
    const Rule& rule = ctx.rule(r);
    if (rule.kind != RuleKind::paid_membership) continue;
    if (!schedule_allows(rule.schedule, ctx.at, ctx.local)) continue;
    const auto& params = std::get<PaidMembershipRule>(rule.params);
    if (!line_bought(ctx, params.sku)) continue;
    Timestamp start = until.value_or(ctx.at);
    until = plus_local_days(start, ctx.zone, params.period_days);
    ctx.out.paid_membership_until = until;
    ctx.paid_member = true;
    add_note(ctx, NoteCode::membership_activated, rule_source(r), params.period_days);
  }
}

// Appends to scratch.candidates the (rule, line) pairs of one line from the rules indexed by its
// SKU and its category, merging the two sorted lists without duplicates.
void collect_line_rules(QuoteContext& ctx, std::uint32_t line) {
  const ReceiptLine& receipt_line = ctx.receipt.lines[line];
  const auto* by_sku = find_index(ctx.program.rules_by_sku, receipt_line.sku);
  const auto* by_category = find_index(ctx.program.rules_by_category, receipt_line.category);
  std::span<const std::uint32_t> a =
      by_sku ? std::span<const std::uint32_t>(*by_sku) : std::span<const std::uint32_t>();
  std::span<const std::uint32_t> b =
      by_category ? std::span<const std::uint32_t>(*by_category) : std::span<const std::uint32_t>();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {  // bounded: each pass consumes an entry
    std::uint32_t next = 0;
    if (j == b.size() || (i < a.size() && a[i] <= b[j])) {
      next = a[i++];
      if (j < b.size() && b[j] == next) ++j;
    } else {
      next = b[j++];
    }
    if (!ctx.rule_active(next)) continue;
    if (ctx.rule(next).filter.excludes(receipt_line.sku, receipt_line.category)) continue;
    ctx.scratch.candidates.push_back((static_cast<std::uint64_t>(next) << 32) | line);
  }
}

// Places the candidate pairs per rule after the regular lines (a stable counting sort, so each
// rule's lines stay ascending).
void group_candidates(QuoteContext& ctx, std::uint32_t rule_count) {
  auto& scratch = ctx.scratch;
  scratch.rule_lines_count.assign(rule_count, 0);
  for (std::uint64_t pair : scratch.candidates) ++scratch.rule_lines_count[pair >> 32];
  scratch.rule_lines_begin.resize(rule_count);
  auto offset = static_cast<std::uint32_t>(scratch.rule_lines.size());
  for (std::uint32_t r = 0; r < rule_count; ++r) {
    scratch.rule_lines_begin[r] = offset;
    offset += scratch.rule_lines_count[r];
  }
  scratch.rule_lines.resize(offset);
  scratch.order.assign(scratch.rule_lines_begin.begin(), scratch.rule_lines_begin.end());
  for (std::uint64_t pair : scratch.candidates) {
    auto rule = static_cast<std::uint32_t>(pair >> 32);
    scratch.rule_lines[scratch.order[rule]++] = static_cast<std::uint32_t>(pair & 0xffffffffu);
  }
}

// Rules whose items match every line share the list of regular lines (at offset 0), unless they
// exclude some: those get a list of their own.
void place_rules_for_all_lines(QuoteContext& ctx, std::uint32_t regular_count) {
  auto& scratch = ctx.scratch;
  for (std::uint32_t rule : ctx.program.rules_for_all_lines) {
    if (!ctx.rule_active(rule)) continue;
    const ItemFilter& filter = ctx.rule(rule).filter;
    scratch.rule_lines_begin[rule] = 0;
    scratch.rule_lines_count[rule] = regular_count;
    if (!filter.has_exclusions()) continue;
    auto begin = static_cast<std::uint32_t>(scratch.rule_lines.size());
    for (std::uint32_t k = 0; k < regular_count; ++k) {
      std::uint32_t line = scratch.rule_lines[k];
      const ReceiptLine& receipt_line = ctx.receipt.lines[line];
      if (!filter.excludes(receipt_line.sku, receipt_line.category)) {
        scratch.rule_lines.push_back(line);
      }
    }
    scratch.rule_lines_begin[rule] = begin;
    scratch.rule_lines_count[rule] = static_cast<std::uint32_t>(scratch.rule_lines.size()) - begin;
  }
}

}  // namespace

void activate_rules(QuoteContext& ctx) {
  activate_membership(ctx);
  const auto rule_count = static_cast<std::uint32_t>(ctx.program.rules.size());
  auto& scratch = ctx.scratch;
  scratch.rule_active.assign(rule_count, 0);
  for (std::uint32_t r = 0; r < rule_count; ++r) {
    const Rule& rule = ctx.rule(r);
    bool active =
        schedule_allows(rule.schedule, ctx.at, ctx.local) && audience_allows(ctx, rule.audience);
    scratch.rule_active[r] = active ? 1 : 0;
  }
  scratch.candidates.clear();
  scratch.rule_lines.clear();
  for (std::uint32_t line = 0; line < ctx.out.lines.size(); ++line) {
    if (ctx.out.lines[line].status != LineStatus::regular) continue;
    scratch.rule_lines.push_back(line);
    collect_line_rules(ctx, line);
  }
  scratch.regular_line_count = static_cast<std::uint32_t>(scratch.rule_lines.size());
  group_candidates(ctx, rule_count);
  place_rules_for_all_lines(ctx, scratch.regular_line_count);
}

}  // namespace loyalty::engine
