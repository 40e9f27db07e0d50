// Identification rules validation: every problem is named by its field, as the bundle's
// identification section names it.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "identification/identification_support.h"
#include "loyalty/core/identification.h"

using namespace loyalty;
using namespace identification_test;

namespace {

// The message of validating the test rules after `change`; also checks that identify() refuses
// every input with bad_rules under them.
std::string problem(const std::function<void(IdentificationRules&)>& change) {
  IdentificationRules rules = test_rules();
  change(rules);
  const Status status = validate_identification_rules(rules);
  REQUIRE_FALSE(status.ok());
  CHECK(identification_error(status.error()) == IdentificationError::bad_rules);
  CHECK(reason(scan("2900000000018", rules)) == "bad_rules");
  return status.error().message;
}

const std::string fix = "; fix the identification rules";

}  // namespace

TEST_CASE("identification rules validation accepts the test program and the empty rules") {
  CHECK(validate_identification_rules(test_rules()).ok());
  CHECK(validate_identification_rules(IdentificationRules{}).ok());
  // Touching ranges and ranges of different widths side by side are fine.
  IdentificationRules rules = test_rules();
  rules.card_ranges.push_back(range("fleet", CardKind::partner, {"6900460..6900469", "69004700"},
                                    {16, 19}, CheckDigitScheme::none));
  rules.card_ranges.push_back(
      range("partner", CardKind::partner, {"6036970..6036979"}, {19}, CheckDigitScheme::luhn));
  CHECK(validate_identification_rules(rules).ok());
}

TEST_CASE("identification rules validation of card ranges") {
  CHECK(problem([](auto& r) { r.card_ranges[0].name = ""; }) ==
        "bad_rules: card_ranges[0].name: must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and '-'" +
            fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[0].name = "gift card";
        }).starts_with("bad_rules: card_ranges[0].name: "));
  CHECK(problem([](auto& r) { r.card_ranges[2].name = "gift"; }) ==
        "bad_rules: card_ranges[2].name: duplicate card range name \"gift\"" + fix);
  CHECK(problem([](auto& r) { r.card_ranges[1].kind = static_cast<CardKind>(9); }) ==
        "bad_rules: card_ranges[1].kind: must be one of: gift, loyalty, employee, partner" + fix);
  CHECK(problem([](auto& r) { r.card_ranges[1].check_digit = static_cast<CheckDigitScheme>(9); }) ==
        "bad_rules: card_ranges[1].check_digit: must be one of: gs1_mod10, luhn, none" + fix);
  CHECK(problem([](auto& r) { r.card_ranges[0].lengths = {}; }) ==
        "bad_rules: card_ranges[0].lengths: must have between 1 and 12 items, got 0" + fix);
  CHECK(problem([](auto& r) { r.card_ranges[0].lengths = {7}; }) ==
        "bad_rules: card_ranges[0].lengths[0]: must be between 8 and 19, got 7" + fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[0].lengths = {13, 20};
        }) == "bad_rules: card_ranges[0].lengths[1]: must be between 8 and 19, got 20" + fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[0].lengths = {16, 13};
        }) ==
        "bad_rules: card_ranges[0].lengths[1]: must be greater than the previous length (16), "
        "got 13" +
            fix);
  CHECK(problem([](auto& r) { r.card_ranges[0].prefixes = {}; }) ==
        "bad_rules: card_ranges[0].prefixes: must have between 1 and 32 items, got 0" + fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[0].prefixes = {CardPrefix{"2x", "2x"}};
        }) ==
        "bad_rules: card_ranges[0].prefixes[0]: must be 1 to 18 digits, or LOW..HIGH of two "
        "such of the same length with LOW <= HIGH" +
            fix);
  problem([](auto& r) { r.card_ranges[0].prefixes = {CardPrefix{"30", "29"}}; });
  problem([](auto& r) { r.card_ranges[0].prefixes = {CardPrefix{"29", "300"}}; });
  problem([](auto& r) { r.card_ranges[0].prefixes = {CardPrefix{"", ""}}; });
  CHECK(problem([](auto& r) {
          r.card_ranges[0].prefixes = {CardPrefix{"2900000000000", "2900000000000"}};
        }) ==
        "bad_rules: card_ranges[0].prefixes[0]: has 13 digits; a prefix must be shorter than the "
        "range's shortest length (13)" +
            fix);
  CHECK(problem([](auto& r) { r.card_ranges = std::vector<CardRange>(65, r.card_ranges[0]); }) ==
        "bad_rules: card_ranges: must have at most 64 items, got 65" + fix);
}

TEST_CASE("identification rules validation refuses overlapping card prefixes") {
  // Across ranges, named at the later one.
  CHECK(problem([](auto& r) {
          r.card_ranges[2].prefixes = {CardPrefix{"29", "29"}};
        }) ==
        "bad_rules: card_ranges[2].prefixes[0]: overlaps card_ranges[0].prefixes[0] (29): one "
        "card number would belong to both" +
            fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[2].prefixes = {CardPrefix{"291", "291"}};
        }) ==
        "bad_rules: card_ranges[2].prefixes[0]: overlaps card_ranges[0].prefixes[0] (29): one "
        "card number would belong to both" +
            fix);
  CHECK(problem([](auto& r) {
          r.card_ranges[0].prefixes = {CardPrefix{"2", "2"}};
        }) ==
        "bad_rules: card_ranges[2].prefixes[0]: overlaps card_ranges[0].prefixes[0] (2): one "
        "card number would belong to both" +
            fix);
  // Numeric ranges that share one value; a plain prefix inside a range.
  CHECK(problem([](auto& r) {
          r.card_ranges[1].prefixes.push_back(CardPrefix{"6036969", "6036975"});
        }) ==
        "bad_rules: card_ranges[1].prefixes[1]: overlaps card_ranges[1].prefixes[0] "
        "(6036960..6036969): one card number would belong to both" +
            fix);
  CHECK(problem([](auto& r) {
          r.card_ranges.push_back(
              range("other", CardKind::partner, {"60369655"}, {19}, CheckDigitScheme::luhn));
        }) ==
        "bad_rules: card_ranges[3].prefixes[0]: overlaps card_ranges[1].prefixes[0] "
        "(6036960..6036969): one card number would belong to both" +
            fix);
  // Overlapping whatever the lengths: one number has one meaning.
  CHECK(problem([](auto& r) {
          r.card_ranges.push_back(
              range("long", CardKind::gift, {"2999"}, {19}, CheckDigitScheme::luhn));
        }).starts_with("bad_rules: card_ranges[3].prefixes[0]: overlaps card_ranges[0]"));
  // The same prefix twice in one range.
  problem([](auto& r) { r.card_ranges[0].prefixes.push_back(CardPrefix{"29", "29"}); });
}

