// Card ranges: their prefixes (plain or numeric ranges), the test of a number against them, the
// names of kinds and check-digit schemes, and the wiping holder of key bytes.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty {

using identification_detail::all_digits;

const char* card_kind_name(CardKind kind) {
  switch (kind) {
    case CardKind::gift:
      return "gift";
    case CardKind::loyalty:
      return "loyalty";
    case CardKind::employee:
      return "employee";
    case CardKind::partner:
      return "partner";
  }
  return "unknown";
}

const char* check_digit_scheme_name(CheckDigitScheme scheme) {
  switch (scheme) {
    case CheckDigitScheme::gs1_mod10:
      return "gs1_mod10";
    case CheckDigitScheme::luhn:
      return "luhn";
    case CheckDigitScheme::none:
      return "none";
  }
  return "unknown";
}

std::optional<CardPrefix> parse_card_prefix(std::string_view text) {
  constexpr std::string_view range_mark = "..";
  const std::size_t mark = text.find(range_mark);
  const std::string_view low = text.substr(0, mark);
  const std::string_view high =
      mark == std::string_view::npos ? low : text.substr(mark + range_mark.size());
  if (!all_digits(low) || !all_digits(high) || low.size() != high.size() ||
      low.size() >= card_number_digits_max || high < low) {
    return std::nullopt;
  }
  return CardPrefix{std::string(low), std::string(high)};
}

std::string card_prefix_text(const CardPrefix& prefix) {
  if (prefix.low == prefix.high) return prefix.low;
  return prefix.low + ".." + prefix.high;
}

bool card_prefix_matches(const CardPrefix& prefix, std::string_view digits) {
  const std::size_t width = prefix.low.size();
  if (width == 0 || digits.size() < width) return false;
  // Strings of digits of one length compare as the numbers they are.
  const std::string_view head = digits.substr(0, width);
  return head >= prefix.low && head <= prefix.high;
}

namespace identification_detail {

bool card_length_allowed(const CardRange& range, std::size_t digits) {
  for (std::size_t length : range.lengths) {  // bounded by identification_card_lengths_max
    if (length == digits) return true;
  }
  return false;
}

bool card_check_digit_valid(CheckDigitScheme scheme, std::string_view digits) {
  switch (scheme) {
    case CheckDigitScheme::gs1_mod10:
      return gs1_check_digit_valid(digits);
    case CheckDigitScheme::luhn:
      return luhn_check_digit_valid(digits);
    case CheckDigitScheme::none:
      return all_digits(digits);
  }
  return false;
}

}  // namespace identification_detail

const CardRange* matching_card_range(std::span<const CardRange> ranges, std::string_view digits) {
  if (!all_digits(digits)) return nullptr;
  for (const CardRange& range : ranges) {              // bounded by identification_card_ranges_max
    for (const CardPrefix& prefix : range.prefixes) {  // bounded by identification_prefixes_max
      if (!card_prefix_matches(prefix, digits)) continue;
      const bool valid = identification_detail::card_length_allowed(range, digits.size()) &&
                         identification_detail::card_check_digit_valid(range.check_digit, digits);
      return valid ? &range : nullptr;  // ranges do not overlap: no other range can match
    }
  }
  return nullptr;
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecretBytes::wipe() {
  // Through a volatile pointer, so that the stores are not optimised away before the free.
  volatile std::uint8_t* bytes = bytes_.data();
  for (std::size_t i = 0; i < bytes_.size(); ++i) bytes[i] = 0;
  bytes_.clear();
}

namespace identification_detail {

std::string describe_card_ranges(std::span<const CardRange> ranges) {
  constexpr std::size_t ranges_shown_max = 4;
  constexpr std::size_t prefixes_shown_max = 4;
  if (ranges.empty()) return "none";
  std::string text;
  for (std::size_t i = 0; i < ranges.size() && i < ranges_shown_max; ++i) {
    if (i > 0) text += "; ";
    text += ranges[i].name + " ";
    const auto& prefixes = ranges[i].prefixes;
    for (std::size_t j = 0; j < prefixes.size() && j < prefixes_shown_max; ++j) {
      if (j > 0) text += ", ";
      text += card_prefix_text(prefixes[j]);
    }
    if (prefixes.size() > prefixes_shown_max) text += ", ...";
  }
  if (ranges.size() > ranges_shown_max) text += "; ...";
  return text;
}

}  // namespace identification_detail

}  // namespace loyalty
