// Identification: cards of the program's card ranges, coupons, the checks every input goes
// through, typed versus scanned input, rules that accept nothing, and the check character helpers.
// The validation of the rules is in rules_test.cc, card ranges in card_range_test.cc.
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

TEST_CASE("identification Luhn check digit helper") {
  CHECK(luhn_check_digit("7992739871") == '3');  // the ISO/IEC 7812 example 79927398713
  CHECK(luhn_check_digit("411111111111111") == '1');
  CHECK(luhn_check_digit("603696000000000123") == '6');
  CHECK(luhn_check_digit("0") == '0');
  CHECK_FALSE(luhn_check_digit("").has_value());
  CHECK_FALSE(luhn_check_digit("12a").has_value());
  CHECK(luhn_check_digit_valid("79927398713"));
  CHECK(luhn_check_digit_valid("4111111111111111"));
  CHECK_FALSE(luhn_check_digit_valid("79927398710"));
  // The fleet card of a public SDK's samples fails Luhn.
  CHECK_FALSE(luhn_check_digit_valid("6900460430001234566"));
  CHECK_FALSE(luhn_check_digit_valid("7"));
  CHECK_FALSE(luhn_check_digit_valid("4111-1111"));
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
  CHECK(std::string(token_form_name(TokenForm::card_track1)) == "card_track1");
  CHECK(std::string(token_form_name(TokenForm::phone_national)) == "phone_national");
  CHECK(std::string(input_source_name(InputSource::typed)) == "typed");
  CHECK(std::string(card_kind_name(CardKind::employee)) == "employee");
  CHECK(std::string(card_kind_name(CardKind::partner)) == "partner");
  CHECK(std::string(check_digit_scheme_name(CheckDigitScheme::gs1_mod10)) == "gs1_mod10");
  CHECK(std::string(check_digit_scheme_name(CheckDigitScheme::none)) == "none");
  CHECK(std::string(identification_error_name(IdentificationError::bad_check_digit)) ==
        "bad_check_digit");
  CHECK(std::string(identification_error_name(IdentificationError::no_rules)) == "no_rules");
  CHECK(identification_error(make_error(ErrorCode::invalid_argument, "expired: x")) ==
        IdentificationError::expired);
  CHECK(identification_error(make_error(ErrorCode::invalid_argument, "not_accepted: x")) ==
        IdentificationError::not_accepted);
  CHECK_FALSE(identification_error(make_error(ErrorCode::internal, "disk full")).has_value());
  CHECK_FALSE(identification_error(make_error(ErrorCode::internal, "nonsense: x")).has_value());
}

TEST_CASE("identification card golden values carry their range and kind") {
  CHECK(*scan("2900000000018") == card(TokenForm::card_number, "2900000000018"));
  CHECK(*scan("2912345678906") == card(TokenForm::card_number, "2912345678906"));
  CHECK(*typed("2912345678906") == card(TokenForm::card_number, "2912345678906"));
  CHECK(*scan("6036960000000001236") ==
        card(TokenForm::card_number, "6036960000000001236", "gift", CardKind::gift));
  CHECK(*scan("6036969999123456782") ==
        card(TokenForm::card_number, "6036969999123456782", "gift", CardKind::gift));
  CHECK(*scan("2500000000041") ==
        card(TokenForm::card_number, "2500000000041", "staff", CardKind::employee));
}

TEST_CASE("identification card rejections") {
  CHECK(reason(scan("2900000000017")) == "bad_check_digit");
  CHECK(reason(scan("290000000001")) == "bad_length");    // 12 digits
  CHECK(reason(scan("29000000000180")) == "bad_length");  // 14 digits
  CHECK(scan("290000000001").error().message ==
        "bad_length: a card of range loyalty has 13 digits; this card number has 12");
  CHECK(reason(scan("4006381333931")) == "unknown_prefix");  // a product
  CHECK(scan("4006381333931").error().message ==
        "unknown_prefix: a 13-digit number outside every card range (loyalty 29; gift "
        "6036960..6036969; staff 2500) and with no GS1 coupon prefix (99); was a product "
        "scanned?");
  const auto bad = scan("2900000000017");
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  CHECK(bad.error().message.find("2900000000017") == std::string::npos);
  CHECK(bad.error().message ==
        "bad_check_digit: the last digit of the card number is not the GS1 check digit of the "
        "others (card range loyalty); rescan, or retype it carefully");
  // A gift card number is checked with Luhn, not GS1: its GS1-valid twin is refused.
  CHECK(reason(scan("6036960000000001232")) == "bad_check_digit");
  CHECK(scan("6036960000000001232").error().message ==
        "bad_check_digit: the last digit of the card number is not the Luhn check digit of the "
        "others (card range gift); rescan, or retype it carefully");
  CHECK(reason(scan("603696000000000123")) == "bad_length");
}

