// Payment-card fixtures and the leak check shared by the drivers tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "loyalty/drivers/magstripe/magstripe.h"

namespace drivers_test {

// Test PANs (Luhn-valid): a Visa test number and the golden track 1 PAN.
inline constexpr std::string_view visa_pan = "4111111111111111";
inline constexpr std::string_view golden_pan = "6012345678901234";
inline const std::string visa_track1 = "%B4111111111111111^DOE/JANE^2512101000000000?";
inline const std::string visa_track2 = ";4111111111111111=25121010000000000000?";

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
