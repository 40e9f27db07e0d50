// Check characters and base64url for identification: the GS1 mod-10 and Luhn check digits, the
// ISO/IEC 7064 MOD 37,36 check character, and the base64url text of app token tags and keys.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "identification/internal.h"
#include "loyalty/core/identification.h"

namespace loyalty {

using identification_detail::all_digits;
using identification_detail::is_digit;
using identification_detail::is_upper;

std::optional<char> gs1_check_digit(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  // The digit next to the check digit weighs 3, the next 1, and so on leftwards.
  unsigned sum = 0;
  unsigned weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += weight * static_cast<unsigned>(*it - '0');
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool gs1_check_digit_valid(std::string_view number) {
  if (number.size() < 2) return false;
  const std::optional<char> check = gs1_check_digit(number.substr(0, number.size() - 1));
  return check.has_value() && *check == number.back();
}

std::optional<char> luhn_check_digit(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  // The digit next to the check digit is doubled, the next not, and so on leftwards.
  unsigned sum = 0;
  bool doubled = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned d = static_cast<unsigned>(*it - '0');
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool luhn_check_digit_valid(std::string_view number) {
  if (number.size() < 2) return false;
  const std::optional<char> check = luhn_check_digit(number.substr(0, number.size() - 1));
  return check.has_value() && *check == number.back();
}

namespace {

constexpr unsigned mod37_36_modulus = 36;

// The value of an upper-case A-Z 0-9 character in the MOD 37,36 alphabet, or -1.
int mod37_36_value(char c) {
  if (is_digit(c)) return c - '0';
  if (is_upper(c)) return c - 'A' + 10;
  return -1;
}

char mod37_36_char(unsigned value) {
  LOYALTY_ASSERT(value < mod37_36_modulus);
  return value < 10 ? static_cast<char>('0' + value) : static_cast<char>('A' + value - 10);
}

// The running value of the hybrid system (ISO/IEC 7064 section 7) after `text`; nullopt for a
// character outside the alphabet. A text ending in its check character leaves 1.
std::optional<unsigned> mod37_36_state(std::string_view text) {
  const unsigned m = mod37_36_modulus;
  unsigned state = m / 2;
  for (char c : text) {
    const int value = mod37_36_value(c);
    if (value < 0) return std::nullopt;
    const unsigned product = ((state == 0 ? m : state) * 2) % (m + 1);
    state = (product + static_cast<unsigned>(value)) % m;
  }
  return state;
}

}  // namespace

std::optional<char> iso7064_mod37_36_check_char(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::optional<unsigned> state = mod37_36_state(text);
  if (!state) return std::nullopt;
  const unsigned m = mod37_36_modulus;
  const unsigned product = ((*state == 0 ? m : *state) * 2) % (m + 1);
  // The check character c makes (product + c) mod m equal 1.
  return mod37_36_char((1 + m - product) % m);
}

bool iso7064_mod37_36_valid(std::string_view text) {
  if (text.size() < 2) return false;
  const std::optional<unsigned> state = mod37_36_state(text);
  return state.has_value() && *state == 1;
}

namespace {

constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (is_upper(c)) return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string encode_base64url(std::span<const std::uint8_t> bytes) {
  std::string text;
  text.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (std::uint8_t byte : bytes) {
    bits = (bits << 8) | byte;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      text.push_back(base64url_alphabet[(bits >> bit_count) & 0x3F]);
    }
  }
  if (bit_count > 0) text.push_back(base64url_alphabet[(bits << (6 - bit_count)) & 0x3F]);
  return text;
}

std::optional<std::vector<std::uint8_t>> decode_base64url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte string
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return std::nullopt;
    bits = ((bits << 6) | static_cast<std::uint32_t>(value)) & 0xFFFF;
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes.push_back(static_cast<std::uint8_t>((bits >> bit_count) & 0xFF));
    }
  }
  // The 2 or 4 bits left over must be zero, or two texts would decode to the same bytes.
  if ((bits & ((1u << bit_count) - 1)) != 0) return std::nullopt;
  return bytes;
}

}  // namespace loyalty
