// Card numbers of the program's card ranges, as printed in a barcode, typed, or read from a
// magnetic stripe's track 2 or track 1.
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty::identification_detail {

namespace {

// The range whose prefix `number` starts with, or null. Prefixes of different ranges never
// overlap (validated), so there is at most one.
const CardRange* range_by_prefix(std::span<const CardRange> ranges, std::string_view number) {
  for (const CardRange& range : ranges) {              // bounded by card_ranges_max
    for (const CardPrefix& prefix : range.prefixes) {  // bounded by prefixes_max
      if (card_prefix_matches(prefix, number)) return &range;
    }
  }
  return nullptr;
}

// "13", "16 or 19", "12, 13 or 16".
std::string describe_lengths(const std::vector<std::size_t>& lengths) {
  std::string text;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    if (i > 0) text += i + 1 == lengths.size() ? " or " : ", ";
    text += std::to_string(lengths[i]);
  }
  return text;
}

}  // namespace

Result<const CardRange*> check_card_number(std::string_view number,
                                           const IdentificationRules& rules,
                                           std::string_view what) {
  const std::string name(what);
  if (!all_digits(number)) {
    return reject(IdentificationError::bad_character, "a " + name + " is digits only");
  }
  const CardRange* range = range_by_prefix(rules.card_ranges, number);
  if (range == nullptr) {
    return reject(IdentificationError::unknown_prefix,
                  "a " + std::to_string(number.size()) + "-digit " + name +
                      " outside every card range of the program (" +
                      describe_card_ranges(rules.card_ranges) + "); it is no card of this chain");
  }
  if (!card_length_allowed(*range, number.size())) {
    return reject(IdentificationError::bad_length,
                  "a card of range " + range->name + " has " + describe_lengths(range->lengths) +
                      " digits; this " + name + " has " + std::to_string(number.size()));
  }
  if (!card_check_digit_valid(range->check_digit, number)) {
    const std::string scheme = range->check_digit == CheckDigitScheme::luhn ? "Luhn" : "GS1";
    return reject(IdentificationError::bad_check_digit,
                  "the last digit of the " + name + " is not the " + scheme +
                      " check digit of the others (card range " + range->name +
                      "); rescan, or retype it carefully");
  }
  return range;
}

CustomerToken card_token(std::string_view number, const CardRange& range, TokenForm form) {
  CustomerToken token = make_token(TokenKind::loyalty_card, form, std::string(number));
  token.card_range = range.name;
  token.card_kind = range.kind;
  return token;
}

namespace {

// Characters of the track 2 set (ABA, 0x30-0x3F) that may follow the field separator: the
// sentinels may not.
bool is_track2_data(char c) { return c >= '0' && c <= '?' && c != ';' && c != '?'; }

// Characters of the track 1 set (IATA, 0x20-0x5F) that may follow the number: the sentinels may
// not.
bool is_track1_data(char c) { return c >= ' ' && c <= '_' && c != '%' && c != '?'; }

}  // namespace

Result<CustomerToken> identify_track2(std::string_view text, const IdentificationRules& rules) {
  LOYALTY_ASSERT(!text.empty() && text.front() == ';');
  if (text.size() < 3 || text.back() != '?') {
    return reject(IdentificationError::malformed_token,
                  "track 2 text is ;NUMBER? or ;NUMBER=...?, and this one does not end in ?");
  }
  const std::string_view data = text.substr(1, text.size() - 2);
  const std::size_t separator = data.find('=');
  const std::string_view number = data.substr(0, separator);
  if (separator != std::string_view::npos) {
    for (char c : data.substr(separator + 1)) {
      if (!is_track2_data(c)) {
        return reject(IdentificationError::bad_character,
                      "track 2 text holds a character outside the track's set after the number");
      }
    }
  }
  if (number.empty()) {
    return reject(IdentificationError::malformed_token, "track 2 text holds no card number");
  }
  const CardRange* range = TRY(check_card_number(number, rules, "card number on track 2"));
  return card_token(number, *range, TokenForm::card_track2);
}

Result<CustomerToken> identify_track1(std::string_view text, const IdentificationRules& rules) {
  LOYALTY_ASSERT(!text.empty() && text.front() == '%');
  if (text.size() < 4 || text.back() != '?' || !is_upper(text[1])) {
    return reject(IdentificationError::malformed_token,
                  "track 1 text is %<format code A-Z>NUMBER^...?, and this one is not");
  }
  const std::string_view data = text.substr(2, text.size() - 3);
  const std::size_t separator = data.find('^');
  const std::string_view number = data.substr(0, separator);
  for (char c : data) {
    if (!is_track1_data(c)) {
      return reject(IdentificationError::bad_character,
                    "track 1 text holds a character outside the track's set");
    }
  }
  if (number.empty()) {
    return reject(IdentificationError::malformed_token, "track 1 text holds no card number");
  }
  const CardRange* range = TRY(check_card_number(number, rules, "card number on track 1"));
  return card_token(number, *range, TokenForm::card_track1);
}

}  // namespace loyalty::identification_detail
