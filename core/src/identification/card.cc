// Loyalty card numbers: digits with a GS1 mod-10 check digit, as printed in the EAN-13 barcode,
// typed, or read from magnetic-stripe track 2.
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty::identification_detail {

Status check_card_number(std::string_view number, const CardNumberRules& rules,
                         std::string_view what) {
  const std::string name(what);
  if (!all_digits(number)) {
    return reject(IdentificationError::bad_character, "a " + name + " is digits only");
  }
  if (!rules.prefixes.empty() && !starts_with_any(number, rules.prefixes)) {
    return reject(
        IdentificationError::unknown_prefix,
        "a " + name + " starts with " + describe_prefixes(rules.prefixes) + "; this one does not");
  }
  if (number.size() != rules.digits_total) {
    return reject(IdentificationError::bad_length,
                  "a " + name + " has " + std::to_string(rules.digits_total) +
                      " digits; this one has " + std::to_string(number.size()));
  }
  if (!gs1_check_digit_valid(number)) {
    return reject(IdentificationError::bad_check_digit,
                  "the last digit of the " + name +
                      " is not the GS1 check digit of the others; rescan, or retype it carefully");
  }
  return {};
}

namespace {

// Characters of the track 2 set (ABA, 0x30-0x3F) that may follow the field separator: the
// sentinels may not.
bool is_track2_data(char c) { return c >= '0' && c <= '?' && c != ';' && c != '?'; }

}  // namespace

Result<CustomerToken> identify_track2(std::string_view text, const CardNumberRules& rules) {
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
  TRY(check_card_number(number, rules, "loyalty card number on track 2"));
  return CustomerToken{
      TokenKind::loyalty_card, TokenForm::card_track2, std::string(number), {}, {}};
}

}  // namespace loyalty::identification_detail
