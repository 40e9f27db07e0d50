// The loyalty program: a versioned, declarative rule bundle authored at HQ and loaded by
// terminals. This header is the in-memory model; program_loader.h turns the JSON format
// (docs/rules.md) into it and is the only way to obtain a valid Program.
//
// Thread-safety: a loaded Program is immutable and may be shared by any number of threads.
// Ownership: a Program owns all its strings; quotes refer to its rules by index, so a Program
// must outlive every Quote computed from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/rounding.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"

namespace loyalty {

// Which receipt lines something applies to. Empty `skus` and `categories` match every line;
// otherwise a line matches when its SKU or its category is listed. Exclusions always win.
// All lists are sorted and free of duplicates (the loader guarantees it).
struct ItemFilter {
  std::vector<std::string> skus;
  std::vector<std::string> categories;
  std::vector<std::string> exclude_skus;
  std::vector<std::string> exclude_categories;

  bool matches_everything() const { return skus.empty() && categories.empty(); }
  bool has_exclusions() const { return !exclude_skus.empty() || !exclude_categories.empty(); }
  bool matches(std::string_view sku, std::string_view category) const;
  bool excludes(std::string_view sku, std::string_view category) const {
    return has_exclusions() && listed_in_exclusions(sku, category);
  }

 private:
  bool listed_in_exclusions(std::string_view sku, std::string_view category) const;
};

// Who and when a rule applies to. Every empty list means "no restriction".
struct Audience {
  std::vector<std::string> tiers;      // customer's current tier id
  std::vector<std::string> segments;   // any one of the customer's HQ-assigned segments
  std::vector<std::string> customers;  // personalised: these customer ids only
  bool identified_only = false;        // needs an identified customer (a card was scanned)
  bool paid_membership_only = false;   // needs an active paid membership
  std::vector<std::string> partners;   // receipts at these coalition partners ("" = own stores)
};

// When a rule is active: an absolute window plus an optional weekly local-time schedule.
struct Schedule {
  std::optional<Timestamp> valid_from;    // inclusive
  std::optional<Timestamp> valid_to;      // exclusive
  std::uint8_t iso_weekdays_mask = 0x7f;  // bit 0 = Monday … bit 6 = Sunday
  int minute_from = 0;                    // local minute of day, inclusive
  int minute_to = 24 * 60;                // local minute of day, exclusive
};

enum class Scope { line, basket };

// --- Earn rules ---
// Points per amount: `points` for every `per_minor` of eligible net spend.
struct EarnRate {
  std::int64_t points = 1;
  std::int64_t per_minor = 100;
};
struct EarnRateRule {
  EarnRate rate;
};
// Adds (multiplier_percent - 100) % of a line's base points: 200 doubles them.
struct EarnMultiplierRule {
  std::int64_t multiplier_percent = 100;
};
enum class BonusTrigger { welcome, birthday, referral, win_back };
struct BonusRule {
  BonusTrigger trigger = BonusTrigger::welcome;
  Points points;               // to the customer
  Points referrer_points;      // referral only: to the referring customer
  int window_days_before = 0;  // birthday only
  int window_days_after = 0;   // birthday only
  int days_away = 0;           // win_back only: store-local days since the last purchase, >= 1
  Minor min_basket;            // net spend the receipt needs for the bonus
};
// Points for a non-purchase event (review, survey) delivered by HQ.
struct EventAwardRule {
  std::string event_type;
  Points points;
  std::int64_t per_customer_max = 0;  // 0 = unlimited
};

// --- Discount rules ---
struct MemberPrice {
  std::string sku;
  Minor price;
};
struct MemberPriceRule {
  std::vector<MemberPrice> prices;  // sorted by sku
};
struct PercentOffRule {
  BasisPoints percent;
  Scope scope = Scope::line;
};
struct AmountOffRule {
  Minor amount;  // per unit for line scope, once for basket scope
  Scope scope = Scope::basket;
  Minor min_basket;
};
struct ProgressiveThreshold {
  Minor from_spend;  // cumulative spend from which the percentage holds
  BasisPoints percent;
};
struct ProgressiveDiscountRule {
  std::vector<ProgressiveThreshold> thresholds;  // ascending from_spend
  // Recency: the step reached by spend drops one step per this many store-local days since the
  // customer's last purchase, down to the first step. 0: no recency.
  int step_down_after_days = 0;
};
struct BuyXGetYRule {
  std::int64_t buy_quantity = 1;
  std::int64_t get_quantity = 1;
  BasisPoints get_percent{10000};  // 10000 = the "get" units are free
};
// A punch card: every qualifying unit earns a stamp; with `stamps_required` stamps collected, the
// next qualifying unit is discounted by `reward_percent` and the stamps are spent.
struct StampCardRule {
  std::string card_id;
  std::int64_t stamps_required = 10;
  BasisPoints reward_percent{10000};
};
struct CouponRule {
  std::string code;     // upper case
  BasisPoints percent;  // one of percent / amount is set
  Minor amount;
  Scope scope = Scope::basket;
  Minor min_basket;
  std::int64_t per_customer_max = 0;  // 0 = unlimited
  std::int64_t uses_max = 0;          // across all customers; 1 = single use; 0 = unlimited
};
// A draw decided by a seed derived from the receipt id and the rule id, so it can be replayed.
struct InstantWinRule {
  std::int64_t odds_numerator = 1;
  std::int64_t odds_denominator = 4;
  Points prize_points;
  Minor prize_amount;  // off the basket
  Minor min_basket;
};
// Buying `sku` activates a paid membership for `period_days`, effective at once.
struct PaidMembershipRule {
  std::string sku;
  int period_days = 365;
};
// Volume steps: the percentage grows with the units (or the net amount) of the lines the rule
// touches on the whole receipt; the highest step reached applies to each of those lines.
enum class VolumeMeasure { quantity, amount };
struct VolumeStep {
  std::int64_t from = 0;  // units, or minor units of net amount
  BasisPoints percent;
};
struct VolumeDiscountRule {
  VolumeMeasure measure = VolumeMeasure::quantity;
  std::vector<VolumeStep> steps;  // ascending `from`
};

using RuleParams =
    std::variant<EarnRateRule, EarnMultiplierRule, BonusRule, EventAwardRule, MemberPriceRule,
                 PercentOffRule, AmountOffRule, ProgressiveDiscountRule, BuyXGetYRule,
                 StampCardRule, CouponRule, InstantWinRule, PaidMembershipRule, VolumeDiscountRule>;

enum class RuleKind {
  earn_rate,
  earn_multiplier,
  bonus,
  event_award,
  member_price,
  percent_off,
  amount_off,
  progressive_discount,
  buy_x_get_y,
  stamp_card,
  coupon,
  instant_win,
  paid_membership,
  volume_discount,
};
const char* rule_kind_name(RuleKind kind);
bool is_discount_kind(RuleKind kind);

inline constexpr std::uint32_t no_budget = UINT32_MAX;

struct Rule {
  std::string id;
  std::string description;
  RuleKind kind = RuleKind::percent_off;
  int priority = 100;      // lower runs first; ties in bundle order
  std::string group;       // stacking group; defaults to the rule's own id
  bool exclusive = false;  // when it applies, no later discount rule applies
  Rounding rounding = Rounding::half_up;
  ItemFilter filter;
  Audience audience;
  Schedule schedule;
  RuleParams params;
  std::string budget;                      // campaign budget id; empty: none
  std::uint32_t budget_index = no_budget;  // index into Program::budgets
};

enum class GroupMode {
  stack,              // every applicable rule of the group applies, in priority order
  first,              // only the first applicable rule in priority order applies
  best_for_customer,  // only the rule giving the largest discount applies (ties: priority)
};
const char* group_mode_name(GroupMode mode);

struct StackingGroup {
  std::string id;
  GroupMode mode = GroupMode::stack;
};

enum class EarnBase {
  net_after_points,   // the customer's money only: points used as tender earn nothing
  net_before_points,  // the net after discounts, including the part paid with points
};

enum class ActivationMode {
  immediate,      // usable at once (from the next receipt: never in the one that earned them)
  next_purchase,  // the same as immediate; named for programs that say it that way
  after_days,     // usable from local midnight `activation_days` days after the purchase
};

struct EarnPolicy {
  EarnRate base;
  Rounding rounding = Rounding::floor;
  EarnBase base_on = EarnBase::net_after_points;
  ItemFilter excluded;  // tobacco, gift cards…: never earn
  Minor min_basket;     // receipts with a smaller net earn no purchase points
  ActivationMode activation = ActivationMode::immediate;
  int activation_days = 0;
  int expiry_days = 365;  // 0 = points never expire
};

struct BurnPolicy {
  bool enabled = true;
  std::int64_t rate_points = 1;  // `rate_points` points are worth `rate_value` (a burn step)
  Minor rate_value{1};
  BasisPoints cap{10000};      // at most this share of the receipt's net may be paid with points
  Points min_balance;          // redemption needs at least this available balance
  ItemFilter excluded;         // lines points may not pay for
  Points offline_floor_limit;  // used by storage when HQ can't be asked (issue 3)
};

enum class TierBasis { spend, points_earned };
enum class UpgradeMode { immediate, period_end };
enum class DowngradeMode { yearly, never };

struct Tier {
  std::string id;
  std::string name;
  std::int64_t threshold = 0;  // minor units of spend, or points earned, over the period
  std::int64_t earn_multiplier_percent = 100;
  bool invitation_only = false;  // never reached by threshold; kept until HQ changes it
};

struct TierPolicy {
  TierBasis basis = TierBasis::spend;
  int period_days = 365;
  UpgradeMode upgrade = UpgradeMode::immediate;
  DowngradeMode downgrade = DowngradeMode::yearly;
  std::vector<Tier> tiers;  // ascending threshold; tiers[0] is the entry tier

