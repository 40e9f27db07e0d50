// libFuzzer target for identification (core/identification.h) with the HMAC verifier
// (drivers/hmac_keys.h).
//
// The first byte chooses the set-up: bit 0 typed (else scan), bit 1 the alternative rules (any
// card prefix, 8-digit cards, no stripe, US phone prefixes), bit 2 a verifier that accepts every
// tag of key "k1" (so the fuzzer reaches the card and expiry checks behind the signature), bit 3
// no verifier. The rest is the input. Properties checked:
//   - a refusal names its reason (identification_error), is limit_exceeded exactly for too_long,
//     and its message is printable ASCII with no run of 12 digits outside the quoted key id (it
//     never echoes a card or phone number);
//   - an accepted token is consistent: typed input gives only cards and phones, an app token has
//     a key id and an expiry after now, and the normalised value identifies again as itself
//     (a card typed, a phone typed, a coupon scanned with its prefix and check character).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/tokens/hmac_keys.h"

namespace {

using namespace loyalty;

constexpr Timestamp now{1'800'000'000};

class AcceptAllVerifier : public TokenSignatureVerifier {
 public:
  SignatureCheck verify(std::string_view key_id, std::string_view,
                        std::span<const std::uint8_t>) const override {
    return key_id == "k1" ? SignatureCheck::valid : SignatureCheck::unknown_key;
  }
};

const drivers::HmacTokenVerifier& hmac_verifier() {
  static const drivers::HmacTokenVerifier verifier = [] {
    drivers::HmacKeyBytes key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    auto created = drivers::HmacTokenVerifier::create({{"k1", std::move(key)}});
    LOYALTY_ASSERT(created.ok());
    return std::move(created).value();
  }();
  return verifier;
}

IdentificationRules alternative_rules() {
  IdentificationRules rules;
  rules.card.prefixes = {};
  rules.card.digits_total = 8;
  rules.card.track2_accepted = false;
  rules.phone.country_code = "1";
  rules.phone.trunk_prefix = "1";
  rules.phone.international_prefix = "011";
  return rules;
}

void check_error(const Error& error) {
  const auto reason = identification_error(error);
  LOYALTY_ASSERT(reason.has_value());
  LOYALTY_ASSERT((error.code == ErrorCode::limit_exceeded) ==
                 (*reason == IdentificationError::too_long));
  // The key id of an app token is quoted (it names a key, and is no personal data): skip it.
  std::string message = error.message;
  std::size_t quote = std::string::npos;
  if (*reason == IdentificationError::unknown_key ||
      *reason == IdentificationError::bad_signature) {
    quote = message.find(" '");
    LOYALTY_ASSERT(quote != std::string::npos);
    ++quote;
  }
  if (quote != std::string::npos) {
    const std::size_t end = message.find('\'', quote + 1);
    LOYALTY_ASSERT(end != std::string::npos && end - quote - 1 <= limits::token_key_id_bytes_max);
    message.erase(quote, end - quote + 1);
  }
  std::size_t digit_run = 0;
  for (char c : message) {
    LOYALTY_ASSERT(c >= 0x20 && c < 0x7F);
    digit_run = (c >= '0' && c <= '9') ? digit_run + 1 : 0;
    LOYALTY_ASSERT(digit_run < 12);
  }
}

void check_token(const CustomerToken& token, InputSource source, const IdentificationRules& rules,
                 const TokenSignatureVerifier* verifier) {
  LOYALTY_ASSERT(!token.value.empty());
  LOYALTY_ASSERT(source == InputSource::scan || token.kind == TokenKind::loyalty_card ||
                 token.kind == TokenKind::phone);
  LOYALTY_ASSERT((token.kind == TokenKind::app_token) == token.expires_at.has_value());
  LOYALTY_ASSERT((token.kind == TokenKind::app_token) == !token.key_id.empty());
  // The text the token would be scanned or typed as, identified again, gives the same value.
  std::string text = token.value;
  const InputSource again_source = source;
  switch (token.form) {
    case TokenForm::card_number:
    case TokenForm::gs1_coupon:
    case TokenForm::phone_international:
      break;
    case TokenForm::phone_national:
      LOYALTY_ASSERT(source == InputSource::typed);
      break;
    case TokenForm::card_track2:
      text = ";" + token.value + "?";
      break;
    case TokenForm::program_coupon:
      text = rules.coupon.code_prefix + token.value;
      text += *iso7064_mod37_36_check_char(text);
      break;
    case TokenForm::signed_app_token:
      LOYALTY_ASSERT(*token.expires_at > now);
      LOYALTY_ASSERT(token.value.size() == rules.card.digits_total);
      LOYALTY_ASSERT(gs1_check_digit_valid(token.value));
      return;
  }
  const auto again = identify(text, again_source, rules, now, verifier);
  LOYALTY_ASSERT(again.ok() && again->kind == token.kind && again->value == token.value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::uint8_t setup = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const InputSource source = (setup & 1) != 0 ? InputSource::typed : InputSource::scan;
  static const IdentificationRules default_rules;
  static const IdentificationRules other_rules = alternative_rules();
  const IdentificationRules& rules = (setup & 2) != 0 ? other_rules : default_rules;
  static const AcceptAllVerifier accept_all;
  const TokenSignatureVerifier* verifier = &hmac_verifier();
  if ((setup & 4) != 0) verifier = &accept_all;
  if ((setup & 8) != 0) verifier = nullptr;

  const Result<CustomerToken> result = identify(input, source, rules, now, verifier);
  if (result.ok()) {
    check_token(*result, source, rules, verifier);
  } else {
    check_error(result.error());
  }
  return 0;
}
