// The rule bundle's identification section: what it loads into, and its errors, each naming the
// field; app-token keys never appear in a message.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/program.h"
#include "loyalty/core/program_loader.h"

namespace loyalty {
namespace {

// 0x00..0x1F and sixteen 0x42 bytes, as base64url: the test keys.
constexpr std::string_view key_2026a = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
constexpr std::string_view key_2025z = "QkJCQkJCQkJCQkJCQkJCQg";

std::string bundle_with_identification(std::string_view section) {
  return std::string(R"({"format": "loyalty-program/1", "program_id": "p", "version": 1, )"
                     R"("currency": "EUR", "identification": )") +
         std::string(section) + "}";
}

// A full section; `loyalty_range`, `coupons`, `phone` and `tokens` replace their parts.
struct Section {
  std::string loyalty_range =
      R"({"name": "loyalty", "kind": "loyalty", "prefixes": ["29"], "lengths": [13],)"
      R"( "check_digit": "gs1_mod10"})";
  std::string gift_range =
      R"({"name": "gift", "kind": "gift", "prefixes": ["6036960..6036969"], "lengths": [19],)"
      R"( "check_digit": "luhn"})";
  std::string coupons = R"({"gs1_prefixes": ["99"], "code_prefix": "CP"})";
  std::string phone =
      R"({"country_code": "49", "trunk_prefix": "0", "international_prefix": "00"})";
  std::string tokens =
      std::string(R"({"lifetime_s_max": 86400, "keys": [{"id": "2025z", "key": ")") +
      std::string(key_2025z) + R"("}, {"id": "2026a", "key": ")" + std::string(key_2026a) +
      R"("}]})";

  std::string text() const {
    return R"({"card_ranges": [)" + loyalty_range + ", " + gift_range + R"(], "coupons": )" +
           coupons + R"(, "phone": )" + phone + R"(, "app_tokens": )" + tokens + "}";
  }
};

std::string section_error(std::string_view section) {
  const Result<Program> program = load_program(bundle_with_identification(section));
  REQUIRE_FALSE(program.ok());
  CHECK(program.error().code == ErrorCode::invalid_program);
  // No message ever carries key material.
  CHECK(program.error().message.find(key_2026a) == std::string::npos);
  CHECK(program.error().message.find(key_2025z) == std::string::npos);
  return program.error().message;
}

std::string error_of(const Section& section) { return section_error(section.text()); }

}  // namespace

TEST_CASE("identification section loads ranges, coupons, phone, tokens and keys",
          "[program_loader]") {
  const Result<Program> program = load_program(bundle_with_identification(Section{}.text()));
  REQUIRE(program.ok());
  REQUIRE(program->identification.has_value());
  const IdentificationConfig& config = *program->identification;
  const IdentificationRules& rules = config.rules;
  REQUIRE(rules.card_ranges.size() == 2);
  CHECK(rules.card_ranges[0].name == "loyalty");
  CHECK(rules.card_ranges[0].kind == CardKind::loyalty);
  CHECK(rules.card_ranges[0].prefixes == std::vector<CardPrefix>{{"29", "29"}});
  CHECK(rules.card_ranges[0].lengths == std::vector<std::size_t>{13});
  CHECK(rules.card_ranges[0].check_digit == CheckDigitScheme::gs1_mod10);
  CHECK(rules.card_ranges[1].kind == CardKind::gift);
  CHECK(rules.card_ranges[1].prefixes == std::vector<CardPrefix>{{"6036960", "6036969"}});
  CHECK(rules.card_ranges[1].check_digit == CheckDigitScheme::luhn);
  CHECK(rules.coupons.gs1_prefixes == std::vector<std::string>{"99"});
  CHECK(rules.coupons.code_prefix == "CP");
  CHECK(rules.coupons.code_chars_min == 4);
  CHECK(rules.coupons.code_chars_max == 20);
  REQUIRE(rules.phone.has_value());
  CHECK(*rules.phone == PhoneRules{"49", "0", "00", 8, 15});
  REQUIRE(rules.app_tokens.has_value());
  CHECK(rules.app_tokens->lifetime_s_max == 86400);
  REQUIRE(config.app_token_keys.size() == 2);
  CHECK(config.app_token_keys[0].key_id == "2025z");
  CHECK(config.app_token_keys[0].key.size() == 16);
  CHECK(config.app_token_keys[1].key_id == "2026a");
  REQUIRE(config.app_token_keys[1].key.size() == 32);
  for (std::size_t i = 0; i < 32; ++i) CHECK(config.app_token_keys[1].key.bytes()[i] == i);
  CHECK(validate_identification_rules(rules).ok());
  // The loaded rules identify.
  const auto gift =
      identify("6036960000000001236", InputSource::scan, rules, Timestamp{0}, nullptr);
  REQUIRE(gift.ok());
  CHECK(gift->card_range == "gift");
}

