// Strict member readers of HQ's report documents (document_reader.h).

#include "report/documents/document_reader.h"

#include <algorithm>
#include <string>
#include <utility>

namespace loyalty::sync::report {
namespace {

std::string names_list(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// `text` quoted for a message, cut after 64 bytes with "...".
std::string quoted(std::string_view text) {
  constexpr std::size_t shown_bytes_max = 64;
  if (text.size() <= shown_bytes_max) return json::quote(text);
  std::string cut = json::quote(text.substr(0, shown_bytes_max));
  cut.insert(cut.size() - 1, "...");
  return cut;
}

std::string got(const json::Value& value) {
  return std::string("got ") + json::kind_name(value.kind());
}

}  // namespace

Result<json::Value> parse_document(std::string_view text, std::string_view document) {
  if (text.size() > limits::hq_document_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      std::string(document) + ": " + std::to_string(text.size()) +
                          " bytes, more than the " + std::to_string(limits::hq_document_bytes_max) +
                          " a document may have");
  }
  json::ParseLimits bounds;
  bounds.bytes = limits::hq_document_bytes_max;
  Result<json::Value> parsed = json::parse(text, bounds);
  if (!parsed.ok()) {
    return make_error(parsed.error().code,
                      std::string(document) + ": not a JSON document: " + parsed.error().message);
  }
  return parsed;
}

Status check_format(const json::Value& value, std::string_view document,
                    std::string_view expected) {
  const std::string where(document);
  if (!value.is_object()) {
    return make_error(ErrorCode::invalid_argument,
                      where + ": the document must be an object, " + got(value));
  }
  const json::Value* format = value.find("format");
  if (format == nullptr) {
    return make_error(ErrorCode::invalid_argument, where + ": format is missing");
  }
  if (!format->is_string() || format->as_string() != expected) {
    return make_error(ErrorCode::invalid_argument,
                      where + ": format must be " + quoted(expected) + ", got " +
                          (format->is_string() ? quoted(format->as_string())
                                               : std::string(json::kind_name(format->kind()))));
  }
  return Status();
}

Result<DocObject> DocObject::root(const json::Value& value, std::string_view document,
                                  std::span<const std::string_view> members) {
  return open(value, document, "", members, {});
}

Result<DocObject> DocObject::open(const json::Value& value, std::string_view document,
                                  std::string path, std::span<const std::string_view> members,
                                  std::span<const std::string_view> optional) {
  const std::string where = std::string(document) + ": " + (path.empty() ? "the document" : path);
  if (!value.is_object()) {
    return make_error(ErrorCode::invalid_argument, where + " must be an object, " + got(value));
  }
  for (const json::Member& member : value.as_object()) {
    if (std::find(members.begin(), members.end(), member.key) == members.end() &&
        std::find(optional.begin(), optional.end(), member.key) == optional.end()) {
      return make_error(ErrorCode::invalid_argument, where + " has an unknown member " +
                                                         quoted(member.key) + " (expected " +
                                                         names_list(members) + ")");
    }
  }
  DocObject object(&value, document, std::move(path));
  for (std::string_view name : members) {
    if (value.find(name) == nullptr) return object.error(name, "is missing");
  }
  return object;
}

Result<DocObject> DocObject::object(std::string_view member,
                                    std::span<const std::string_view> members,
                                    std::span<const std::string_view> optional) const {
  return open(get(member), document_, member_path(member), members, optional);
}

Result<DocObject> DocObject::item(const json::Value& value, std::string path,
                                  std::span<const std::string_view> members,
                                  std::span<const std::string_view> optional) const {
  return open(value, document_, std::move(path), members, optional);
}

std::string DocObject::member_path(std::string_view member) const {
  return path_.empty() ? std::string(member) : path_ + "." + std::string(member);
}

std::string DocObject::item_path(std::string_view member, std::size_t index) const {
  return member_path(member) + "[" + std::to_string(index) + "]";
}

Error DocObject::error(std::string_view member, std::string_view reason) const {
  return make_error(
      ErrorCode::invalid_argument,
      std::string(document_) + ": " + member_path(member) + " " + std::string(reason));
}

const json::Value& DocObject::get(std::string_view member) const {
  const json::Value* found = value_->find(member);
  LOYALTY_ASSERT(found != nullptr);  // open() checked every member is there
  return *found;
}

Result<std::int64_t> DocObject::integer(std::string_view member, std::int64_t min,
                                        std::int64_t max) const {
  LOYALTY_ASSERT(min <= max);
  const json::Value& value = get(member);
  if (!value.is_int()) return error(member, "must be an integer, " + got(value));
  if (value.as_int() < min || value.as_int() > max) {
    return error(member, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                             ", got " + std::to_string(value.as_int()));
  }
  return value.as_int();
}

Status DocObject::null(std::string_view member) const {
  const json::Value& value = get(member);
  if (!value.is_null()) return error(member, "must be null, " + got(value));
  return Status();
}

Result<std::string> DocObject::string(std::string_view member, std::size_t bytes_max,
                                      bool empty_ok) const {
  const json::Value& value = get(member);
  if (!value.is_string()) return error(member, "must be a string, " + got(value));
  const std::string& text = value.as_string();
  if (text.empty() && !empty_ok) return error(member, "must not be \"\"");
  if (text.size() > bytes_max) {
    return error(member, "must be at most " + std::to_string(bytes_max) + " bytes, got " +
                             std::to_string(text.size()));
  }
  return text;
}

Result<std::span<const json::Value>> DocObject::array(std::string_view member,
                                                      std::size_t items_max) const {
  const json::Value& value = get(member);
  if (!value.is_array()) return error(member, "must be an array, " + got(value));
  if (value.as_array().size() > items_max) {
    return error(member, "must have at most " + std::to_string(items_max) + " items, got " +
                             std::to_string(value.as_array().size()));
  }
  return std::span<const json::Value>(value.as_array());
}

Result<CivilDate> DocObject::date(std::string_view member) const {
  const std::string text = TRY(string(member, limits::hq_document_text_bytes_max, false));
  Result<CivilDate> parsed = parse_date(text);
  if (!parsed.ok()) return error(member, "must be a date: " + parsed.error().message);
  return *parsed;
}

Result<std::string> DocObject::timestamp(std::string_view member) const {
  std::string text = TRY(string(member, limits::hq_document_text_bytes_max, false));
  Result<Timestamp> parsed = parse_timestamp(text);
  if (!parsed.ok()) return error(member, "must be a time: " + parsed.error().message);
  return text;
}

}  // namespace loyalty::sync::report
