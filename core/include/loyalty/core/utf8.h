// Decoding one UTF-8 scalar value, strictly (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). For code that must look at characters of untrusted text: scanned labels, the
// keyboard-wedge keymaps. The JSON reader and writer use the same rule.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace loyalty {

struct Utf8Char {
  char32_t value = 0;
  std::size_t size = 0;  // bytes, 1..4
};

// The scalar value of the UTF-8 sequence at text[pos] and its size; nullopt when the bytes there
// are not well-formed UTF-8 or pos is past the end.
std::optional<Utf8Char> decode_utf8(std::string_view text, std::size_t pos);

}  // namespace loyalty
