// Coupons: GS1 coupon EAN-13 numbers, and program coupon codes with a MOD 37,36 check character.
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty::identification_detail {

namespace {

constexpr std::size_t gs1_coupon_digits = 13;

char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<CustomerToken> identify_gs1_coupon(std::string_view digits, const CouponRules& rules) {
  LOYALTY_ASSERT(all_digits(digits) && starts_with_any(digits, rules.gs1_prefixes));
  if (digits.size() != gs1_coupon_digits) {
    return reject(IdentificationError::bad_length,
                  "a GS1 coupon (prefix " + describe_prefixes(rules.gs1_prefixes) +
                      ") is an EAN-13 of 13 digits; this one has " + std::to_string(digits.size()));
  }
  if (!gs1_check_digit_valid(digits)) {
    return reject(IdentificationError::bad_check_digit,
                  "the last digit of the GS1 coupon is not the check digit of the others; rescan "
                  "it");
  }
  return make_token(TokenKind::coupon, TokenForm::gs1_coupon, std::string(digits));
}

bool has_program_coupon_prefix(std::string_view text, const CouponRules& rules) {
  const std::string_view prefix = rules.code_prefix;
  if (prefix.empty() || text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (to_upper(text[i]) != prefix[i]) return false;
  }
  return true;
}

Result<CustomerToken> identify_program_coupon(std::string_view text, const CouponRules& rules) {
  LOYALTY_ASSERT(has_program_coupon_prefix(text, rules));
  std::string upper;
  upper.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = to_upper(text[i]);
    if (!is_upper(c) && !is_digit(c)) {
      return reject(IdentificationError::bad_character,
                    "a coupon code is A-Z and 0-9 only; the character at position " +
                        std::to_string(i + 1) + " is not");
    }
    upper += c;
  }
  const std::size_t prefix_chars = rules.code_prefix.size();
  const std::size_t code_chars = upper.size() - prefix_chars;  // check character included
  if (code_chars < rules.code_chars_min + 1 || code_chars > rules.code_chars_max + 1) {
    return reject(IdentificationError::bad_length,
                  "a coupon code after the prefix " + rules.code_prefix + " has " +
                      std::to_string(rules.code_chars_min) + " to " +
                      std::to_string(rules.code_chars_max) +
                      " characters and a check character; this one has " +
                      std::to_string(code_chars) + " in all");
  }
  if (!iso7064_mod37_36_valid(upper)) {
    return reject(IdentificationError::bad_check_digit,
                  "the last character of the coupon code is not its MOD 37,36 check character; "
                  "rescan it");
  }
  std::string code = upper.substr(prefix_chars, code_chars - 1);
  return make_token(TokenKind::coupon, TokenForm::program_coupon, std::move(code));
}

}  // namespace loyalty::identification_detail