TEST_CASE("identification section minimal and absent", "[program_loader]") {
  const Result<Program> none = load_program(
      R"({"format": "loyalty-program/1", "program_id": "p", "version": 1, "currency": "EUR"})");
  REQUIRE(none.ok());
  CHECK_FALSE(none->identification.has_value());
  const Result<Program> minimal =
      load_program(bundle_with_identification(R"({"card_ranges": []})"));
  REQUIRE(minimal.ok());
  REQUIRE(minimal->identification.has_value());
  CHECK(minimal->identification->rules == IdentificationRules{});
  CHECK(minimal->identification->app_token_keys.empty());
  // Phone rules with their digit bounds, coupons with their code lengths.
  Section bounds;
  bounds.phone = R"({"country_code": "1", "trunk_prefix": "1", "international_prefix": "011",)"
                 R"( "digits_min": 11, "digits_max": 11})";
  bounds.coupons = R"({"code_prefix": "", "code_chars_min": 6, "code_chars_max": 6})";
  const Result<Program> program = load_program(bundle_with_identification(bounds.text()));
  REQUIRE(program.ok());
  CHECK(*program->identification->rules.phone == PhoneRules{"1", "1", "011", 11, 11});
  CHECK(program->identification->rules.coupons.code_prefix.empty());
  CHECK(program->identification->rules.coupons.code_chars_min == 6);
}

TEST_CASE("identification section errors name the field", "[program_loader]") {
  const std::string at = "identification.";
  CHECK(section_error("[]") == "identification: must be an object");
  CHECK(section_error("{}") == "identification.card_ranges: is required");
  CHECK(section_error(R"({"card_ranges": [], "colour": 1})") ==
        "identification.colour: unknown field (expected one of: card_ranges, coupons, phone, "
        "app_tokens)");
  Section s;
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["69x"], "lengths": [19],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) ==
        at + R"(card_ranges[1].prefixes[0]: must be 1 to 18 digits, or LOW..HIGH of two such of )"
             R"(the same length with LOW <= HIGH, got "69x")");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6900469..6900460"],)"
                 R"( "lengths": [19], "check_digit": "luhn"})";
  CHECK(error_of(s).starts_with(at + "card_ranges[1].prefixes[0]: must be 1 to 18 digits"));
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["2901"], "lengths": [19],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + "card_ranges[1].prefixes[0]: overlaps card_ranges[0].prefixes[0] (29): "
                            "one card number would belong to both");
  s = Section{};
  s.gift_range = R"({"name": "loyalty", "kind": "gift", "prefixes": ["6036960"], "lengths": [19],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + R"(card_ranges[1].name: duplicate card range name "loyalty")");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "voucher", "prefixes": ["6036960"], "lengths": [19],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + R"(card_ranges[1].kind: must be one of: gift, loyalty, employee, )"
                            R"(partner, got "voucher")");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6036960"], "lengths": [19],)"
                 R"( "check_digit": "mod11"})";
  CHECK(error_of(s) ==
        at + R"(card_ranges[1].check_digit: must be one of: gs1_mod10, luhn, none, got "mod11")");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6036960"], "lengths": [19, 7],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + "card_ranges[1].lengths[1]: must be between 8 and 19, got 7");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6036960"], "lengths": [19, 16],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + "card_ranges[1].lengths[1]: must be greater than the previous length "
                            "(19), got 16");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6036960"], "lengths": [],)"
                 R"( "check_digit": "luhn"})";
  CHECK(error_of(s) == at + "card_ranges[1].lengths: must have between 1 and 12 items, got 0");
  s = Section{};
  s.gift_range = R"({"name": "gift", "kind": "gift", "prefixes": ["6036960"], "lengths": [19]})";
  CHECK(error_of(s) == at + "card_ranges[1].check_digit: is required");
  s = Section{};
  s.loyalty_range = R"({"name": "loyalty", "kind": "loyalty", "prefixes": ["2900000000000"],)"
                    R"( "lengths": [13], "check_digit": "gs1_mod10"})";
  CHECK(error_of(s) == at + "card_ranges[0].prefixes[0]: has 13 digits; a prefix must be shorter "
                            "than the range's shortest length (13)");
}

