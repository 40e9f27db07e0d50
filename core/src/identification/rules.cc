// validate_identification_rules(): the configuration of identification checked for consistency.
// A bad configuration is a setup mistake, reported (bad_rules) rather than asserted, so that a
// till with a wrong bundle refuses scans with a clear message instead of stopping. The rule-bundle
// loader reports the same problems with the field's path in the bundle (find_rules_problem).
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "identification/internal.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"

namespace loyalty {

namespace {

using identification_detail::all_digits;
using identification_detail::is_digit;
using identification_detail::is_lower;
using identification_detail::is_upper;
using identification_detail::RulesProblem;

constexpr std::size_t code_prefix_chars_max = 8;
constexpr std::size_t gs1_coupon_prefix_digits_max = 12;
constexpr std::size_t e164_digits_max = 15;
// An app token valid for more than a year is no short-lived token.
constexpr std::int64_t app_token_lifetime_s_ceiling = 366 * 24 * 3600;

using Problem = std::optional<RulesProblem>;

Problem problem(std::string path, std::string reason) {
  return RulesProblem{std::move(path), std::move(reason)};
}

std::string item(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool is_range_name(std::string_view name) {
  if (name.empty() || name.size() > limits::id_bytes_max) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_upper(c) || is_lower(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
  });
}

// "card_ranges[i]" and "card_ranges[i].prefixes[j]": built only for a message.
std::string range_path(std::size_t i) { return item("card_ranges", i); }
std::string prefix_path(std::size_t i, std::size_t j) {
  return item(range_path(i) + ".prefixes", j);
}

Problem check_lengths(const CardRange& range, std::size_t i) {
  if (range.lengths.empty() || range.lengths.size() > limits::identification_card_lengths_max) {
    return problem(range_path(i) + ".lengths",
                   "must have between 1 and " +
                       std::to_string(limits::identification_card_lengths_max) + " items, got " +
                       std::to_string(range.lengths.size()));
  }
  for (std::size_t k = 0; k < range.lengths.size(); ++k) {
    const std::size_t length = range.lengths[k];
    const auto at = [&] { return item(range_path(i) + ".lengths", k); };
    if (length < card_number_digits_min || length > card_number_digits_max) {
      return problem(at(), "must be between " + std::to_string(card_number_digits_min) + " and " +
                               std::to_string(card_number_digits_max) + ", got " +
                               std::to_string(length));
    }
    if (k > 0 && length <= range.lengths[k - 1]) {
      return problem(at(), "must be greater than the previous length (" +
                               std::to_string(range.lengths[k - 1]) + "), got " +
                               std::to_string(length));
    }
  }
  return std::nullopt;
}

// The form parse_card_prefix() reads: digits, one length both ends, below the longest number.
bool well_formed(const CardPrefix& prefix) {
  return all_digits(prefix.low) && all_digits(prefix.high) &&
         prefix.low.size() == prefix.high.size() && prefix.low.size() < card_number_digits_max &&
         prefix.low <= prefix.high;
}

Problem check_prefixes(const CardRange& range, std::size_t i) {
  if (range.prefixes.empty() || range.prefixes.size() > limits::identification_prefixes_max) {
    return problem(range_path(i) + ".prefixes",
                   "must have between 1 and " +
                       std::to_string(limits::identification_prefixes_max) + " items, got " +
                       std::to_string(range.prefixes.size()));
  }
  for (std::size_t j = 0; j < range.prefixes.size(); ++j) {
    const CardPrefix& prefix = range.prefixes[j];
    if (!well_formed(prefix)) {
      return problem(prefix_path(i, j),
                     "must be 1 to " + std::to_string(card_number_digits_max - 1) +
                         " digits, or LOW..HIGH of two such of the same length with LOW <= HIGH");
    }
    // Checked after the lengths, so lengths.front() is the shortest.
    if (prefix.low.size() >= range.lengths.front()) {
      return problem(prefix_path(i, j), "has " + std::to_string(prefix.low.size()) +
                                            " digits; a prefix must be shorter than the range's "
                                            "shortest length (" +
                                            std::to_string(range.lengths.front()) + ")");
    }
  }
  return std::nullopt;
}

Problem check_range(const CardRange& range, std::size_t i) {
  if (!is_range_name(range.name)) {
    return problem(range_path(i) + ".name", "must be 1 to " + std::to_string(limits::id_bytes_max) +
                                                " bytes of A-Z, a-z, 0-9, '.', '_' and '-'");
  }
  if (std::string_view(card_kind_name(range.kind)) == "unknown") {
    return problem(range_path(i) + ".kind", "must be one of: gift, loyalty, employee, partner");
  }
  if (std::string_view(check_digit_scheme_name(range.check_digit)) == "unknown") {
    return problem(range_path(i) + ".check_digit", "must be one of: gs1_mod10, luhn, none");
  }
  if (Problem found = check_lengths(range, i)) return found;
  return check_prefixes(range, i);
}

// A prefix as the interval of 19-digit strings it covers: the low end padded with 0s, the high
// end with 9s. Two prefixes overlap exactly when their intervals do. Fixed arrays, no allocation:
// identify() validates its rules on every call.
using PaddedDigits = std::array<char, card_number_digits_max>;

struct Interval {
  PaddedDigits low{};
  PaddedDigits high{};
  std::size_t range = 0;   // index in card_ranges
  std::size_t prefix = 0;  // index in its range's prefixes
  std::size_t order = 0;   // document order