  // The highest tier whose threshold `value` (period spend or points, per `basis`) reaches;
  // invitation-only tiers are never reached by a threshold. 0 (the entry tier) when none is.
  std::uint32_t tier_reached(std::int64_t value) const;
};

// Tier reviews come every this many days from a customer's tier_review_at; a period runs from one
// review to the next.
inline constexpr int tier_review_interval_days = 365;

// B2B: the company earns a rate of its employees' net spend, by the company's yearly spend band.
struct CompanyBand {
  std::optional<Minor> up_to_spend;  // exclusive upper bound of the band; none for the last band
  BasisPoints rate;
};
struct CompanyPolicy {
  std::vector<CompanyBand> bands;  // ascending
  Rounding rounding = Rounding::floor;
};

// Coalition partner: a brand where members earn and burn. Settlement is money that moves
// between the partner and the program operator for each point.
struct Partner {
  std::string id;
  std::string name;
  Minor settlement_per_point_earned;  // owed by the partner for each point it issued
  Minor settlement_per_point_burned;  // owed to the partner for each point burned there
};

struct RewardItem {
  std::string reward_id;
  std::string sku;
  Points price;
};

struct Charity {
  std::string id;
  std::string name;
};

// A campaign budget: the most its rules may give, counted by the ledger (and HQ) across
// receipts, per period of store-local time. Rules name it; the engine caps them at what remains
// (engine.h, QuoteEnvironment::budgets_spent).
enum class BudgetUnit { points, money };
enum class BudgetPeriod { campaign, day, week, month, year };
struct Budget {
  std::string id;
  BudgetUnit unit = BudgetUnit::money;
  std::int64_t limit = 0;  // points, or minor units of the program's currency
  BudgetPeriod period = BudgetPeriod::campaign;
};
const char* budget_unit_name(BudgetUnit unit);
const char* budget_period_name(BudgetPeriod period);

// Where a rule index lists the rules that can touch a line, by SKU and by category.
struct RuleIndexEntry {
  std::string key;
  std::vector<std::uint32_t> rules;  // ascending evaluation order
};

struct Program {
  std::string program_id;
  std::int64_t version = 0;
  std::string currency;  // ISO 4217, e.g. "EUR"
  int currency_exponent = 2;
  // A fixed offset for stores that have no time zone configured; absent: none (engine.h says
  // what a quote then uses). A store's configured zone always wins over it.
  std::optional<int> utc_offset_minutes;
  std::optional<Timestamp> effective_from;

