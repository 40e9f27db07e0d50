// Identification: turns the text of a scan, or text the cashier typed at the till, into a customer
// token (a card number of one of the program's card ranges, a coupon code, a signed app token or
// a phone number), or refuses it with a reason. The rules come from the rule bundle's
// `identification` section; docs/identification.md describes the formats.
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
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty {

// What a token identifies.
enum class TokenKind {
  loyalty_card,  // a card of one of the program's card ranges (barcode, magnetic stripe, typed);
                 // CustomerToken::card_range and card_kind say which range and kind
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
  phone_national,       // typed with the trunk prefix, the program's country code added
  card_track1,          // magnetic-stripe track 1 text %<format code>NUMBER^...? or %BNUMBER?
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
  unknown_prefix,     // outside every card range, and no coupon or token prefix matches
  bad_length,         // in a card range, or a coupon prefix, but of a length it does not allow
  bad_check_digit,    // the check digit of the card range's scheme (GS1 mod 10, Luhn), or a MOD
                      // 37,36 check character, that does not match
  malformed_token,    // an app token or stripe text whose fields are missing or malformed
  no_verifier,        // an app token, but no verifier was given
  unknown_key,        // an app token signed with a key id the verifier does not hold
  bad_signature,      // an app token whose tag does not verify
  expired,            // an app token at or after its expiry
  expiry_too_far,     // an app token valid for longer than the rules allow
  bad_phone,          // typed text that is no plausible phone number
  bad_rules,          // the IdentificationRules themselves are invalid (a configuration bug)
  no_rules,           // the rules accept nothing at all (no card range, coupon or phone rule):
                      // the till has no identification section to go by
  not_accepted,       // a kind of token the rules turn off (app tokens or phone numbers)
};
// "empty", "too_long", ..., "not_accepted".
const char* identification_error_name(IdentificationError error);
// The reason of an Error returned by identify(): the name before the first ": " of its message.
// nullopt for an error that did not come from identify().
std::optional<IdentificationError> identification_error(const Error& error);

// --- Card ranges ---

// What the cards of a range are for. The module identifies them all the same way; the kind
// travels with the token so that the till can treat them differently (a gift card pays, an
// employee card gets staff prices).
enum class CardKind { gift, loyalty, employee, partner };
// "gift", "loyalty", "employee", "partner".
const char* card_kind_name(CardKind kind);

// The check digit a range's numbers end with.
enum class CheckDigitScheme {
  gs1_mod10,  // weights 3, 1, 3, ... from the right, as EAN-13: a number printed as an EAN-13
  luhn,       // ISO/IEC 7812 (mod 10, doubling every second digit from the right): card PANs
  none,       // no check digit (a misread is caught only by the range's prefixes and lengths)
};
// "gs1_mod10", "luhn", "none".
const char* check_digit_scheme_name(CheckDigitScheme scheme);

// One prefix of a card range: the numbers whose first low.size() digits, read as a number, lie
// between `low` and `high` inclusive. Both have the same number of digits (1 to
// card_number_digits_max - 1); a plain prefix ("29") has low == high. Written in a bundle as
// "29" or "6900460..6900469".
struct CardPrefix {
  std::string low;
  std::string high;

  bool operator==(const CardPrefix&) const = default;
};
// "29" or "6900460..6900469" (digits only, same length both sides, low <= high); nullopt for
// anything else.
std::optional<CardPrefix> parse_card_prefix(std::string_view text);
// The text form parse_card_prefix() reads.
std::string card_prefix_text(const CardPrefix& prefix);
// Whether `digits` (all digits) starts with a prefix of the range.
bool card_prefix_matches(const CardPrefix& prefix, std::string_view digits);

// Card numbers run from 8 to 19 digits, check digit included (ISO/IEC 7812 allows 8 to 19).
inline constexpr std::size_t card_number_digits_min = 8;
inline constexpr std::size_t card_number_digits_max = 19;

// One range of the chain's own card numbers: its prefixes, the lengths its numbers may have and
// the check digit they end with. A number belongs to the range when it starts with one of the
// prefixes and has one of the lengths; it is a valid number of the range when its check digit
// matches too. Ranges never overlap (validate_identification_rules), so a number belongs to at
// most one: a misread can never name a customer of another range.
struct CardRange {
  std::string name;  // 1..limits::id_bytes_max of A-Z a-z 0-9 . _ -, unique in the rules
  CardKind kind = CardKind::loyalty;
  std::vector<CardPrefix> prefixes;  // 1..limits::identification_prefixes_max, no two overlap
  std::vector<std::size_t> lengths;  // 1..limits::identification_card_lengths_max, ascending,
                                     // each card_number_digits_min..card_number_digits_max
  CheckDigitScheme check_digit = CheckDigitScheme::gs1_mod10;

  bool operator==(const CardRange&) const = default;
};

// The range `digits` is a valid number of (prefix, length and check digit), or null. The chain's
// own cards by this test pass the bank-card rule of the drivers (drivers/magstripe/bank_card.h).
const CardRange* matching_card_range(std::span<const CardRange> ranges, std::string_view digits);

// --- Coupons, app tokens, phones ---

// Coupons. GS1 coupons are EAN-13 numbers with a GS1 coupon prefix (99 national; 981-984 in
// common currency areas) and a GS1 check digit; an empty list turns them off. Program coupons are
// `code_prefix` + a code of A-Z 0-9 + one ISO/IEC 7064 MOD 37,36 check character computed over
// prefix and code (letters may be scanned in lower case); an empty prefix turns them off. The
// token's value is the code alone, upper case, as a program's coupon rule names it ("SAVE30").
// The default turns both off.
struct CouponRules {
  std::vector<std::string> gs1_prefixes;  // 1..12 digits each, none overlapping a card prefix
  std::string code_prefix;                // empty, or 1..8 of A-Z 0-9 starting with a letter
  std::size_t code_chars_min = 4;         // the code between prefix and check character
  std::size_t code_chars_max = 20;

  bool operator==(const CouponRules&) const = default;
};

// Signed app tokens: LOY1.<key id>.<card number>.<expiry>.<tag>, see docs/identification.md.
struct AppTokenRules {
  // A token whose expiry lies further ahead than this is refused: the app mints short-lived
  // tokens, and a long-lived one is a screenshot waiting to be shared. 1 s to 366 days.
  std::int64_t lifetime_s_max = 0;

  bool operator==(const AppTokenRules&) const = default;
};

// Phone numbers typed at the till. Spaces, dashes, dots, slashes and parentheses are dropped
// ("(0)" after an international prefix too). `+` or `international_prefix` starts an
// international number; `trunk_prefix` starts a national one, which gets `country_code`.
// The result, country code included, has digits_min..digits_max digits (E.164: at most 15).
struct PhoneRules {
  std::string country_code;          // 1..3 digits, not starting with 0 ("49", "1", "39")
  std::string trunk_prefix;          // 0..2 digits ("0", "1", "8"); empty: national numbers
                                     // have none (Italy), the leading 0 belongs to the number
  std::string international_prefix;  // 0..4 digits ("00", "011", "810"); empty: only +
  std::size_t digits_min = 8;
  std::size_t digits_max = 15;

  bool operator==(const PhoneRules&) const = default;
};

// Everything identify() is configured with: a plain value, built by the rule-bundle loader from
// the bundle's `identification` section (docs/rules.md), or by tests. The default accepts
// nothing (identify() answers no_rules): there are no built-in card ranges or country.
struct IdentificationRules {
  std::vector<CardRange> card_ranges;  // 0..limits::identification_card_ranges_max
  CouponRules coupons;
  std::optional<PhoneRules> phone;          // nullopt: typed phone numbers are not_accepted
  std::optional<AppTokenRules> app_tokens;  // nullopt: app tokens are not_accepted

  bool operator==(const IdentificationRules&) const = default;
};

// Checks the rules for internal consistency: formats, bounds, unique range names, no two card
// prefixes overlapping (within a range or across ranges), no card prefix overlapping a GS1 coupon
// prefix or, with phone rules, the trunk or international prefix, prefixes shorter than the
// range's lengths. identify() refuses invalid rules with bad_rules. The message names the field
// as the bundle does: "bad_rules: card_ranges[1].prefixes[0]: overlaps card_ranges[0].prefixes[0]
// (69); ...".
Status validate_identification_rules(const IdentificationRules& rules);

// Key material (an app-token key): bytes that are overwritten when their holder is destroyed or
// assigned. There is no text form and no comparison: the bytes go to the code that uses them
// (drivers::HmacTokenVerifier) and nowhere else. Copies are independent and wiped each.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
    other.bytes_.clear();
  }
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { wipe(); }

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  void wipe();
  std::vector<std::uint8_t> bytes_;
};

