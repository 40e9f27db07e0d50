// Identification of phone numbers typed at the till: separators, international and national
// forms, other countries' prefixes, and the digit bounds.
#include <catch2/catch.hpp>
#include <string>

#include "identification/identification_support.h"
#include "loyalty/core/identification.h"

using namespace loyalty;
using namespace identification_test;

namespace {

CustomerToken phone(TokenForm form, std::string value) {
  return token(TokenKind::phone, form, std::move(value));
}

}  // namespace

TEST_CASE("identification phone numbers normalise to E.164") {
  const auto intl = TokenForm::phone_international;
  const auto national = TokenForm::phone_national;
  CHECK(*typed("+4915112345678") == phone(intl, "+4915112345678"));
  CHECK(*typed("+49 151 12345678") == phone(intl, "+4915112345678"));
  CHECK(*typed("+49 (0)151 1234-5678") == phone(intl, "+4915112345678"));
  CHECK(*typed("0049 151 12345678") == phone(intl, "+4915112345678"));
  CHECK(*typed("0049 (0)151 12345678") == phone(intl, "+4915112345678"));
  CHECK(*typed("0151 12345678") == phone(national, "+4915112345678"));
  CHECK(*typed("0151/12345678") == phone(national, "+4915112345678"));
  CHECK(*typed("(0151) 123.456.78") == phone(national, "+4915112345678"));
  CHECK(*typed("  030-1234567  ") == phone(national, "+49301234567"));
  CHECK(*typed("+33 6 12 34 56 78") == phone(intl, "+33612345678"));
}

TEST_CASE("identification phone digit bounds") {
  CHECK(reason(typed("+1234567")) == "bad_phone");                // 7 digits
  CHECK(typed("+12345678")->value == "+12345678");                // 8
  CHECK(typed("+123456789012345")->value == "+123456789012345");  // 15
  const auto long_one = typed("+1234567890123456");               // 16
  CHECK(long_one.error().message ==
        "bad_phone: a phone number has 8 to 15 digits with its country code; this one has 16; "
        "type the number again");
  CHECK(long_one.error().message.find("1234567890123456") == std::string::npos);
  CHECK(reason(typed("0151 12")) == "bad_phone");  // +4915112: 7 digits
  CHECK(typed("0151 123")->value == "+49151123");  // 8 digits
}

TEST_CASE("identification phone rejections") {
  CHECK(reason(typed("+")) == "bad_phone");
  CHECK(reason(typed("+0151 12345678")) == "bad_phone");
  CHECK(reason(typed("0 0151")) == "bad_phone");  // 0 after the trunk prefix: "0 0" reads as 00
  CHECK(reason(typed("0151 1234567a")) == "bad_character");
  CHECK(reason(typed("0151+12345678")) == "bad_character");
  CHECK(reason(typed("++49151")) == "bad_character");
  CHECK(reason(typed("151 12345678")) == "unknown_prefix");
  // "(0)" is dropped only after a country code (found by the fuzzer: "0(0)").
  CHECK(reason(typed("0(0)")) == "bad_phone");
  CHECK(reason(typed("00(0)49 151 12345678")) == "bad_phone");
  CHECK(reason(typed("+(0)49 151 12345678")) == "bad_phone");
}

TEST_CASE("identification phone numbers of other countries") {
  IdentificationRules us = test_rules();
  us.phone = PhoneRules{"1", "1", "011", 8, 15};
  REQUIRE(validate_identification_rules(us).ok());
  CHECK(*typed("1 (212) 555-0123", us) == phone(TokenForm::phone_national, "+12125550123"));
  CHECK(*typed("011 44 20 7946 0958", us) ==
        phone(TokenForm::phone_international, "+442079460958"));

  IdentificationRules italy = test_rules();
  italy.phone = PhoneRules{"39", "", "00", 8, 15};  // no trunk prefix: the 0 is the number's
  REQUIRE(validate_identification_rules(italy).ok());
  CHECK(*typed("06 1234 5678", italy) == phone(TokenForm::phone_national, "+390612345678"));
  CHECK(*typed("333 1234567", italy) == phone(TokenForm::phone_national, "+393331234567"));
  CHECK(*typed("2900000000018", italy) == card(TokenForm::card_number, "2900000000018"));

  IdentificationRules russia = test_rules();
  russia.phone = PhoneRules{"7", "8", "810", 8, 15};
  REQUIRE(validate_identification_rules(russia).ok());
  CHECK(*typed("8 (912) 345-67-89", russia) == phone(TokenForm::phone_national, "+79123456789"));
  CHECK(*typed("810 49 151 12345678", russia) ==
        phone(TokenForm::phone_international, "+4915112345678"));
  CHECK(*typed("+7 912 345 67 89", russia) ==
        phone(TokenForm::phone_international, "+79123456789"));
}
