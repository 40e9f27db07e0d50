// The bank-card rule: the financial layout, the allow-list of the chain's own card ranges, the
// redaction and the tokenizer interface.
#include "loyalty/core/identification.h"
#include "loyalty/drivers/magstripe/bank_card.h"

#include <catch2/catch.hpp>
#include <string>

#include "magstripe/payment_fixtures.h"

using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

// Stands in for the HMAC tokenizer: remembers it was called, never echoes the PAN.
class FakeTokenizer : public CardTokenizer {
 public:
  mutable std::size_t pan_length = 0;
  mutable bool pan_luhn_ok = false;
  mutable int calls = 0;
  std::string token(std::string_view pan) const override {
    ++calls;
    pan_length = pan.size();
    pan_luhn_ok = loyalty::luhn_check_digit_valid(pan);
    return "tok-0001";
  }
};

Swipe swipe_of(const std::string& t1, const std::string& t2, const std::string& t3 = "") {
  Swipe swipe;
  if (!t1.empty()) swipe.track(1) = check_track_chars(1, t1);
  if (!t2.empty()) swipe.track(2) = check_track_chars(2, t2);
  if (!t3.empty()) swipe.track(3) = check_track_chars(3, t3);
  return swipe;
}

}  // namespace

TEST_CASE("bank card Luhn check") {
  CHECK(loyalty::luhn_check_digit_valid(visa_pan));
  CHECK(loyalty::luhn_check_digit_valid("79927398713"));
  CHECK_FALSE(loyalty::luhn_check_digit_valid("79927398710"));
  CHECK_FALSE(loyalty::luhn_check_digit_valid("4111111111111112"));
  CHECK_FALSE(loyalty::luhn_check_digit_valid(fleet_pan));
  CHECK_FALSE(loyalty::luhn_check_digit_valid(""));
  CHECK_FALSE(loyalty::luhn_check_digit_valid("4111-1111"));
}

TEST_CASE("bank card track 1 format B is the financial layout") {
  CHECK(is_financial_track1("%B6012345678901234^DOE/JANE^2512101?"));
  CHECK(is_financial_track1(visa_track1));
  CHECK(is_financial_track1(gift_track1));
  CHECK(is_financial_track1("%B?"));
  CHECK_FALSE(is_financial_track1("%LCLUB^00042^GOLD?"));
  CHECK_FALSE(is_financial_track1("%A123?"));
  CHECK_FALSE(is_financial_track1(""));
}

TEST_CASE("bank card track 2 PAN=YYMM plus a service code is the financial layout whatever Luhn") {
  CHECK(is_financial_track2(visa_track2));
  CHECK(is_financial_track2(";4111111111111111=2512101?"));
  CHECK(is_financial_track2(";4111111111111112=2512101?"));  // Luhn fails: still the layout
  CHECK(is_financial_track2(fleet_track2));
  CHECK(is_financial_track2(";12345678=2512101?"));                    // 8 digits
  CHECK(is_financial_track2(";1234567890123456789=2512101?"));         // 19 digits
  CHECK_FALSE(is_financial_track2(";1234567=2512101?"));               // 7 digits
  CHECK_FALSE(is_financial_track2(";12345678901234567890=2512101?"));  // 20 digits
  CHECK_FALSE(is_financial_track2(";4111111111111111=2512?"));         // no service code
  CHECK_FALSE(is_financial_track2(";4111111111111111=25121?"));
  CHECK_FALSE(is_financial_track2(";4111111111111111=25:2101?"));  // not digits
  CHECK_FALSE(is_financial_track2(";4111111111111111?"));          // no separator
  CHECK_FALSE(is_financial_track2(";6280012345678=49121?"));       // a loyalty layout
  CHECK(financial_track_number(2, fleet_track2) == fleet_pan);
  CHECK(financial_track_number(1, gift_track1) == gift_number);
  CHECK(financial_track_number(1, "%B4111111111111111?") == visa_pan);
  CHECK(financial_track_number(2, ";6280012345678=49121?").empty());
  CHECK(financial_track_number(1, "%LCLUB^42?").empty());
}

TEST_CASE("bank card without own card ranges every financial track is a payment card") {
  CHECK(is_payment_card("", visa_track2));
  CHECK(is_payment_card(visa_track1, ""));
  CHECK(is_payment_card("", fleet_track2));
  CHECK(is_payment_card("", gift_track2));  // no allow-list: the gift card is withheld too
  CHECK(is_payment_card(gift_track1, ""));
  CHECK_FALSE(is_payment_card("", ";6280012345678=49121?"));
  CHECK_FALSE(is_payment_card("%LCLUB^42?", ";2900000000018?"));
}

