// validate_identification_rules(): the configuration of identification checked for consistency.
// A bad configuration is a setup mistake, reported (bad_rules) rather than asserted, so that a
// till with a wrong bundle refuses scans with a clear message instead of stopping.
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"

namespace loyalty {

namespace {

using identification_detail::all_digits;
using identification_detail::is_digit;
using identification_detail::is_upper;
using identification_detail::prefixes_overlap;
using identification_detail::reject;

constexpr std::size_t card_digits_min = 8;
constexpr std::size_t card_digits_max = 19;
constexpr std::size_t code_prefix_chars_max = 8;
constexpr std::size_t e164_digits_max = 15;
// An app token valid for more than a year is no short-lived token.
constexpr std::int64_t app_token_lifetime_s_ceiling = 366 * 24 * 3600;

Error bad_rules(const std::string& detail) {
  return reject(IdentificationError::bad_rules, detail + "; fix the identification settings");
}

Status check_card_rules(const CardNumberRules& card) {
  if (card.digits_total < card_digits_min || card.digits_total > card_digits_max) {
    return bad_rules("card.digits_total is " + std::to_string(card.digits_total) +
                     ", allowed are 8 to 19");
  }
  if (card.prefixes.size() > limits::identification_prefixes_max) {
    return bad_rules("more than " + std::to_string(limits::identification_prefixes_max) +
                     " card prefixes");
  }
  for (const std::string& prefix : card.prefixes) {
    if (!all_digits(prefix) || prefix.size() >= card.digits_total) {
      return bad_rules("card prefix '" + prefix + "' must be 1 to " +
                       std::to_string(card.digits_total - 1) + " digits");
    }
  }
  return {};
}

bool is_code_prefix(std::string_view prefix) {
  if (prefix.empty()) return true;  // program coupons off
  if (prefix.size() > code_prefix_chars_max || !is_upper(prefix.front())) return false;
  for (char c : prefix) {
    if (!is_upper(c) && !is_digit(c)) return false;
  }
  return true;
}

Status check_coupon_rules(const CouponRules& coupon, const CardNumberRules& card) {
  if (coupon.gs1_prefixes.size() > limits::identification_prefixes_max) {
    return bad_rules("more than " + std::to_string(limits::identification_prefixes_max) +
                     " GS1 coupon prefixes");
  }
  for (const std::string& prefix : coupon.gs1_prefixes) {
    if (!all_digits(prefix) || prefix.size() > 12) {
      return bad_rules("GS1 coupon prefix '" + prefix + "' must be 1 to 12 digits");
    }
    for (const std::string& card_prefix : card.prefixes) {
      if (prefixes_overlap(prefix, card_prefix)) {
        return bad_rules("GS1 coupon prefix " + prefix + " overlaps card prefix " + card_prefix);
      }
    }
  }
  if (!is_code_prefix(coupon.code_prefix) ||
      (!coupon.code_prefix.empty() && prefixes_overlap(coupon.code_prefix, app_token_prefix))) {
    return bad_rules(
        "coupon.code_prefix must be empty or 1 to 8 of A-Z 0-9 starting with a "
        "letter, and must not overlap the app token prefix LOY1.");
  }
  const std::size_t chars_max = limits::identification_input_bytes_max - code_prefix_chars_max - 1;
  if (coupon.code_chars_min < 1 || coupon.code_chars_min > coupon.code_chars_max ||
      coupon.code_chars_max > chars_max) {
    return bad_rules("coupon code lengths must satisfy 1 <= code_chars_min <= code_chars_max <= " +
                     std::to_string(chars_max));
  }
  return {};
}

Status check_phone_rules(const PhoneRules& phone, const CardNumberRules& card) {
  if (phone.country_code.size() > 3 || !all_digits(phone.country_code) ||
      phone.country_code.front() == '0') {
    return bad_rules("phone.country_code must be 1 to 3 digits, not starting with 0");
  }
  if (phone.trunk_prefix.size() > 2 ||
      (!phone.trunk_prefix.empty() && !all_digits(phone.trunk_prefix))) {
    return bad_rules("phone.trunk_prefix must be empty or 1 to 2 digits");
  }
  if (phone.international_prefix.size() > 4 ||
      (!phone.international_prefix.empty() && !all_digits(phone.international_prefix)) ||
      (!phone.international_prefix.empty() && !phone.trunk_prefix.empty() &&
       phone.trunk_prefix.starts_with(phone.international_prefix))) {
    return bad_rules(
        "phone.international_prefix must be empty or 1 to 4 digits, and the trunk "
        "prefix must not start with it");
  }
  if (phone.digits_min <= phone.country_code.size() || phone.digits_min > phone.digits_max ||
      phone.digits_max > e164_digits_max) {
    return bad_rules(
        "phone digits must satisfy country code length < digits_min <= digits_max "
        "<= 15");
  }
  for (const std::string& prefix : card.prefixes) {
    for (std::string_view phone_prefix : {phone.trunk_prefix, phone.international_prefix}) {
      if (!phone_prefix.empty() && prefixes_overlap(prefix, phone_prefix)) {
        return bad_rules("card prefix " + prefix + " overlaps the phone prefix " +
                         std::string(phone_prefix) + ": typed numbers would be ambiguous");
      }
    }
  }
  return {};
}

}  // namespace

Status validate_identification_rules(const IdentificationRules& rules) {
  TRY(check_card_rules(rules.card));
  TRY(check_coupon_rules(rules.coupon, rules.card));
  TRY(check_phone_rules(rules.phone, rules.card));
  if (rules.app_token.lifetime_s_max <= 0 ||
      rules.app_token.lifetime_s_max > app_token_lifetime_s_ceiling) {
    return bad_rules("app_token.lifetime_s_max must be 1 to " +
                     std::to_string(app_token_lifetime_s_ceiling) + " seconds");
  }
  return {};
}

}  // namespace loyalty
