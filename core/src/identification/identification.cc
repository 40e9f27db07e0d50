// identify(): the input checks every source shares, then the dispatch of a scan (app token,
// stripe track, coupon, card) and of typed text (phone or card). Names of the enums and the
// error builder.
#include "loyalty/core/identification.h"

#include <array>
#include <string>
#include <string_view>

#include "identification/internal.h"
#include "loyalty/core/limits.h"

namespace loyalty {

namespace detail = identification_detail;

const char* token_kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::loyalty_card:
      return "loyalty_card";
    case TokenKind::coupon:
      return "coupon";
    case TokenKind::app_token:
      return "app_token";
    case TokenKind::phone:
      return "phone";
  }
  return "unknown";
}

const char* token_form_name(TokenForm form) {
  switch (form) {
    case TokenForm::card_number:
      return "card_number";
    case TokenForm::card_track2:
      return "card_track2";
    case TokenForm::gs1_coupon:
      return "gs1_coupon";
    case TokenForm::program_coupon:
      return "program_coupon";
    case TokenForm::signed_app_token:
      return "signed_app_token";
    case TokenForm::phone_international:
      return "phone_international";
    case TokenForm::phone_national:
      return "phone_national";
    case TokenForm::card_track1:
      return "card_track1";
  }
  return "unknown";
}

const char* input_source_name(InputSource source) {
  return source == InputSource::scan ? "scan" : "typed";
}

namespace {

constexpr std::array all_errors = {
    IdentificationError::empty,
    IdentificationError::too_long,
    IdentificationError::control_character,
    IdentificationError::bad_character,
    IdentificationError::unknown_prefix,
    IdentificationError::bad_length,
    IdentificationError::bad_check_digit,
    IdentificationError::malformed_token,
    IdentificationError::no_verifier,
    IdentificationError::unknown_key,
    IdentificationError::bad_signature,
    IdentificationError::expired,
    IdentificationError::expiry_too_far,
    IdentificationError::bad_phone,
    IdentificationError::bad_rules,
    IdentificationError::no_rules,
    IdentificationError::not_accepted,
};

}  // namespace

const char* identification_error_name(IdentificationError error) {
  switch (error) {
    case IdentificationError::empty:
      return "empty";
    case IdentificationError::too_long:
      return "too_long";
    case IdentificationError::control_character:
      return "control_character";
    case IdentificationError::bad_character:
      return "bad_character";
    case IdentificationError::unknown_prefix:
      return "unknown_prefix";
    case IdentificationError::bad_length:
      return "bad_length";
    case IdentificationError::bad_check_digit:
      return "bad_check_digit";
    case IdentificationError::malformed_token:
      return "malformed_token";
    case IdentificationError::no_verifier:
      return "no_verifier";
    case IdentificationError::unknown_key:
      return "unknown_key";
    case IdentificationError::bad_signature:
      return "bad_signature";
    case IdentificationError::expired:
      return "expired";
    case IdentificationError::expiry_too_far:
      return "expiry_too_far";
    case IdentificationError::bad_phone:
      return "bad_phone";
    case IdentificationError::bad_rules:
      return "bad_rules";
    case IdentificationError::no_rules:
      return "no_rules";
    case IdentificationError::not_accepted:
      return "not_accepted";
  }
  return "unknown";
}

std::optional<IdentificationError> identification_error(const Error& error) {
  const std::string_view message = error.message;
  const std::size_t colon = message.find(": ");
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view name = message.substr(0, colon);
  for (IdentificationError candidate : all_errors) {
    if (name == identification_error_name(candidate)) return candidate;
  }
  return std::nullopt;
}

