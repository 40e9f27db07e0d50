#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"

namespace loyalty::json {

namespace {

constexpr std::string_view integers_only_reason =
    "numbers must be integers (money is in minor units, rates in basis points)";

// Objects up to this many members look for duplicate keys by a linear scan; larger ones by hash.
constexpr std::size_t linear_duplicate_scan_members_max = 16;

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_hex_byte(std::string& out, unsigned char c) {
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  out += "0x";
  out += hex_digits[c >> 4];
  out += hex_digits[c & 0xF];
}

// "'x'" for a printable ASCII character, "byte 0xNN" otherwise.
std::string describe_byte(unsigned char c) {
  std::string text;
  if (c >= 0x20 && c < 0x7F) {
    text += '\'';
    text += static_cast<char>(c);
    text += '\'';
  } else {
    text += "byte ";
    append_hex_byte(text, c);
  }
  return text;
}

std::string hex4(std::uint32_t code_unit) {
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  std::string text;
  for (int shift = 12; shift >= 0; shift -= 4) text += hex_digits[(code_unit >> shift) & 0xF];
  return text;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Why the bytes at text[pos] are not well-formed UTF-8 (only called when they are not).
std::string describe_bad_utf8(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const auto second = pos + 1 < text.size() ? static_cast<unsigned char>(text[pos + 1])
                                            : static_cast<unsigned char>(0);
  std::string reason = "invalid UTF-8 in string: ";
  if (lead >= 0x80 && lead <= 0xBF) {
    reason += "unexpected continuation byte ";
    append_hex_byte(reason, lead);
  } else if (lead == 0xC0 || lead == 0xC1 || (lead == 0xE0 && second >= 0x80 && second < 0xA0) ||
             (lead == 0xF0 && second >= 0x80 && second < 0x90)) {
    reason += "overlong encoding";
  } else if (lead == 0xED && second >= 0xA0 && second <= 0xBF) {
    reason += "encoded UTF-16 surrogate";
  } else if ((lead == 0xF4 && second >= 0x90 && second <= 0xBF) || (lead >= 0xF5 && lead <= 0xF7)) {
    reason += "code point above U+10FFFF";
  } else if (lead >= 0xF8) {
    reason += "byte ";
    append_hex_byte(reason, lead);
    reason += " never appears in UTF-8";
  } else {
    reason += "truncated sequence";
  }
  return reason;
}

struct Position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

}  // namespace

namespace detail {

// Recursive-descent parser over one text. Recursion depth is bounded by limits_.depth (at most
// limits::json_depth_max);
// every read is bounds-checked against text_. On the first error it records error_ and every
// function returns false up the stack.
class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : text_(text), limits_(limits) {}

  Result<Value> parse_document() {
    if (text_.size() > limits_.bytes) {
      fail(ErrorCode::limit_exceeded, Position{},
           "text is " + std::to_string(text_.size()) + " bytes, more than the limit of " +
               std::to_string(limits_.bytes) + " bytes");
      return std::move(error_);
    }
    if (text_.empty()) {
      fail(ErrorCode::parse_error, Position{}, "empty input (expected a JSON value)");
      return std::move(error_);
    }
    if (text_.starts_with("\xEF\xBB\xBF")) {
      fail(ErrorCode::parse_error, Position{}, "UTF-8 byte order mark is not allowed");
      return std::move(error_);
    }
    Value value;
    if (!parse_value(value, 0)) return std::move(error_);
    skip_whitespace();
    if (!at_end()) {
      fail(ErrorCode::parse_error, here(),
           "unexpected " + describe_byte(peek()) + " after the value");
      return std::move(error_);
    }
    return value;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(text_[pos_]); }

  Position here() const {
    return Position{line_,
                    static_cast<std::uint32_t>(pos_ - line_start_ - continuation_bytes_ + 1)};
  }

