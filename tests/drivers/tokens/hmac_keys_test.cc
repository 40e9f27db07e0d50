// HMAC-SHA-256 through OpenSSL: RFC 4231 vectors, app token verification end to end through
// core's identify(), key rotation, and payment card tokens.
#include "loyalty/drivers/tokens/hmac_keys.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "loyalty/core/identification.h"

using namespace loyalty;
using namespace loyalty::drivers;

namespace {

std::string hex(const HmacSha256Tag& tag) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string text;
  for (std::uint8_t byte : tag) {
    text += digits[byte >> 4];
    text += digits[byte & 0x0F];
  }
  return text;
}

HmacKeyBytes bytes(std::string_view text) { return HmacKeyBytes(text.begin(), text.end()); }

// 0x00, 0x01, ... 0x1F: a 32-byte key.
HmacKeyBytes counting_key(std::size_t size = 32) {
  HmacKeyBytes key(size);
  for (std::size_t i = 0; i < size; ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

HmacTokenVerifier verifier_with(std::map<std::string, HmacKeyBytes> keys) {
  auto verifier = HmacTokenVerifier::create(std::move(keys));
  REQUIRE(verifier.ok());
  return std::move(verifier).value();
}

constexpr Timestamp now{1'800'000'000};

// A program with loyalty cards 29... (13 digits, GS1) and app tokens for up to a day.
IdentificationRules token_rules() {
  IdentificationRules rules;
  CardRange loyalty;
  loyalty.name = "loyalty";
  loyalty.prefixes = {CardPrefix{"29", "29"}};
  loyalty.lengths = {13};
  rules.card_ranges = {loyalty};
  rules.app_tokens = AppTokenRules{24 * 3600};
  REQUIRE(validate_identification_rules(rules).ok());
  return rules;
}

}  // namespace

TEST_CASE("hmac keys RFC 4231 HMAC-SHA-256 test vectors") {
  // Test case 1: 20 bytes of 0x0b, "Hi There".
  CHECK(hex(hmac_sha256(HmacKeyBytes(20, 0x0b), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  CHECK(hex(hmac_sha256(bytes("Jefe"), "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 3: 20 bytes of 0xaa, 50 bytes of 0xdd.
  CHECK(hex(hmac_sha256(HmacKeyBytes(20, 0xaa), std::string(50, '\xdd'))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 6: a 131-byte key, longer than SHA-256's block, is hashed first.
  CHECK(hex(hmac_sha256(HmacKeyBytes(131, 0xaa),
                        "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // The base64url form of test case 2.
  CHECK(hmac_sha256_base64url(bytes("Jefe"), "what do ya want for nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

TEST_CASE("hmac keys app token verified end to end") {
  const HmacTokenVerifier verifier = verifier_with({{"k1", counting_key()}});
  const std::string signed_part = "LOY1.k1.2900000000018.1800003600";
  const std::string tag = hmac_sha256_base64url(counting_key(), signed_part);
  CHECK(tag == "aSZFhPLpHzTrCAViZO2at7TJN1RhZIMs3pmo-mWqTns");
  const auto token =
      identify(signed_part + "." + tag, InputSource::scan, token_rules(), now, &verifier);
  REQUIRE(token.ok());
  CHECK(token->kind == TokenKind::app_token);
  CHECK(token->form == TokenForm::signed_app_token);
  CHECK(token->value == "2900000000018");
  CHECK(token->expires_at == Timestamp{1'800'003'600});
  CHECK(token->key_id == "k1");
  CHECK(token->card_range == "loyalty");

  // One changed character anywhere in the tag or the signed part.
  std::string tampered_tag = signed_part + "." + tag;
  tampered_tag[tampered_tag.size() - 2] = 'X';
  const auto bad_tag = identify(tampered_tag, InputSource::scan, token_rules(), now, &verifier);
  CHECK(identification_error(bad_tag.error()) == IdentificationError::bad_signature);
  const auto bad_card = identify("LOY1.k1.2912345678906.1800003600." + tag, InputSource::scan,
                                 token_rules(), now, &verifier);
  CHECK(identification_error(bad_card.error()) == IdentificationError::bad_signature);
  const auto other_key =
      identify(signed_part + "." + hmac_sha256_base64url(counting_key(33), signed_part),
               InputSource::scan, token_rules(), now, &verifier);
  CHECK(identification_error(other_key.error()) == IdentificationError::bad_signature);
}

TEST_CASE("hmac keys verifier checks key ids and tag length") {
  const HmacTokenVerifier verifier =
      verifier_with({{"2026a", counting_key()}, {"2026b", HmacKeyBytes(16, 0x42)}});
  const HmacSha256Tag tag_a = hmac_sha256(counting_key(), "LOY1.2026a.x");
  const HmacSha256Tag tag_b = hmac_sha256(HmacKeyBytes(16, 0x42), "LOY1.2026b.x");
  CHECK(verifier.verify("2026a", "LOY1.2026a.x", tag_a) == SignatureCheck::valid);
  CHECK(verifier.verify("2026b", "LOY1.2026b.x", tag_b) == SignatureCheck::valid);
  CHECK(verifier.verify("2026b", "LOY1.2026b.x", tag_a) == SignatureCheck::bad_tag);
  CHECK(verifier.verify("2025z", "LOY1.2026a.x", tag_a) == SignatureCheck::unknown_key);
  CHECK(verifier.verify("", "LOY1.2026a.x", tag_a) == SignatureCheck::unknown_key);
  const std::span<const std::uint8_t> whole(tag_a);
  CHECK(verifier.verify("2026a", "LOY1.2026a.x", whole.first(31)) == SignatureCheck::bad_tag);
  CHECK(verifier.verify("2026a", "LOY1.2026a.x", {}) == SignatureCheck::bad_tag);
  const std::vector<std::uint8_t> longer(64, 0);
  CHECK(verifier.verify("2026a", "LOY1.2026a.x", longer) == SignatureCheck::bad_tag);

  // Through identify(): an unknown key id says so.
  const std::string signed_part = "LOY1.2025z.2900000000018.1800003600";
  const auto unknown =
      identify(signed_part + "." + hmac_sha256_base64url(counting_key(), signed_part),
               InputSource::scan, token_rules(), now, &verifier);
  CHECK(identification_error(unknown.error()) == IdentificationError::unknown_key);
}

TEST_CASE("hmac keys verifier refuses bad key sets") {
  const auto refused = [](std::map<std::string, HmacKeyBytes> keys) {
    const auto verifier = HmacTokenVerifier::create(std::move(keys));
    REQUIRE_FALSE(verifier.ok());
    CHECK(verifier.error().code == ErrorCode::invalid_argument);
    return verifier.error().message;
  };
  CHECK(refused({}) == "app token keys: 0 given; 1 to 64 are needed");
  CHECK(refused({{"k1", HmacKeyBytes(15, 1)}}) ==
        "app token key 'k1' has 15 bytes; it needs 16 to 1024: generate 32 random bytes");
  refused({{"k1", HmacKeyBytes(1025, 1)}});
  refused({{"", counting_key()}});
  refused({{"k.1", counting_key()}});
  refused({{std::string(33, 'k'), counting_key()}});
  std::map<std::string, HmacKeyBytes> many;
  for (int i = 0; i < 65; ++i) many.emplace("k" + std::to_string(i), counting_key());
  refused(std::move(many));
  CHECK(HmacTokenVerifier::create({{std::string(32, 'k'), HmacKeyBytes(1024, 1)}}).ok());
}

TEST_CASE("hmac keys verifier from a bundle's keys rotates them") {
  // The bundle holds the old key 2025z and the new key 2026a: tokens under both verify until HQ
  // removes the old one.
  std::vector<AppTokenKey> keys;
  keys.push_back(AppTokenKey{"2025z", SecretBytes(HmacKeyBytes(16, 0x42))});
  keys.push_back(AppTokenKey{"2026a", SecretBytes(counting_key())});
  const auto verifier = HmacTokenVerifier::from_keys(keys);
  REQUIRE(verifier.ok());
  CHECK(keys[1].key.size() == 32);  // copied, not taken
  const auto scan = [&](const std::string& signed_part, const HmacKeyBytes& key) {
    return identify(signed_part + "." + hmac_sha256_base64url(key, signed_part), InputSource::scan,
                    token_rules(), now, &*verifier);
  };
  const auto old_token = scan("LOY1.2025z.2900000000018.1800003600", HmacKeyBytes(16, 0x42));
  REQUIRE(old_token.ok());
  CHECK(old_token->key_id == "2025z");
  const auto new_token = scan("LOY1.2026a.2900000000018.1800003600", counting_key());
  REQUIRE(new_token.ok());
  CHECK(new_token->key_id == "2026a");
  // A token under one id with the other id's key does not verify.
  CHECK(identification_error(
            scan("LOY1.2026a.2900000000018.1800003600", HmacKeyBytes(16, 0x42)).error()) ==
        IdentificationError::bad_signature);
  // The old key retired: its tokens are refused as signed by an unknown key.
  const auto retired = HmacTokenVerifier::from_keys(std::span(keys).subspan(1));
  REQUIRE(retired.ok());
  const std::string signed_part = "LOY1.2025z.2900000000018.1800003600";
  const auto refused =
      identify(signed_part + "." + hmac_sha256_base64url(HmacKeyBytes(16, 0x42), signed_part),
               InputSource::scan, token_rules(), now, &*retired);
  CHECK(identification_error(refused.error()) == IdentificationError::unknown_key);
}

TEST_CASE("hmac keys verifier from a bundle's keys refuses what create refuses") {
  const auto refused = [](std::vector<AppTokenKey> keys) {
    const auto verifier = HmacTokenVerifier::from_keys(keys);
    REQUIRE_FALSE(verifier.ok());
    CHECK(verifier.error().code == ErrorCode::invalid_argument);
    return verifier.error().message;
  };
  CHECK(refused({}) == "app token keys: 0 given; 1 to 64 are needed");
  std::vector<AppTokenKey> twice;
  twice.push_back(AppTokenKey{"k1", SecretBytes(counting_key())});
  twice.push_back(AppTokenKey{"k1", SecretBytes(HmacKeyBytes(16, 1))});
  CHECK(refused(twice) == "app token key id 'k1' is given twice: one id names one key");
  std::vector<AppTokenKey> short_key;
  short_key.push_back(AppTokenKey{"k1", SecretBytes(HmacKeyBytes(15, 1))});
  CHECK(refused(short_key) ==
        "app token key 'k1' has 15 bytes; it needs 16 to 1024: generate 32 random bytes");
}

TEST_CASE("hmac keys verifier moves keep the keys") {
  HmacTokenVerifier first = verifier_with({{"k1", counting_key()}});
  HmacTokenVerifier second = std::move(first);
  const HmacSha256Tag tag = hmac_sha256(counting_key(), "m");
  CHECK(second.verify("k1", "m", tag) == SignatureCheck::valid);
  HmacTokenVerifier third = verifier_with({{"k2", counting_key()}});
  third = std::move(second);
  CHECK(third.verify("k1", "m", tag) == SignatureCheck::valid);
  CHECK(third.verify("k2", "m", tag) == SignatureCheck::unknown_key);
}

TEST_CASE("hmac keys card tokenizer derives pct1 tokens") {
  auto tokenizer = HmacCardTokenizer::create(counting_key());
  REQUIRE(tokenizer.ok());
  // HMAC-SHA-256(0x00..0x1f, "4111111111111111"), cross-checked with openssl dgst -mac HMAC.
  const std::string expected = "pct1-BiIkEgE4KkWRL7IoKLP321FTzyBycipz3tImI-p5q8k";
  CHECK(tokenizer->token("4111111111111111") == expected);
  CHECK(tokenizer->token("4111 1111 1111 1111") == expected);
  CHECK(tokenizer->token("4111111111111111").find("4111") == std::string::npos);
  // Another key, another token.
  auto other = HmacCardTokenizer::create(HmacKeyBytes(20, 0x0b));
  REQUIRE(other.ok());
  CHECK(other->token("4111111111111111") != expected);
  CHECK(other->token("4111111111111111").size() == 5 + 43);
  // Not a PAN: no token.
  CHECK(tokenizer->token("").empty());
  CHECK(tokenizer->token("41111111111").empty());           // 11 digits
  CHECK(tokenizer->token("41111111111111111111").empty());  // 20 digits
  CHECK(tokenizer->token("4111-1111-1111-1111").empty());
  CHECK(tokenizer->token("411111111111").size() == 48);  // 12 digits
}

TEST_CASE("hmac keys card tokenizer refuses short keys") {
  const auto short_key = HmacCardTokenizer::create(HmacKeyBytes(15, 7));
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.error().code == ErrorCode::invalid_argument);
  CHECK(short_key.error().message ==
        "the card token key has 15 bytes; it needs 16 to 1024: generate 32 random bytes");
  CHECK_FALSE(HmacCardTokenizer::create({}).ok());
  CHECK_FALSE(HmacCardTokenizer::create(HmacKeyBytes(1025, 7)).ok());
  CHECK(HmacCardTokenizer::create(HmacKeyBytes(16, 7)).ok());
}

TEST_CASE("hmac keys card tokenizer in the bank card rule") {
  auto tokenizer = HmacCardTokenizer::create(counting_key());
  REQUIRE(tokenizer.ok());
  Swipe swipe;
  swipe.tracks[1] = TrackResult::absent_track(2);
  swipe.tracks[1].status = TrackStatus::ok;
  swipe.tracks[1].raw = ";4111111111111111=2512101?";
  BankCardRule rule;
  rule.tokenizer = &*tokenizer;
  CHECK(withhold_payment_card(swipe, rule));
  CHECK(swipe.card_token == "pct1-BiIkEgE4KkWRL7IoKLP321FTzyBycipz3tImI-p5q8k");
  CHECK(swipe.track(2).raw.empty());
}
