// Reading untrusted JSON documents (rule bundles, customer states, receipts) into the core's
// model: field paths, typed value readers with range checks, and a table-driven object reader that
// rejects unknown fields. Private to core/src; used by program/loader*.cc and documents/read.cc.
//
// Every error is a single Error with the Reader's ErrorCode and the message "<path>: <reason>".
// Paths name the field as it sits in the document: `currency`, `earn.base.per_minor`,
// `rules[3].percent_bp`, `stamps["card-1"]`; the document itself is `(root)`. The reasons:
//
//   is required                                 a required field is missing
//   must be an integer | a string | a boolean | an object | an array
//   must be between A and B, got X              integer out of range
//   must be 1 to N bytes long, got L            string length
//   must contain only A-Z, a-z, 0-9, '.', '_' and '-', got "s"     ids
//   must contain only A-Z, a-z, 0-9, '_' and '-', got "s"          coupon codes
//   must not contain control characters, got "s"                    free text (SKUs, names)
//   must be 3 upper-case letters (ISO 4217), got "s"
//   must be one of: a, b, c, got "s"            enumerations
//   must have at most N items, got M            arrays (and "between A and B items")
//   must have at most N members, got M          objects used as maps
//   unknown field (expected one of: a, b, c)    a member the format does not define
//   "<text>" is not a valid time: ... | "<text>" is not a valid date: ...   (from time.h)
//
// Thread-safety: pure functions and an immutable Reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"

namespace loyalty::fields {

// `parent.name`, or just `name` at the root. Names that are not plain words ([A-Za-z0-9_-]) are
// written as `parent["name"]` so that a path is never ambiguous.
std::string member_path(std::string_view parent, std::string_view name);
// `parent[index]`.
std::string item_path(std::string_view parent, std::size_t index);
// `parent["key"]`: a member of an object used as a map.
std::string key_path(std::string_view parent, std::string_view key);
// `text` as a JSON string literal for a message, cut after 64 bytes with "..." (as time.h does).
std::string quote_value(std::string_view text);

// What a string must look like.
enum class StringRule {
  id,           // 1..limits::id_bytes_max bytes of [A-Za-z0-9._-]
  id_or_empty,  // an id or ""
  text,         // 1..limits::id_bytes_max bytes, no control characters (SKUs, categories)
};

class Reader {
 public:
  explicit Reader(ErrorCode code) : code_(code) {}

  ErrorCode code() const { return code_; }
  Error error(std::string_view path, std::string_view reason) const;

  Result<bool> boolean(const json::Value& value, std::string_view path) const;
  Result<std::int64_t> integer(const json::Value& value, std::string_view path, std::int64_t min,
                               std::int64_t max) const;
  // Any string the JSON parser accepted.
  Result<std::string> string(const json::Value& value, std::string_view path) const;
  // A string of min_bytes..max_bytes bytes without control characters.
  Result<std::string> text(const json::Value& value, std::string_view path, std::size_t min_bytes,
                           std::size_t max_bytes) const;
  Result<std::string> id(const json::Value& value, std::string_view path) const;
  Result<std::string> checked_string(const json::Value& value, std::string_view path,
                                     StringRule rule) const;
  // 1..64 characters of [A-Za-z0-9_-], returned upper-case.
  Result<std::string> coupon_code(const json::Value& value, std::string_view path) const;
  Result<std::string> currency(const json::Value& value, std::string_view path) const;
  Result<Timestamp> timestamp(const json::Value& value, std::string_view path) const;
  Result<CivilDate> date(const json::Value& value, std::string_view path) const;
  // The index in `names` of the string `value`.
  Result<std::size_t> choice(const json::Value& value, std::string_view path,
                             std::span<const std::string_view> names) const;
  Result<const std::vector<json::Value>*> array(const json::Value& value, std::string_view path,
                                                std::size_t min_items, std::size_t max_items) const;
  // An object used as a map (any keys), with at most max_members members.
  Result<const std::vector<json::Member>*> map(const json::Value& value, std::string_view path,
                                               std::size_t max_members) const;
  // An array of strings checked by `rule`, in document order.
  Result<std::vector<std::string>> string_list(const json::Value& value, std::string_view path,
                                               std::size_t max_items, StringRule rule) const;

 private:
  ErrorCode code_;
};

// Sorts and removes duplicates.
void sort_unique(std::vector<std::string>& items);

// One field of an object: its name, whether it must be present and what reads it.
enum class Need { optional, required };
using ReadFn = std::function<Status(const json::Value& value, const std::string& path)>;
struct Field {
  std::string_view name;
  Need need = Need::optional;
  ReadFn read;
};

// Reads an object: checks `value` is one, then visits its members in document order, reading each
// with its Field (a member no Field names is an "unknown field" error), then reports the first
// missing required field in table order.
Status read_object(const Reader& reader, const json::Value& value, std::string_view path,
                   std::span<const Field> fields);

// Field factories that store the value read into *out. Integers are range-checked and stored
// into any of std::int64_t, int, Minor, Points or BasisPoints.
Field bool_field(const Reader& reader, std::string_view name, Need need, bool* out);
Field int_field(const Reader& reader, std::string_view name, Need need, std::int64_t* out,
                std::int64_t min, std::int64_t max);
Field int_field(const Reader& reader, std::string_view name, Need need, int* out, std::int64_t min,
                std::int64_t max);
Field int_field(const Reader& reader, std::string_view name, Need need, Minor* out,
                std::int64_t min, std::int64_t max);
Field int_field(const Reader& reader, std::string_view name, Need need, Points* out,
                std::int64_t min, std::int64_t max);
Field int_field(const Reader& reader, std::string_view name, Need need, BasisPoints* out,
                std::int64_t min, std::int64_t max);
Field string_field(const Reader& reader, std::string_view name, Need need, std::string* out,
                   StringRule rule);
Field timestamp_field(const Reader& reader, std::string_view name, Need need,
                      std::optional<Timestamp>* out);
Field timestamp_field(const Reader& reader, std::string_view name, Need need, Timestamp* out);

// An enumeration whose values are declared in the order of `names`.
template <class Enum>
Field choice_field(const Reader& reader, std::string_view name, Need need, Enum* out,
                   std::span<const std::string_view> names) {
  return Field{name, need,
               [&reader, out, names](const json::Value& v, const std::string& p) -> Status {
                 std::size_t index = TRY(reader.choice(v, p, names));
                 *out = static_cast<Enum>(index);
                 return Status();
               }};
}

// The names of the Rounding values, in declaration order.
inline constexpr std::string_view rounding_names[] = {"floor", "half_up", "half_even"};

}  // namespace loyalty::fields
