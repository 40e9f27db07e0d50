// Internals of identification (identification*.cc): the error builder, character classes, and one
// recogniser per token form. Not part of the public interface; the rule-bundle loader
// (program/loader_identification.cc) uses find_rules_problem() to name a bad field.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"

namespace loyalty::identification_detail {

// An Error whose message is "<reason name>: <detail>". The detail must not quote the input.
Error reject(IdentificationError reason, std::string_view detail);

// A token of `kind` and `form` with `value` and nothing else set.
inline CustomerToken make_token(TokenKind kind, TokenForm form, std::string value) {
  CustomerToken token;
  token.kind = kind;
  token.form = form;
  token.value = std::move(value);
  return token;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool all_digits(std::string_view text);  // false for an empty text
// Whether `text` starts with one of `prefixes`.
bool starts_with_any(std::string_view text, const std::vector<std::string>& prefixes);
// "29, 28" for messages; "none" for an empty list.
std::string describe_prefixes(const std::vector<std::string>& prefixes);
// "loyalty 29; gift 6900460..6900469" for messages (cut after a few ranges); "none" when empty.
std::string describe_card_ranges(std::span<const CardRange> ranges);

// What is wrong with a set of rules: the field as the bundle's identification section names it
// ("card_ranges[1].prefixes[0]", "phone.trunk_prefix"; empty for the rules as a whole) and why
// ("overlaps card_ranges[0].prefixes[0] (69): ..."). Never contains key material (rules hold
// none).
struct RulesProblem {
  std::string path;
  std::string reason;
};
// The first problem of `rules`, or nullopt when they are valid.
std::optional<RulesProblem> find_rules_problem(const IdentificationRules& rules);

// Whether `range` allows numbers of `digits` digits.
bool card_length_allowed(const CardRange& range, std::size_t digits);
// Whether `digits` ends with the check digit of `scheme` (any digits for none).
bool card_check_digit_valid(CheckDigitScheme scheme, std::string_view digits);

// Whether the rules accept nothing at all: no card range, no coupon, no phone, no app token.
bool accepts_nothing(const IdentificationRules& rules);

// The range of the card number `number` (all digits expected; `what` names it in messages, e.g.
// "loyalty card number"): bad_character, unknown_prefix, bad_length or bad_check_digit.
Result<const CardRange*> check_card_number(std::string_view number,
                                           const IdentificationRules& rules, std::string_view what);
// A card token for `number` of `range` in `form`.
CustomerToken card_token(std::string_view number, const CardRange& range, TokenForm form);
// Magnetic-stripe track 2 text: ;NUMBER? or ;NUMBER=...?
Result<CustomerToken> identify_track2(std::string_view text, const IdentificationRules& rules);
// Magnetic-stripe track 1 text: %<format code>NUMBER^...? or %<format code>NUMBER?
Result<CustomerToken> identify_track1(std::string_view text, const IdentificationRules& rules);

// A 13-digit number that starts with a GS1 coupon prefix.
Result<CustomerToken> identify_gs1_coupon(std::string_view digits, const CouponRules& rules);
// Whether `text` starts with the program coupon prefix (ignoring case); false when it is off.
bool has_program_coupon_prefix(std::string_view text, const CouponRules& rules);
Result<CustomerToken> identify_program_coupon(std::string_view text, const CouponRules& rules);

// Text that starts with app_token_prefix.
Result<CustomerToken> identify_app_token(std::string_view text, const IdentificationRules& rules,
                                         Timestamp now, const TokenSignatureVerifier* verifier);

// The phone number separators dropped from typed text: space - . / ( )
bool is_phone_separator(char c);
// Typed text (trimmed, non-empty, printable ASCII) read as a phone number.
Result<CustomerToken> identify_phone(std::string_view text, const PhoneRules& rules);

}  // namespace loyalty::identification_detail
