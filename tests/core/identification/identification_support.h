// Helpers shared by the identification tests: default rules, a fixed "now", and the reason of a
// refused input.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"

namespace identification_test {

inline constexpr loyalty::Timestamp now{1'800'000'000};  // 2027-01-15T08:00:00Z

inline loyalty::Result<loyalty::CustomerToken> scan(
    std::string_view input, const loyalty::IdentificationRules& rules = {},
    const loyalty::TokenSignatureVerifier* verifier = nullptr) {
  return loyalty::identify(input, loyalty::InputSource::scan, rules, now, verifier);
}

inline loyalty::Result<loyalty::CustomerToken> typed(
    std::string_view input, const loyalty::IdentificationRules& rules = {}) {
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
  return loyalty::CustomerToken{kind, form, std::move(value), std::nullopt, {}};
}

}  // namespace identification_test