// One key that app tokens may be signed with: its id (as it appears in the token) and its bytes.
struct AppTokenKey {
  std::string key_id;  // 1..limits::token_key_id_bytes_max of A-Z a-z 0-9 _ -
  SecretBytes key;     // 16..limits::hmac_key_bytes_max bytes
};

// The identification section of a rule bundle, as loaded: the rules, and the keys a till's
// token verifier is built from (several, so that HQ can add a new key before retiring the old).
// The keys are secrets: nothing prints them, and the loader's errors name their field only.
struct IdentificationConfig {
  IdentificationRules rules;
  std::vector<AppTokenKey> app_token_keys;  // 1..limits::token_keys_max with app_tokens, else 0
};

// A recognised token. A plain value.
struct CustomerToken {
  TokenKind kind = TokenKind::loyalty_card;
  TokenForm form = TokenForm::card_number;
  // Normalised: card number digits; GS1 coupon digits or program coupon code (upper case);
  // for an app token, the card number it is for; a phone number in E.164.
  std::string value;
  std::optional<Timestamp> expires_at;  // app tokens only
  std::string key_id;                   // app tokens only
  // Cards and app tokens: the name and kind of the card range the number belongs to.
  std::string card_range;
  std::optional<CardKind> card_kind;

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

// Identifies `input` under `rules`. `now` decides app token expiry. `verifier` may be null, then
// app tokens are refused with no_verifier; it is not kept. Rules that accept nothing (the
// default) refuse every input with no_rules, invalid rules with bad_rules. On error, the Error's
// message starts with the reason name; its code is limit_exceeded for too_long and
// invalid_argument otherwise.
Result<CustomerToken> identify(std::string_view input, InputSource source,
                               const IdentificationRules& rules, Timestamp now,
                               const TokenSignatureVerifier* verifier);

// Whether `text` is an app-token key id: 1..limits::token_key_id_bytes_max of A-Z a-z 0-9 _ -.
bool is_token_key_id(std::string_view text);

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

// The Luhn (ISO/IEC 7812-1, mod 10) check digit for `digits`, the number without its check digit;
// nullopt when `digits` is empty or holds a non-digit.
std::optional<char> luhn_check_digit(std::string_view digits);
// Whether the last digit of `number` is the Luhn check digit of the others; false for fewer than
// two characters or a non-digit.
bool luhn_check_digit_valid(std::string_view number);

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