  // Records the error and returns false, so callers can write `return fail(...)`.
  bool fail(ErrorCode code, Position at, std::string_view reason) {
    std::string message =
        "line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": ";
    message += reason;
    error_ = make_error(code, std::move(message));
    return false;
  }

  bool fail_unexpected(std::string_view expected) {
    if (at_end()) {
      return fail(ErrorCode::parse_error, here(),
                  "unexpected end of input (expected " + std::string(expected) + ")");
    }
    return fail(
        ErrorCode::parse_error, here(),
        "unexpected " + describe_byte(peek()) + " (expected " + std::string(expected) + ")");
  }

  void skip_whitespace() {
    while (!at_end()) {
      const unsigned char c = peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
        continuation_bytes_ = 0;
      } else {
        return;
      }
    }
  }

  bool parse_value(Value& out, std::size_t depth) {
    skip_whitespace();
    if (at_end()) return fail_unexpected("a value");
    const Position start = here();
    out.line_ = start.line;
    out.column_ = start.column;
    switch (peek()) {
      case '{':
        return parse_object(out, depth + 1, start);
      case '[':
        return parse_array(out, depth + 1, start);
      case '"': {
        std::string text;
        if (!parse_string(text, start)) return false;
        out.data_.emplace<std::string>(std::move(text));
        return true;
      }
      case 't':
        return parse_literal(out, "true", start);
      case 'f':
        return parse_literal(out, "false", start);
      case 'n':
        return parse_literal(out, "null", start);
      default:
        break;
    }
    if (peek() == '-' || is_digit(peek())) return parse_number(out, start);
    return fail_unexpected("a value");
  }

  bool check_depth(std::size_t depth, Position start) {
    if (depth <= limits_.depth) return true;
    return fail(ErrorCode::limit_exceeded, start,
                "nesting is deeper than " + std::to_string(limits_.depth) + " levels");
  }

