// ReplayDrawKeyer: the instant-win draws of a stored quote, replayed. HQ does not hold the
// programs' draw keys, and a new program's draw message differs anyway (it names the version), so
// a draw is given the value the till drew for the same rule on the same receipt; a draw the till
// did not record (a rule the old program did not have, a basket it did not reach) gets an
// unkeyed hash of the draw message: uniform and repeatable, but not what a keyed draw would give.
// Internal to the backtest.
//
// Thread-safety: one per worker (set() between quotes; draw_value() is const and reentrant).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/draw.h"

namespace loyalty::sync::backtest {

class ReplayDrawKeyer final : public DrawKeyer {
 public:
  void clear() { values_.clear(); }
  void add(std::string_view rule_id, std::uint64_t value) { values_.emplace_back(rule_id, value); }

  std::uint64_t draw_value(std::string_view message) const override;

 private:
  std::vector<std::pair<std::string, std::uint64_t>> values_;  // by rule id, as recorded
};

// The rule id of a draw message (draw.h's draw_message), or "" when `message` is not one.
std::string_view draw_message_rule(std::string_view message);

}  // namespace loyalty::sync::backtest
