// Identification of signed app tokens with a fake verifier (the HMAC one is tested in
// tests/drivers/tokens/hmac_keys_test.cc): structure, signature, card number and expiry, in that
// order.
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "identification/identification_support.h"
#include "loyalty/core/identification.h"

using namespace loyalty;
using namespace identification_test;

namespace {

// Holds key "k1". Its "tag" is 32 bytes derived from the signed part (not a MAC, but any change
// of the signed part changes it). Remembers what it was asked.
class FakeVerifier : public TokenSignatureVerifier {
 public:
  static std::vector<std::uint8_t> tag_for(std::string_view signed_part) {
    unsigned sum = 0;
    for (char c : signed_part) sum = sum * 31 + static_cast<unsigned char>(c);
    std::vector<std::uint8_t> tag(32);
    for (std::size_t i = 0; i < tag.size(); ++i)
      tag[i] = static_cast<std::uint8_t>(sum >> (i % 4 * 8));
    return tag;
  }

  SignatureCheck verify(std::string_view key_id, std::string_view signed_part,
                        std::span<const std::uint8_t> tag) const override {
    ++calls;
    last_signed_part = std::string(signed_part);
    if (key_id != "k1") return SignatureCheck::unknown_key;
    const std::vector<std::uint8_t> expected = tag_for(signed_part);
    return std::equal(tag.begin(), tag.end(), expected.begin(), expected.end())
               ? SignatureCheck::valid
               : SignatureCheck::bad_tag;
  }

  mutable int calls = 0;
  mutable std::string last_signed_part;
};

std::string mint(const std::string& signed_part) {
  return signed_part + "." + encode_base64url(FakeVerifier::tag_for(signed_part));
}

// Valid from now (1'800'000'000) for one hour.
const std::string good_signed = "LOY1.k1.2900000000018.1800003600";

}  // namespace