  std::string path() const { return prefix_path(range, prefix); }
};

PaddedDigits padded(std::string_view digits, char fill) {
  LOYALTY_ASSERT(digits.size() <= card_number_digits_max);
  PaddedDigits out;
  out.fill(fill);
  std::copy(digits.begin(), digits.end(), out.begin());
  return out;
}

Interval interval_of(const CardPrefix& prefix) {
  Interval out;
  out.low = padded(prefix.low, '0');
  out.high = padded(prefix.high, '9');
  return out;
}

const CardPrefix& prefix_of(const std::vector<CardRange>& ranges, const Interval& interval) {
  return ranges[interval.range].prefixes[interval.prefix];
}

// The card prefixes as intervals sorted by their low end, or the first overlap found (named at
// the later of the two prefixes in document order).
Problem sorted_card_intervals(const std::vector<CardRange>& ranges, std::vector<Interval>* out) {
  std::size_t count = 0;
  for (const CardRange& range : ranges) count += range.prefixes.size();
  out->reserve(count);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    for (std::size_t j = 0; j < ranges[i].prefixes.size(); ++j) {
      Interval interval = interval_of(ranges[i].prefixes[j]);
      interval.range = i;
      interval.prefix = j;
      interval.order = out->size();
      out->push_back(interval);
    }
  }
  std::sort(out->begin(), out->end(), [](const Interval& a, const Interval& b) {
    return a.low != b.low ? a.low < b.low : a.high < b.high;
  });
  const Interval* reach = nullptr;  // the interval reaching furthest so far
  for (const Interval& current : *out) {
    if (reach != nullptr && current.low <= reach->high) {
      const Interval& later = current.order > reach->order ? current : *reach;
      const Interval& earlier = current.order > reach->order ? *reach : current;
      return problem(later.path(), "overlaps " + earlier.path() + " (" +
                                       card_prefix_text(prefix_of(ranges, earlier)) +
                                       "): one card number would belong to both");
    }
    if (reach == nullptr || current.high > reach->high) reach = &current;
  }
  return std::nullopt;
}

// The card prefix (of disjoint, sorted `cards`) that `prefix` (1..18 digits) overlaps, or null.
const Interval* overlapping_card(const std::vector<Interval>& cards, std::string_view prefix) {
  const PaddedDigits low = padded(prefix, '0');
  const PaddedDigits high = padded(prefix, '9');
  // Disjoint and sorted by low, so sorted by high too: the first that ends at or after the
  // probe's start is the only candidate.
  const auto it =
      std::lower_bound(cards.begin(), cards.end(), low,
                       [](const Interval& a, const PaddedDigits& start) { return a.high < start; });
  return it != cards.end() && it->low <= high ? &*it : nullptr;
}

// "card_ranges[2].prefixes[0] (2500)" for messages.
std::string describe(const std::vector<CardRange>& ranges, const Interval& card) {
  return card.path() + " (" + card_prefix_text(prefix_of(ranges, card)) + ")";
}

bool is_code_prefix(std::string_view prefix) {
  if (prefix.empty()) return true;  // program coupons off
  if (prefix.size() > code_prefix_chars_max || !is_upper(prefix.front())) return false;
  return std::all_of(prefix.begin(), prefix.end(),
                     [](char c) { return is_upper(c) || is_digit(c); });
}

Problem check_coupons(const CouponRules& coupons, const std::vector<CardRange>& ranges,
                      const std::vector<Interval>& cards) {
  constexpr std::string_view path = "coupons.gs1_prefixes";
  if (coupons.gs1_prefixes.size() > limits::identification_prefixes_max) {
    return problem(std::string(path),
                   "must have at most " + std::to_string(limits::identification_prefixes_max) +
                       " items, got " + std::to_string(coupons.gs1_prefixes.size()));
  }
  for (std::size_t k = 0; k < coupons.gs1_prefixes.size(); ++k) {
    const std::string& prefix = coupons.gs1_prefixes[k];
    if (!all_digits(prefix) || prefix.size() > gs1_coupon_prefix_digits_max) {
      return problem(item(path, k), "must be 1 to 12 digits");
    }
    if (const Interval* card = overlapping_card(cards, prefix)) {
      return problem(item(path, k), "overlaps " + describe(ranges, *card) +
                                        ": a number would be both a coupon and a card");
    }
  }
  if (!is_code_prefix(coupons.code_prefix) ||
      (!coupons.code_prefix.empty() && app_token_prefix.starts_with(coupons.code_prefix))) {
    return problem("coupons.code_prefix",
                   "must be empty or 1 to 8 of A-Z 0-9 starting with a letter, and must not "
                   "be the start of the app token prefix LOY1.");
  }
  const std::size_t chars_max = limits::identification_input_bytes_max - code_prefix_chars_max - 1;
  if (coupons.code_chars_min < 1 || coupons.code_chars_min > coupons.code_chars_max) {
    return problem("coupons.code_chars_min", "must be between 1 and code_chars_max (" +
                                                 std::to_string(coupons.code_chars_max) +
                                                 "), got " +
                                                 std::to_string(coupons.code_chars_min));
  }
  if (coupons.code_chars_max > chars_max) {
    return problem("coupons.code_chars_max", "must be at most " + std::to_string(chars_max) +
                                                 ", got " + std::to_string(coupons.code_chars_max));
  }
  return std::nullopt;
}

Problem check_phone_prefixes(const PhoneRules& phone) {
  if (phone.country_code.size() > 3 || !all_digits(phone.country_code) ||
      phone.country_code.front() == '0') {
    return problem("phone.country_code", "must be 1 to 3 digits, not starting with 0");
  }
  if (phone.trunk_prefix.size() > 2 ||
      (!phone.trunk_prefix.empty() && !all_digits(phone.trunk_prefix))) {
    return problem("phone.trunk_prefix", "must be empty or 1 to 2 digits");
  }
  if (phone.international_prefix.size() > 4 ||
      (!phone.international_prefix.empty() && !all_digits(phone.international_prefix))) {
    return problem("phone.international_prefix", "must be empty or 1 to 4 digits");
  }
  if (!phone.international_prefix.empty() && !phone.trunk_prefix.empty() &&
      phone.trunk_prefix.starts_with(phone.international_prefix)) {
    return problem("phone.trunk_prefix", "must not start with the international prefix (" +
                                             phone.international_prefix +
                                             "): a national number would read as "
                                             "an international one");
  }
  return std::nullopt;
}

Problem check_phone(const PhoneRules& phone, const std::vector<Interval>& cards) {
  if (Problem found = check_phone_prefixes(phone)) return found;
  if (phone.digits_min <= phone.country_code.size() || phone.digits_min > phone.digits_max) {
    return problem("phone.digits_min", "must be more than the country code's " +
                                           std::to_string(phone.country_code.size()) +
                                           " digits and at most digits_max (" +
                                           std::to_string(phone.digits_max) + "), got " +
                                           std::to_string(phone.digits_min));
  }
  if (phone.digits_max > e164_digits_max) {
    return problem("phone.digits_max",
                   "must be at most 15 (E.164), got " + std::to_string(phone.digits_max));
  }
  const std::pair<const char*, const std::string*> prefixes[] = {
      {"trunk_prefix", &phone.trunk_prefix}, {"international_prefix", &phone.international_prefix}};
  for (const auto& [field, prefix] : prefixes) {
    if (prefix->empty()) continue;
    if (const Interval* card = overlapping_card(cards, *prefix)) {
      return problem(card->path(), "overlaps phone." + std::string(field) + " (" + *prefix +
                                       "): a typed number would be both a card and a phone number");
    }
  }
  return std::nullopt;
}

Problem check_ranges(const std::vector<CardRange>& ranges) {
  if (ranges.size() > limits::identification_card_ranges_max) {
    return problem("card_ranges", "must have at most " +
                                      std::to_string(limits::identification_card_ranges_max) +
                                      " items, got " + std::to_string(ranges.size()));
  }
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (Problem found = check_range(ranges[i], i)) return found;
    if (!names.insert(ranges[i].name).second) {
      return problem(range_path(i) + ".name",
                     "duplicate card range name \"" + ranges[i].name + "\"");
    }
  }
  return std::nullopt;
}

}  // namespace