TEST_CASE("identification section errors of coupons, phone and app tokens", "[program_loader]") {
  const std::string at = "identification.";
  Section s;
  s.coupons = R"({"gs1_prefixes": ["99", "2"]})";
  CHECK(error_of(s) == at + "coupons.gs1_prefixes[1]: overlaps card_ranges[0].prefixes[0] (29): a "
                            "number would be both a coupon and a card");
  s.coupons = R"({"gs1_prefixes": ["9a"]})";
  CHECK(error_of(s) == at + R"(coupons.gs1_prefixes[0]: must be 1 to 12 digits, got "9a")");
  s.coupons = R"({"code_prefix": "LOY"})";
  CHECK(error_of(s) == at + "coupons.code_prefix: must be empty or 1 to 8 of A-Z 0-9 starting "
                            "with a letter, and must not be the start of the app token prefix "
                            "LOY1.");
  s.coupons = R"({"code_prefix": "CP", "code_chars_min": 8, "code_chars_max": 6})";
  CHECK(error_of(s) == at + "coupons.code_chars_min: must be between 1 and code_chars_max (6), "
                            "got 8");
  s = Section{};
  s.phone = R"({"country_code": "049", "trunk_prefix": "0", "international_prefix": "00"})";
  CHECK(error_of(s) == at + "phone.country_code: must be 1 to 3 digits, not starting with 0");
  s.phone = R"({"country_code": "49", "international_prefix": "00"})";
  CHECK(error_of(s) == at + "phone.trunk_prefix: is required");
  s.phone = R"({"country_code": "49", "trunk_prefix": "2", "international_prefix": "00"})";
  CHECK(error_of(s) == at + "card_ranges[0].prefixes[0]: overlaps phone.trunk_prefix (2): a typed "
                            "number would be both a card and a phone number");
  s.phone = R"({"country_code": "49", "trunk_prefix": "0", "international_prefix": "00",)"
            R"( "digits_max": 16})";
  CHECK(error_of(s) == at + "phone.digits_max: must be between 2 and 15, got 16");
  s = Section{};
  s.tokens = R"({"lifetime_s_max": 0, "keys": []})";
  CHECK(error_of(s) == at + "app_tokens.lifetime_s_max: must be between 1 and 31622400, got 0");
  s.tokens = R"({"lifetime_s_max": 3600, "keys": []})";
  CHECK(error_of(s) == at + "app_tokens.keys: must have between 1 and 64 items, got 0");
  s.tokens = R"({"lifetime_s_max": 3600})";
  CHECK(error_of(s) == at + "app_tokens.keys: is required");
  s.tokens = R"({"lifetime_s_max": 3600, "keys": [{"id": "k.1", "key": ")" +
             std::string(key_2026a) + R"("}]})";
  CHECK(error_of(s) == at + R"(app_tokens.keys[0].id: must be 1 to 32 bytes of A-Z, a-z, 0-9, )"
                            R"('_' and '-', got "k.1")");
  s.tokens = R"({"lifetime_s_max": 3600, "keys": [{"id": "a", "key": ")" + std::string(key_2026a) +
             R"("}, {"id": "a", "key": ")" + std::string(key_2025z) + R"("}]})";
  CHECK(error_of(s) == at + R"(app_tokens.keys[1].id: duplicate key id "a")");
  // Without card ranges, a token names no card.
  const std::string no_ranges = std::string(R"({"card_ranges": [], "app_tokens": )") +
                                R"({"lifetime_s_max": 3600, "keys": [{"id": "a", "key": ")" +
                                std::string(key_2026a) + R"("}]}})";
  CHECK(section_error(no_ranges) ==
        at + "app_tokens: needs at least one card range (card_ranges): an app token names a card");
}

TEST_CASE("identification section key errors never show the key", "[program_loader]") {
  const std::string at = "identification.app_tokens.keys[0].key: ";
  const std::string expected =
      "must be base64url (A-Z a-z 0-9 - _, no padding) of 16 to 1024 bytes";
  const auto key_error = [](const std::string& key_json) {
    Section s;
    s.tokens = R"({"lifetime_s_max": 3600, "keys": [{"id": "k1", "key": )" + key_json + "}]}";
    return error_of(s);
  };
  // 15 bytes, 8 bytes: too short; a padded key, a standard base64 key and plain text: not
  // base64url. None is quoted back.
  CHECK(key_error(R"("AAECAwQFBgcICQoLDA0O")") == at + expected + "; this one has 15");
  CHECK(key_error(R"("AAECAwQFBgc")") == at + expected + "; this one has 8");
  for (const char* bad : {R"("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")",
                          R"("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+/")",
                          R"("correct horse battery staple secret")"}) {
    const std::string message = key_error(bad);
    CHECK(message == at + expected + "; this one is not base64url");
    CHECK(message.find("horse") == std::string::npos);
  }
  CHECK(key_error("12") == at + "must be a string");
  CHECK(key_error(R"("")") == at + expected + "; this one has 0");
}

}  // namespace loyalty
