// The small behaviours of the program model (program.h): item filters, look-ups by id and the
// names of enumerations.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/program.h"
#include "loyalty/core/result.h"

namespace loyalty {

namespace {

// Binary search in a sorted, duplicate-free list of strings. The lists are sorted by the loader;
// checking that here would cost O(n) on every call of the engine's hot path.
bool sorted_contains(const std::vector<std::string>& sorted, std::string_view key) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), key,
                             [](const std::string& item, std::string_view k) { return item < k; });
  return it != sorted.end() && *it == key;
}

template <class T, class Id>
const T* find_by_id(const std::vector<T>& items, std::string_view id, Id T::*member) {
  for (const T& item : items) {  // bounded by the vector's size
    if (item.*member == id) return &item;
  }
  return nullptr;
}

}  // namespace

bool ItemFilter::matches(std::string_view sku, std::string_view category) const {
  if (matches_everything()) return true;
  return sorted_contains(skus, sku) || sorted_contains(categories, category);
}

bool ItemFilter::listed_in_exclusions(std::string_view sku, std::string_view category) const {
  return sorted_contains(exclude_skus, sku) || sorted_contains(exclude_categories, category);
}

std::uint32_t TierPolicy::tier_reached(std::int64_t value) const {
  std::uint32_t reached = 0;
  for (std::uint32_t i = 0; i < tiers.size(); ++i) {  // bounded by program_tiers_max
    const Tier& tier = tiers[i];
    if (!tier.invitation_only && value >= tier.threshold) reached = i;
  }
  return reached;
}

const Tier* Program::find_tier(std::string_view id) const {
  return find_by_id(tiers.tiers, id, &Tier::id);
}

const Partner* Program::find_partner(std::string_view id) const {
  return find_by_id(partners, id, &Partner::id);
}

const RewardItem* Program::find_reward(std::string_view reward_id) const {
  return find_by_id(rewards, reward_id, &RewardItem::reward_id);
}

const Charity* Program::find_charity(std::string_view id) const {
  return find_by_id(charities, id, &Charity::id);
}

const char* rule_kind_name(RuleKind kind) {
  switch (kind) {
    case RuleKind::earn_rate:
      return "earn_rate";
    case RuleKind::earn_multiplier:
      return "earn_multiplier";
    case RuleKind::bonus:
      return "bonus";
    case RuleKind::event_award:
      return "event_award";
    case RuleKind::member_price:
      return "member_price";
    case RuleKind::percent_off:
      return "percent_off";
    case RuleKind::amount_off:
      return "amount_off";
    case RuleKind::progressive_discount:
      return "progressive_discount";
    case RuleKind::buy_x_get_y:
      return "buy_x_get_y";
    case RuleKind::stamp_card:
      return "stamp_card";
    case RuleKind::coupon:
      return "coupon";
    case RuleKind::instant_win:
      return "instant_win";
    case RuleKind::paid_membership:
      return "paid_membership";
    case RuleKind::volume_discount:
      return "volume_discount";
  }
  return "unknown";
}

bool is_discount_kind(RuleKind kind) {
  switch (kind) {
    case RuleKind::member_price:
    case RuleKind::percent_off:
    case RuleKind::amount_off:
    case RuleKind::progressive_discount:
    case RuleKind::buy_x_get_y:
    case RuleKind::stamp_card:
    case RuleKind::coupon:
    case RuleKind::instant_win:
    case RuleKind::volume_discount:
      return true;
    case RuleKind::earn_rate:
    case RuleKind::earn_multiplier:
    case RuleKind::bonus:
    case RuleKind::event_award:
    case RuleKind::paid_membership:
      return false;
  }
  return false;
}

const char* budget_unit_name(BudgetUnit unit) {
  switch (unit) {
    case BudgetUnit::points:
      return "points";
    case BudgetUnit::money:
      return "money";
  }
  return "unknown";
}

const char* budget_period_name(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::campaign:
      return "campaign";
    case BudgetPeriod::day:
      return "day";
    case BudgetPeriod::week:
      return "week";
    case BudgetPeriod::month:
      return "month";
    case BudgetPeriod::year:
      return "year";
  }
  return "unknown";
}

const char* group_mode_name(GroupMode mode) {
  switch (mode) {
    case GroupMode::stack:
      return "stack";
    case GroupMode::first:
      return "first";
    case GroupMode::best_for_customer:
      return "best_for_customer";
  }
  return "unknown";
}

}  // namespace loyalty