namespace identification_detail {

Error reject(IdentificationError reason, std::string_view detail) {
  const ErrorCode code = reason == IdentificationError::too_long ? ErrorCode::limit_exceeded
                                                                 : ErrorCode::invalid_argument;
  std::string message = identification_error_name(reason);
  message += ": ";
  message += detail;
  return make_error(code, std::move(message));
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool starts_with_any(std::string_view text, const std::vector<std::string>& prefixes) {
  for (const std::string& prefix : prefixes) {
    if (text.starts_with(prefix)) return true;
  }
  return false;
}

std::string describe_prefixes(const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return "none";
  std::string text;
  for (const std::string& prefix : prefixes) {
    if (!text.empty()) text += ", ";
    text += prefix;
  }
  return text;
}

}  // namespace identification_detail

namespace {

using detail::reject;

// "byte 0x1D at position 5": positions count from 1.
std::string describe_byte(char c, std::size_t index) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  std::string text = "byte 0x";
  text += hex[byte >> 4];
  text += hex[byte & 0x0F];
  text += " at position " + std::to_string(index + 1);
  return text;
}

// Checks every source shares: size, emptiness, control characters, ASCII.
Status check_input_bytes(std::string_view input) {
  if (input.size() > limits::identification_input_bytes_max) {
    return reject(IdentificationError::too_long,
                  std::to_string(input.size()) + " bytes, at most " +
                      std::to_string(limits::identification_input_bytes_max) +
                      " are accepted; this is no loyalty card, coupon, app token or phone number");
  }
  if (input.empty()) {
    return reject(IdentificationError::empty, "nothing was scanned or typed; scan or type again");
  }
  for (std::size_t i = 0; i < input.size(); ++i) {
    const auto byte = static_cast<unsigned char>(input[i]);
    if (byte < 0x20 || byte == 0x7F) {
      return reject(IdentificationError::control_character,
                    describe_byte(input[i], i) +
                        " is a control character; check the reader's prefix and suffix settings");
    }
    if (byte >= 0x80) {
      return reject(IdentificationError::bad_character,
                    describe_byte(input[i], i) + " is not ASCII; tokens are plain ASCII");
    }
  }
  return {};
}

Result<CustomerToken> card_token(std::string_view number, const IdentificationRules& rules) {
  const CardRange* range = TRY(detail::check_card_number(number, rules, "card number"));
  return detail::card_token(number, *range, TokenForm::card_number);
}

bool in_some_card_range(const IdentificationRules& rules, std::string_view digits) {
  for (const CardRange& range : rules.card_ranges) {   // bounded by card_ranges_max
    for (const CardPrefix& prefix : range.prefixes) {  // bounded by prefixes_max
      if (card_prefix_matches(prefix, digits)) return true;
    }
  }
  return false;
}

// All-digit scans: a GS1 coupon, a card of a range, or neither (a product barcode, say).
Result<CustomerToken> identify_scanned_digits(std::string_view digits,
                                              const IdentificationRules& rules) {
  if (detail::starts_with_any(digits, rules.coupons.gs1_prefixes)) {
    return detail::identify_gs1_coupon(digits, rules.coupons);
  }
  if (in_some_card_range(rules, digits)) return card_token(digits, rules);
  return reject(
      IdentificationError::unknown_prefix,
      "a " + std::to_string(digits.size()) + "-digit number outside every card range (" +
          detail::describe_card_ranges(rules.card_ranges) + ") and with no GS1 coupon prefix (" +
          detail::describe_prefixes(rules.coupons.gs1_prefixes) + "); was a product scanned?");
}

Result<CustomerToken> identify_scan(std::string_view input, const IdentificationRules& rules,
                                    Timestamp now, const TokenSignatureVerifier* verifier) {
  if (input.starts_with(app_token_prefix)) {
    if (!rules.app_tokens) {
      return reject(IdentificationError::not_accepted,
                    "an app token was scanned, but the program's identification rules accept "
                    "no app tokens (no app_tokens section)");
    }
    return detail::identify_app_token(input, rules, now, verifier);
  }
  if (input.front() == ';') return detail::identify_track2(input, rules);
  if (input.front() == '%') return detail::identify_track1(input, rules);
  if (detail::all_digits(input)) return identify_scanned_digits(input, rules);
  if (detail::has_program_coupon_prefix(input, rules.coupons)) {
    return detail::identify_program_coupon(input, rules.coupons);
  }
  return reject(
      IdentificationError::unknown_prefix,
      "the scanned " + std::to_string(input.size()) +
          "-byte text is no card number, coupon (prefix " +
          (rules.coupons.code_prefix.empty() ? std::string("off") : rules.coupons.code_prefix) +
          ") or app token (prefix " + std::string(app_token_prefix) + ")");
}

// The digits of typed text (separators and a leading + dropped), or the error for a character
// that belongs to neither a phone number nor a card number.
Result<std::string> typed_digits(std::string_view input) {
  std::string digits;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (detail::is_digit(c)) {
      digits += c;
    } else if (!detail::is_phone_separator(c) && !(c == '+' && i == 0)) {
      return reject(IdentificationError::bad_character,
                    "typed character at position " + std::to_string(i + 1) +
                        " is not allowed: type a phone number or a card number (digits, spaces, "
                        "+ - . / and parentheses)");
    }
  }
  return digits;
}

// Typed text: a phone number (+, the international or the trunk prefix) or a card number.
Result<CustomerToken> identify_typed(std::string_view input, const IdentificationRules& rules) {
  while (!input.empty() && input.front() == ' ') input.remove_prefix(1);
  while (!input.empty() && input.back() == ' ') input.remove_suffix(1);
  if (input.empty()) {
    return reject(IdentificationError::empty, "only spaces were typed; type the number again");
  }
  const std::string digits = TRY(typed_digits(input));
  const std::optional<PhoneRules>& phone = rules.phone;
  const bool plus = input.front() == '+';
  const bool international = plus || (phone && !phone->international_prefix.empty() &&
                                      digits.starts_with(phone->international_prefix));
  if (!international && in_some_card_range(rules, digits)) return card_token(digits, rules);
  if (!phone) {
    return reject(plus ? IdentificationError::not_accepted : IdentificationError::unknown_prefix,
                  "a typed number is a card number of a card range (" +
                      detail::describe_card_ranges(rules.card_ranges) +
                      "); the program's identification rules accept no phone numbers");
  }
  if (!international && !phone->trunk_prefix.empty() && !digits.starts_with(phone->trunk_prefix)) {
    return reject(IdentificationError::unknown_prefix,
                  "a typed number starts with the prefix of a card range (" +
                      detail::describe_card_ranges(rules.card_ranges) +
                      ") or, for a phone number, with + or " + phone->trunk_prefix);
  }
  return detail::identify_phone(input, *phone);
}

}  // namespace

Result<CustomerToken> identify(std::string_view input, InputSource source,
                               const IdentificationRules& rules, Timestamp now,
                               const TokenSignatureVerifier* verifier) {
  TRY(check_input_bytes(input));
  const Status valid_rules = validate_identification_rules(rules);
  if (!valid_rules.ok()) return valid_rules.error();
  if (detail::accepts_nothing(rules)) {
    return reject(IdentificationError::no_rules,
                  "the identification rules accept no card, coupon, app token or phone number; "
                  "load a rule bundle with an identification section");
  }
  if (source == InputSource::typed) return identify_typed(input, rules);
  return identify_scan(input, rules, now, verifier);
}

}  // namespace loyalty
