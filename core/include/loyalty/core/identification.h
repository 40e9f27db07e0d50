// Identification: turns the text of a scan, or text the cashier typed at the till, into a customer
// token (a loyalty card number, a coupon code, a signed app token or a phone number), or refuses
// it with a reason. docs/identification.md describes the formats and the defaults.
//
// Pure functions over untrusted text: no I/O, no clock (the caller passes `now`), no crypto (a
// signed app token's tag is checked by an injected TokenSignatureVerifier; drivers/hmac_keys.h
// has the HMAC-SHA-256 one). Input longer than limits::identification_input_bytes_max is refused
// before any parsing.
//
// Personal data: the input may be a phone number or a card number, so no error message ever
// echoes it. Messages name the reason, positions, lengths and what was expected, and start with
// the reason's name ("bad_check_digit: ..."); identification_error() reads it back.
//
// Thread-safety: stateless; safe to call from any thread with rules and a verifier that are not
// being modified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty {

// What a token identifies.
enum class TokenKind {
  loyalty_card,  // a card number (EAN-13 barcode, magnetic stripe, or typed)
  coupon,        // a GS1 coupon EAN-13 or a program coupon code
  app_token,     // the signed QR code of the loyalty app; value is the card number it is for
  phone,         // a phone number typed at the till; value in E.164 (+4915112345678)
};
// "loyalty_card", "coupon", "app_token", "phone".
const char* token_kind_name(TokenKind kind);

// How the token was written, for logs and for a caller that treats the forms differently.
enum class TokenForm {
  card_number,          // digits: a barcode, or typed
  card_track2,          // magnetic-stripe track 2 text ;NUMBER=...? or ;NUMBER?
  gs1_coupon,           // EAN-13 with a GS1 coupon prefix
  program_coupon,       // prefix + code + ISO/IEC 7064 MOD 37,36 check character
  signed_app_token,     // LOY1.<key id>.<card number>.<expiry>.<tag>
  phone_international,  // typed with + or the international call prefix
  phone_national,       // typed with the trunk prefix, the default country code added
};
// "card_number", "card_track2", "gs1_coupon", ...
const char* token_form_name(TokenForm form);

// Where the text came from. A scan (barcode, QR code, magnetic stripe track) is tried as an app
// token, a coupon and a card; typed text is only ever a phone number or a card number.
enum class InputSource { scan, typed };
const char* input_source_name(InputSource source);

// Why an input was refused. The name of each starts the Error message.
enum class IdentificationError {
  empty,              // nothing (typed: nothing but spaces)
  too_long,           // more than limits::identification_input_bytes_max bytes
  control_character,  // a byte below 0x20 or 0x7F
  bad_character,      // a byte the format does not allow (non-ASCII, a letter in a number)
  unknown_prefix,     // matches no configured card, coupon or token prefix
  bad_length,         // the right prefix, the wrong number of characters
  bad_check_digit,    // a GS1 check digit or a MOD 37,36 check character that does not match
  malformed_token,    // an app token whose fields are missing or malformed
  no_verifier,        // an app token, but no verifier was given
  unknown_key,        // an app token signed with a key id the verifier does not hold
  bad_signature,      // an app token whose tag does not verify
  expired,            // an app token at or after its expiry
  expiry_too_far,     // an app token valid for longer than the rules allow
  bad_phone,          // typed text that is no plausible phone number
  bad_rules,          // the IdentificationRules themselves are invalid (a configuration bug)
};
// "empty", "too_long", ..., "bad_rules".
const char* identification_error_name(IdentificationError error);
// The reason of an Error returned by identify(): the name before the first ": " of its message.
// nullopt for an error that did not come from identify().
std::optional<IdentificationError> identification_error(const Error& error);

// Loyalty card numbers: all digits, `digits_total` of them including a GS1 mod-10 check digit
// (the EAN-13 algorithm, not Luhn, so a card number never passes for a bank card's PAN by
// design), starting with one of `prefixes`. The default is the EAN-13 restricted-circulation
// range 2x ("29"), so the number prints as an EAN-13 barcode on the card; the retailer must keep
// the prefix free of its in-store (weighed goods) numbers. An empty list accepts any prefix.
struct CardNumberRules {
  std::vector<std::string> prefixes = {"29"};
  std::size_t digits_total = 13;  // 8..19
  // Accept magnetic-stripe track 2 text as the reader hands it over: ;NUMBER? or ;NUMBER=...?
  bool track2_accepted = true;
};

// Coupons. GS1 coupons are EAN-13 numbers with a GS1 coupon prefix (99 national; 981-984 in
// common currency areas) and a GS1 check digit; an empty list turns them off. Program coupons are
// `code_prefix` + a code of A-Z 0-9 + one ISO/IEC 7064 MOD 37,36 check character computed over
// prefix and code (letters may be scanned in lower case); an empty prefix turns them off. The
// token's value is the code alone, upper case, as a program's coupon rule names it ("SAVE30").
struct CouponRules {
  std::vector<std::string> gs1_prefixes = {"99"};
  std::string code_prefix = "CP";  // A-Z 0-9, starts with a letter, 1..8 characters
  std::size_t code_chars_min = 4;  // the code between prefix and check character
  std::size_t code_chars_max = 20;
};

