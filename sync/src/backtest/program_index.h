// ProgramIndex: what the backtest looks up in a program by the names a stored quote uses: rules
// by id (a source label "rule:<id>"), tiers by id, and the tiers' order. Internal to the backtest.
//
// Thread-safety: immutable once built; shared by the workers. Ownership: borrows the Program,
// which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/program.h"

namespace loyalty::sync::backtest {

// The id in a source label of the form "<prefix>:<id>" ("rule:double-tuesday" with prefix
// "rule"), or nullopt for another label.
std::optional<std::string_view> label_id(std::string_view label, std::string_view prefix);

class ProgramIndex {
 public:
  explicit ProgramIndex(const Program& program);

  const Program& program() const { return *program_; }
  // The index of the rule with this id.
  std::optional<std::uint32_t> rule_index(std::string_view id) const;
  // The rule a "rule:<id>" label names, or null.
  const Rule* rule_of_source(std::string_view label) const;
  // The rule of this id and kind, or null.
  const Rule* rule_of_kind(std::string_view id, RuleKind kind) const;
  // A tier's place in the program's order (0: the entry tier), or nullopt for an unknown id.
  std::optional<std::uint32_t> tier_rank(std::string_view id) const;
  // The entry tier's id ("" for a program without tiers).
  std::string_view entry_tier() const;
  // Whether an event_award rule of the program credits events of this type.
  bool awards_event(std::string_view event_type) const;

 private:
  const Program* program_;
  std::vector<std::pair<std::string_view, std::uint32_t>> rules_;  // sorted by id
  std::vector<std::string_view> event_types_;                      // sorted
};

}  // namespace loyalty::sync::backtest
