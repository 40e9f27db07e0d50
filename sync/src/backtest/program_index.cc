// ProgramIndex: rules and tiers of a program by the names a stored quote uses.

#include "backtest/program_index.h"

#include <algorithm>

namespace loyalty::sync::backtest {

std::optional<std::string_view> label_id(std::string_view label, std::string_view prefix) {
  // The separator and the first byte settle most labels ("earn.base", "tier:gold") at once.
  if (label.size() <= prefix.size() || prefix.empty() || label[prefix.size()] != ':' ||
      label[0] != prefix[0] || !label.starts_with(prefix)) {
    return std::nullopt;
  }
  return label.substr(prefix.size() + 1);
}

ProgramIndex::ProgramIndex(const Program& program) : program_(&program) {
  rules_.reserve(program.rules.size());
  for (std::uint32_t r = 0; r < program.rules.size(); ++r) {
    rules_.emplace_back(program.rules[r].id, r);
    if (program.rules[r].kind == RuleKind::event_award) {
      event_types_.push_back(std::get<EventAwardRule>(program.rules[r].params).event_type);
    }
  }
  std::sort(rules_.begin(), rules_.end());
  std::sort(event_types_.begin(), event_types_.end());
}

bool ProgramIndex::awards_event(std::string_view event_type) const {
  return std::binary_search(event_types_.begin(), event_types_.end(), event_type);
}

std::optional<std::uint32_t> ProgramIndex::rule_index(std::string_view id) const {
  auto it = std::lower_bound(rules_.begin(), rules_.end(), id,
                             [](const std::pair<std::string_view, std::uint32_t>& entry,
                                std::string_view wanted) { return entry.first < wanted; });
  if (it == rules_.end() || it->first != id) return std::nullopt;
  return it->second;
}

const Rule* ProgramIndex::rule_of_source(std::string_view label) const {
  const std::optional<std::string_view> id = label_id(label, "rule");
  if (!id) return nullptr;
  const std::optional<std::uint32_t> index = rule_index(*id);
  return index ? &program_->rules[*index] : nullptr;
}

const Rule* ProgramIndex::rule_of_kind(std::string_view id, RuleKind kind) const {
  const std::optional<std::uint32_t> index = rule_index(id);
  if (!index || program_->rules[*index].kind != kind) return nullptr;
  return &program_->rules[*index];
}

std::optional<std::uint32_t> ProgramIndex::tier_rank(std::string_view id) const {
  const Tier* tier = program_->find_tier(id);
  if (tier == nullptr) return std::nullopt;
  return static_cast<std::uint32_t>(tier - program_->tiers.tiers.data());
}

std::string_view ProgramIndex::entry_tier() const {
  const auto& tiers = program_->tiers.tiers;
  return tiers.empty() ? std::string_view() : std::string_view(tiers[0].id);
}

}  // namespace loyalty::sync::backtest
