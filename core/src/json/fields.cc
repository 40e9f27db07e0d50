#include "json/fields.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/limits.h"

namespace loyalty::fields {

namespace {

// Longest part of a string value quoted back in an error message (as time.h does).
constexpr std::size_t quoted_value_bytes_max = 64;
constexpr std::size_t coupon_code_bytes_max = 64;
// The largest Field table (a customer document has 19 fields).
constexpr std::size_t field_table_size_max = 32;

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_word(std::string_view text) {
  if (text.empty() || text.size() > limits::id_bytes_max) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
}

bool is_id_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }

// C0 controls, DEL, and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F).
bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {  // bounded by the text's length
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (byte == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

std::string join_names(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {  // bounded by the table's size
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string join_field_names(std::span<const Field> fields) {
  std::vector<std::string_view> names;
  names.reserve(fields.size());
  for (const Field& field : fields) names.push_back(field.name);
  return join_names(names);
}

std::string length_reason(std::size_t min_bytes, std::size_t max_bytes, std::size_t got) {
  return "must be " + std::to_string(min_bytes) + " to " + std::to_string(max_bytes) +
         " bytes long, got " + std::to_string(got);
}

std::string count_reason(std::size_t min_items, std::size_t max_items, std::size_t got,
                         std::string_view what) {
  if (min_items == 0) {
    return "must have at most " + std::to_string(max_items) + " " + std::string(what) + ", got " +
           std::to_string(got);
  }
  return "must have between " + std::to_string(min_items) + " and " + std::to_string(max_items) +
         " " + std::string(what) + ", got " + std::to_string(got);
}

}  // namespace

std::string quote_value(std::string_view text) {
  if (text.size() <= quoted_value_bytes_max) return json::quote(text);
  std::string quoted = json::quote(text.substr(0, quoted_value_bytes_max));
  quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

std::string member_path(std::string_view parent, std::string_view name) {
  if (!is_word(name)) return key_path(parent, name);
  if (parent.empty()) return std::string(name);
  std::string path(parent);
  path += '.';
  path += name;
  return path;
}

std::string item_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string key_path(std::string_view parent, std::string_view key) {
  return std::string(parent) + "[" + quote_value(key) + "]";
}

Error Reader::error(std::string_view path, std::string_view reason) const {
  std::string message(path.empty() ? std::string_view("(root)") : path);
  message += ": ";
  message += reason;
  return make_error(code_, std::move(message));
}

Result<bool> Reader::boolean(const json::Value& value, std::string_view path) const {
  if (!value.is_bool()) return error(path, "must be a boolean");
  return value.as_bool();
}

Result<std::int64_t> Reader::integer(const json::Value& value, std::string_view path,
                                     std::int64_t min, std::int64_t max) const {
  LOYALTY_ASSERT(min <= max);
  if (!value.is_int()) return error(path, "must be an integer");
  const std::int64_t number = value.as_int();
  if (number < min || number > max) {
    return error(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                           ", got " + std::to_string(number));
  }
  return number;
}

Result<std::string> Reader::string(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  return value.as_string();
}

Result<std::string> Reader::text(const json::Value& value, std::string_view path,
                                 std::size_t min_bytes, std::size_t max_bytes) const {
  LOYALTY_ASSERT(min_bytes <= max_bytes);
  if (!value.is_string()) return error(path, "must be a string");
  const std::string& text = value.as_string();
  if (text.size() < min_bytes || text.size() > max_bytes) {
    return error(path, length_reason(min_bytes, max_bytes, text.size()));
  }
  if (has_control_character(text)) {
    return error(path, "must not contain control characters, got " + quote_value(text));
  }
  return text;
}

Result<std::string> Reader::id(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  const std::string& text = value.as_string();
  if (text.empty() || text.size() > limits::id_bytes_max) {
    return error(path, length_reason(1, limits::id_bytes_max, text.size()));
  }
  if (!std::all_of(text.begin(), text.end(), is_id_char)) {
    return error(path,
                 "must contain only A-Z, a-z, 0-9, '.', '_' and '-', got " + quote_value(text));
  }
  return text;
}

Result<std::string> Reader::checked_string(const json::Value& value, std::string_view path,
                                           StringRule rule) const {
  switch (rule) {
    case StringRule::id:
      return id(value, path);
    case StringRule::id_or_empty:
      if (value.is_string() && value.as_string().empty()) return std::string();
      return id(value, path);
    case StringRule::text:
      return text(value, path, 1, limits::id_bytes_max);
  }
  LOYALTY_ASSERT(false);
  return std::string();
}

Result<std::string> Reader::coupon_code(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  std::string code = value.as_string();
  if (code.empty() || code.size() > coupon_code_bytes_max) {
    return error(path, length_reason(1, coupon_code_bytes_max, code.size()));
  }
  if (!std::all_of(code.begin(), code.end(),
                   [](char c) { return is_alnum(c) || c == '_' || c == '-'; })) {
    return error(path, "must contain only A-Z, a-z, 0-9, '_' and '-', got " + quote_value(code));
  }
  for (char& c : code) {  // bounded by coupon_code_bytes_max
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return code;
}

Result<std::string> Reader::currency(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  const std::string& text = value.as_string();
  const bool ok = text.size() == 3 && std::all_of(text.begin(), text.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!ok) return error(path, "must be 3 upper-case letters (ISO 4217), got " + quote_value(text));
  return text;
}

Result<Timestamp> Reader::timestamp(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  Result<Timestamp> parsed = parse_timestamp(value.as_string());
  if (!parsed.ok()) return error(path, parsed.error().message);
  return parsed.value();
}

Result<CivilDate> Reader::date(const json::Value& value, std::string_view path) const {
  if (!value.is_string()) return error(path, "must be a string");
  Result<CivilDate> parsed = parse_date(value.as_string());
  if (!parsed.ok()) return error(path, parsed.error().message);
  return parsed.value();
}

Result<std::size_t> Reader::choice(const json::Value& value, std::string_view path,
                                   std::span<const std::string_view> names) const {
  LOYALTY_ASSERT(!names.empty());
  if (!value.is_string()) return error(path, "must be a string");
  const std::string& text = value.as_string();
  for (std::size_t i = 0; i < names.size(); ++i) {  // bounded by the table's size
    if (names[i] == text) return i;
  }
  return error(path, "must be one of: " + join_names(names) + ", got " + quote_value(text));
}

Result<const std::vector<json::Value>*> Reader::array(const json::Value& value,
                                                      std::string_view path, std::size_t min_items,
                                                      std::size_t max_items) const {
  LOYALTY_ASSERT(min_items <= max_items);
  if (!value.is_array()) return error(path, "must be an array");
  const std::vector<json::Value>& items = value.as_array();
  if (items.size() < min_items || items.size() > max_items) {
    return error(path, count_reason(min_items, max_items, items.size(), "items"));
  }
  return &items;
}

Result<const std::vector<json::Member>*> Reader::map(const json::Value& value,
                                                     std::string_view path,
                                                     std::size_t max_members) const {
  if (!value.is_object()) return error(path, "must be an object");
  const std::vector<json::Member>& members = value.as_object();
  if (members.size() > max_members) {
    return error(path, count_reason(0, max_members, members.size(), "members"));
  }
  return &members;
}

Result<std::vector<std::string>> Reader::string_list(const json::Value& value,
                                                     std::string_view path, std::size_t max_items,
                                                     StringRule rule) const {
  const std::vector<json::Value>* items = TRY(array(value, path, 0, max_items));
  std::vector<std::string> out;
  out.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by max_items
    out.push_back(TRY(checked_string((*items)[i], item_path(path, i), rule)));
  }
  LOYALTY_ASSERT(out.size() == items->size());
  return out;
}

void sort_unique(std::vector<std::string>& items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

Status read_object(const Reader& reader, const json::Value& value, std::string_view path,
                   std::span<const Field> fields) {
  LOYALTY_ASSERT(!fields.empty() && fields.size() <= field_table_size_max);
  if (!value.is_object()) return reader.error(path, "must be an object");
  const std::vector<json::Member>& members = value.as_object();
  for (const json::Member& member : members) {  // bounded by the object's size
    auto field = std::find_if(fields.begin(), fields.end(),
                              [&](const Field& f) { return f.name == member.key; });
    const std::string member_at = member_path(path, member.key);
    if (field == fields.end()) {
      return reader.error(member_at,
                          "unknown field (expected one of: " + join_field_names(fields) + ")");
    }
    TRY(field->read(member.value, member_at));
  }
  for (const Field& field : fields) {  // bounded by the table's size
    if (field.need == Need::required && value.find(field.name) == nullptr) {
      return reader.error(member_path(path, field.name), "is required");
    }
  }
  return Status();
}

namespace {

void store(std::int64_t* out, std::int64_t v) { *out = v; }
void store(int* out, std::int64_t v) { *out = static_cast<int>(v); }
void store(Minor* out, std::int64_t v) { *out = Minor(v); }
void store(Points* out, std::int64_t v) { *out = Points(v); }
void store(BasisPoints* out, std::int64_t v) { *out = BasisPoints{v}; }

template <class T>
Field make_int_field(const Reader& reader, std::string_view name, Need need, T* out,
                     std::int64_t min, std::int64_t max) {
  LOYALTY_ASSERT(out != nullptr);
  LOYALTY_ASSERT(min <= max);
  return Field{name, need,
               [&reader, out, min, max](const json::Value& v, const std::string& p) -> Status {
                 store(out, TRY(reader.integer(v, p, min, max)));
                 return Status();
               }};
}

}  // namespace

Field bool_field(const Reader& reader, std::string_view name, Need need, bool* out) {
  LOYALTY_ASSERT(out != nullptr);
  return Field{name, need, [&reader, out](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(reader.boolean(v, p));
                 return Status();
               }};
}

Field int_field(const Reader& reader, std::string_view name, Need need, std::int64_t* out,
                std::int64_t min, std::int64_t max) {
  return make_int_field(reader, name, need, out, min, max);
}

Field int_field(const Reader& reader, std::string_view name, Need need, int* out, std::int64_t min,
                std::int64_t max) {
  LOYALTY_ASSERT(min >= INT32_MIN && max <= INT32_MAX);
  return make_int_field(reader, name, need, out, min, max);
}

Field int_field(const Reader& reader, std::string_view name, Need need, Minor* out,
                std::int64_t min, std::int64_t max) {
  return make_int_field(reader, name, need, out, min, max);
}

Field int_field(const Reader& reader, std::string_view name, Need need, Points* out,
                std::int64_t min, std::int64_t max) {
  return make_int_field(reader, name, need, out, min, max);
}

Field int_field(const Reader& reader, std::string_view name, Need need, BasisPoints* out,
                std::int64_t min, std::int64_t max) {
  return make_int_field(reader, name, need, out, min, max);
}

Field string_field(const Reader& reader, std::string_view name, Need need, std::string* out,
                   StringRule rule) {
  LOYALTY_ASSERT(out != nullptr);
  return Field{name, need,
               [&reader, out, rule](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(reader.checked_string(v, p, rule));
                 return Status();
               }};
}

Field timestamp_field(const Reader& reader, std::string_view name, Need need,
                      std::optional<Timestamp>* out) {
  LOYALTY_ASSERT(out != nullptr);
  return Field{name, need, [&reader, out](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(reader.timestamp(v, p));
                 return Status();
               }};
}

Field timestamp_field(const Reader& reader, std::string_view name, Need need, Timestamp* out) {
  LOYALTY_ASSERT(out != nullptr);
  return Field{name, need, [&reader, out](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(reader.timestamp(v, p));
                 return Status();
               }};
}

}  // namespace loyalty::fields
