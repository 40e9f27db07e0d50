// JSON for the project's documents (rule bundles, customer states, receipts): a DOM value, a
// strict parser and a streaming writer.
//
// The dialect is RFC 8259 with extra rules that suit money: numbers are int64 integers only (money
// is in minor units, rates in basis points), duplicate keys and "\u0000" are rejected, and every
// size is bounded by limits.h. Parse errors read "line L, column C: <reason>", where columns
// count Unicode code points from 1.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::json {

enum class Kind { null, boolean, integer, string, array, object };

// Names the kind as it appears in messages ("integer", "object").
const char* kind_name(Kind kind);

struct Member;

namespace detail {
class Parser;

// Integer types other than bool, std::int64_t and the character types: the ones Writer::value
// converts to int64.
template <class T>
concept OtherInteger =
    std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, std::int64_t> &&
    !std::same_as<T, char> && !std::same_as<T, signed char> && !std::same_as<T, unsigned char> &&
    !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> && !std::same_as<T, char16_t> &&
    !std::same_as<T, char32_t>;
}  // namespace detail

// A JSON value: null, a boolean, an int64 integer, a UTF-8 string, an array of values or an object
// whose members keep their insertion order and have unique keys.
//
// Values built by parse() remember the 1-based line and column of their first character, so that
// later validation can point at the source; values built in code report line 0, column 0.
// Calling an accessor on the wrong kind (as_int() on a string) is a bug and fails LOYALTY_ASSERT:
// check kind() or is_...() first.
//
// Ownership: a Value owns its children by value; copying copies the whole tree.
// Thread-safety: a plain value; concurrent reads of one Value are safe, writes are not.
class Value {
 public:
  Value() = default;  // null

  static Value make_null();
  static Value make_bool(bool value);
  static Value make_int(std::int64_t value);
  static Value make_string(std::string value);
  static Value make_array();  // empty
  static Value make_array(std::vector<Value> items);
  static Value make_object();  // empty
  // Keys must be unique (LOYALTY_ASSERT).
  static Value make_object(std::vector<Member> members);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool is_bool() const { return kind() == Kind::boolean; }
  bool is_int() const { return kind() == Kind::integer; }
  bool is_string() const { return kind() == Kind::string; }
  bool is_array() const { return kind() == Kind::array; }
  bool is_object() const { return kind() == Kind::object; }

  bool as_bool() const;
  std::int64_t as_int() const;
  const std::string& as_string() const;
  const std::vector<Value>& as_array() const;
  const std::vector<Member>& as_object() const;

  // The member's value, or nullptr if this is not an object or has no such key. Linear in the
  // number of members.
  const Value* find(std::string_view key) const;

  // Building in code. append() requires an array; add_member() requires an object and a key that
  // is not there yet (both LOYALTY_ASSERT). add_member() is linear in the number of members.
  void append(Value item);
  void add_member(std::string key, Value value);

  // 1-based position of the value's first character in the parsed text; 0 if built in code.
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }

  // Structural equality: same kind and content, members in the same order. Positions are ignored.
  friend bool operator==(const Value& a, const Value& b);

 private:
  friend class detail::Parser;

  // Index order matches Kind.
  using Data = std::variant<std::monostate, bool, std::int64_t, std::string, std::vector<Value>,
                            std::vector<Member>>;

  Data data_;
  std::uint32_t line_ = 0;
  std::uint32_t column_ = 0;
};

// One member of an object: the decoded key and the value, both owned. A plain value, thread-safety
// as for Value.
struct Member {
  std::string key;
  Value value;

  friend bool operator==(const Member& a, const Member& b);
};

inline Value Value::make_null() { return Value(); }

inline bool Value::as_bool() const {
  LOYALTY_ASSERT(is_bool());
  return *std::get_if<bool>(&data_);
}

inline std::int64_t Value::as_int() const {
  LOYALTY_ASSERT(is_int());
  return *std::get_if<std::int64_t>(&data_);
}

inline const std::string& Value::as_string() const {
  LOYALTY_ASSERT(is_string());
  return *std::get_if<std::string>(&data_);
}

