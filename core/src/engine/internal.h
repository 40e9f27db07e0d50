// Shared state of one quote while the engine's stages run (engine.h lists the stages). Private to
// core/src: each stage lives in its own engine_<stage>.cc file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "loyalty/core/engine.h"

namespace loyalty::engine {

inline constexpr std::uint32_t no_rule = UINT32_MAX;

struct QuoteContext {
  const Program& program;
  const CustomerState* customer;  // null: anonymous receipt
  const Receipt& receipt;
  // The chain-wide coupon uses a coupon's uses_max is checked against (QuoteEnvironment).
  std::span<const Counter> coupon_uses_total;
  Timestamp at;
  const TimeZone& zone;  // the store's zone (or the program's fixed offset)
  const QuoteEnvironment& environment;
  LocalTime local;  // `at` in `zone`
  Quote& out;
  detail::QuoteScratch& scratch;

  std::optional<std::uint32_t> tier;  // effective tier for this receipt (after any review)
  bool paid_member = false;           // active paid membership, or activated by this receipt
  Points available;                   // usable points left for tender and donations
  Points reward_points;               // points taken by catalogue reward lines
  // While a discount rule is only being compared (best_for_customer, or a skipped rule's note),
  // its total is all that counts: basket shares are summed here instead of split over lines.
  bool totals_only = false;
  std::int64_t unsplit_total = 0;
  // What the budget of the discount rule just computed withheld from it (compute_rule).
  std::int64_t budget_withheld = 0;

  // The lines rule `rule` can touch (active rule, not excluded, regular line), ascending.
  std::span<const std::uint32_t> lines_of(std::uint32_t rule) const {
    return {scratch.rule_lines.data() + scratch.rule_lines_begin[rule],
            scratch.rule_lines_count[rule]};
  }
  // Every regular line (not voided, not a reward), ascending: the head of scratch.rule_lines.
  std::span<const std::uint32_t> regular_lines() const {
    return {scratch.rule_lines.data(), scratch.regular_line_count};
  }
  bool rule_active(std::uint32_t rule) const { return scratch.rule_active[rule] != 0; }
  const Rule& rule(std::uint32_t index) const { return program.rules[index]; }
};

// Stage 0 (engine/tiers.cc): the effective tier, from the customer's tier and any due review.
void resolve_tier(QuoteContext& ctx);
// Stage 1 (engine/lines.cc): gross, voids, catalogue rewards, exclusions.
Status prepare_lines(QuoteContext& ctx);
// Stage 1b (engine/lines.cc): paid membership activation, then which rules are active and which
// lines each can touch.
void activate_rules(QuoteContext& ctx);
// Stage 2a (engine/coupons.cc): an outcome for every coupon presented, before discounts run.
void prepare_coupons(QuoteContext& ctx);
// Stage 2 (engine/discounts.cc): discount rules in order, with stacking groups and coupons.
void apply_discounts(QuoteContext& ctx);
// Stage 3 and 4 (engine/burn.cc): points as tender, then donations.
Status apply_redemption(QuoteContext& ctx);
Status apply_donations(QuoteContext& ctx);
// Stage 5 (engine/earn.cc): purchase points per line, and company points.
void apply_earning(QuoteContext& ctx);
// Stage 6 (engine/awards.cc): welcome, birthday, referral and event awards.
Status apply_awards(QuoteContext& ctx);
// Stage 7 (engine/tiers.cc): activation and expiry of earned points, settlement, tier progress.
Status finish_quote(QuoteContext& ctx);

// Campaign budgets (engine/budgets.cc). prepare_budgets runs before the rules do: what each
// budget may still give this receipt, from the environment's spend in the receipt's period.
void prepare_budgets(QuoteContext& ctx);
// What the budget of `rule` (which has one) may still give.
std::int64_t budget_left(const QuoteContext& ctx, std::uint32_t rule);
// Takes up to `wanted` from the budget of `rule` (any rule: one without a budget gets it all),
// records the use in the quote and notes what was withheld; returns what the rule may give.
std::int64_t take_budget(QuoteContext& ctx, std::uint32_t rule, std::int64_t wanted);
// Puts Quote::budgets in budget order.
void finish_budgets(QuoteContext& ctx);
// The key of the period of `period` that holds the local date `date`: "campaign", "2026",
// "2026-11", "2026-W48" (ISO week) or "2026-11-25". Written into `out`.
void budget_period_key(BudgetPeriod period, CivilDate date, std::string& out);

// Helpers shared by stages.
bool schedule_allows(const Schedule& schedule, Timestamp at, const LocalTime& local);
bool audience_allows(const QuoteContext& ctx, const Audience& audience);
// Splits `total` across `lines` in proportion to `weights` (same length) into scratch.shares.
void allocate(QuoteContext& ctx, std::int64_t total, std::span<const std::uint32_t> lines,
              std::span<const std::int64_t> weights);
void add_note(QuoteContext& ctx, NoteCode code, Source source, std::int64_t value);
// Adds a customer-account earn entry and keeps line and receipt totals in step.
void add_earn(QuoteContext& ctx, std::uint32_t line, Source source, EarnAccount account,
              Points points);
// Adds a discount and keeps line and receipt totals in step. `amount` <= the line's net.
void add_discount(QuoteContext& ctx, std::uint32_t line, Source source, Minor amount);

// The net of the lines that can earn (regular, not excluded from earning): what minimum baskets
// for earning and for bonuses are measured on.
Minor earning_net(const QuoteContext& ctx);

inline Source rule_source(std::uint32_t rule) { return Source{SourceKind::rule, rule}; }

}  // namespace loyalty::engine
