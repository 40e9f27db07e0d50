// Helpers shared by the identification tests: the rules of a test program, a fixed "now", and the
// reason of a refused input.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"

namespace identification_test {

inline constexpr loyalty::Timestamp now{1'800'000'000};  // 2027-01-15T08:00:00Z

inline loyalty::CardRange range(std::string name, loyalty::CardKind kind,
                                std::vector<std::string> prefixes, std::vector<std::size_t> lengths,
                                loyalty::CheckDigitScheme scheme) {
  loyalty::CardRange out;
  out.name = std::move(name);
  out.kind = kind;
  for (const std::string& text : prefixes) {
    const auto prefix = loyalty::parse_card_prefix(text);
    REQUIRE(prefix.has_value());
    out.prefixes.push_back(*prefix);
  }
  out.lengths = std::move(lengths);
  out.check_digit = scheme;
  return out;
}

// A German test program: loyalty cards 29... (13 digits, GS1, EAN-13 barcodes), gift cards
// 6036960..6036969 (19 digits, Luhn, stripes in the financial layout), staff cards 2500...
// (13 digits, GS1); GS1 coupons 99..., program coupons CP...; phones +49 with trunk 0 and
// international 00; app tokens for up to a day.
inline loyalty::IdentificationRules german_rules() {
  using loyalty::CardKind;
  using loyalty::CheckDigitScheme;
  loyalty::IdentificationRules rules;
  rules.card_ranges = {
      range("loyalty", CardKind::loyalty, {"29"}, {13}, CheckDigitScheme::gs1_mod10),
      range("gift", CardKind::gift, {"6036960..6036969"}, {19}, CheckDigitScheme::luhn),
      range("staff", CardKind::employee, {"2500"}, {13}, CheckDigitScheme::gs1_mod10),
  };
  rules.coupons.gs1_prefixes = {"99"};
  rules.coupons.code_prefix = "CP";
  rules.phone = loyalty::PhoneRules{"49", "0", "00", 8, 15};
  rules.app_tokens = loyalty::AppTokenRules{24 * 3600};
  REQUIRE(loyalty::validate_identification_rules(rules).ok());
  return rules;
}

inline const loyalty::IdentificationRules& test_rules() {
  static const loyalty::IdentificationRules rules = german_rules();
  return rules;
}

inline loyalty::Result<loyalty::CustomerToken> scan(
    std::string_view input, const loyalty::IdentificationRules& rules = test_rules(),
    const loyalty::TokenSignatureVerifier* verifier = nullptr) {
  return loyalty::identify(input, loyalty::InputSource::scan, rules, now, verifier);
}

inline loyalty::Result<loyalty::CustomerToken> typed(
    std::string_view input, const loyalty::IdentificationRules& rules = test_rules()) {
  return loyalty::identify(input, loyalty::InputSource::typed, rules, now, nullptr);
}

// The reason of a refusal; fails the test when the input was accepted or the message does not
// start with a reason name.
inline std::string reason(const loyalty::Result<loyalty::CustomerToken>& result) {
  REQUIRE_FALSE(result.ok());
  const std::optional<loyalty::IdentificationError> error =
      loyalty::identification_error(result.error());
  REQUIRE(error.has_value());
  return loyalty::identification_error_name(*error);
}

inline loyalty::CustomerToken token(loyalty::TokenKind kind, loyalty::TokenForm form,
                                    std::string value) {
  loyalty::CustomerToken out;
  out.kind = kind;
  out.form = form;
  out.value = std::move(value);
  return out;
}

// A card token of range `range_name` of `kind`.
inline loyalty::CustomerToken card(loyalty::TokenForm form, std::string value,
                                   std::string range_name = "loyalty",
                                   loyalty::CardKind kind = loyalty::CardKind::loyalty) {
  loyalty::CustomerToken out = token(loyalty::TokenKind::loyalty_card, form, std::move(value));
  out.card_range = std::move(range_name);
  out.card_kind = kind;
  return out;
}

}  // namespace identification_test
