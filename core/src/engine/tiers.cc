// Tiers, and the last stage of a quote.
//
// A customer's tier comes from spend or points earned over the rolling period (supplied by
// storage as period_spend / period_points_earned). Upgrades happen at once or wait for the
// review, per the program; the yearly review sets the tier from the period value, which may
// lower it (unless downgrades are off). Invitation-only tiers are never reached by threshold and
// never left by review: HQ assigns and removes them.
#include "engine/internal.h"

namespace loyalty::engine {
namespace {

constexpr int review_interval_days = tier_review_interval_days;

std::uint32_t held_tier(const QuoteContext& ctx) {
  const Program& program = ctx.program;
  const Tier* tier = program.find_tier(ctx.customer->tier);
  if (tier == nullptr) return 0;  // no tier yet (or one HQ withdrew): the entry tier
  return static_cast<std::uint32_t>(tier - program.tiers.tiers.data());
}

std::int64_t period_value(const QuoteContext& ctx) {
  const CustomerState& customer = *ctx.customer;
  return ctx.program.tiers.basis == TierBasis::spend ? customer.period_spend
                                                     : customer.period_points_earned;
}

}  // namespace

void resolve_tier(QuoteContext& ctx) {
  const TierPolicy& policy = ctx.program.tiers;
  if (ctx.customer == nullptr || policy.tiers.empty()) return;
  std::uint32_t tier = held_tier(ctx);
  const auto& review_at = ctx.customer->tier_review_at;
  bool review_due = review_at && !(ctx.at < *review_at);
  if (review_due && !policy.tiers[tier].invitation_only) {
    std::uint32_t reviewed = policy.tier_reached(period_value(ctx));
    if (policy.downgrade == DowngradeMode::never && reviewed < tier) reviewed = tier;
    if (reviewed != tier)
      add_note(ctx, NoteCode::tier_reviewed, Source{SourceKind::tier, reviewed}, 0);
    tier = reviewed;
  }
  ctx.tier = tier;
  ctx.out.tier_before = tier;
}

namespace {

void finish_tier(QuoteContext& ctx) {
  const TierPolicy& policy = ctx.program.tiers;
  if (!ctx.tier) return;
  std::uint32_t tier = *ctx.tier;
  std::int64_t contribution =
      policy.basis == TierBasis::spend ? ctx.out.net_total.value() : ctx.out.earned_total.value();
  std::uint32_t reached = policy.tier_reached(period_value(ctx) + contribution);
  ctx.out.tier_after = tier;
  if (reached > tier && !policy.tiers[tier].invitation_only) {
    Source source{SourceKind::tier, reached};
    if (policy.upgrade == UpgradeMode::immediate) {
      ctx.out.tier_after = reached;
      add_note(ctx, NoteCode::tier_upgraded, source, 0);
    } else {
      add_note(ctx, NoteCode::tier_upgrade_pending, source, 0);
    }
  }
  // The first review after `at`, 365 store-local days apart at the same local time of day:
  // reviews missed by a customer away for years are skipped at once.
  const std::optional<Timestamp>& due = ctx.customer->tier_review_at;
  Timestamp review = due ? *due : plus_local_days(ctx.at, ctx.zone, review_interval_days);
  if (!(ctx.at < review)) {
    std::int64_t missed = local_days_between(review, ctx.at, ctx.zone) / review_interval_days + 1;
    review = plus_local_days(*due, ctx.zone, missed * review_interval_days);
    // A change of offset in between can leave the review an hour short of `at`: one more.
    if (!(ctx.at < review)) {
      ++missed;
      review = plus_local_days(*due, ctx.zone, missed * review_interval_days);
    }
  }
  LOYALTY_ASSERT(ctx.at < review);
  ctx.out.tier_review_at = review;
}

Status finish_settlement(QuoteContext& ctx) {
  if (!ctx.out.partner) return {};
  const Partner& partner = ctx.program.partners[*ctx.out.partner];
  auto owes =
      checked_multiply(partner.settlement_per_point_earned.value(), ctx.out.earned_total.value());
  auto owed =
      checked_multiply(partner.settlement_per_point_burned.value(), ctx.out.burned_total.value());
  if (!owes || !owed) {
    return make_error(ErrorCode::limit_exceeded,
                      "partner_id: the settlement with " + partner.id +
                          " does not fit in 64-bit minor units; split the receipt");
  }
  ctx.out.settlement_partner_owes = Minor(*owes);
  ctx.out.settlement_owed_to_partner = Minor(*owed);
  return {};
}

}  // namespace

Status finish_quote(QuoteContext& ctx) {
  const EarnPolicy& earn = ctx.program.earn;
  // Local midnights and local days, each read with the offset in force at that instant.
  ctx.out.earned_active_from =
      earn.activation == ActivationMode::after_days
          ? local_midnight_after_days(ctx.at, ctx.zone, earn.activation_days)
          : ctx.at;
  if (earn.expiry_days > 0 && ctx.customer != nullptr) {
    ctx.out.earned_expires_at =
        plus_local_days(ctx.out.earned_active_from, ctx.zone, earn.expiry_days);
  }
  TRY(finish_settlement(ctx));
  if (ctx.customer != nullptr) finish_tier(ctx);
  return {};
}

}  // namespace loyalty::engine
