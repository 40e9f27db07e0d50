// Payment-card recognition, the redaction rule and the tokenizer interface.
#include "loyalty/drivers/magstripe/bank_card.h"

#include <catch2/catch.hpp>
#include <string>

#include "magstripe/payment_fixtures.h"

using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

// Stands in for the HMAC tokenizer to come: remembers it was called, never echoes the PAN.
class FakeTokenizer : public CardTokenizer {
 public:
  mutable std::size_t pan_length = 0;
  mutable bool pan_luhn_ok = false;
  std::string token(std::string_view pan) const override {
    pan_length = pan.size();
    pan_luhn_ok = luhn_valid(pan);
    return "tok-0001";
  }
};

}  // namespace

TEST_CASE("bank card Luhn check") {
  CHECK(luhn_valid(visa_pan));
  CHECK(luhn_valid("79927398713"));
  CHECK_FALSE(luhn_valid("79927398710"));
  CHECK_FALSE(luhn_valid("4111111111111112"));
  CHECK_FALSE(luhn_valid(""));
  CHECK_FALSE(luhn_valid("4111-1111"));
}

TEST_CASE("bank card track 1 format B is a payment card") {
  CHECK(is_payment_track1("%B6012345678901234^DOE/JANE^2512101?"));
  CHECK(is_payment_track1(visa_track1));
  CHECK_FALSE(is_payment_track1("%LCLUB^00042^GOLD?"));
  CHECK_FALSE(is_payment_track1("%A123?"));
  CHECK_FALSE(is_payment_track1(""));
}

TEST_CASE("bank card track 2 needs Luhn, 12-19 digits and a service code") {
  CHECK(is_payment_track2(visa_track2));
  CHECK(is_payment_track2(";4111111111111111=2512101?"));
  CHECK_FALSE(is_payment_track2(";4111111111111112=2512101?"));  // Luhn fails
  CHECK_FALSE(is_payment_track2(";79927398713=2512101?"));       // 11 digits
  CHECK_FALSE(is_payment_track2(";4111111111111111=2512?"));     // no service code
  CHECK_FALSE(is_payment_track2(";4111111111111111?"));          // no separator
}

TEST_CASE("bank card a loyalty track 2 is not a payment card") {
  // 13 digits, but only "49121" after '=': expiry 4912 and a 1-digit code, so no service code.
  CHECK_FALSE(is_payment_track2(";6280012345678=49121?"));
  CHECK_FALSE(is_payment_card("", ";6280012345678=49121?"));
  CHECK(is_payment_card("", visa_track2));
  CHECK(is_payment_card(visa_track1, ""));
}

TEST_CASE("bank card withholding clears every track and sets the flag") {
  Swipe swipe;
  swipe.track(1) = check_track_chars(1, visa_track1);
  swipe.track(2) = check_track_chars(2, visa_track2);
  swipe.track(3) = check_track_chars(3, ";0123?");
  REQUIRE(swipe.track(2).ok());
  CHECK(withhold_payment_card(swipe));
  CHECK(swipe.payment_card);
  CHECK_FALSE(swipe.card_token);
  CHECK(swipe.track(2).ok());  // the status stays, the data goes
  check_swipe_has_no_pan(swipe, visa_pan);
  CHECK(describe_swipe(swipe) ==
        "payment card: track data withheld; track 1: ok; track 2: ok; track 3: ok");
  CHECK(is_payment_card(swipe));
}

TEST_CASE("bank card a loyalty swipe is left alone") {
  Swipe swipe;
  swipe.track(2) = check_track_chars(2, ";6280012345678=49121?");
  CHECK_FALSE(withhold_payment_card(swipe));
  CHECK_FALSE(swipe.payment_card);
  CHECK(swipe.track(2).raw == ";6280012345678=49121?");
}

TEST_CASE("bank card tokenizer receives the PAN and only its token is kept") {
  FakeTokenizer tokenizer;
  Swipe swipe;
  swipe.track(1) = check_track_chars(1, "%B6012345678901234^DOE/JANE^2512101?");
  CHECK(withhold_payment_card(swipe, &tokenizer));
  CHECK(tokenizer.pan_length == 16);
  CHECK(tokenizer.pan_luhn_ok == luhn_valid(golden_pan));
  REQUIRE(swipe.card_token);
  CHECK(*swipe.card_token == "tok-0001");
  check_swipe_has_no_pan(swipe, golden_pan);
}

TEST_CASE("bank card field parsers refuse payment cards without echoing them") {
  const auto track2 = parse_track2(visa_track2);
  REQUIRE_FALSE(track2.ok());
  CHECK(track2.error().message ==
        "payment card: track data withheld (track 2 fields not returned)");
  check_no_pan(track2.error().message, visa_pan);
  const auto track1 = parse_track1(visa_track1);
  REQUIRE_FALSE(track1.ok());
  CHECK(track1.error().message ==
        "payment card: track data withheld (track 1 format B not returned)");
  check_no_pan(std::string(payment_card_summary), visa_pan);
}

TEST_CASE("bank card errors on a broken payment track never echo the PAN") {
  // A control character inside, a missing end sentinel, a second start sentinel.
  for (const std::string& text :
       {std::string(";4111111111111111=2512101\x01?"), std::string(";4111111111111111=2512101"),
        std::string(";4111111111111111;2512101?"), std::string("4111111111111111=2512101?")}) {
    const TrackResult t = check_track_chars(2, text);
    CHECK_FALSE(t.ok());
    CHECK(t.raw.empty());
    check_no_pan(t.message, visa_pan);
  }
}