namespace identification_detail {

std::optional<RulesProblem> find_rules_problem(const IdentificationRules& rules) {
  if (Problem found = check_ranges(rules.card_ranges)) return found;
  std::vector<Interval> cards;
  if (Problem found = sorted_card_intervals(rules.card_ranges, &cards)) return found;
  if (Problem found = check_coupons(rules.coupons, rules.card_ranges, cards)) return found;
  if (rules.phone) {
    if (Problem found = check_phone(*rules.phone, cards)) return found;
  }
  if (rules.app_tokens) {
    const std::int64_t lifetime = rules.app_tokens->lifetime_s_max;
    if (lifetime <= 0 || lifetime > app_token_lifetime_s_ceiling) {
      return problem("app_tokens.lifetime_s_max", "must be between 1 and " +
                                                      std::to_string(app_token_lifetime_s_ceiling) +
                                                      ", got " + std::to_string(lifetime));
    }
    if (rules.card_ranges.empty()) {
      return problem("app_tokens",
                     "needs at least one card range (card_ranges): an app token names a card");
    }
  }
  return std::nullopt;
}

bool accepts_nothing(const IdentificationRules& rules) {
  return rules.card_ranges.empty() && rules.coupons.gs1_prefixes.empty() &&
         rules.coupons.code_prefix.empty() && !rules.phone && !rules.app_tokens;
}

}  // namespace identification_detail

Status validate_identification_rules(const IdentificationRules& rules) {
  const std::optional<RulesProblem> found = identification_detail::find_rules_problem(rules);
  if (!found) return {};
  const std::string where = found->path.empty() ? "" : found->path + ": ";
  return identification_detail::reject(IdentificationError::bad_rules,
                                       where + found->reason + "; fix the identification rules");
}

}  // namespace loyalty