TEST_CASE("identification a number outside every range names no customer") {
  // Just outside the gift range on either side, though Luhn-valid: a misread of one digit of the
  // prefix is no card of this chain, so it can never name another range's customer.
  CHECK(reason(scan("6036959999999999990")) == "unknown_prefix");
  CHECK(reason(scan("6036970000000001234")) == "unknown_prefix");
  // Valid under both check digits, but outside the ranges.
  CHECK(reason(scan("2800000000011")) == "unknown_prefix");
  CHECK(reason(typed("2800 0000 0001 1")) == "unknown_prefix");
  // 29 and 2500 are different ranges; 25 alone is neither.
  CHECK(reason(scan("2510000000000")) == "unknown_prefix");
}

TEST_CASE("identification cards from magnetic-stripe track 2 and track 1") {
  CHECK(*scan(";2900000000018?") == card(TokenForm::card_track2, "2900000000018"));
  CHECK(*scan(";2900000000018=49121?") == card(TokenForm::card_track2, "2900000000018"));
  // A gift card in the financial layout, with its expiry and service code.
  CHECK(*scan(";6036960000000001236=27121010000000000?") ==
        card(TokenForm::card_track2, "6036960000000001236", "gift", CardKind::gift));
  CHECK(*scan("%B6036960000000001236^GIFT CARD^2712101000?") ==
        card(TokenForm::card_track1, "6036960000000001236", "gift", CardKind::gift));
  CHECK(*scan("%L2900000000018?") == card(TokenForm::card_track1, "2900000000018"));
  CHECK(reason(scan(";2900000000017?")) == "bad_check_digit");
  CHECK(reason(scan(";2900000000018")) == "malformed_token");  // no end sentinel
  CHECK(reason(scan(";?")) == "malformed_token");
  CHECK(reason(scan(";=123?")) == "malformed_token");
  CHECK(reason(scan(";2900000000018=4;1?")) == "bad_character");
  CHECK(reason(scan(";29000000000X8?")) == "bad_character");
  // The driver's fixture card (prefix 62) is no card of the test program.
  CHECK(reason(scan(";6280012345678=49121?")) == "unknown_prefix");
  CHECK(scan(";6280012345678=49121?").error().message ==
        "unknown_prefix: a 13-digit card number on track 2 outside every card range of the "
        "program (loyalty 29; gift 6036960..6036969; staff 2500); it is no card of this chain");
  CHECK(reason(scan("%B2900000000018")) == "malformed_token");
  CHECK(reason(scan("%b2900000000018?")) == "malformed_token");
  CHECK(reason(scan("%B^DOE?")) == "malformed_token");
  CHECK(reason(scan("%BCLUB^42?")) == "bad_character");
  CHECK(reason(scan("%B2900000000018^a?")) == "bad_character");  // lower case is not IATA
  CHECK(reason(scan("%B2900000000017^X?")) == "bad_check_digit");
}

TEST_CASE("identification GS1 coupon") {
  CHECK(*scan("9900000123451") == token(TokenKind::coupon, TokenForm::gs1_coupon, "9900000123451"));
  CHECK(reason(scan("9900000123452")) == "bad_check_digit");
  CHECK(reason(scan("990000012345")) == "bad_length");
  CHECK(reason(scan("99000001234511")) == "bad_length");
  IdentificationRules off = test_rules();
  off.coupons.gs1_prefixes = {};
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
  IdentificationRules off = test_rules();
  off.coupons.code_prefix = "";
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
        "unknown_prefix: the scanned 25-byte text is no card number, coupon (prefix CP) or app "
        "token (prefix LOY1.)");
  CHECK(reason(scan("+4915112345678")) == "unknown_prefix");  // phone numbers are typed
  CHECK(reason(scan("2900 0000 0001 8")) == "unknown_prefix");
}

