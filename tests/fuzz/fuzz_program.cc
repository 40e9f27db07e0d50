// libFuzzer target: load_program on arbitrary bytes. A bad bundle must come back as an error (never
// a crash, a hang or a sanitizer report); a good one must satisfy the Program's invariants
// (program.h): rules in priority order, a stacking group per rule, a sorted rule index, and
// identification rules that validate with one key list exactly when app tokens are on. An error
// never quotes an app-token key of the bundle (identification.app_tokens.keys[].key).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/result.h"

namespace {

using loyalty::ItemFilter;
using loyalty::Program;
using loyalty::Rule;
using loyalty::RuleIndexEntry;

bool sorted_unique(const std::vector<std::string>& items) {
  return std::adjacent_find(items.begin(), items.end(),
                            [](const auto& a, const auto& b) { return !(a < b); }) == items.end();
}

bool filter_is_sorted(const ItemFilter& filter) {
  return sorted_unique(filter.skus) && sorted_unique(filter.categories) &&
         sorted_unique(filter.exclude_skus) && sorted_unique(filter.exclude_categories);
}

bool ascending(const std::vector<std::uint32_t>& rules, std::size_t rule_count) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i] >= rule_count) return false;
    if (i > 0 && rules[i - 1] >= rules[i]) return false;
  }
  return true;
}

// Entries sorted by key, each listing rules whose filter names the key.
void check_index(const Program& program, const std::vector<RuleIndexEntry>& index, bool by_sku) {
  for (std::size_t i = 0; i < index.size(); ++i) {
    LOYALTY_ASSERT(i == 0 || index[i - 1].key < index[i].key);
    LOYALTY_ASSERT(!index[i].rules.empty());
    LOYALTY_ASSERT(ascending(index[i].rules, program.rules.size()));
    for (std::uint32_t rule : index[i].rules) {
      const ItemFilter& filter = program.rules[rule].filter;
      const auto& keys = by_sku ? filter.skus : filter.categories;
      LOYALTY_ASSERT(std::binary_search(keys.begin(), keys.end(), index[i].key));
    }
  }
}

void check_program(const Program& program) {
  const std::size_t rules = program.rules.size();
  LOYALTY_ASSERT(rules <= loyalty::limits::program_rules_max);
  LOYALTY_ASSERT(program.rule_group.size() == rules);
  for (std::size_t i = 0; i < rules; ++i) {
    const Rule& rule = program.rules[i];
    LOYALTY_ASSERT(i == 0 || program.rules[i - 1].priority <= rule.priority);
    LOYALTY_ASSERT(rule.params.index() == static_cast<std::size_t>(rule.kind));
    LOYALTY_ASSERT(program.rule_group[i] < program.groups.size());
    LOYALTY_ASSERT(program.groups[program.rule_group[i]].id == rule.group);
    LOYALTY_ASSERT(filter_is_sorted(rule.filter));
    LOYALTY_ASSERT(rule.schedule.minute_from < rule.schedule.minute_to);
    const bool everything = rule.filter.matches_everything();
    const bool listed =
        std::binary_search(program.rules_for_all_lines.begin(), program.rules_for_all_lines.end(),
                           static_cast<std::uint32_t>(i));
    LOYALTY_ASSERT(everything == listed);
  }
  LOYALTY_ASSERT(ascending(program.rules_for_all_lines, rules));
  check_index(program, program.rules_by_sku, true);
  check_index(program, program.rules_by_category, false);
  const auto& tiers = program.tiers.tiers;
  LOYALTY_ASSERT(tiers.empty() || (tiers[0].threshold == 0 && !tiers[0].invitation_only));
  for (const auto& tier : tiers) LOYALTY_ASSERT(program.find_tier(tier.id) != nullptr);
  LOYALTY_ASSERT(filter_is_sorted(program.earn.excluded));
  LOYALTY_ASSERT(filter_is_sorted(program.burn.excluded));
  const auto& bands = program.company.bands;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    LOYALTY_ASSERT(bands[i].up_to_spend.has_value() == (i + 1 < bands.size()));
  }
}

void check_identification(const loyalty::IdentificationConfig& config) {
  LOYALTY_ASSERT(loyalty::validate_identification_rules(config.rules).ok());
  LOYALTY_ASSERT(config.rules.app_tokens.has_value() == !config.app_token_keys.empty());
  LOYALTY_ASSERT(config.app_token_keys.size() <= loyalty::limits::token_keys_max);
  for (std::size_t i = 0; i < config.app_token_keys.size(); ++i) {
    const loyalty::AppTokenKey& key = config.app_token_keys[i];
    LOYALTY_ASSERT(key.key.size() >= 16 && key.key.size() <= loyalty::limits::hmac_key_bytes_max);
    for (std::size_t j = 0; j < i; ++j) {
      LOYALTY_ASSERT(config.app_token_keys[j].key_id != key.key_id);
    }
  }
}

// The key texts of identification.app_tokens.keys[] in a bundle that parses, however wrong.
std::vector<std::string> key_texts(std::string_view text) {
  std::vector<std::string> keys;
  loyalty::Result<loyalty::json::Value> tree = loyalty::json::parse(text);
  if (!tree.ok() || !tree->is_object()) return keys;
  const loyalty::json::Value* section = tree->find("identification");
  if (section == nullptr || !section->is_object()) return keys;
  const loyalty::json::Value* tokens = section->find("app_tokens");
  if (tokens == nullptr || !tokens->is_object()) return keys;
  const loyalty::json::Value* list = tokens->find("keys");
  if (list == nullptr || !list->is_array()) return keys;
  for (const loyalty::json::Value& item : list->as_array()) {
    if (!item.is_object()) continue;
    const loyalty::json::Value* key = item.find("key");
    if (key != nullptr && key->is_string()) keys.push_back(key->as_string());
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  loyalty::Result<Program> program = loyalty::load_program(text);
  if (!program.ok()) {
    const loyalty::Error& error = program.error();
    LOYALTY_ASSERT(!error.message.empty());
    LOYALTY_ASSERT(error.code == loyalty::ErrorCode::invalid_program ||
                   error.code == loyalty::ErrorCode::parse_error ||
                   error.code == loyalty::ErrorCode::limit_exceeded);
    // Keys of 8 or more characters (shorter ones could be any word of a message) never show.
    for (const std::string& key : key_texts(text)) {
      LOYALTY_ASSERT(key.size() < 8 || error.message.find(key) == std::string::npos);
    }
    return 0;
  }
  check_program(program.value());
  if (program->identification) check_identification(*program->identification);
  // The Value overload gives the same program.
  loyalty::Result<loyalty::json::Value> tree = loyalty::json::parse(text);
  LOYALTY_ASSERT(tree.ok());
  loyalty::Result<Program> again = loyalty::load_program(tree.value());
  LOYALTY_ASSERT(again.ok());
  LOYALTY_ASSERT(again->rules.size() == program->rules.size());
  LOYALTY_ASSERT(again->rule_group == program->rule_group);
  return 0;
}