  EarnPolicy earn;
  BurnPolicy burn;
  TierPolicy tiers;
  CompanyPolicy company;
  std::vector<Partner> partners;
  std::vector<RewardItem> rewards;
  std::vector<Charity> charities;
  std::vector<Budget> budgets;
  std::vector<StackingGroup> groups;
  std::vector<Rule> rules;  // in evaluation order: priority, then bundle order
  // The bundle's identification section: card ranges, coupon patterns, phone and app-token rules,
  // app-token keys (secrets). Absent when the bundle has none: a till then identifies no one.
  std::optional<IdentificationConfig> identification;

  // Built by the loader: which rules can touch a line. `rules_by_sku` and `rules_by_category`
  // are sorted by key; `rules_for_all_lines` holds rules whose filter matches everything.
  std::vector<RuleIndexEntry> rules_by_sku;
  std::vector<RuleIndexEntry> rules_by_category;
  std::vector<std::uint32_t> rules_for_all_lines;
  std::vector<std::uint32_t> rule_group;  // per rule: index into `groups`

  const Tier* find_tier(std::string_view id) const;
  const Partner* find_partner(std::string_view id) const;
  const RewardItem* find_reward(std::string_view reward_id) const;
  const Charity* find_charity(std::string_view id) const;
};

}  // namespace loyalty