TEST_CASE("identification app token golden value") {
  const FakeVerifier verifier;
  const auto result = scan(mint(good_signed), test_rules(), &verifier);
  REQUIRE(result.ok());
  CustomerToken expected = card(TokenForm::signed_app_token, "2900000000018");
  expected.kind = TokenKind::app_token;
  expected.expires_at = Timestamp{1'800'003'600};
  expected.key_id = "k1";
  CHECK(*result == expected);
  CHECK(verifier.calls == 1);
  CHECK(verifier.last_signed_part == good_signed);
}

TEST_CASE("identification app token expiry boundaries") {
  const FakeVerifier verifier;
  const std::string at_now = mint("LOY1.k1.2900000000018.1800000000");
  CHECK(reason(scan(at_now, test_rules(), &verifier)) == "expired");
  CHECK(scan(at_now, test_rules(), &verifier).error().message ==
        "expired: the app token expired 0 s ago; ask the customer to refresh the code in the app");
  CHECK(scan(mint("LOY1.k1.2900000000018.1800000001"), test_rules(), &verifier).ok());
  // The test program's lifetime is one day: exactly a day ahead passes, a second more does not.
  CHECK(scan(mint("LOY1.k1.2900000000018.1800086400"), test_rules(), &verifier).ok());
  CHECK(reason(scan(mint("LOY1.k1.2900000000018.1800086401"), test_rules(), &verifier)) ==
        "expiry_too_far");
  CHECK(reason(scan(mint("LOY1.k1.2900000000018.1"), test_rules(), &verifier)) == "expired");
  // A `now` near the end of time does not overflow.
  const auto late = identify(mint("LOY1.k1.2900000000018.999999999999"), InputSource::scan,
                             test_rules(), Timestamp{INT64_MAX}, &verifier);
  CHECK(reason(late) == "expired");
  const auto early = identify(mint("LOY1.k1.2900000000018.999999999999"), InputSource::scan,
                              test_rules(), Timestamp{INT64_MIN}, &verifier);
  CHECK(reason(early) == "expiry_too_far");
}

TEST_CASE("identification app token signature failures") {
  const FakeVerifier verifier;
  std::string tampered = mint(good_signed);
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(reason(scan(tampered, test_rules(), &verifier)) == "bad_signature");
  // Another card under the first card's tag.
  const std::string tag = mint(good_signed).substr(good_signed.size());
  CHECK(reason(scan("LOY1.k1.2912345678906.1800003600" + tag, test_rules(), &verifier)) ==
        "bad_signature");
  const auto unknown = scan(mint("LOY1.k9.2900000000018.1800003600"), test_rules(), &verifier);
  CHECK(unknown.error().message ==
        "unknown_key: key id 'k9' is not among this till's token keys; update the till's keys");
  CHECK(reason(scan(mint(good_signed), test_rules(), nullptr)) == "no_verifier");
}

TEST_CASE("identification app token for a bad card number") {
  const FakeVerifier verifier;
  // Correctly signed, but the card number's check digit is wrong: the issuer made a mistake.
  const auto bad = scan(mint("LOY1.k1.2900000000017.1800003600"), test_rules(), &verifier);
  CHECK(bad.error().message ==
        "bad_check_digit: the last digit of the card number in the app token is not the GS1 "
        "check digit of the others (card range loyalty); rescan, or retype it carefully");
  // A token for a gift card names its range and kind.
  const auto gift = scan(mint("LOY1.k1.6036960000000001236.1800003600"), test_rules(), &verifier);
  REQUIRE(gift.ok());
  CHECK(gift->card_range == "gift");
  CHECK(gift->card_kind == CardKind::gift);
  CHECK(reason(scan(mint("LOY1.k1.6036970000000001234.1800003600"), test_rules(), &verifier)) ==
        "unknown_prefix");
  CHECK(reason(scan(mint("LOY1.k1.4006381333931.1800003600"), test_rules(), &verifier)) ==
        "unknown_prefix");
  CHECK(reason(scan(mint("LOY1.k1.290000000001.1800003600"), test_rules(), &verifier)) ==
        "bad_length");
  // A forged token with a bad card says only bad_signature.
  CHECK(reason(scan("LOY1.k1.2900000000017.1800003600.AAAAAAAAAAAAAAAAAAAAAA", test_rules(),
                    &verifier)) == "bad_signature");
}

TEST_CASE("identification malformed app tokens") {
  const FakeVerifier verifier;
  const auto malformed = [&](const std::string& text) {
    const auto result = scan(text, test_rules(), &verifier);
    return reason(result) == "malformed_token";
  };
  CHECK(malformed("LOY1."));
  CHECK(malformed("LOY1.k1.2900000000018.1800003600"));        // 4 fields
  CHECK(malformed(mint(good_signed) + ".x"));                  // 6 fields
  CHECK(malformed(mint("LOY1..2900000000018.1800003600")));    // empty key id
  CHECK(malformed(mint("LOY1.k!.2900000000018.1800003600")));  // key id character
  CHECK(malformed(mint("LOY1." + std::string(33, 'k') + ".2900000000018.1800003600")));
  CHECK(malformed(mint("LOY1.k1.29000000000l8.1800003600")));   // letter in the card
  CHECK(malformed(mint("LOY1.k1..1800003600")));                // no card
  CHECK(malformed(mint("LOY1.k1.2900000000018.01800003600")));  // leading zero
  CHECK(malformed(mint("LOY1.k1.2900000000018.18000036OO")));
  CHECK(malformed(mint("LOY1.k1.2900000000018.1000000000000")));  // 13 digits
  CHECK(malformed(good_signed + ".abc$"));                        // not base64url
  CHECK(malformed(good_signed + "." + std::string(20, 'A')));     // 15 bytes
  CHECK(malformed(good_signed + "." + std::string(87, 'A')));     // 65 bytes
  // A tag whose unused trailing bits are set: not the canonical text of any bytes.
  std::string loose = mint(good_signed);
  loose.back() = loose.back() == 'B' ? 'C' : 'B';
  CHECK(malformed(loose));
  // 32 characters of key id are fine.
  CHECK(reason(scan(mint("LOY1." + std::string(32, 'k') + ".2900000000018.1800003600"),
                    test_rules(), &verifier)) == "unknown_key");
}

TEST_CASE("identification base64url") {
  const auto bytes = [](std::string_view text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
  };
  // RFC 4648 section 10, without padding.
  CHECK(encode_base64url(bytes("")) == "");
  CHECK(encode_base64url(bytes("f")) == "Zg");
  CHECK(encode_base64url(bytes("fo")) == "Zm8");
  CHECK(encode_base64url(bytes("foo")) == "Zm9v");
  CHECK(encode_base64url(bytes("foob")) == "Zm9vYg");
  CHECK(encode_base64url(bytes("fooba")) == "Zm9vYmE");
  CHECK(encode_base64url(bytes("foobar")) == "Zm9vYmFy");
  const std::vector<std::uint8_t> url_chars = {0xFB, 0xFF};
  CHECK(encode_base64url(url_chars) == "-_8");
  CHECK(decode_base64url("-_8") == url_chars);
  CHECK(decode_base64url("Zm9vYmFy") == bytes("foobar"));
  CHECK(decode_base64url("") == bytes(""));
  CHECK_FALSE(decode_base64url("Zh").has_value());  // trailing bits set
  CHECK_FALSE(decode_base64url("Z").has_value());
  CHECK_FALSE(decode_base64url("Zg==").has_value());
  CHECK_FALSE(decode_base64url("Zm9v+").has_value());
  CHECK_FALSE(decode_base64url("Zm9v/w").has_value());
}
