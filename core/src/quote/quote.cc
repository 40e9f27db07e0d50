#include "loyalty/core/quote.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty {

void Quote::clear() {
  program = nullptr;
  receipt_id.clear();
  at = Timestamp{};
  identified = false;

  // clear() keeps each vector's capacity, so a warm Quote is refilled without allocating.
  lines.clear();
  discounts.clear();
  earns.clear();
  burns.clear();
  stamps.clear();
  coupons.clear();
  draws.clear();
  donations.clear();
  budgets.clear();
  notes.clear();

  gross_total = Minor{};
  discount_total = Minor{};
  net_total = Minor{};
  points_tender_total = Minor{};
  due_total = Minor{};

  available_before = Points{};
  redeem_max = Points{};
  earned_total = Points{};
  burned_total = Points{};
  donated_total = Points{};
  company_points_total = Points{};
  referrer_points_total = Points{};
  earned_active_from = Timestamp{};
  earned_expires_at.reset();

  tier_before.reset();
  tier_after.reset();
  tier_review_at.reset();
  paid_membership_until.reset();
  birthday_bonus_year = 0;
  company_band.reset();

  partner.reset();
  settlement_partner_owes = Minor{};
  settlement_owed_to_partner = Minor{};
}

namespace {

// "<prefix>:<id>" for an index into `items`; an index out of range (a quote rendered with a
// program other than its own) gives "<prefix>:#<index>" rather than reading out of bounds.
template <class T>
std::string indexed_label(std::string_view prefix, const std::vector<T>& items,
                          std::uint32_t index) {
  std::string label(prefix);
  label += ':';
  if (index < items.size()) {
    label += items[index].id;
  } else {
    label += '#';
    label += std::to_string(index);
  }
  return label;
}

// RewardItem names its id `reward_id`; adapt it to indexed_label().
std::string reward_label(const Program& program, std::uint32_t index) {
  std::string label = "reward:";
  if (index < program.rewards.size()) {
    label += program.rewards[index].reward_id;
  } else {
    label += '#';
    label += std::to_string(index);
  }
  return label;
}

}  // namespace

std::string source_label(const Program& program, Source source) {
  switch (source.kind) {
    case SourceKind::rule:
      return indexed_label("rule", program.rules, source.index);
    case SourceKind::earn_base:
      return "earn.base";
    case SourceKind::tier:
      return indexed_label("tier", program.tiers.tiers, source.index);
    case SourceKind::burn:
      return "burn";
    case SourceKind::reward:
      return reward_label(program, source.index);
    case SourceKind::company:
      return "company:band-" + std::to_string(static_cast<std::uint64_t>(source.index) + 1);
    case SourceKind::charity:
      return indexed_label("charity", program.charities, source.index);
  }
  return "unknown";
}

const char* coupon_status_name(CouponStatus status) {
  switch (status) {
    case CouponStatus::applied:
      return "applied";
    case CouponStatus::unknown_code:
      return "unknown_code";
    case CouponStatus::not_yet_valid:
      return "not_yet_valid";
    case CouponStatus::expired:
      return "expired";
    case CouponStatus::not_eligible:
      return "not_eligible";
    case CouponStatus::below_min_basket:
      return "below_min_basket";
    case CouponStatus::customer_limit_reached:
      return "customer_limit_reached";
    case CouponStatus::used_up:
      return "used_up";
    case CouponStatus::no_eligible_items:
      return "no_eligible_items";
    case CouponStatus::not_stackable:
      return "not_stackable";
    case CouponStatus::duplicate:
      return "duplicate";
    case CouponStatus::budget_exhausted:
      return "budget_exhausted";
  }
  return "unknown";
}

const char* note_code_name(NoteCode code) {
  switch (code) {
    case NoteCode::below_min_basket_for_earn:
      return "below_min_basket_for_earn";
    case NoteCode::redemption_capped:
      return "redemption_capped";
    case NoteCode::redemption_below_min_balance:
      return "redemption_below_min_balance";
    case NoteCode::redemption_limited_by_balance:
      return "redemption_limited_by_balance";
    case NoteCode::redemption_not_allowed:
      return "redemption_not_allowed";
    case NoteCode::redemption_rounded_to_step:
      return "redemption_rounded_to_step";
    case NoteCode::tier_upgraded:
      return "tier_upgraded";
    case NoteCode::tier_upgrade_pending:
      return "tier_upgrade_pending";
    case NoteCode::tier_reviewed:
      return "tier_reviewed";
    case NoteCode::membership_activated:
      return "membership_activated";
    case NoteCode::stacking_skipped:
      return "stacking_skipped";
    case NoteCode::event_limit_reached:
      return "event_limit_reached";
    case NoteCode::budget_capped:
      return "budget_capped";
    case NoteCode::budget_exhausted:
      return "budget_exhausted";
    case NoteCode::draw_not_held:
      return "draw_not_held";
    case NoteCode::recency_stepped_down:
      return "recency_stepped_down";
  }
  return "unknown";
}

}  // namespace loyalty
