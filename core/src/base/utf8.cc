// decode_utf8 (utf8.h) over the JSON reader's well-formedness check.
#include "loyalty/core/utf8.h"

#include "loyalty/core/json.h"

namespace loyalty {

std::optional<Utf8Char> decode_utf8(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return std::nullopt;
  const std::size_t size = json::detail::utf8_sequence_length(text, pos);
  if (size == 0) return std::nullopt;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  // The lead byte keeps 7, 5, 4 or 3 payload bits; each continuation byte 6.
  char32_t value = size == 1 ? byte(0) : byte(0) & (0x7Fu >> size);
  for (std::size_t i = 1; i < size; ++i) value = (value << 6) | (byte(i) & 0x3Fu);
  return Utf8Char{value, size};
}

}  // namespace loyalty
