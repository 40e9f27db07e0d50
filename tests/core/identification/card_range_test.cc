// Card ranges: prefixes written plain or as numeric ranges, the test of a number against them,
// and the wiping holder of key bytes.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "identification/identification_support.h"
#include "loyalty/core/identification.h"

using namespace loyalty;
using namespace identification_test;

TEST_CASE("card range prefixes parse plain and as numeric ranges") {
  CHECK(parse_card_prefix("29") == CardPrefix{"29", "29"});
  CHECK(parse_card_prefix("6900460..6900469") == CardPrefix{"6900460", "6900469"});
  CHECK(parse_card_prefix("0..9") == CardPrefix{"0", "9"});
  CHECK(parse_card_prefix("5..5") == CardPrefix{"5", "5"});
  CHECK(parse_card_prefix(std::string(18, '1')) ==
        CardPrefix{std::string(18, '1'), std::string(18, '1')});
  for (const char* bad : {"", "2x", "29..", "..29", "29..3", "30..29", "29...30", "29-30", " 29",
                          "6900460..690046", "+29", "1234567890123456789"}) {
    INFO(bad);
    CHECK_FALSE(parse_card_prefix(bad).has_value());
  }
  CHECK(card_prefix_text(CardPrefix{"29", "29"}) == "29");
  CHECK(card_prefix_text(CardPrefix{"6900460", "6900469"}) == "6900460..6900469");
}

TEST_CASE("card range prefix matching compares the leading digits as a number") {
  const CardPrefix fleet{"6900460", "6900469"};
  CHECK(card_prefix_matches(fleet, "6900460430001234566"));
  CHECK(card_prefix_matches(fleet, "6900469999999999999"));
  CHECK(card_prefix_matches(fleet, "6900460"));
  CHECK_FALSE(card_prefix_matches(fleet, "6900459999999999999"));
  CHECK_FALSE(card_prefix_matches(fleet, "6900470000000000000"));
  CHECK_FALSE(card_prefix_matches(fleet, "690046"));  // shorter than the prefix
  const CardPrefix plain{"29", "29"};
  CHECK(card_prefix_matches(plain, "2900000000018"));
  CHECK_FALSE(card_prefix_matches(plain, "2800000000011"));
  CHECK_FALSE(card_prefix_matches(CardPrefix{}, "29"));
}

TEST_CASE("card range a number matches its range by prefix, length and check digit") {
  const auto& ranges = test_rules().card_ranges;
  const CardRange* gift = matching_card_range(ranges, "6036960000000001236");
  REQUIRE(gift != nullptr);
  CHECK(gift->name == "gift");
  CHECK(gift->kind == CardKind::gift);
  CHECK(matching_card_range(ranges, "2900000000018") == &ranges[0]);
  CHECK(matching_card_range(ranges, "2500000000041") == &ranges[2]);
  CHECK(matching_card_range(ranges, "6036960000000001232") == nullptr);  // Luhn fails
  CHECK(matching_card_range(ranges, "603696000000000123") == nullptr);   // 18 digits
  CHECK(matching_card_range(ranges, "6036970000000001234") == nullptr);  // outside
  CHECK(matching_card_range(ranges, "2900000000017") == nullptr);
  CHECK(matching_card_range(ranges, "29000000000l8") == nullptr);
  CHECK(matching_card_range(ranges, "") == nullptr);
  CHECK(matching_card_range({}, "2900000000018") == nullptr);
  // No check digit: any digits of an allowed length.
  const std::vector<CardRange> plain = {
      range("fleet", CardKind::partner, {"6900460..6900469"}, {19}, CheckDigitScheme::none)};
  CHECK(matching_card_range(plain, "6900460430001234566") == &plain[0]);
  CHECK(matching_card_range(plain, "690046043000123456") == nullptr);
}

TEST_CASE("card range secret bytes are copied, moved and wiped") {
  SecretBytes key(std::vector<std::uint8_t>{1, 2, 3, 4});
  CHECK(key.size() == 4);
  const SecretBytes copy = key;
  CHECK(std::vector<std::uint8_t>(copy.bytes().begin(), copy.bytes().end()) ==
        std::vector<std::uint8_t>{1, 2, 3, 4});
  SecretBytes moved = std::move(key);
  CHECK(moved.size() == 4);
  CHECK(key.empty());  // NOLINT(bugprone-use-after-move): a moved-from secret is empty
  moved = SecretBytes(std::vector<std::uint8_t>{9});
  CHECK(moved.size() == 1);
  CHECK(moved.bytes()[0] == 9);
  SecretBytes assigned;
  assigned = copy;
  CHECK(assigned.size() == 4);
  CHECK(copy.size() == 4);
}