inline const std::vector<Value>& Value::as_array() const {
  LOYALTY_ASSERT(is_array());
  return *std::get_if<std::vector<Value>>(&data_);
}

inline const std::vector<Member>& Value::as_object() const {
  LOYALTY_ASSERT(is_object());
  return *std::get_if<std::vector<Member>>(&data_);
}

// Parses one JSON document. Errors: ErrorCode::parse_error for malformed text, and
// ErrorCode::limit_exceeded when the text, a string, an array, an object or the nesting is larger
// than limits.h allows. The message reads "line L, column C: <reason>". Never reads outside
// `text`; recursion depth is bounded by limits::json_depth_max.
Result<Value> parse(std::string_view text);

// The bounds parse() enforces; the defaults are limits.h's. Documents that carry larger texts
// by design (sync's batches and downlink, which hold event payloads and rule bundles as strings)
// pass larger ones. `depth` may not exceed limits::json_depth_max (recursion stays bounded).
struct ParseLimits {
  std::size_t bytes = limits::json_bytes_max;
  std::size_t depth = limits::json_depth_max;
  std::size_t string_bytes = limits::json_string_bytes_max;
  std::size_t array_items = limits::json_array_items_max;
  std::size_t object_members = limits::json_object_members_max;
};
Result<Value> parse(std::string_view text, const ParseLimits& limits);

enum class Format {
  compact,  // no whitespace at all
  pretty,   // 2-space indent, one member or item per line, "key": value; no trailing newline
};

// Writes one JSON document into a string that the Writer owns; take() hands it over.
//
// Commas, colons and (in pretty format) newlines and indentation are inserted automatically.
// Strings are escaped: '"', '\\', and control characters as \b \f \n \r \t or \u00xx; other
// bytes, including non-ASCII UTF-8, pass through unchanged, except that bytes that are not
// well-formed UTF-8 are each replaced by U+FFFD so the output is always valid JSON. Output is
// deterministic. Keys are written as given: keeping them unique is the caller's job (parse()
// rejects duplicates). A "\u0000" in a string is written as such, which parse() rejects.
//
// Misuse is a bug and fails LOYALTY_ASSERT: a key outside an object or twice in a row, a value in
// an object without a key, an end_...() that does not match its begin_...(), a second top-level
// value, take() before the document is complete.
//
// Ownership: owns its output buffer. Thread-safety: none; use one Writer per thread.
class Writer {
 public:
  explicit Writer(Format format = Format::compact);

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void value(std::int64_t number);
  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(bool flag);
  void value(const Value& tree);
  // Other integer types (int, unsigned, std::size_t...). The value must fit in int64.
  template <detail::OtherInteger T>
  void value(T number) {
    LOYALTY_ASSERT(std::in_range<std::int64_t>(number));
    value(static_cast<std::int64_t>(number));
  }
  void null();

  // True once exactly one complete top-level value has been written.
  bool complete() const { return done_ && stack_.empty(); }

  // The text written so far (possibly an incomplete document).
  const std::string& str() const { return out_; }

  // Hands over the complete document (LOYALTY_ASSERT(complete())) and resets the Writer, which
  // can then write a new document.
  std::string take();

 private:
  struct Frame {
    bool object = false;
    bool empty = true;
    bool after_key = false;
  };

  void before_value();
  void after_value();
  void newline_and_indent();
  void end_container(bool object, char close);

  std::string out_;
  std::vector<Frame> stack_;
  Format format_;
  bool done_ = false;
};

// Writes a value as a JSON document (compact, or pretty as Writer does).
std::string to_string(const Value& value, bool pretty);

// Appends `text` as a JSON string literal, quotes included, escaped as Writer does.
void append_quoted(std::string& out, std::string_view text);

// `text` as a JSON string literal, quotes included: for messages such as `duplicate key "k"`.
std::string quote(std::string_view text);

namespace detail {
// Length (1..4) of the well-formed UTF-8 sequence that starts at text[pos], or 0 if the bytes
// there are not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above
// U+10FFFF). Requires pos < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);
}  // namespace detail

}  // namespace loyalty::json
