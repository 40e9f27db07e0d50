// Signed app tokens: LOY1.<key id>.<card number>.<expiry unix seconds>.<base64url tag>. Core
// checks the structure, asks the verifier about the tag, then checks the card number and expiry.
// The tag is checked before the content is trusted: a forged token learns only bad_signature.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"

namespace loyalty::identification_detail {

namespace {

constexpr std::size_t token_fields = 5;  // version, key id, card, expiry, tag
constexpr std::size_t expiry_digits_max = 12;

struct AppTokenFields {
  std::string_view key_id;
  std::string_view card;
  std::string_view expiry;
  std::string_view tag;
  std::string_view signed_part;
};

Error malformed(const std::string& detail) {
  return reject(IdentificationError::malformed_token,
                "an app token is LOY1.<key id>.<card number>.<expiry>.<tag>; " + detail);
}

// Splits the token at its dots into exactly token_fields fields.
Result<AppTokenFields> split_token(std::string_view text) {
  std::array<std::string_view, token_fields> fields;
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    if (count == token_fields) return malformed("it has more than 5 fields");
    fields[count++] = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (count != token_fields) {
    return malformed("it has " + std::to_string(count) + " fields instead of 5");
  }
  const std::size_t last_dot = text.rfind('.');
  return AppTokenFields{fields[1], fields[2], fields[3], fields[4], text.substr(0, last_dot)};
}

// Unix seconds: 1 to 12 digits without a leading zero (one text per instant, as signed).
std::optional<std::int64_t> parse_expiry(std::string_view text) {
  if (!all_digits(text) || text.size() > expiry_digits_max || text.front() == '0') {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

Status check_signature(const AppTokenFields& fields, const TokenSignatureVerifier* verifier) {
  if (verifier == nullptr) {
    return reject(IdentificationError::no_verifier,
                  "an app token was scanned, but this till has no token keys configured");
  }
  const auto tag = decode_base64url(fields.tag);
  if (!tag || tag->size() < app_token_tag_bytes_min || tag->size() > app_token_tag_bytes_max) {
    return malformed("the tag is not base64url of 16 to 64 bytes");
  }
  switch (verifier->verify(fields.key_id, fields.signed_part, *tag)) {
    case SignatureCheck::valid:
      return {};
    case SignatureCheck::unknown_key:
      return reject(IdentificationError::unknown_key,
                    "key id '" + std::string(fields.key_id) +
                        "' is not among this till's token keys; update the till's keys");
    case SignatureCheck::bad_tag:
      break;
  }
  return reject(IdentificationError::bad_signature,
                "the app token's tag does not verify with key '" + std::string(fields.key_id) +
                    "'; the token is altered or forged");
}

Status check_expiry(std::int64_t expiry_s, Timestamp now, const AppTokenRules& rules) {
  if (expiry_s <= now.unix_seconds) {
    return reject(IdentificationError::expired,
                  "the app token expired " + std::to_string(now.unix_seconds - expiry_s) +
                      " s ago; ask the customer to refresh the code in the app");
  }
  // now + lifetime cannot overflow past INT64_MAX: clamp, then compare.
  const std::int64_t latest_s =
      now.unix_seconds > std::numeric_limits<std::int64_t>::max() - rules.lifetime_s_max
          ? std::numeric_limits<std::int64_t>::max()
          : now.unix_seconds + rules.lifetime_s_max;
  if (expiry_s > latest_s) {
    return reject(IdentificationError::expiry_too_far,
                  "the app token is valid for more than " + std::to_string(rules.lifetime_s_max) +
                      " s; check the till's clock, or the app's token lifetime");
  }
  return {};
}

}  // namespace

Result<CustomerToken> identify_app_token(std::string_view text, const IdentificationRules& rules,
                                         Timestamp now, const TokenSignatureVerifier* verifier) {
  LOYALTY_ASSERT(text.starts_with(app_token_prefix) && rules.app_tokens.has_value());
  const AppTokenFields fields = TRY(split_token(text));
  if (!is_token_key_id(fields.key_id)) {
    return malformed("the key id is 1 to " + std::to_string(limits::token_key_id_bytes_max) +
                     " of A-Z a-z 0-9 _ -");
  }
  if (!all_digits(fields.card)) return malformed("the card number is not digits");
  const std::optional<std::int64_t> expiry_s = parse_expiry(fields.expiry);
  if (!expiry_s) return malformed("the expiry is not 1 to 12 digits of Unix seconds");
  TRY(check_signature(fields, verifier));
  const CardRange* range =
      TRY(check_card_number(fields.card, rules, "card number in the app token"));
  TRY(check_expiry(*expiry_s, now, *rules.app_tokens));
  CustomerToken token = card_token(fields.card, *range, TokenForm::signed_app_token);
  token.kind = TokenKind::app_token;
  token.expires_at = Timestamp{*expiry_s};
  token.key_id = std::string(fields.key_id);
  return token;
}

}  // namespace loyalty::identification_detail

namespace loyalty {

bool is_token_key_id(std::string_view text) {
  using namespace identification_detail;
  if (text.empty() || text.size() > limits::token_key_id_bytes_max) return false;
  for (char c : text) {  // bounded by token_key_id_bytes_max
    if (!is_upper(c) && !is_lower(c) && !is_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace loyalty
