// Helpers shared by the quote renderers (quote/json.cc, quote/table.cc). Internal to core.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "loyalty/core/program.h"
#include "loyalty/core/quote.h"

namespace loyalty::render {

inline const char* line_status_name(LineStatus status) {
  switch (status) {
    case LineStatus::regular:
      return "regular";
    case LineStatus::voided:
      return "voided";
    case LineStatus::reward:
      return "reward";
  }
  return "unknown";
}

inline const char* earn_account_name(EarnAccount account) {
  switch (account) {
    case EarnAccount::customer:
      return "customer";
    case EarnAccount::company:
      return "company";
    case EarnAccount::referrer:
      return "referrer";
  }
  return "unknown";
}

// The id of tier `index`, or "#<index>" when the index is out of range.
inline std::string tier_id(const Program& program, std::uint32_t index) {
  if (index < program.tiers.tiers.size()) return program.tiers.tiers[index].id;
  return "#" + std::to_string(index);
}

// The id of partner `index`, or "#<index>" when the index is out of range.
inline std::string partner_id(const Program& program, std::uint32_t index) {
  if (index < program.partners.size()) return program.partners[index].id;
  return "#" + std::to_string(index);
}

// The id of the rule `index` names, or "#<index>" when the index is out of range.
inline std::string rule_id(const Program& program, std::uint32_t index) {
  if (index < program.rules.size()) return program.rules[index].id;
  return "#" + std::to_string(index);
}

// The id of charity `index`, or "#<index>" when the index is out of range.
inline std::string charity_id(const Program& program, std::uint32_t index) {
  if (index < program.charities.size()) return program.charities[index].id;
  return "#" + std::to_string(index);
}

// The card id of a stamp_card rule; empty for any other rule.
inline std::string stamp_card_id(const Program& program, std::uint32_t rule) {
  if (rule >= program.rules.size()) return {};
  const auto* card = std::get_if<StampCardRule>(&program.rules[rule].params);
  return card != nullptr ? card->card_id : std::string();
}

// The id of a campaign budget, or "#<index>" for an index out of range.
inline std::string budget_id(const Program& program, std::uint32_t index) {
  return index < program.budgets.size() ? program.budgets[index].id : "#" + std::to_string(index);
}

// The unit of a campaign budget ("points" or "money"), or "unknown" for an index out of range.
inline const char* budget_unit(const Program& program, std::uint32_t index) {
  return index < program.budgets.size() ? budget_unit_name(program.budgets[index].unit) : "unknown";
}

}  // namespace loyalty::render