// Signed app tokens: LOY1.<key id>.<card number>.<expiry>.<tag>, see docs/identification.md.
struct AppTokenRules {
  // A token whose expiry lies further ahead than this is refused: the app mints short-lived
  // tokens, and a long-lived one is a screenshot waiting to be shared.
  std::int64_t lifetime_s_max = 24 * 3600;
};

// Phone numbers typed at the till. Spaces, dashes, dots, slashes and parentheses are dropped
// ("(0)" after an international prefix too). `+` or `international_prefix` starts an
// international number; `trunk_prefix` starts a national one, which gets `country_code`.
// The result, country code included, has digits_min..digits_max digits (E.164: at most 15).
struct PhoneRules {
  std::string country_code = "49";          // 1..3 digits, not starting with 0
  std::string trunk_prefix = "0";           // 0..2 digits; empty: national numbers have none
  std::string international_prefix = "00";  // 0..4 digits; empty: only + is international
  std::size_t digits_min = 8;
  std::size_t digits_max = 15;
};

// Everything identify() is configured with. A plain value; the defaults suit a German program
// with EAN-13 cards 29..., GS1 coupons 99..., program coupons CP...
struct IdentificationRules {
  CardNumberRules card;
  CouponRules coupon;
  AppTokenRules app_token;
  PhoneRules phone;
};

// Checks the rules for internal consistency: formats, bounds, and that no card prefix overlaps a
// GS1 coupon prefix. identify() refuses invalid rules with bad_rules.
Status validate_identification_rules(const IdentificationRules& rules);

// A recognised token. A plain value.
struct CustomerToken {
  TokenKind kind = TokenKind::loyalty_card;
  TokenForm form = TokenForm::card_number;
  // Normalised: card number digits; GS1 coupon digits or program coupon code (upper case);
  // for an app token, the card number it is for; a phone number in E.164.
  std::string value;
  std::optional<Timestamp> expires_at;  // app tokens only
  std::string key_id;                   // app tokens only

  bool operator==(const CustomerToken&) const = default;
};

// The outcome of checking an app token's tag.
enum class SignatureCheck { valid, bad_tag, unknown_key };

// Checks the tag of a signed app token. Core has no crypto: the implementation lives outside
// (drivers::HmacTokenVerifier). Implementations must be safe to call concurrently.
class TokenSignatureVerifier {
 public:
  virtual ~TokenSignatureVerifier() = default;
  // key_id: the token's key id (1..limits::token_key_id_bytes_max of A-Z a-z 0-9 _ -);
  // signed_part: the token up to, not including, the '.' before the tag; tag: the decoded tag
  // (16..64 bytes). The views are valid for the call only.
  virtual SignatureCheck verify(std::string_view key_id, std::string_view signed_part,
                                std::span<const std::uint8_t> tag) const = 0;
};

// Identifies `input`. `now` decides app token expiry. `verifier` may be null, then app tokens are
// refused with no_verifier; it is not kept. On error, the Error's message starts with the reason
// name; its code is limit_exceeded for too_long and invalid_argument otherwise.
Result<CustomerToken> identify(std::string_view input, InputSource source,
                               const IdentificationRules& rules, Timestamp now,
                               const TokenSignatureVerifier* verifier);

// The prefix of every version 1 app token.
inline constexpr std::string_view app_token_prefix = "LOY1.";
// Bytes of a decoded app token tag.
inline constexpr std::size_t app_token_tag_bytes_min = 16;
inline constexpr std::size_t app_token_tag_bytes_max = 64;

// --- Helpers, public so that tests and the camera path can build and check values ---

// The GS1 mod-10 check digit ('0'..'9') for `digits`, the number without its check digit
// (weights 3, 1, 3, ... from the right, as for EAN-13, EAN-8, UPC-A and GTIN-14). nullopt when
// `digits` is empty or holds a non-digit.
std::optional<char> gs1_check_digit(std::string_view digits);
// Whether the last digit of `number` is the GS1 check digit of the others; false for fewer than
// two characters or a non-digit.
bool gs1_check_digit_valid(std::string_view number);

// The ISO/IEC 7064 MOD 37,36 check character ('0'..'9', 'A'..'Z') for `text` of upper-case
// A-Z 0-9; nullopt when `text` is empty or holds another byte.
std::optional<char> iso7064_mod37_36_check_char(std::string_view text);
// Whether the last character of `text` is the MOD 37,36 check character of the others.
bool iso7064_mod37_36_valid(std::string_view text);

// base64url (RFC 4648 section 5) without padding.
std::string encode_base64url(std::span<const std::uint8_t> bytes);
// The inverse: strict, no padding, no whitespace, unused trailing bits zero (so each byte string
// has exactly one text). nullopt for anything else.
std::optional<std::vector<std::uint8_t>> decode_base64url(std::string_view text);

}  // namespace loyalty
