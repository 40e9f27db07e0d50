// Identification: loyalty cards, coupons, the checks every input goes through, typed versus
// scanned input, the rules' validation and the check character helpers.
#include "loyalty/core/identification.h"

#include <catch2/catch.hpp>
#include <string>

#include "identification/identification_support.h"
#include "loyalty/core/limits.h"

using namespace loyalty;
using namespace identification_test;

TEST_CASE("identification GS1 check digit helper") {
  CHECK(gs1_check_digit("400638133393") == '1');  // EAN-13 4006381333931
  CHECK(gs1_check_digit("03600029145") == '2');   // UPC-A 036000291452
  CHECK(gs1_check_digit("9638507") == '4');       // EAN-8 96385074
  CHECK(gs1_check_digit("290000000001") == '8');
  CHECK(gs1_check_digit("0") == '0');
  CHECK_FALSE(gs1_check_digit("").has_value());
  CHECK_FALSE(gs1_check_digit("29a").has_value());
  CHECK(gs1_check_digit_valid("4006381333931"));
  CHECK_FALSE(gs1_check_digit_valid("4006381333932"));
  CHECK_FALSE(gs1_check_digit_valid("1"));
  CHECK_FALSE(gs1_check_digit_valid("40063813339x1"));
}

TEST_CASE("identification ISO 7064 MOD 37,36 helper") {
  CHECK(iso7064_mod37_36_check_char("A12425GABC1234002") == 'M');  // ISAN example
  CHECK(iso7064_mod37_36_check_char("CPSAVE30") == 'Z');
  CHECK(iso7064_mod37_36_check_char("CPWELCOME5") == '7');
  CHECK(iso7064_mod37_36_valid("A12425GABC1234002M"));
  CHECK(iso7064_mod37_36_valid("CPSAVE30Z"));
  CHECK_FALSE(iso7064_mod37_36_valid("CPSAVE30Y"));
  CHECK_FALSE(iso7064_mod37_36_valid("Z"));
  CHECK_FALSE(iso7064_mod37_36_check_char("cpsave30").has_value());
  CHECK_FALSE(iso7064_mod37_36_check_char("").has_value());
  CHECK_FALSE(iso7064_mod37_36_valid("CP-SAVE30Z"));
}

TEST_CASE("identification names of kinds, forms, sources and reasons") {
  CHECK(std::string(token_kind_name(TokenKind::loyalty_card)) == "loyalty_card");
  CHECK(std::string(token_kind_name(TokenKind::app_token)) == "app_token");
  CHECK(std::string(token_form_name(TokenForm::card_track2)) == "card_track2");
  CHECK(std::string(token_form_name(TokenForm::phone_national)) == "phone_national");
  CHECK(std::string(input_source_name(InputSource::typed)) == "typed");
  CHECK(std::string(identification_error_name(IdentificationError::bad_check_digit)) ==
        "bad_check_digit");
  CHECK(identification_error(make_error(ErrorCode::invalid_argument, "expired: x")) ==
        IdentificationError::expired);
  CHECK_FALSE(identification_error(make_error(ErrorCode::internal, "disk full")).has_value());
  CHECK_FALSE(identification_error(make_error(ErrorCode::internal, "nonsense: x")).has_value());
}