TEST_CASE("bank card own card ranges let the chain's cards through and nothing else") {
  const auto own = own_card_ranges();
  CHECK_FALSE(is_payment_card("", gift_track2, own));
  CHECK_FALSE(is_payment_card(gift_track1, gift_track2, own));
  CHECK_FALSE(is_payment_card(gift_track1, "", own));
  CHECK_FALSE(is_payment_card("", ";2900000000018=2512101?", own));  // an own loyalty card
  CHECK(is_payment_card("", fleet_track2, own));
  CHECK(is_payment_card(visa_track1, visa_track2, own));
  // In the gift range, but the Luhn digit is wrong: a misread, or no card of ours.
  CHECK(is_payment_card("", ";6036960000000001232=27121010000000000?", own));
  // Right prefix, wrong length.
  CHECK(is_payment_card("", ";603696000000000123=27121010000000000?", own));
  // One own track does not let a foreign track through.
  CHECK(is_payment_card(gift_track1, visa_track2, own));
  CHECK(is_payment_card(visa_track1, gift_track2, own));
}

TEST_CASE("bank card withholding clears every track and sets the flag") {
  Swipe swipe = swipe_of(visa_track1, visa_track2, ";0123?");
  REQUIRE(swipe.track(2).ok());
  CHECK(withhold_payment_card(swipe));
  CHECK(swipe.payment_card);
  CHECK_FALSE(swipe.own_card);
  CHECK_FALSE(swipe.card_token);
  CHECK(swipe.track(2).ok());  // the status stays, the data goes
  check_swipe_has_no_pan(swipe, visa_pan);
  CHECK(describe_swipe(swipe) ==
        "payment card: track data withheld; track 1: ok; track 2: ok; track 3: ok");
  CHECK(is_payment_card(swipe));
  // Idempotent.
  CHECK(withhold_payment_card(swipe, own_cards_rule()));
  CHECK(swipe.payment_card);
}

TEST_CASE("bank card the fleet card is withheld though its number fails Luhn") {
  Swipe swipe = swipe_of("", fleet_track2);
  CHECK(withhold_payment_card(swipe, own_cards_rule()));
  CHECK(swipe.payment_card);
  CHECK(swipe.track(2).raw.empty());
  check_swipe_has_no_pan(swipe, fleet_pan);
}

TEST_CASE("bank card an own gift card passes with its tracks and is marked") {
  Swipe swipe = swipe_of(gift_track1, gift_track2);
  CHECK_FALSE(withhold_payment_card(swipe, own_cards_rule()));
  CHECK_FALSE(swipe.payment_card);
  CHECK(swipe.own_card);
  CHECK(swipe.track(1).raw == gift_track1);
  CHECK(swipe.track(2).raw == gift_track2);
  CHECK_FALSE(is_payment_card(swipe));  // own_card decides once the rule has run
  // The same swipe under the strict rule (no bundle) is withheld.
  Swipe strict = swipe_of(gift_track1, gift_track2);
  CHECK(withhold_payment_card(strict));
  CHECK(strict.payment_card);
  check_swipe_has_no_pan(strict, gift_number);
}

TEST_CASE("bank card a loyalty swipe is left alone") {
  Swipe swipe = swipe_of("", ";6280012345678=49121?");
  CHECK_FALSE(withhold_payment_card(swipe));
  CHECK_FALSE(swipe.payment_card);
  CHECK_FALSE(swipe.own_card);
  CHECK(swipe.track(2).raw == ";6280012345678=49121?");
}

TEST_CASE("bank card tokenizer receives the PAN and only its token is kept") {
  FakeTokenizer tokenizer;
  BankCardRule rule;
  rule.tokenizer = &tokenizer;
  Swipe swipe = swipe_of("%B6012345678901234^DOE/JANE^2512101?", "");
  CHECK(withhold_payment_card(swipe, rule));
  CHECK(tokenizer.pan_length == 16);
  CHECK(tokenizer.pan_luhn_ok == loyalty::luhn_check_digit_valid(golden_pan));
  REQUIRE(swipe.card_token);
  CHECK(*swipe.card_token == "tok-0001");
  check_swipe_has_no_pan(swipe, golden_pan);
  // Track 2's account is preferred; an own card is never tokenised.
  Swipe fleet = swipe_of(visa_track1, fleet_track2);
  CHECK(withhold_payment_card(fleet, rule));
  CHECK(tokenizer.pan_length == fleet_pan.size());
  BankCardRule own = own_cards_rule();
  own.tokenizer = &tokenizer;
  Swipe gift = swipe_of(gift_track1, gift_track2);
  const int calls = tokenizer.calls;
  CHECK_FALSE(withhold_payment_card(gift, own));
  CHECK(tokenizer.calls == calls);
  CHECK_FALSE(gift.card_token);
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
  CHECK_FALSE(parse_track2(fleet_track2, own_card_ranges()).ok());
  // An own gift card's fields are returned with the allow-list, and refused without it.
  const auto gift = parse_track2(gift_track2, own_card_ranges());
  REQUIRE(gift.ok());
  CHECK(gift->account == gift_number);
  CHECK(gift->expiry_yymm == "2712");
  CHECK(gift->service_code == "101");
  CHECK_FALSE(parse_track2(gift_track2).ok());
  const auto gift1 = parse_track1(gift_track1, own_card_ranges());
  REQUIRE(gift1.ok());
  CHECK(gift1->format_code == 'B');
  CHECK(gift1->fields.size() == 3);
  CHECK(gift1->fields[0] == gift_number);
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
