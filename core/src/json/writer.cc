#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "loyalty/core/json.h"

namespace loyalty::json {

namespace {

constexpr std::size_t initial_capacity_bytes = 256;

// Bytes that may be copied into a string literal unchanged without further checks.
bool is_plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

void append_escaped_ascii(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  static constexpr char hex_digits[] = "0123456789abcdef";
  const char escape[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
  out.append(escape, sizeof(escape));
}

// The length of the run of plain ASCII bytes at the start of `text`: what can be copied as is.
std::size_t plain_prefix(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_plain_ascii(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// The rest of `text` from `i`, the first byte that is not plain: escapes, valid UTF-8 copied,
// and U+FFFD for a byte that is not UTF-8.
void append_escaped_rest(std::string& out, std::string_view text, std::size_t i) {
  std::size_t run_begin = i;  // start of bytes not yet copied
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_plain_ascii(c)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t length = detail::utf8_sequence_length(text, i);
      if (length != 0) {
        i += length;
        continue;
      }
    }
    out.append(text.data() + run_begin, i - run_begin);
    if (c >= 0x80) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for a byte that is not UTF-8
    } else {
      append_escaped_ascii(out, c);
    }
    ++i;
    run_begin = i;
  }
  out.append(text.data() + run_begin, text.size() - run_begin);
}

}  // namespace

void append_quoted(std::string& out, std::string_view text) {
  // Keys, ids and times are one plain run: a quote, one copy, a quote.
  const std::size_t plain = plain_prefix(text);
  out.push_back('"');
  out.append(text.data(), plain);
  if (plain != text.size()) append_escaped_rest(out, text, plain);
  out.push_back('"');
}

std::string quote(std::string_view text) {
  std::string out;
  append_quoted(out, text);
  return out;
}

Writer::Writer(Format format) : format_(format) { out_.reserve(initial_capacity_bytes); }

void Writer::newline_and_indent() {
  if (format_ != Format::pretty) return;
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void Writer::before_value() {
  if (stack_.empty()) {
    LOYALTY_ASSERT(!done_);  // one top-level value per document
    return;
  }
  Frame& frame = stack_.back();
  if (frame.object) {
    LOYALTY_ASSERT(frame.after_key);  // a value in an object needs a key first
    frame.after_key = false;
    return;
  }
  if (!frame.empty) out_ += ',';
  frame.empty = false;
  newline_and_indent();
}

void Writer::after_value() {
  if (stack_.empty()) done_ = true;
}

void Writer::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back(Frame{.object = true});
}

void Writer::begin_array() {
  before_value();
  out_ += '[';
  stack_.push_back(Frame{.object = false});
}

void Writer::end_container(bool object, char close) {
  LOYALTY_ASSERT(!stack_.empty());
  const Frame frame = stack_.back();
  LOYALTY_ASSERT(frame.object == object);
  LOYALTY_ASSERT(!frame.after_key);  // a key without its value
  stack_.pop_back();
  if (!frame.empty) newline_and_indent();
  out_ += close;
  after_value();
}

void Writer::end_object() { end_container(true, '}'); }

void Writer::end_array() { end_container(false, ']'); }

void Writer::key(std::string_view name) {
  LOYALTY_ASSERT(!stack_.empty());
  Frame& frame = stack_.back();
  LOYALTY_ASSERT(frame.object);
  LOYALTY_ASSERT(!frame.after_key);
  if (!frame.empty) out_ += ',';
  frame.empty = false;
  frame.after_key = true;
  newline_and_indent();
  append_quoted(out_, name);
  out_ += ':';
  if (format_ == Format::pretty) out_ += ' ';
}

void Writer::value(std::int64_t number) {
  before_value();
  char buffer[24];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), number);
  LOYALTY_ASSERT(error == std::errc());
  out_.append(buffer, static_cast<std::size_t>(end - buffer));
  after_value();
}

void Writer::value(std::string_view text) {
  before_value();
  append_quoted(out_, text);
  after_value();
}

void Writer::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  after_value();
}

void Writer::null() {
  before_value();
  out_ += "null";
  after_value();
}

void Writer::value(const Value& tree) {
  switch (tree.kind()) {
    case Kind::null:
      null();
      return;
    case Kind::boolean:
      value(tree.as_bool());
      return;
    case Kind::integer:
      value(tree.as_int());
      return;
    case Kind::string:
      value(std::string_view(tree.as_string()));
      return;
    case Kind::array:
      begin_array();
      for (const Value& item : tree.as_array()) value(item);
      end_array();
      return;
    case Kind::object:
      begin_object();
      for (const Member& member : tree.as_object()) {
        key(member.key);
        value(member.value);
      }
      end_object();
      return;
  }
}

std::string Writer::take() {
  LOYALTY_ASSERT(complete());
  std::string result = std::move(out_);
  out_ = std::string();
  out_.reserve(initial_capacity_bytes);
  stack_.clear();
  done_ = false;
  return result;
}

std::string to_string(const Value& value, bool pretty) {
  Writer writer(pretty ? Format::pretty : Format::compact);
  writer.value(value);
  return writer.take();
}

}  // namespace loyalty::json
