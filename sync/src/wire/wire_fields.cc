// Strict member readers shared by the batch, ack and downlink documents (wire_fields.h).

#include "wire/wire_fields.h"

#include <algorithm>
#include <string>
#include <utility>

#include "loyalty/core/limits.h"

namespace loyalty::sync::wire {
namespace {

std::string names_list(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

json::ParseLimits batch_parse_limits() {
  json::ParseLimits bounds;
  bounds.bytes = limits::sync_batch_bytes_max;
  bounds.string_bytes = limits::event_payload_bytes_max;
  return bounds;
}

json::ParseLimits downlink_parse_limits() {
  json::ParseLimits bounds;
  bounds.bytes = limits::sync_downlink_bytes_max;
  bounds.string_bytes = limits::json_bytes_max;
  return bounds;
}

Result<json::Value> parse_document(std::string_view text, std::string_view where,
                                   const json::ParseLimits& limits) {
  Result<json::Value> parsed = json::parse(text, limits);
  if (!parsed.ok()) {
    return make_error(parsed.error().code,
                      std::string(where) + ": not a JSON document: " + parsed.error().message);
  }
  return parsed;
}

Result<WireObject> WireObject::open(const json::Value& value, std::string where,
                                    std::span<const std::string_view> names,
                                    std::span<const std::string_view> optional) {
  if (!value.is_object()) {
    return make_error(ErrorCode::parse_error,
                      where + ": must be a JSON object, got " + json::kind_name(value.kind()));
  }
  for (const json::Member& member : value.as_object()) {
    if (std::find(names.begin(), names.end(), member.key) == names.end() &&
        std::find(optional.begin(), optional.end(), member.key) == optional.end()) {
      return make_error(ErrorCode::parse_error, where + ": unknown member " + quoted(member.key) +
                                                    " (expected " + names_list(names) + ")");
    }
  }
  for (std::string_view name : names) {
    if (value.find(name) == nullptr) {
      return make_error(ErrorCode::parse_error,
                        where + ": member " + std::string(name) + " is missing");
    }
  }
  return WireObject(&value, std::move(where));
}

Error WireObject::error(ErrorCode code, std::string_view member, std::string_view reason) const {
  return make_error(code, where_ + ": " + std::string(member) + " " + std::string(reason));
}

bool WireObject::has(std::string_view member) const { return value_->find(member) != nullptr; }

const json::Value& WireObject::get(std::string_view member) const {
  const json::Value* found = value_->find(member);
  LOYALTY_ASSERT(found != nullptr);
  return *found;
}

Result<std::string> WireObject::string(std::string_view member) const {
  const json::Value& v = get(member);
  if (!v.is_string()) {
    return error(ErrorCode::parse_error, member,
                 std::string("must be a string, got ") + json::kind_name(v.kind()));
  }
  return v.as_string();
}

Result<std::string> WireObject::string_or_null(std::string_view member) const {
  const json::Value& v = get(member);
  if (v.is_null()) return std::string();
  if (!v.is_string()) {
    return error(ErrorCode::parse_error, member,
                 std::string("must be a string or null, got ") + json::kind_name(v.kind()));
  }
  if (v.as_string().empty()) {
    return error(ErrorCode::invalid_argument, member, "must not be \"\" (write null for none)");
  }
  return v.as_string();
}

Result<std::int64_t> WireObject::integer(std::string_view member, std::int64_t min,
                                         std::int64_t max) const {
  LOYALTY_ASSERT(min <= max);
  const json::Value& v = get(member);
  if (!v.is_int()) {
    return error(ErrorCode::parse_error, member,
                 std::string("must be an integer, got ") + json::kind_name(v.kind()));
  }
  if (v.as_int() < min || v.as_int() > max) {
    return error(ErrorCode::invalid_argument, member,
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(v.as_int()));
  }
  return v.as_int();
}

Result<bool> WireObject::boolean(std::string_view member) const {
  const json::Value& v = get(member);
  if (!v.is_bool()) {
    return error(ErrorCode::parse_error, member,
                 std::string("must be true or false, got ") + json::kind_name(v.kind()));
  }
  return v.as_bool();
}

Result<const std::vector<json::Value>*> WireObject::array(std::string_view member,
                                                          std::size_t items_max) const {
  const json::Value& v = get(member);
  if (!v.is_array()) {
    return error(ErrorCode::parse_error, member,
                 std::string("must be an array, got ") + json::kind_name(v.kind()));
  }
  if (v.as_array().size() > items_max) {
    return error(ErrorCode::limit_exceeded, member,
                 "has " + std::to_string(v.as_array().size()) + " items, more than the " +
                     std::to_string(items_max) + " allowed: send fewer at a time");
  }
  return &v.as_array();
}

Result<Timestamp> WireObject::timestamp(std::string_view member) const {
  std::string text = TRY(string(member));
  Result<Timestamp> at = parse_timestamp(text);
  if (!at.ok()) return error(ErrorCode::invalid_argument, member, at.error().message);
  return *at;
}

Result<std::string> WireObject::id(std::string_view member) const {
  std::string text = TRY(string(member));
  if (!is_wire_id(text)) {
    return error(ErrorCode::invalid_argument, member,
                 "must be 1 to " + std::to_string(limits::sync_id_bytes_max) +
                     " bytes of A-Z, a-z, 0-9, '.', '_' and '-', got " + quoted(text));
  }
  return text;
}

Result<std::string> WireObject::id_or_empty(std::string_view member) const {
  std::string text = TRY(string(member));
  if (!text.empty() && !is_wire_id(text)) {
    return error(ErrorCode::invalid_argument, member,
                 "must be \"\" or 1 to " + std::to_string(limits::sync_id_bytes_max) +
                     " bytes of A-Z, a-z, 0-9, '.', '_' and '-', got " + quoted(text));
  }
  return text;
}

Result<std::string> WireObject::hex(std::string_view member, std::size_t digits) const {
  std::string text = TRY(string(member));
  if (!is_lower_hex(text, digits)) {
    return error(
        ErrorCode::invalid_argument, member,
        "must be " + std::to_string(digits) + " lowercase hex digits, got " + quoted(text));
  }
  return text;
}

Result<std::string> WireObject::hex_or_empty(std::string_view member, std::size_t digits) const {
  std::string text = TRY(string(member));
  if (!text.empty() && !is_lower_hex(text, digits)) {
    return error(
        ErrorCode::invalid_argument, member,
        "must be \"\" or " + std::to_string(digits) + " lowercase hex digits, got " + quoted(text));
  }
  return text;
}

Status WireObject::constant(std::string_view member, std::string_view expected) const {
  std::string text = TRY(string(member));
  if (text != expected) {
    return error(ErrorCode::invalid_argument, member,
                 "must be " + quoted(expected) + ", got " + quoted(text));
  }
  return Status();
}

bool is_wire_id(std::string_view text) {
  if (text.empty() || text.size() > limits::sync_id_bytes_max) return false;
  return std::all_of(text.begin(), text.end(), is_id_char);
}

bool is_lower_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string quoted(std::string_view text) {
  constexpr std::size_t shown_bytes_max = 64;
  if (text.size() <= shown_bytes_max) return json::quote(text);
  std::string cut = json::quote(text.substr(0, shown_bytes_max));
  cut.insert(cut.size() - 1, "...");
  return cut;
}

void write_time(json::Writer& writer, Timestamp at) { writer.value(format_timestamp(at)); }

}  // namespace loyalty::sync::wire
