// Internals of identification (identification*.cc): the error builder, character classes, and one
// recogniser per token form. Not part of the public interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"

namespace loyalty::identification_detail {

// An Error whose message is "<reason name>: <detail>". The detail must not quote the input.
Error reject(IdentificationError reason, std::string_view detail);

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool all_digits(std::string_view text);  // false for an empty text
// Whether `text` starts with one of `prefixes`.
bool starts_with_any(std::string_view text, const std::vector<std::string>& prefixes);
// "29, 28" for messages; "any" for an empty list.
std::string describe_prefixes(const std::vector<std::string>& prefixes);
// Whether either text is a prefix of the other (so the two cannot be told apart).
bool prefixes_overlap(std::string_view a, std::string_view b);

// A card number (all digits expected; `what` names it in messages, e.g. "loyalty card number"):
// bad_character, unknown_prefix, bad_length or bad_check_digit.
Status check_card_number(std::string_view number, const CardNumberRules& rules,
                         std::string_view what);
// Magnetic-stripe track 2 text: ;NUMBER? or ;NUMBER=...?
Result<CustomerToken> identify_track2(std::string_view text, const CardNumberRules& rules);

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