TEST_CASE("identification rules validation of coupons") {
  CHECK(problem([](auto& r) { r.coupons.gs1_prefixes = {"2"}; }) ==
        "bad_rules: coupons.gs1_prefixes[0]: overlaps card_ranges[2].prefixes[0] (2500): a "
        "number would be both a coupon and a card" +
            fix);
  CHECK(problem([](auto& r) {
          r.coupons.gs1_prefixes = {"99", "60369655"};
        }) ==
        "bad_rules: coupons.gs1_prefixes[1]: overlaps card_ranges[1].prefixes[0] "
        "(6036960..6036969): a number would be both a coupon and a card" +
            fix);
  CHECK(problem([](auto& r) { r.coupons.gs1_prefixes = {"9a"}; }) ==
        "bad_rules: coupons.gs1_prefixes[0]: must be 1 to 12 digits" + fix);
  problem([](auto& r) { r.coupons.gs1_prefixes = {""}; });
  problem([](auto& r) { r.coupons.gs1_prefixes = {"9999999999999"}; });
  problem([](auto& r) { r.coupons.gs1_prefixes = std::vector<std::string>(33, "99"); });
  for (const char* prefix : {"LOY", "L", "1A", "cp", "ABCDEFGHI", "C-P"}) {
    INFO(prefix);
    CHECK(problem([&](auto& r) { r.coupons.code_prefix = prefix; }) ==
          "bad_rules: coupons.code_prefix: must be empty or 1 to 8 of A-Z 0-9 starting with a "
          "letter, and must not be the start of the app token prefix LOY1." +
              fix);
  }
  CHECK(problem([](auto& r) { r.coupons.code_chars_min = 0; }) ==
        "bad_rules: coupons.code_chars_min: must be between 1 and code_chars_max (20), got 0" +
            fix);
  problem([](auto& r) { r.coupons.code_chars_min = 21; });
  CHECK(problem([](auto& r) { r.coupons.code_chars_max = 504; }) ==
        "bad_rules: coupons.code_chars_max: must be at most 503, got 504" + fix);
}

TEST_CASE("identification rules validation of phones and app tokens") {
  const auto phone = [](std::function<void(PhoneRules&)> change) {
    return problem([&](auto& r) { change(*r.phone); });
  };
  CHECK(phone([](auto& p) { p.country_code = "049"; }) ==
        "bad_rules: phone.country_code: must be 1 to 3 digits, not starting with 0" + fix);
  phone([](auto& p) { p.country_code = ""; });
  phone([](auto& p) { p.country_code = "1234"; });
  CHECK(phone([](auto& p) { p.trunk_prefix = "0x"; }) ==
        "bad_rules: phone.trunk_prefix: must be empty or 1 to 2 digits" + fix);
  CHECK(phone([](auto& p) { p.international_prefix = "00000"; }) ==
        "bad_rules: phone.international_prefix: must be empty or 1 to 4 digits" + fix);
  CHECK(phone([](auto& p) { p.trunk_prefix = "00"; }) ==
        "bad_rules: phone.trunk_prefix: must not start with the international prefix (00): a "
        "national number would read as an international one" +
            fix);
  CHECK(phone([](auto& p) { p.digits_min = 2; }) ==
        "bad_rules: phone.digits_min: must be more than the country code's 2 digits and at most "
        "digits_max (15), got 2" +
            fix);
  CHECK(phone([](auto& p) { p.digits_max = 16; }) ==
        "bad_rules: phone.digits_max: must be at most 15 (E.164), got 16" + fix);
  // A card prefix that starts like a phone prefix makes typed numbers ambiguous.
  CHECK(problem([](auto& r) {
          r.card_ranges[2].prefixes = {CardPrefix{"04", "04"}};
        }) ==
        "bad_rules: card_ranges[2].prefixes[0]: overlaps phone.trunk_prefix (0): a typed number "
        "would be both a card and a phone number" +
            fix);
  IdentificationRules no_phone = test_rules();
  no_phone.phone.reset();
  no_phone.card_ranges[2].prefixes = {CardPrefix{"04", "04"}};
  CHECK(validate_identification_rules(no_phone).ok());

  CHECK(problem([](auto& r) { r.app_tokens->lifetime_s_max = 0; }) ==
        "bad_rules: app_tokens.lifetime_s_max: must be between 1 and 31622400, got 0" + fix);
  problem([](auto& r) { r.app_tokens->lifetime_s_max = 31622401; });
  CHECK(problem([](auto& r) { r.card_ranges.clear(); }) ==
        "bad_rules: app_tokens: needs at least one card range (card_ranges): an app token names "
        "a card" +
            fix);
}
