// Payment-card fixtures and the leak check shared by the drivers tests.
#pragma once

#include <catch2/catch.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace drivers_test {

// Test PANs (Luhn-valid): a Visa test number and the golden track 1 PAN.
inline constexpr std::string_view visa_pan = "4111111111111111";
inline constexpr std::string_view golden_pan = "6012345678901234";
inline const std::string visa_track1 = "%B4111111111111111^DOE/JANE^2512101000000000?";
inline const std::string visa_track2 = ";4111111111111111=25121010000000000000?";

// A fleet card from a public SDK's test cards: the financial layout, but its number fails Luhn.
inline constexpr std::string_view fleet_pan = "6900460430001234566";
inline const std::string fleet_track2 = ";6900460430001234566=25121012202100000?";

// The chain's gift card, in the financial layout with a Luhn-valid number and a service code:
// range "gift" of own_card_ranges().
inline constexpr std::string_view gift_number = "6036960000000001236";
inline const std::string gift_track1 = "%B6036960000000001236^GIFT CARD^2712101000000000?";
inline const std::string gift_track2 = ";6036960000000001236=27121010000000000?";

// The chain's own card ranges, as a bundle's identification section declares them: loyalty cards
// 29... (13 digits, GS1), gift cards 6036960..6036969 (19 digits, Luhn).
inline std::span<const loyalty::CardRange> own_card_ranges() {
  static const std::vector<loyalty::CardRange> ranges = [] {
    loyalty::CardRange loyalty_cards;
    loyalty_cards.name = "loyalty";
    loyalty_cards.prefixes = {loyalty::CardPrefix{"29", "29"}};
    loyalty_cards.lengths = {13};
    loyalty::CardRange gift;
    gift.name = "gift";
    gift.kind = loyalty::CardKind::gift;
    gift.prefixes = {loyalty::CardPrefix{"6036960", "6036969"}};
    gift.lengths = {19};
    gift.check_digit = loyalty::CheckDigitScheme::luhn;
    return std::vector<loyalty::CardRange>{loyalty_cards, gift};
  }();
  return ranges;
}

// The bank-card rule with the chain's ranges.
inline loyalty::drivers::BankCardRule own_cards_rule() {
  loyalty::drivers::BankCardRule rule;
  rule.own_card_ranges = own_card_ranges();
  return rule;
}

// Neither the PAN nor its last four digits appear in the text.
inline void check_no_pan(std::string_view text, std::string_view pan) {
  INFO("text: " << text);
  CHECK(text.find(pan) == std::string_view::npos);
  CHECK(text.find(pan.substr(pan.size() - 4)) == std::string_view::npos);
}

// Every string a swipe exposes: raw tracks, messages, token, the log description.
inline void check_swipe_has_no_pan(const loyalty::drivers::Swipe& swipe, std::string_view pan) {
  for (const auto& t : swipe.tracks) {
    CHECK(t.raw.empty());
    check_no_pan(t.message, pan);
  }
  if (swipe.card_token) check_no_pan(*swipe.card_token, pan);
  check_no_pan(loyalty::drivers::describe_swipe(swipe), pan);
}

}  // namespace drivers_test
