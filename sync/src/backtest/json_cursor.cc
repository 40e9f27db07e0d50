// JsonCursor: a strict pull reader that hands out views into the text (json_cursor.h).

#include "backtest/json_cursor.h"

#include <limits>

#include "loyalty/core/json.h"

namespace loyalty::sync::backtest {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes a string scan must stop at: the closing quote, a backslash, a control character, and the
// first byte of a UTF-8 sequence (checked there); every other byte is skipped in a tight loop.
struct StopBytes {
  bool stop[256] = {};
  constexpr StopBytes() {
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    for (int c = 0x80; c < 0x100; ++c) stop[c] = true;
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr StopBytes string_stops;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

}  // namespace

JsonCursor::JsonCursor(std::string_view text, std::deque<std::string>& decoded)
    : text_(text), decoded_(&decoded) {
  if (text.size() > limits::json_bytes_max) {
    error_code_ = ErrorCode::limit_exceeded;
    error_ = "line 1, column 1: the document is larger than " +
             std::to_string(limits::json_bytes_max) + " bytes";
  }
}

bool JsonCursor::fail(std::string_view reason) {
  if (!error_.empty()) return false;
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {  // bounded by the text
    if (text_[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  error_ = "line " + std::to_string(line) + ", column " + std::to_string(pos_ - line_start + 1) +
           ": " + std::string(reason);
  return false;
}

bool JsonCursor::fail_missing(std::string_view name) {
  if (!error_.empty()) return false;
  error_code_ = ErrorCode::invalid_argument;
  error_ = std::string(name) + ": missing";
  return false;
}

Status JsonCursor::status() const {
  if (error_.empty()) return {};
  return make_error(error_code_, error_);
}

void JsonCursor::whitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

bool JsonCursor::expect_value_start() {
  if (!ok()) return false;
  whitespace();
  if (pos_ >= text_.size()) return fail("unexpected end of input (expected a value)");
  return true;
}

bool JsonCursor::enter_object() {
  if (!expect_value_start()) return false;
  if (text_[pos_] != '{') return fail("expected an object");
  if (depth_ >= limits::json_depth_max) {
    error_code_ = ErrorCode::limit_exceeded;
    return fail("nested deeper than " + std::to_string(limits::json_depth_max));
  }
  ++pos_;
  items_[++depth_] = 0;
  return true;
}

bool JsonCursor::enter_array() {
  if (!expect_value_start()) return false;
  if (text_[pos_] != '[') return fail("expected an array");
  if (depth_ >= limits::json_depth_max) {
    error_code_ = ErrorCode::limit_exceeded;
    return fail("nested deeper than " + std::to_string(limits::json_depth_max));
  }
  ++pos_;
  items_[++depth_] = 0;
  return true;
}

// Consumes the comma before a member or item, or the closing bracket (more = false).
bool JsonCursor::before_member_or_item(char close, bool& more) {
  more = false;
  if (!ok()) return false;
  LOYALTY_ASSERT(depth_ > 0);
  whitespace();
  if (pos_ >= text_.size()) return fail("unexpected end of input");
  if (text_[pos_] == close) {
    ++pos_;
    --depth_;
    return true;
  }
  if (items_[depth_] > 0) {
    if (text_[pos_] != ',') return fail(std::string("expected ',' or '") + close + "'");
    ++pos_;
    whitespace();
  }
  const bool object = close == '}';
  const std::size_t items_max =
      object ? limits::json_object_members_max : limits::json_array_items_max;
  if (items_[depth_] >= items_max) {  // as json::parse: refused when one more begins
    error_code_ = ErrorCode::limit_exceeded;
    return fail(std::string(object ? "object has more than " : "array has more than ") +
                std::to_string(items_max) + (object ? " members" : " items"));
  }
  ++items_[depth_];
  more = true;
  return true;
}

bool JsonCursor::next_key(std::string_view& key) {
  bool more = false;
  if (!before_member_or_item('}', more) || !more) return false;
  if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name");
  if (!scan_string(key)) return false;
  whitespace();
  if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':'");
  ++pos_;
  return true;
}

bool JsonCursor::next_item() {
  bool more = false;
  return before_member_or_item(']', more) && more;
}

bool JsonCursor::integer(std::int64_t& out) {
  if (!expect_value_start()) return false;
  const std::size_t start = pos_;
  const bool negative = text_[pos_] == '-';
  if (negative) ++pos_;
  if (pos_ >= text_.size() || !is_digit(text_[pos_])) return fail("expected an integer");
  if (text_[pos_] == '0' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) {
    return fail("an integer may not have a leading zero");
  }
  std::uint64_t magnitude = 0;
  const std::uint64_t limit =
      negative ? std::uint64_t{1} << 63 : std::uint64_t{std::numeric_limits<std::int64_t>::max()};
  std::size_t digits = 0;
  while (pos_ < text_.size() && is_digit(text_[pos_])) {  // bounded by the text
    const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
    // 18 digits always fit; from the 19th on, each step is checked.
    if (++digits > 18 && magnitude > (limit - digit) / 10) {
      pos_ = start;
      return fail("integer outside the 64-bit range");
    }
    magnitude = magnitude * 10 + digit;
    ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    return fail("numbers must be integers (no fraction or exponent)");
  }
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

bool JsonCursor::literal(std::string_view word) {
  if (pos_ >= text_.size() || text_[pos_] != word[0] ||
      text_.compare(pos_, word.size(), word) != 0) {
    return false;
  }
  pos_ += word.size();
  return true;
}

bool JsonCursor::boolean(bool& out) {
  if (!expect_value_start()) return false;
  if (literal("true")) {
    out = true;
    return true;
  }
  if (literal("false")) {
    out = false;
    return true;
  }
  return fail("expected true or false");
}

bool JsonCursor::text(std::string_view& out) {
  if (!expect_value_start()) return false;
  if (text_[pos_] != '"') return fail("expected a string");
  return scan_string(out);
}

bool JsonCursor::text_or_null(std::string_view& out, bool& is_null) {
  if (!expect_value_start()) return false;
  is_null = literal("null");
  if (is_null) {
    out = {};
    return true;
  }
  if (text_[pos_] != '"') return fail("expected a string or null");
  return scan_string(out);
}

// At the opening quote: the string up to its closing quote, escapes decoded.
bool JsonCursor::scan_string(std::string_view& out) {
  const std::size_t start = ++pos_;
  bool escaped = false;
  const std::size_t size = text_.size();
  const char* data = text_.data();
  while (pos_ < size) {  // bounded by the text
    while (pos_ < size && !string_stops.stop[static_cast<unsigned char>(data[pos_])]) ++pos_;
    if (pos_ >= size) break;
    const char c = data[pos_];
    if (c == '"') {
      const std::size_t end = pos_++;
      if (!escaped) {
        if (end - start > limits::json_string_bytes_max) return fail_string_size(start);
        out = text_.substr(start, end - start);
        return true;
      }
      if (!decode_escapes(start, end, out)) return false;
      if (out.size() > limits::json_string_bytes_max) return fail_string_size(start);
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t length = json::detail::utf8_sequence_length(text_, pos_);
      if (length == 0) return fail("invalid UTF-8 in a string");
      pos_ += length;
      continue;
    }
    if (c == '\\') {
      escaped = true;
      ++pos_;  // the escaped character is checked when decoding
    }
    ++pos_;
  }
  return fail("unexpected end of input in a string");
}

// A string whose text (decoded) is longer than json::parse allows; reported at its opening quote.
bool JsonCursor::fail_string_size(std::size_t start) {
  pos_ = start - 1;
  error_code_ = ErrorCode::limit_exceeded;
  return fail("string is longer than " + std::to_string(limits::json_string_bytes_max) + " bytes");
}

// Four hex digits at text[at, at + 4), within the string's end.
bool JsonCursor::hex4(std::size_t at, std::size_t end, std::uint32_t& unit) {
  if (end < at + 4) return fail("invalid \\u escape in a string");
  unit = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    const int digit = hex_value(text_[k]);
    if (digit < 0) return fail("invalid \\u escape in a string");
    unit = unit * 16 + static_cast<std::uint32_t>(digit);
  }
  return true;
}

// The escape at text[i] ('\\'): appends what it stands for and moves i to its last character.
bool JsonCursor::decode_escape(std::size_t& i, std::size_t end, std::string& decoded) {
  const char e = text_[++i];  // scan_string() saw a character after every backslash
  switch (e) {
    case '"':
      decoded += '"';
      return true;
    case '\\':
      decoded += '\\';
      return true;
    case '/':
      decoded += '/';
      return true;
    case 'b':
      decoded += '\b';
      return true;
    case 'f':
      decoded += '\f';
      return true;
    case 'n':
      decoded += '\n';
      return true;
    case 'r':
      decoded += '\r';
      return true;
    case 't':
      decoded += '\t';
      return true;
    case 'u':
      break;
    default:
      return fail("invalid escape in a string");
  }
  std::uint32_t code = 0;
  if (!hex4(i + 1, end, code)) return false;
  i += 4;
  if (code >= 0xdc00 && code <= 0xdfff) return fail("lone surrogate in a string");
  if (code >= 0xd800 && code <= 0xdbff) {  // a high surrogate: its low half must follow
    std::uint32_t low = 0;
    if (end < i + 3 || text_[i + 1] != '\\' || text_[i + 2] != 'u' || !hex4(i + 3, end, low) ||
        low < 0xdc00 || low > 0xdfff) {
      return fail("lone surrogate in a string");
    }
    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
    i += 6;
  }
  if (code == 0) return fail("\\u0000 is not allowed in a string");
  append_utf8(decoded, code);
  return true;
}

bool JsonCursor::decode_escapes(std::size_t start, std::size_t end, std::string_view& out) {
  std::string& decoded = decoded_->emplace_back();
  for (std::size_t i = start; i < end; ++i) {  // bounded by the string
    if (text_[i] != '\\') {
      decoded += text_[i];
    } else if (!decode_escape(i, end, decoded)) {
      return false;
    }
  }
  out = decoded;
  return true;
}

bool JsonCursor::skip() {
  if (!expect_value_start()) return false;
  const char c = text_[pos_];
  std::string_view ignored;
  std::int64_t number = 0;
  if (c == '"') return scan_string(ignored);
  if (c == '{') {
    if (!enter_object()) return false;
    while (next_key(ignored)) {  // bounded by the text
      if (!skip()) return false;
    }
    return ok();
  }
  if (c == '[') {
    if (!enter_array()) return false;
    while (next_item()) {  // bounded by the text
      if (!skip()) return false;
    }
    return ok();
  }
  if (c == 't' || c == 'f' || c == 'n') {
    if (literal("true") || literal("false") || literal("null")) return true;
    return fail("expected a value");
  }
  return integer(number);
}

bool JsonCursor::finish() {
  if (!ok()) return false;
  whitespace();
  if (pos_ != text_.size()) return fail("unexpected text after the document");
  return true;
}

}  // namespace loyalty::sync::backtest