  bool parse_array(Value& out, std::size_t depth, Position start) {
    if (!check_depth(depth, start)) return false;
    ++pos_;  // '['
    std::vector<Value> items;
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++pos_;
      out.data_.emplace<std::vector<Value>>();
      return true;
    }
    while (true) {
      skip_whitespace();
      if (items.size() == limits_.array_items) {
        return fail(
            ErrorCode::limit_exceeded, here(),
            "array has more than " + std::to_string(limits_.array_items) + " items");
      }
      items.emplace_back();
      if (!parse_value(items.back(), depth)) return false;
      skip_whitespace();
      if (at_end()) return fail_unexpected("',' or ']'");
      const unsigned char c = peek();
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == ']') {
        ++pos_;
        break;
      }
      return fail_unexpected("',' or ']'");
    }
    out.data_.emplace<std::vector<Value>>(std::move(items));
    return true;
  }

  // Hashes and compares members by index, so that it survives reallocation of the vector.
  struct KeyHash {
    const std::vector<Member>* members;
    std::size_t operator()(std::size_t i) const {
      return std::hash<std::string>()((*members)[i].key);
    }
  };
  struct KeyEqual {
    const std::vector<Member>* members;
    bool operator()(std::size_t a, std::size_t b) const {
      return (*members)[a].key == (*members)[b].key;
    }
  };
  using KeyIndex = std::unordered_set<std::size_t, KeyHash, KeyEqual>;

  // True if the last member's key repeats an earlier one. `index` is built once the object
  // grows past linear_duplicate_scan_members_max.
  static bool last_key_is_duplicate(const std::vector<Member>& members, KeyIndex& index) {
    const std::size_t last = members.size() - 1;
    if (members.size() <= linear_duplicate_scan_members_max) {
      for (std::size_t i = 0; i < last; ++i) {
        if (members[i].key == members[last].key) return true;
      }
      return false;
    }
    if (index.empty()) {
      for (std::size_t i = 0; i < last; ++i) index.insert(i);
    }
    return !index.insert(last).second;
  }

  bool parse_object(Value& out, std::size_t depth, Position start) {
    if (!check_depth(depth, start)) return false;
    ++pos_;  // '{'
    std::vector<Member> members;
    KeyIndex index(0, KeyHash{&members}, KeyEqual{&members});
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++pos_;
      out.data_.emplace<std::vector<Member>>();
      return true;
    }
    while (true) {
      skip_whitespace();
      if (at_end() || peek() != '"') return fail_unexpected("a string key");
      const Position key_start = here();
      if (members.size() == limits_.object_members) {
        return fail(
            ErrorCode::limit_exceeded, key_start,
            "object has more than " + std::to_string(limits_.object_members) + " members");
      }
      members.emplace_back();
      if (!parse_string(members.back().key, key_start)) return false;
      if (last_key_is_duplicate(members, index)) {
        return fail(ErrorCode::parse_error, key_start,
                    "duplicate key " + quote(members.back().key));
      }
      skip_whitespace();
      if (at_end() || peek() != ':') return fail_unexpected("':' after the key");
      ++pos_;
      if (!parse_value(members.back().value, depth)) return false;
      skip_whitespace();
      if (at_end()) return fail_unexpected("',' or '}'");
      const unsigned char c = peek();
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '}') {
        ++pos_;
        break;
      }
      return fail_unexpected("',' or '}'");
    }
    out.data_.emplace<std::vector<Member>>(std::move(members));
    return true;
  }

  bool parse_literal(Value& out, std::string_view literal, Position start) {
    if (text_.substr(pos_, literal.size()) != literal) {
      return fail(ErrorCode::parse_error, start, "invalid literal (expected true, false or null)");
    }
    pos_ += literal.size();
    if (literal == "true") {
      out.data_.emplace<bool>(true);
    } else if (literal == "false") {
      out.data_.emplace<bool>(false);
    }  // "null": out is already null
    return true;
  }

  bool parse_number(Value& out, Position start) {
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    if (at_end() || !is_digit(peek())) {
      return fail(ErrorCode::parse_error, start, "'-' must be followed by a digit");
    }
    if (peek() == '0' && pos_ + 1 < text_.size() &&
        is_digit(static_cast<unsigned char>(text_[pos_ + 1]))) {
      return fail(ErrorCode::parse_error, start, "leading zeros are not allowed");
    }
    // Accumulate the magnitude; the negative range is one larger than the positive one.
    const std::uint64_t magnitude_max =
        negative ? static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1
                 : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t magnitude = 0;
    bool out_of_range = false;
    while (!at_end() && is_digit(peek())) {
      const std::uint64_t digit = peek() - '0';
      if (magnitude > (magnitude_max - digit) / 10) {
        out_of_range = true;
      } else {
        magnitude = magnitude * 10 + digit;
      }
      ++pos_;
    }
    if (!at_end() && (peek() == '.' || peek() == 'e' || peek() == 'E')) {
      return fail(ErrorCode::parse_error, start, integers_only_reason);
    }
    if (out_of_range) return fail(ErrorCode::parse_error, start, "integer out of range");
    std::int64_t number = 0;
    if (negative) {
      // -(2^63) cannot be negated in int64: build it from (magnitude - 1).
      number = magnitude == 0 ? 0 : -static_cast<std::int64_t>(magnitude - 1) - 1;
    } else {
      number = static_cast<std::int64_t>(magnitude);
    }
    out.data_.emplace<std::int64_t>(number);
    return true;
  }

  bool check_string_size(const std::string& out, Position start) {
    if (out.size() <= limits_.string_bytes) return true;
    return fail(
        ErrorCode::limit_exceeded, start,
        "string is longer than " + std::to_string(limits_.string_bytes) + " bytes");
  }

  // Reads 4 hex digits at pos_ into *code_unit; false if they are not there.
  bool read_hex4(std::uint32_t* code_unit) {
    if (text_.size() - pos_ < 4) return false;
    std::uint32_t result = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int digit = hex_value(static_cast<unsigned char>(text_[pos_ + i]));
      if (digit < 0) return false;
      result = result * 16 + static_cast<std::uint32_t>(digit);
    }
    pos_ += 4;
    *code_unit = result;
    return true;
  }

  // At a backslash inside the string that starts at string_start: decodes one escape into out.
  bool parse_escape(std::string& out, Position string_start) {
    const Position escape_start = here();
    ++pos_;  // '\'
    if (at_end()) return fail(ErrorCode::parse_error, string_start, "unterminated string");
    const unsigned char c = peek();
    ++pos_;
    switch (c) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default: {
        std::string reason;
        if (c >= 0x20 && c < 0x7F) {
          reason = "invalid escape \\";
          reason += static_cast<char>(c);
          reason += " in string";
        } else {
          reason = "invalid escape in string: backslash followed by " + describe_byte(c);
        }
        return fail(ErrorCode::parse_error, escape_start, reason);
      }
    }
    std::uint32_t code_unit = 0;
    if (!read_hex4(&code_unit)) {
      return fail(ErrorCode::parse_error, escape_start,
                  "invalid \\u escape in string (expected 4 hex digits)");
    }
    if (code_unit == 0) {
      return fail(ErrorCode::parse_error, escape_start, "NUL (\\u0000) is not allowed in strings");
    }
    if (code_unit >= 0xDC00 && code_unit <= 0xDFFF) {
      return fail(ErrorCode::parse_error, escape_start,
                  "lone low surrogate \\u" + hex4(code_unit) + " in string");
    }
    std::uint32_t code_point = code_unit;
    if (code_unit >= 0xD800 && code_unit <= 0xDBFF) {
      std::uint32_t low = 0;
      bool has_low = false;
      if (text_.size() - pos_ >= 2 && text_[pos_] == '\\' && text_[pos_ + 1] == 'u') {
        pos_ += 2;
        has_low = read_hex4(&low) && low >= 0xDC00 && low <= 0xDFFF;
      }
      if (!has_low) {
        return fail(ErrorCode::parse_error, escape_start,
                    "lone high surrogate \\u" + hex4(code_unit) +
                        " in string (expected a low surrogate \\uDC00-\\uDFFF after it)");
      }
      code_point = 0x10000 + ((code_unit - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code_point);
    return true;
  }

  // At the opening quote: decodes the string into out. `start` is the quote's position.
  bool parse_string(std::string& out, Position start) {
    ++pos_;  // '"'
    while (true) {
      const std::size_t run_begin = pos_;
      while (!at_end()) {
        const unsigned char c = peek();
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++pos_;
      }
      out.append(text_.data() + run_begin, pos_ - run_begin);
      if (!check_string_size(out, start)) return false;
      if (at_end()) return fail(ErrorCode::parse_error, start, "unterminated string");
      const unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!parse_escape(out, start)) return false;
      } else if (c < 0x20) {
        std::string reason =
            "control character U+00" + hex4(c).substr(2) + " must be escaped in strings";
        return fail(ErrorCode::parse_error, here(), reason);
      } else {
        const std::size_t length = utf8_sequence_length(text_, pos_);
        if (length == 0) {
          return fail(ErrorCode::parse_error, here(), describe_bad_utf8(text_, pos_));
        }
        out.append(text_.data() + pos_, length);
        pos_ += length;
        continuation_bytes_ += length - 1;
      }
      if (!check_string_size(out, start)) return false;
    }
  }

  std::string_view text_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;          // offset of the first byte of the current line
  std::size_t continuation_bytes_ = 0;  // UTF-8 continuation bytes in [line_start_, pos_)
  Error error_;
};

}  // namespace detail

Result<Value> parse(std::string_view text) { return parse(text, ParseLimits{}); }

Result<Value> parse(std::string_view text, const ParseLimits& parse_limits) {
  LOYALTY_ASSERT(parse_limits.depth <= limits::json_depth_max);
  return detail::Parser(text, parse_limits).parse_document();
}

}  // namespace loyalty::json
