// Phone numbers typed at the till, normalised to E.164 (+4915112345678).
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty::identification_detail {

bool is_phone_separator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}

namespace {

Error bad_phone(const std::string& detail) {
  return reject(IdentificationError::bad_phone, detail + "; type the number again");
}

// The digits of typed text. With `international`, a "(0)" after the first `lead_digits` digits
// (the international prefix) is dropped: the trunk prefix some people write in brackets after the
// country code, +49 (0)151 ... Nullopt for any other character (a '+' only at the start).
std::optional<std::string> phone_digits(std::string_view text, bool international,
                                        std::size_t lead_digits) {
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (international && digits.size() > lead_digits && text.substr(i).starts_with("(0)")) {
      i += 2;
    } else if (is_digit(c)) {
      digits += c;
    } else if (!is_phone_separator(c) && !(c == '+' && i == 0)) {
      return std::nullopt;
    }
  }
  return digits;
}

}  // namespace

Result<CustomerToken> identify_phone(std::string_view text, const PhoneRules& rules) {
  LOYALTY_ASSERT(!text.empty());
  const bool plus = text.front() == '+';
  const std::string_view intl = rules.international_prefix;
  std::optional<std::string> digits = phone_digits(text, plus, 0);
  if (!digits) return bad_phone("a phone number holds digits, spaces and + - . / ( ) only");
  const bool international = plus || (!intl.empty() && digits->starts_with(intl));
  if (!plus && international) digits = phone_digits(text, true, intl.size());  // drop a "(0)"
  LOYALTY_ASSERT(digits && (plus || !international || digits->starts_with(intl)));
  std::string e164;
  TokenForm form = TokenForm::phone_international;
  if (plus) {
    e164 = *digits;
  } else if (international) {
    e164 = digits->substr(intl.size());
  } else {
    // National: drop the trunk prefix, add the country code.
    LOYALTY_ASSERT(digits->starts_with(rules.trunk_prefix));
    e164 = rules.country_code + digits->substr(rules.trunk_prefix.size());
    form = TokenForm::phone_national;
  }
  if (e164.empty() || e164.front() == '0') {
    return bad_phone(
        "the number after the country code must not start with 0, and an "
        "international number starts with its country code");
  }
  // With a trunk prefix, a national number never starts with 0 after it; without one (Italy)
  // the 0 belongs to the number.
  if (form == TokenForm::phone_national && !rules.trunk_prefix.empty() &&
      e164.size() > rules.country_code.size() && e164[rules.country_code.size()] == '0') {
    return bad_phone("after the trunk prefix " + rules.trunk_prefix +
                     " a national number does not start with 0");
  }
  if (e164.size() < rules.digits_min || e164.size() > rules.digits_max) {
    return bad_phone("a phone number has " + std::to_string(rules.digits_min) + " to " +
                     std::to_string(rules.digits_max) +
                     " digits with its country code; this one has " + std::to_string(e164.size()));
  }
  return make_token(TokenKind::phone, form, "+" + e164);
}

}  // namespace loyalty::identification_detail