TEST_CASE("identification typed input is a phone or a card number only") {
  CHECK(*typed(" 2900 0000 0001 8 ") == card(TokenForm::card_number, "2900000000018"));
  CHECK(*typed("2900-0000-0001-8") == card(TokenForm::card_number, "2900000000018"));
  CHECK(*typed("6036 9600 0000 0001 236") ==
        card(TokenForm::card_number, "6036960000000001236", "gift", CardKind::gift));
  CHECK(*typed("0151 12345678") ==
        token(TokenKind::phone, TokenForm::phone_national, "+4915112345678"));
  CHECK(reason(typed("2900 0000 0001 7")) == "bad_check_digit");
  CHECK(reason(typed("2900 0000 0001")) == "bad_length");
  CHECK(reason(typed("CPSAVE30Z")) == "bad_character");       // coupons are scanned
  CHECK(reason(typed("9900000123451")) == "unknown_prefix");  // so are GS1 coupons
  CHECK(reason(typed("LOY1.k1.2900000000018.1.AAAA")) == "bad_character");
  CHECK(reason(typed(";2900000000018?")) == "bad_character");
  CHECK(typed("151 12345678").error().message ==
        "unknown_prefix: a typed number starts with the prefix of a card range (loyalty 29; gift "
        "6036960..6036969; staff 2500) or, for a phone number, with + or 0");
}

TEST_CASE("identification rules that accept nothing refuse every input with no_rules") {
  const IdentificationRules nothing;
  for (const char* input : {"2900000000018", ";2900000000018?", "CPSAVE30Z", "9900000123451"}) {
    CHECK(reason(scan(input, nothing)) == "no_rules");
  }
  CHECK(reason(typed("0151 12345678", nothing)) == "no_rules");
  CHECK(scan("2900000000018", nothing).error().message ==
        "no_rules: the identification rules accept no card, coupon, app token or phone number; "
        "load a rule bundle with an identification section");
  // The input checks still come first.
  CHECK(reason(scan("", nothing)) == "empty");
  CHECK(reason(scan("29\x01", nothing)) == "control_character");
  // One coupon prefix is enough to accept something.
  IdentificationRules coupons_only;
  coupons_only.coupons.code_prefix = "CP";
  CHECK(*scan("CPSAVE30Z", coupons_only) ==
        token(TokenKind::coupon, TokenForm::program_coupon, "SAVE30"));
  CHECK(reason(scan("2900000000018", coupons_only)) == "unknown_prefix");
  CHECK(reason(typed("2900000000018", coupons_only)) == "unknown_prefix");
}

TEST_CASE("identification phone numbers and app tokens can be turned off") {
  IdentificationRules rules = test_rules();
  rules.phone.reset();
  rules.app_tokens.reset();
  CHECK(reason(typed("+49 151 12345678", rules)) == "not_accepted");
  CHECK(typed("+49 151 12345678", rules).error().message ==
        "not_accepted: a typed number is a card number of a card range (loyalty 29; gift "
        "6036960..6036969; staff 2500); the program's identification rules accept no phone "
        "numbers");
  CHECK(reason(typed("0151 12345678", rules)) == "unknown_prefix");
  CHECK(*typed("2900000000018", rules) == card(TokenForm::card_number, "2900000000018"));
  CHECK(reason(scan("LOY1.k1.2900000000018.1800003600.AAAA", rules)) == "not_accepted");
  CHECK(scan("LOY1.k1.2900000000018.1800003600.AAAA", rules).error().message ==
        "not_accepted: an app token was scanned, but the program's identification rules accept "
        "no app tokens (no app_tokens section)");
}

TEST_CASE("identification invalid rules refuse every input with bad_rules") {
  IdentificationRules rules = test_rules();
  rules.card_ranges[1].prefixes[0] = CardPrefix{"29", "29"};
  CHECK(reason(scan("2900000000018", rules)) == "bad_rules");
  CHECK(scan("2900000000018", rules).error().message ==
        "bad_rules: card_ranges[1].prefixes[0]: overlaps card_ranges[0].prefixes[0] (29): one "
        "card number would belong to both; fix the identification rules");
  CHECK(reason(typed("0151 12345678", rules)) == "bad_rules");
}