TEST_CASE("identification loyalty card EAN-13 golden values") {
  CHECK(*scan("2900000000018") ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2900000000018"));
  CHECK(*scan("2912345678906") ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2912345678906"));
  CHECK(*typed("2912345678906") ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2912345678906"));
}

TEST_CASE("identification loyalty card rejections") {
  CHECK(reason(scan("2900000000017")) == "bad_check_digit");
  CHECK(reason(scan("290000000001")) == "bad_length");       // 12 digits
  CHECK(reason(scan("29000000000180")) == "bad_length");     // 14 digits
  CHECK(reason(scan("4006381333931")) == "unknown_prefix");  // a product
  const auto product = scan("4006381333931");
  CHECK(product.error().message ==
        "unknown_prefix: a 13-digit number that starts with no loyalty card prefix (29) and no "
        "coupon prefix (99); was a product scanned?");
  const auto bad = scan("2900000000017");
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  CHECK(bad.error().message.find("2900000000017") == std::string::npos);
  CHECK(bad.error().message ==
        "bad_check_digit: the last digit of the loyalty card number is not the GS1 check digit "
        "of the others; rescan, or retype it carefully");
}

TEST_CASE("identification loyalty card from magnetic-stripe track 2") {
  CHECK(*scan(";2900000000018?") ==
        token(TokenKind::loyalty_card, TokenForm::card_track2, "2900000000018"));
  CHECK(*scan(";2900000000018=49121?") ==
        token(TokenKind::loyalty_card, TokenForm::card_track2, "2900000000018"));
  CHECK(reason(scan(";2900000000017?")) == "bad_check_digit");
  CHECK(reason(scan(";2900000000018")) == "malformed_token");  // no end sentinel
  CHECK(reason(scan(";?")) == "malformed_token");
  CHECK(reason(scan(";=123?")) == "malformed_token");
  CHECK(reason(scan(";2900000000018=4;1?")) == "bad_character");
  CHECK(reason(scan(";29000000000X8?")) == "bad_character");
  // The driver's fixture card (prefix 62) is no card of the default rules.
  CHECK(reason(scan(";6280012345678=49121?")) == "unknown_prefix");
  IdentificationRules no_stripe;
  no_stripe.card.track2_accepted = false;
  CHECK(reason(scan(";2900000000018?", no_stripe)) == "unknown_prefix");
}

TEST_CASE("identification loyalty card with configured prefixes and length") {
  IdentificationRules rules;
  rules.card.prefixes = {};  // any prefix
  rules.card.digits_total = 8;
  CHECK(*scan("12345670", rules) ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "12345670"));
  CHECK(reason(scan("1234567", rules)) == "bad_length");
  rules.card.prefixes = {"28", "627"};
  rules.card.digits_total = 13;
  CHECK(scan("6291041500213", rules).ok() == false);
  CHECK(reason(scan("6291041500213", rules)) == "unknown_prefix");
  CHECK(scan(";6280012345678?", rules).ok() == false);  // 628... is not 627...
  CHECK(*scan("2800000000011", rules) ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2800000000011"));
}

TEST_CASE("identification GS1 coupon") {
  CHECK(*scan("9900000123451") == token(TokenKind::coupon, TokenForm::gs1_coupon, "9900000123451"));
  CHECK(reason(scan("9900000123452")) == "bad_check_digit");
  CHECK(reason(scan("990000012345")) == "bad_length");
  CHECK(reason(scan("99000001234511")) == "bad_length");
  IdentificationRules off;
  off.coupon.gs1_prefixes = {};
  CHECK(reason(scan("9900000123451", off)) == "unknown_prefix");
}

TEST_CASE("identification program coupon code") {
  CHECK(*scan("CPSAVE30Z") == token(TokenKind::coupon, TokenForm::program_coupon, "SAVE30"));
  CHECK(*scan("cpsave30z") == token(TokenKind::coupon, TokenForm::program_coupon, "SAVE30"));
  CHECK(*scan("CPWELCOME57") == token(TokenKind::coupon, TokenForm::program_coupon, "WELCOME5"));
  CHECK(reason(scan("CPSAVE30A")) == "bad_check_digit");
  CHECK(reason(scan("CP-SAVE30Z")) == "bad_character");
  CHECK(scan("CP-SAVE30Z").error().message ==
        "bad_character: a coupon code is A-Z and 0-9 only; the character at position 3 is not");
  // Boundaries: 4 and 20 code characters plus the check character.
  CHECK(*scan("CPABCDT") == token(TokenKind::coupon, TokenForm::program_coupon, "ABCD"));
  CHECK(reason(scan("CPABCT")) == "bad_length");
  const std::string twenty(20, 'A');
  CHECK(*scan("CP" + twenty + "3") == token(TokenKind::coupon, TokenForm::program_coupon, twenty));
  CHECK(reason(scan("CP" + twenty + "A3")) == "bad_length");
  IdentificationRules off;
  off.coupon.code_prefix = "";
  CHECK(reason(scan("CPSAVE30Z", off)) == "unknown_prefix");
}

TEST_CASE("identification refuses empty, oversized and control input before parsing") {
  CHECK(reason(scan("")) == "empty");
  CHECK(reason(typed("")) == "empty");
  CHECK(reason(typed("    ")) == "empty");
  const std::string at_limit = "29" + std::string(limits::identification_input_bytes_max - 2, '0');
  CHECK(reason(scan(at_limit)) == "bad_length");
  const auto over = scan(at_limit + "0");
  CHECK(reason(over) == "too_long");
  CHECK(over.error().code == ErrorCode::limit_exceeded);
  CHECK(over.error().message ==
        "too_long: 513 bytes, at most 512 are accepted; this is no loyalty card, coupon, app "
        "token or phone number");
  // Oversized text of control characters is too long first.
  CHECK(reason(scan(std::string(600, '\x01'))) == "too_long");
}

TEST_CASE("identification control characters and non-ASCII bytes") {
  std::string controls;
  for (int c = 1; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += '\x7F';
  CHECK(reason(scan(controls)) == "control_character");
  CHECK(reason(typed(controls)) == "control_character");
  const auto gs =
      scan(std::string("29000\x1D"
                       "00000018"));
  CHECK(gs.error().message ==
        "control_character: byte 0x1D at position 6 is a control character; check the reader's "
        "prefix and suffix settings");
  CHECK(reason(scan("2900000000018\r")) == "control_character");
  CHECK(reason(scan(std::string("2900000000018\0", 14))) == "control_character");
  CHECK(reason(typed("0151\t12345678")) == "control_character");
  CHECK(scan("29\xC3\xA9").error().message ==
        "bad_character: byte 0xC3 at position 3 is not ASCII; tokens are plain ASCII");
}

TEST_CASE("identification unknown scans name no input") {
  const auto hello = scan("HELLO WORLD 0151 12345678");
  CHECK(reason(hello) == "unknown_prefix");
  CHECK(hello.error().message ==
        "unknown_prefix: the scanned 25-byte text is no loyalty card, coupon (prefix CP) or app "
        "token (prefix LOY1.)");
  CHECK(reason(scan("+4915112345678")) == "unknown_prefix");  // phone numbers are typed
  CHECK(reason(scan("2900 0000 0001 8")) == "unknown_prefix");
}

TEST_CASE("identification typed input is a phone or a card number only") {
  CHECK(*typed(" 2900 0000 0001 8 ") ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2900000000018"));
  CHECK(*typed("2900-0000-0001-8") ==
        token(TokenKind::loyalty_card, TokenForm::card_number, "2900000000018"));
  CHECK(*typed("0151 12345678") ==
        token(TokenKind::phone, TokenForm::phone_national, "+4915112345678"));
  CHECK(reason(typed("2900 0000 0001 7")) == "bad_check_digit");
  CHECK(reason(typed("2900 0000 0001")) == "bad_length");
  CHECK(reason(typed("CPSAVE30Z")) == "bad_character");       // coupons are scanned
  CHECK(reason(typed("9900000123451")) == "unknown_prefix");  // so are GS1 coupons
  CHECK(reason(typed("LOY1.k1.2900000000018.1.AAAA")) == "bad_character");
  CHECK(reason(typed(";2900000000018?")) == "bad_character");
  CHECK(typed("151 12345678").error().message ==
        "unknown_prefix: a typed number starts with a loyalty card prefix (29) or, for a phone "
        "number, with + or 0");
}

TEST_CASE("identification rules validation") {
  CHECK(validate_identification_rules(IdentificationRules{}).ok());
  const auto bad = [](auto change) {
    IdentificationRules rules;
    change(rules);
    const Status status = validate_identification_rules(rules);
    REQUIRE_FALSE(status.ok());
    CHECK(identification_error(status.error()) == IdentificationError::bad_rules);
    // identify() refuses every input under invalid rules.
    CHECK(reason(scan("2900000000018", rules)) == "bad_rules");
    return status.error().message;
  };
  CHECK(bad([](IdentificationRules& r) { r.card.digits_total = 7; }) ==
        "bad_rules: card.digits_total is 7, allowed are 8 to 19; fix the identification settings");
  bad([](IdentificationRules& r) { r.card.digits_total = 20; });
  bad([](IdentificationRules& r) { r.card.prefixes = {"2x"}; });
  bad([](IdentificationRules& r) { r.card.prefixes = {""}; });
  bad([](IdentificationRules& r) { r.card.prefixes = {"2900000000000"}; });
  bad([](IdentificationRules& r) { r.card.prefixes = std::vector<std::string>(33, "29"); });
  CHECK(bad([](IdentificationRules& r) {
          r.card.prefixes = {"29", "991"};
        }) ==
        "bad_rules: GS1 coupon prefix 99 overlaps card prefix 991; fix the identification "
        "settings");
  bad([](IdentificationRules& r) { r.card.prefixes = {"04"}; });  // trunk prefix 0
  bad([](IdentificationRules& r) { r.coupon.code_prefix = "LOY"; });
  bad([](IdentificationRules& r) { r.coupon.code_prefix = "1A"; });
  bad([](IdentificationRules& r) { r.coupon.code_prefix = "cp"; });
  bad([](IdentificationRules& r) { r.coupon.code_prefix = "ABCDEFGHI"; });
  bad([](IdentificationRules& r) { r.coupon.code_chars_min = 0; });
  bad([](IdentificationRules& r) { r.coupon.code_chars_min = 21; });
  bad([](IdentificationRules& r) { r.coupon.gs1_prefixes = {"9a"}; });
  bad([](IdentificationRules& r) { r.app_token.lifetime_s_max = 0; });
  bad([](IdentificationRules& r) { r.phone.country_code = "049"; });
  bad([](IdentificationRules& r) { r.phone.country_code = ""; });
  bad([](IdentificationRules& r) { r.phone.trunk_prefix = "00"; });  // international is 00
  bad([](IdentificationRules& r) { r.phone.digits_max = 16; });
  bad([](IdentificationRules& r) { r.phone.digits_min = 2; });
}
