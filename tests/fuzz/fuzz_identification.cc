// libFuzzer target for identification (core/identification.h) with the HMAC verifier
// (drivers/hmac_keys.h).
//
// The first byte chooses the set-up: bit 0 typed (else scan), bit 1 the alternative rules (numeric
// prefix ranges, Luhn and unchecked ranges of several lengths, US phone prefixes, no coupons, no
// app tokens), bit 2 a verifier that accepts every tag of key "k1" (so the fuzzer reaches the
// card and expiry checks behind the signature), bit 3 no verifier, bit 6 rules that accept
// nothing. The rest is the input. Properties checked:
//   - a refusal names its reason (identification_error), is limit_exceeded exactly for too_long,
//     is no_rules exactly under the empty rules (once the input's bytes pass), and its message is
//     printable ASCII with no run of 12 digits outside the quoted key id (it never echoes a card
//     or phone number);
//   - an accepted token is consistent: typed input gives only cards and phones, an app token has
//     a key id and an expiry after now, a card names the one range its number is a valid number
//     of, and the normalised value identifies again as itself (a card typed, a phone typed, a
//     coupon scanned with its prefix and check character, a stripe's number on its track).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

CardRange range(std::string name, CardKind kind, std::vector<CardPrefix> prefixes,
                std::vector<std::size_t> lengths, CheckDigitScheme scheme) {
  CardRange out;
  out.name = std::move(name);
  out.kind = kind;
  out.prefixes = std::move(prefixes);
  out.lengths = std::move(lengths);
  out.check_digit = scheme;
  return out;
}

// A German program: loyalty 29 (13, GS1), gift 6036960..6036969 (19, Luhn), staff 2500 (13,
// GS1); GS1 coupons 99, program coupons CP; +49 phones; app tokens for a day.
IdentificationRules default_rules() {
  IdentificationRules rules;
  rules.card_ranges = {
      range("loyalty", CardKind::loyalty, {{"29", "29"}}, {13}, CheckDigitScheme::gs1_mod10),
      range("gift", CardKind::gift, {{"6036960", "6036969"}}, {19}, CheckDigitScheme::luhn),
      range("staff", CardKind::employee, {{"2500", "2500"}}, {13}, CheckDigitScheme::gs1_mod10)};
  rules.coupons.gs1_prefixes = {"99"};
  rules.coupons.code_prefix = "CP";
  rules.phone = PhoneRules{"49", "0", "00", 8, 15};
  rules.app_tokens = AppTokenRules{24 * 3600};
  LOYALTY_ASSERT(validate_identification_rules(rules).ok());
  return rules;
}

IdentificationRules alternative_rules() {
  IdentificationRules rules;
  rules.card_ranges = {
      range("fleet", CardKind::partner, {{"6900460", "6900469"}, {"7", "8"}}, {8, 16, 19},
            CheckDigitScheme::none),
      range("club", CardKind::loyalty, {{"40", "49"}}, {12, 13}, CheckDigitScheme::luhn)};
  rules.phone = PhoneRules{"1", "1", "011", 8, 15};
  LOYALTY_ASSERT(validate_identification_rules(rules).ok());
  return rules;
}

void check_error(const Error& error, bool nothing_accepted) {
  const auto reason = identification_error(error);
  LOYALTY_ASSERT(reason.has_value());
  const bool input_reason = *reason == IdentificationError::too_long ||
                            *reason == IdentificationError::empty ||
                            *reason == IdentificationError::control_character ||
                            *reason == IdentificationError::bad_character;
  LOYALTY_ASSERT(!nothing_accepted || input_reason || *reason == IdentificationError::no_rules);
  LOYALTY_ASSERT(nothing_accepted || *reason != IdentificationError::no_rules);
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
  // A card (or an app token's card) names the one range its number is a valid number of.
  const bool card = token.kind == TokenKind::loyalty_card || token.kind == TokenKind::app_token;
  LOYALTY_ASSERT(card == token.card_kind.has_value());
  LOYALTY_ASSERT(card == !token.card_range.empty());
  if (card) {
    const CardRange* range = matching_card_range(rules.card_ranges, token.value);
    LOYALTY_ASSERT(range != nullptr && range->name == token.card_range &&
                   range->kind == *token.card_kind);
  }
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
    case TokenForm::card_track1:
      text = "%B" + token.value + "^?";
      break;
    case TokenForm::program_coupon:
      text = rules.coupons.code_prefix + token.value;
      text += *iso7064_mod37_36_check_char(text);
      break;
    case TokenForm::signed_app_token:
      LOYALTY_ASSERT(*token.expires_at > now);
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
  static const IdentificationRules german_rules = default_rules();
  static const IdentificationRules other_rules = alternative_rules();
  static const IdentificationRules no_rules;
  const bool nothing = (setup & 64) != 0;
  const IdentificationRules& rules =
      nothing ? no_rules : ((setup & 2) != 0 ? other_rules : german_rules);
  static const AcceptAllVerifier accept_all;
  const TokenSignatureVerifier* verifier = &hmac_verifier();
  if ((setup & 4) != 0) verifier = &accept_all;
  if ((setup & 8) != 0) verifier = nullptr;

  const Result<CustomerToken> result = identify(input, source, rules, now, verifier);
  if (result.ok()) {
    check_token(*result, source, rules, verifier);
  } else {
    check_error(result.error(), nothing);
  }
  return 0;
}
