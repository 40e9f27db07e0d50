// RFC 4648 base64 (section 4: the standard alphabet, with '=' padding), strict: the length is a
// multiple of 4, '=' appears only as the last one or two characters, no whitespace or other
// characters, and the bits the padding leaves over are zero, so every byte string has exactly
// one accepted text.

#include <array>
#include <cstdint>
#include <string>

#include "loyalty/sync/signing.h"

namespace loyalty::sync {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of a base64 character, or -1.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Error bad(std::string reason) {
  return make_error(ErrorCode::invalid_argument,
                    "base64: " + reason + " (expected RFC 4648 base64 with padding)");
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = bytes.size() - i < 3 ? bytes.size() - i : 3;
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      const auto byte = k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u;
      group = (group << 8) | byte;
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= n ? alphabet[(group >> (18 - 6 * k)) & 0x3f] : '=';
    }
  }
  LOYALTY_ASSERT(out.size() % 4 == 0);
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return bad("length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      const bool pad_here = last && k >= 4 - padding;
      const int v = pad_here ? (c == '=' ? 0 : -1) : sextet(c);
      if (v < 0) {
        return bad("character " + std::to_string(i + k + 1) + " is not allowed there");
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    const std::size_t n = last ? 3 - padding : 3;
    const std::uint32_t unused_mask = (1u << (8 * (3 - n))) - 1;
    if ((group & unused_mask) != 0) return bad("the bits before the padding are not zero");
    for (std::size_t k = 0; k < n; ++k) {
      out += static_cast<char>((group >> (16 - 8 * k)) & 0xff);
    }
  }
  return out;
}

}  // namespace loyalty::sync
