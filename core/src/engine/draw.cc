// The draw message and the winning test of keyed instant-win draws (draw.h).
#include "loyalty/core/draw.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty {

namespace {

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xffu));
  }
}

void append_field(std::string& out, std::string_view field) {
  LOYALTY_ASSERT(field.size() <= std::numeric_limits<std::uint32_t>::max());
  append_big_endian(out, field.size(), 4);
  out.append(field);
}

}  // namespace

void draw_message(std::string_view program_id, std::int64_t version, std::string_view receipt_id,
                  std::string_view rule_id, std::string& out) {
  out.clear();
  append_field(out, draw_message_tag);
  append_field(out, program_id);
  append_big_endian(out, 8, 4);
  append_big_endian(out, static_cast<std::uint64_t>(version), 8);
  append_field(out, receipt_id);
  append_field(out, rule_id);
  LOYALTY_ASSERT(out.size() == 5 * 4 + draw_message_tag.size() + program_id.size() + 8 +
                                   receipt_id.size() + rule_id.size());
}

bool draw_wins(std::uint64_t value, std::int64_t numerator, std::int64_t denominator) {
  LOYALTY_ASSERT(numerator >= 1 && numerator <= denominator);
  return value % static_cast<std::uint64_t>(denominator) < static_cast<std::uint64_t>(numerator);
}

}  // namespace loyalty
