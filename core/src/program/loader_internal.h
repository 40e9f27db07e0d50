// The parts of the rule-bundle loader (program_loader.h), split by section:
//   program/loader.cc           the root, partners, rewards, charities, groups; references; index
//   program/loader_policies.cc  items, earn, burn, tiers, company
//   program/loader_rules.cc     rules: common fields, audience, schedule
//   program/loader_params.cc    rules: the parameters of each kind
//   program/loader_volume.cc    rules: the parameters of volume_discount
//   program/loader_budgets.cc   campaign budgets, and the budgets rules name
//
// Errors follow json/fields.h; the loader adds these reasons:
//   must be "loyalty-program/1", got "..."              (format)
//   duplicate <what> "x"                                 rule id, coupon code, tier id, sku...
//   unknown group "x" | unknown tier "x" | unknown partner "x"
//   collides with group "x"                              a rule id that is also a group id
//   must be greater than the previous <what> (N), got M  ascending lists
//   is required when ... | is only allowed when ...      fields that depend on another field
//   must be 0 for the first level, got N | must be false for the first level
//   must have exactly one of percent_bp and amount_minor
//   <a> and <b> must not both be 0
//
// Order: the format is checked first, a rule's kind before its other fields (it decides which
// fields exist), then members in document order; a required field is reported missing once its
// object has been read; references between sections (group, tier and partner names, rule ids
// against group ids) are checked after the whole bundle has been read, in document order.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program.h"
#include "loyalty/core/result.h"

namespace loyalty::loader {

// A name one section uses and another defines, resolved once the whole bundle is read.
struct Reference {
  enum class Kind {
    group,      // `value` must name a groups[] entry
    tier,       // `value` must name a tiers.levels[] entry
    partner,    // `value` must name a partners[] entry, or be "" (own stores)
    not_group,  // `value` (a rule id) must not name a groups[] entry
  };
  Kind kind = Kind::group;
  std::string path;
  std::string value;
};

struct Context {
  fields::Reader reader{ErrorCode::invalid_program};
  std::vector<Reference> references;  // in document order
  std::set<std::string> rule_ids;
  std::set<std::string> coupon_codes;  // upper case
  std::set<std::string> stamp_cards;   // card ids of stamp_card rules
};

// <items>: an ItemFilter, lists sorted and de-duplicated.
Status read_items(const Context& ctx, const json::Value& value, const std::string& path,
                  ItemFilter* out);

Status read_earn(const Context& ctx, const json::Value& value, const std::string& path,
                 EarnPolicy* out);
Status read_burn(const Context& ctx, const json::Value& value, const std::string& path,
                 BurnPolicy* out);
Status read_tiers(const Context& ctx, const json::Value& value, const std::string& path,
                  TierPolicy* out);
Status read_company(const Context& ctx, const json::Value& value, const std::string& path,
                    CompanyPolicy* out);

// The rules array, in bundle order (sorting happens later).
Status read_rules(Context& ctx, const json::Value& value, const std::string& path,
                  std::vector<Rule>* out);

// Parameters of one rule kind: `params` holds default_params(kind); kind_fields() appends the
// Fields that read into it; finish_params() checks what involves several fields once the rule's
// members are all read, and fills defaults that depend on other fields (member_price and
// paid_membership filters).
RuleParams default_params(RuleKind kind);
void kind_fields(Context& ctx, RuleKind kind, RuleParams* params, std::vector<fields::Field>* out);
Status finish_params(const Context& ctx, const json::Value& value, const std::string& path,
                     Rule* rule);

// volume_discount (program/loader_volume.cc): its Fields (the steps carry every check).
void volume_fields(Context& ctx, VolumeDiscountRule* params, std::vector<fields::Field>* out);

// Budgets (program/loader_budgets.cc): the root `budgets` list, and the check that every rule's
// `budget` names one whose unit fits the rule's kind. Runs before the rules are sorted, so rule i
// is rules[i] of the bundle.
Status read_budgets(const Context& ctx, const json::Value& value, const std::string& path,
                    std::vector<Budget>* out);
Status resolve_budgets(const Context& ctx, Program& program);

// The names of enumerations, in declaration order.
inline constexpr std::string_view rule_kind_names[] = {
    "earn_rate",       "earn_multiplier", "bonus",      "event_award",
    "member_price",    "percent_off",     "amount_off", "progressive_discount",
    "buy_x_get_y",     "stamp_card",      "coupon",     "instant_win",
    "paid_membership", "volume_discount"};
inline constexpr std::string_view scope_names[] = {"line", "basket"};

}  // namespace loyalty::loader
