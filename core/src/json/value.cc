#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"

namespace loyalty::json {

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::null:
      return "null";
    case Kind::boolean:
      return "boolean";
    case Kind::integer:
      return "integer";
    case Kind::string:
      return "string";
    case Kind::array:
      return "array";
    case Kind::object:
      return "object";
  }
  return "unknown";
}

namespace {

bool has_unique_keys(const std::vector<Member>& members) {
  if (members.size() < 2) return true;
  std::vector<std::string_view> keys;
  keys.reserve(members.size());
  for (const Member& member : members) keys.emplace_back(member.key);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

}  // namespace

Value Value::make_bool(bool value) {
  Value result;
  result.data_.emplace<bool>(value);
  return result;
}

Value Value::make_int(std::int64_t value) {
  Value result;
  result.data_.emplace<std::int64_t>(value);
  return result;
}

Value Value::make_string(std::string value) {
  Value result;
  result.data_.emplace<std::string>(std::move(value));
  return result;
}

Value Value::make_array() { return make_array(std::vector<Value>()); }

Value Value::make_object() { return make_object(std::vector<Member>()); }

Value Value::make_array(std::vector<Value> items) {
  Value result;
  result.data_.emplace<std::vector<Value>>(std::move(items));
  return result;
}

Value Value::make_object(std::vector<Member> members) {
  LOYALTY_ASSERT(has_unique_keys(members));
  Value result;
  result.data_.emplace<std::vector<Member>>(std::move(members));
  return result;
}

const Value* Value::find(std::string_view key) const {
  const auto* members = std::get_if<std::vector<Member>>(&data_);
  if (members == nullptr) return nullptr;
  for (const Member& member : *members) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

void Value::append(Value item) {
  auto* items = std::get_if<std::vector<Value>>(&data_);
  LOYALTY_ASSERT(items != nullptr);
  items->push_back(std::move(item));
}

void Value::add_member(std::string key, Value value) {
  auto* members = std::get_if<std::vector<Member>>(&data_);
  LOYALTY_ASSERT(members != nullptr);
  LOYALTY_ASSERT(find(key) == nullptr);
  members->push_back(Member{std::move(key), std::move(value)});
}

bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

bool operator==(const Member& a, const Member& b) { return a.key == b.key && a.value == b.value; }

namespace detail {

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  LOYALTY_ASSERT(pos < text.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
    if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (text.size() - pos < length) return 0;
  const unsigned char second = byte(pos + 1);
  if (second < second_min || second > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    const unsigned char next = byte(pos + i);
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return length;
}

}  // namespace detail

}  // namespace loyalty::json
