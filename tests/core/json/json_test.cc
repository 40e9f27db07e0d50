#include "loyalty/core/json.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/core/utf8.h"

namespace loyalty::json {
namespace {

Value parse_ok(std::string_view text) {
  Result<Value> result = parse(text);
  INFO("text: " << text);
  if (!result.ok()) FAIL("unexpected error: " << result.error().message);
  return std::move(result).value();
}

Error parse_fails(std::string_view text) {
  Result<Value> result = parse(text);
  INFO("text: " << text);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

std::string parse_message(std::string_view text) { return parse_fails(text).message; }

constexpr std::string_view integers_only =
    "numbers must be integers (money is in minor units, rates in basis points)";

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// ---------------------------------------------------------------------------------------------
// Parsing valid documents

TEST_CASE("json parses scalars", "[json]") {
  CHECK(parse_ok("null").is_null());
  CHECK(parse_ok("true").as_bool() == true);
  CHECK(parse_ok("false").as_bool() == false);
  CHECK(parse_ok("0").as_int() == 0);
  CHECK(parse_ok("-0").as_int() == 0);
  CHECK(parse_ok("7").as_int() == 7);
  CHECK(parse_ok("-42").as_int() == -42);
  CHECK(parse_ok("1234567890").as_int() == 1234567890);
  CHECK(parse_ok("\"\"").as_string().empty());
  CHECK(parse_ok("\"abc\"").as_string() == "abc");
  CHECK(parse_ok(" \t\r\n 5 \t\r\n ").as_int() == 5);
}

TEST_CASE("json kinds and predicates", "[json]") {
  CHECK(parse_ok("null").kind() == Kind::null);
  CHECK(parse_ok("true").kind() == Kind::boolean);
  CHECK(parse_ok("1").kind() == Kind::integer);
  CHECK(parse_ok("\"s\"").kind() == Kind::string);
  CHECK(parse_ok("[]").kind() == Kind::array);
  CHECK(parse_ok("{}").kind() == Kind::object);
  const Value v = parse_ok("[null, true, 1, \"s\", [], {}]");
  const auto& items = v.as_array();
  REQUIRE(items.size() == 6);
  CHECK(items[0].is_null());
  CHECK(items[1].is_bool());
  CHECK(items[2].is_int());
  CHECK(items[3].is_string());
  CHECK(items[4].is_array());
  CHECK(items[5].is_object());
  CHECK_FALSE(items[2].is_string());
  CHECK(std::string(kind_name(Kind::object)) == "object");
  CHECK(std::string(kind_name(Kind::integer)) == "integer");
}

TEST_CASE("json int64 bounds", "[json]") {
  CHECK(parse_ok("9223372036854775807").as_int() == std::numeric_limits<std::int64_t>::max());
  CHECK(parse_ok("-9223372036854775808").as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK(parse_ok("-9223372036854775807").as_int() == -9223372036854775807);
  CHECK(parse_message("9223372036854775808") == "line 1, column 1: integer out of range");
  CHECK(parse_message("-9223372036854775809") == "line 1, column 1: integer out of range");
  CHECK(parse_message("18446744073709551616") == "line 1, column 1: integer out of range");
  CHECK(parse_message("[1, 99999999999999999999999999999]") ==
        "line 1, column 5: integer out of range");
  CHECK(parse_fails("9223372036854775808").code == ErrorCode::parse_error);
}

TEST_CASE("json objects keep insertion order and find members", "[json]") {
  const Value v = parse_ok(R"({"z": 1, "a": "x", "m": [true], "n": {"k": null}})");
  const auto& members = v.as_object();
  REQUIRE(members.size() == 4);
  CHECK(members[0].key == "z");
  CHECK(members[1].key == "a");
  CHECK(members[2].key == "m");
  CHECK(members[3].key == "n");
  REQUIRE(v.find("a") != nullptr);
  CHECK(v.find("a")->as_string() == "x");
  CHECK(v.find("z")->as_int() == 1);
  CHECK(v.find("m")->as_array()[0].as_bool());
  CHECK(v.find("n")->find("k")->is_null());
  CHECK(v.find("missing") == nullptr);
  CHECK(v.find("") == nullptr);
  CHECK(parse_ok("[1]").find("a") == nullptr);
  CHECK(parse_ok("\"a\"").find("a") == nullptr);
}

// ---------------------------------------------------------------------------------------------
// Positions

TEST_CASE("json values remember line and column", "[json]") {
  const std::string text =
      "{\n"
      "  \"a\": 1,\n"
      "  \"b\": [true, null],\n"
      "  \"c\": {\"d\": \"x\"}\n"
      "}";
  const Value v = parse_ok(text);
  CHECK(v.line() == 1);
  CHECK(v.column() == 1);
  CHECK(v.find("a")->line() == 2);
  CHECK(v.find("a")->column() == 8);
  const Value& b = *v.find("b");
  CHECK(b.line() == 3);
  CHECK(b.column() == 8);
  CHECK(b.as_array()[0].line() == 3);
  CHECK(b.as_array()[0].column() == 9);
  CHECK(b.as_array()[1].column() == 15);
  const Value& c = *v.find("c");
  CHECK(c.line() == 4);
  CHECK(c.column() == 8);
  CHECK(c.find("d")->line() == 4);
  CHECK(c.find("d")->column() == 14);
}

TEST_CASE("json columns count code points, not bytes", "[json]") {
  // "é" is 2 bytes, "€" 3 bytes, "😀" 4 bytes, each one column.
  const Value v = parse_ok("[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\", 5]");
  CHECK(v.as_array()[1].column() == 9);
  CHECK(parse_message("[\"\xC3\xA9\", x]") ==
        "line 1, column 7: unexpected 'x' (expected a value)");
  // The count restarts on each line.
  CHECK(parse_message("[\"\xC3\xA9\",\n x]") ==
        "line 2, column 2: unexpected 'x' (expected a value)");
}

TEST_CASE("json positions with CRLF line ends", "[json]") {
  const Value v = parse_ok("[\r\n  1,\r\n  2\r\n]");
  CHECK(v.as_array()[0].line() == 2);
  CHECK(v.as_array()[0].column() == 3);
  CHECK(v.as_array()[1].line() == 3);
  CHECK(v.as_array()[1].column() == 3);
  CHECK(parse_message("[\r\n  1.5]") == "line 2, column 3: " + std::string(integers_only));
}

TEST_CASE("json values built in code have no position", "[json]") {
  const Value v = Value::make_int(3);
  CHECK(v.line() == 0);
  CHECK(v.column() == 0);
}

// ---------------------------------------------------------------------------------------------
// Rejections

TEST_CASE("json rejects empty input, BOM and trailing text", "[json]") {
  CHECK(parse_message("") == "line 1, column 1: empty input (expected a JSON value)");
  CHECK(parse_message("   ") == "line 1, column 4: unexpected end of input (expected a value)");
  CHECK(parse_message("\n\n") == "line 3, column 1: unexpected end of input (expected a value)");
  CHECK(parse_message("\xEF\xBB\xBF{}") ==
        "line 1, column 1: UTF-8 byte order mark is not allowed");
  CHECK(parse_message("{} x") == "line 1, column 4: unexpected 'x' after the value");
  CHECK(parse_message("1 2") == "line 1, column 3: unexpected '2' after the value");
  CHECK(parse_message("[]]") == "line 1, column 3: unexpected ']' after the value");
  CHECK(parse_message("null\n\x01") == "line 2, column 1: unexpected byte 0x01 after the value");
  CHECK(parse_message("nulll") == "line 1, column 5: unexpected 'l' after the value");
  CHECK(parse_fails("").code == ErrorCode::parse_error);
}

TEST_CASE("json rejects non-integer numbers", "[json]") {
  const std::string expected = "line 1, column 1: " + std::string(integers_only);
  for (const char* text : {"1.5", "0.1", "-0.0", "1e5", "1E5", "1e-2", "1.", "12.50"}) {
    INFO(text);
    CHECK(parse_message(text) == expected);
    CHECK(parse_fails(text).code == ErrorCode::parse_error);
  }
  CHECK(parse_message("{\"amount\": 12.5}") == "line 1, column 12: " + std::string(integers_only));
  CHECK(parse_message("{\n  \"a\": 1.5\n}") == "line 2, column 8: " + std::string(integers_only));
}

TEST_CASE("json rejects malformed numbers as RFC 8259 does", "[json]") {
  CHECK(parse_message("01") == "line 1, column 1: leading zeros are not allowed");
  CHECK(parse_message("-01") == "line 1, column 1: leading zeros are not allowed");
  CHECK(parse_message("00") == "line 1, column 1: leading zeros are not allowed");
  CHECK(parse_message("-") == "line 1, column 1: '-' must be followed by a digit");
  CHECK(parse_message("[-]") == "line 1, column 2: '-' must be followed by a digit");
  CHECK(parse_message("-a") == "line 1, column 1: '-' must be followed by a digit");
  CHECK(parse_message("+1") == "line 1, column 1: unexpected '+' (expected a value)");
  CHECK(parse_message(".5") == "line 1, column 1: unexpected '.' (expected a value)");
  CHECK(parse_message("0x10") == "line 1, column 2: unexpected 'x' after the value");
  CHECK(parse_message("NaN") == "line 1, column 1: unexpected 'N' (expected a value)");
  CHECK(parse_message("-Infinity") == "line 1, column 1: '-' must be followed by a digit");
}

TEST_CASE("json rejects bad literals", "[json]") {
  const std::string expected = "line 1, column 1: invalid literal (expected true, false or null)";
  CHECK(parse_message("tru") == expected);
  CHECK(parse_message("nul") == expected);
  CHECK(parse_message("fals") == expected);
  CHECK(parse_message("trUe") == expected);
  CHECK(parse_message("True") == "line 1, column 1: unexpected 'T' (expected a value)");
  CHECK(parse_message("[1, nope]") ==
        "line 1, column 5: invalid literal (expected true, false or null)");
}

TEST_CASE("json rejects broken structure", "[json]") {
  CHECK(parse_message("[") == "line 1, column 2: unexpected end of input (expected a value)");
  CHECK(parse_message("[1") == "line 1, column 3: unexpected end of input (expected ',' or ']')");
  CHECK(parse_message("[1,]") == "line 1, column 4: unexpected ']' (expected a value)");
  CHECK(parse_message("[1 2]") == "line 1, column 4: unexpected '2' (expected ',' or ']')");
  CHECK(parse_message("[,1]") == "line 1, column 2: unexpected ',' (expected a value)");
  CHECK(parse_message("{") == "line 1, column 2: unexpected end of input (expected a string key)");
  CHECK(parse_message("{a:1}") == "line 1, column 2: unexpected 'a' (expected a string key)");
  CHECK(parse_message("{\"a\" 1}") ==
        "line 1, column 6: unexpected '1' (expected ':' after the key)");
  CHECK(parse_message("{\"a\"") ==
        "line 1, column 5: unexpected end of input (expected ':' after the key)");
  CHECK(parse_message("{\"a\":}") == "line 1, column 6: unexpected '}' (expected a value)");
  CHECK(parse_message("{\"a\":1,}") == "line 1, column 8: unexpected '}' (expected a string key)");
  CHECK(parse_message("{\"a\":1 \"b\":2}") ==
        "line 1, column 8: unexpected '\"' (expected ',' or '}')");
  CHECK(parse_message("{\"a\":1") ==
        "line 1, column 7: unexpected end of input (expected ',' or '}')");
  CHECK(parse_message("[}") == "line 1, column 2: unexpected '}' (expected a value)");
  CHECK(parse_message("{]") == "line 1, column 2: unexpected ']' (expected a string key)");
  CHECK(parse_message("\xC3\xA9") == "line 1, column 1: unexpected byte 0xC3 (expected a value)");
  CHECK(parse_message("'a'") == "line 1, column 1: unexpected ''' (expected a value)");
}

TEST_CASE("json rejects duplicate keys", "[json]") {
  CHECK(parse_message(R"({"a":1,"b":2,"a":3})") == "line 1, column 14: duplicate key \"a\"");
  CHECK(parse_fails(R"({"a":1,"a":1})").code == ErrorCode::parse_error);
  CHECK(parse_message("{\"x\": {\"k\": 1,\n \"k\": 2}}") ==
        "line 2, column 2: duplicate key \"k\"");
  // The key is quoted as JSON in the message.
  CHECK(parse_message(R"({"a\"b":1,"a\"b":2})") == "line 1, column 11: duplicate key \"a\\\"b\"");
  // Keys that decode to the same string are duplicates.
  CHECK(parse_message(R"({"é":1,"\u00e9":2})") == "line 1, column 8: duplicate key \"é\"");
  // The same key in sibling or nested objects is fine.
  CHECK(parse_ok(R"({"a":{"a":1},"b":{"a":2}})").is_object());
}

TEST_CASE("json finds duplicate keys in large objects", "[json]") {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  const std::string unique = text.substr(0, text.size() - 1) + "}";
  const Value v = parse_ok(unique);
  REQUIRE(v.as_object().size() == 100);
  CHECK(v.find("k99")->as_int() == 99);
  const std::string column = std::to_string(text.size() + 1);
  CHECK(parse_message(text + "\"k50\":0}") ==
        "line 1, column " + column + ": duplicate key \"k50\"");
  CHECK(parse_message(text + "\"k0\":0}") == "line 1, column " + column + ": duplicate key \"k0\"");
  CHECK(parse_message(text + "\"k99\":0}") ==
        "line 1, column " + column + ": duplicate key \"k99\"");
}

// ---------------------------------------------------------------------------------------------
// Strings

TEST_CASE("json decodes escapes", "[json]") {
  CHECK(parse_ok(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(parse_ok(R"("a\u0041b")").as_string() == "aAb");
  CHECK(parse_ok(R"("\u00e9\u00E9")").as_string() == "\xC3\xA9\xC3\xA9");
  CHECK(parse_ok(R"("\u20AC")").as_string() == "\xE2\x82\xAC");
  CHECK(parse_ok(R"("\u0001\u001f")").as_string() == "\x01\x1F");
  CHECK(parse_ok(R"("\u07FF\u0800\uFFFF")").as_string() == "\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF");
}

TEST_CASE("json decodes surrogate pairs to UTF-8", "[json]") {
  CHECK(parse_ok(R"("\uD83D\uDE00")").as_string() == "\xF0\x9F\x98\x80");  // U+1F600
  CHECK(parse_ok(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");
  CHECK(parse_ok(R"("\uD800\uDC00")").as_string() == "\xF0\x90\x80\x80");  // U+10000
  CHECK(parse_ok(R"("\uDBFF\uDFFF")").as_string() == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  CHECK(parse_ok(R"("x\uD83D\uDE00y")").as_string() == "x\xF0\x9F\x98\x80y");
}

TEST_CASE("json rejects lone surrogates", "[json]") {
  const std::string lone_high =
      "lone high surrogate \\uD800 in string (expected a low surrogate \\uDC00-\\uDFFF after it)";
  CHECK(parse_message(R"("\uD800")") == "line 1, column 2: " + lone_high);
  CHECK(parse_message(R"("\uD800x")") == "line 1, column 2: " + lone_high);
  CHECK(parse_message(R"("\uD800\u0041")") == "line 1, column 2: " + lone_high);
  CHECK(parse_message(R"("\uD800\uD800")") == "line 1, column 2: " + lone_high);
  CHECK(parse_message(R"("\uD800\n")") == "line 1, column 2: " + lone_high);
  CHECK(parse_message(R"("ab\uDBFF)") ==
        "line 1, column 4: lone high surrogate \\uDBFF in string (expected a low surrogate "
        "\\uDC00-\\uDFFF after it)");
  CHECK(parse_message(R"("\uDC00")") == "line 1, column 2: lone low surrogate \\uDC00 in string");
  CHECK(parse_message(R"("\uDFFF\uD800")") ==
        "line 1, column 2: lone low surrogate \\uDFFF in string");
}

TEST_CASE("json rejects NUL, bad escapes and unterminated strings", "[json]") {
  CHECK(parse_message(R"("a\u0000")") ==
        "line 1, column 3: NUL (\\u0000) is not allowed in strings");
  CHECK(parse_message(R"("\x41")") == "line 1, column 2: invalid escape \\x in string");
  CHECK(parse_message(R"("\'")") == "line 1, column 2: invalid escape \\' in string");
  CHECK(parse_message(R"("\U0041")") == "line 1, column 2: invalid escape \\U in string");
  CHECK(parse_message(std::string("\"\\\x01\"")) ==
        "line 1, column 2: invalid escape in string: backslash followed by byte 0x01");
  const std::string bad_u = "invalid \\u escape in string (expected 4 hex digits)";
  CHECK(parse_message(R"("\u12G4")") == "line 1, column 2: " + bad_u);
  CHECK(parse_message(R"("\u12")") == "line 1, column 2: " + bad_u);
  CHECK(parse_message(R"("\u)") == "line 1, column 2: " + bad_u);
  CHECK(parse_message("\"abc") == "line 1, column 1: unterminated string");
  CHECK(parse_message("[\"abc\\") == "line 1, column 2: unterminated string");
  CHECK(parse_message("\"") == "line 1, column 1: unterminated string");
}

TEST_CASE("json rejects raw control characters in strings", "[json]") {
  CHECK(parse_message("\"a\tb\"") ==
        "line 1, column 3: control character U+0009 must be escaped in strings");
  CHECK(parse_message("\"a\nb\"") ==
        "line 1, column 3: control character U+000A must be escaped in strings");
  CHECK(parse_message(std::string("\"\x1F\"")) ==
        "line 1, column 2: control character U+001F must be escaped in strings");
  CHECK(parse_message(std::string("\"\0\"", 3)) ==
        "line 1, column 2: control character U+0000 must be escaped in strings");
  // DEL is not a control character in JSON.
  CHECK(parse_ok("\"\x7F\"").as_string() == "\x7F");
}

TEST_CASE("json accepts well-formed UTF-8 and rejects the rest", "[json]") {
  CHECK(parse_ok("\"\xC2\x80\"").as_string() == "\xC2\x80");                  // U+0080
  CHECK(parse_ok("\"\xDF\xBF\"").as_string() == "\xDF\xBF");                  // U+07FF
  CHECK(parse_ok("\"\xE0\xA0\x80\"").as_string() == "\xE0\xA0\x80");          // U+0800
  CHECK(parse_ok("\"\xED\x9F\xBF\"").as_string() == "\xED\x9F\xBF");          // U+D7FF
  CHECK(parse_ok("\"\xEE\x80\x80\"").as_string() == "\xEE\x80\x80");          // U+E000
  CHECK(parse_ok("\"\xF0\x90\x80\x80\"").as_string() == "\xF0\x90\x80\x80");  // U+10000
  CHECK(parse_ok("\"\xF4\x8F\xBF\xBF\"").as_string() == "\xF4\x8F\xBF\xBF");  // U+10FFFF

  const std::string prefix = "line 1, column 3: invalid UTF-8 in string: ";
  CHECK(parse_message("\"a\xC0\x80\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xC1\xBF\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xE0\x80\x80\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xE0\x9F\xBF\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xF0\x80\x80\x80\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xF0\x8F\xBF\xBF\"") == prefix + "overlong encoding");
  CHECK(parse_message("\"a\xED\xA0\x80\"") == prefix + "encoded UTF-16 surrogate");
  CHECK(parse_message("\"a\xED\xBF\xBF\"") == prefix + "encoded UTF-16 surrogate");
  CHECK(parse_message("\"a\xF4\x90\x80\x80\"") == prefix + "code point above U+10FFFF");
  CHECK(parse_message("\"a\xF5\x80\x80\x80\"") == prefix + "code point above U+10FFFF");
  CHECK(parse_message("\"a\xF8\x88\x80\x80\x80\"") == prefix + "byte 0xF8 never appears in UTF-8");
  CHECK(parse_message("\"a\xFF\"") == prefix + "byte 0xFF never appears in UTF-8");
  CHECK(parse_message("\"a\x80\"") == prefix + "unexpected continuation byte 0x80");
  CHECK(parse_message("\"a\xBF\"") == prefix + "unexpected continuation byte 0xBF");
  CHECK(parse_message("\"a\xC3\"") == prefix + "truncated sequence");
  CHECK(parse_message("\"a\xC3") == prefix + "truncated sequence");
  CHECK(parse_message("\"a\xE2\x82\"") == prefix + "truncated sequence");
  CHECK(parse_message("\"a\xF0\x9F\x98\"") == prefix + "truncated sequence");
  CHECK(parse_message("\"a\xE2\x82x\"") == prefix + "truncated sequence");
}

// ---------------------------------------------------------------------------------------------
// Limits

TEST_CASE("json nesting depth limit", "[json]") {
  const std::size_t max = limits::json_depth_max;
  CHECK(parse_ok(nested_arrays(max)).is_array());
  const Error error = parse_fails(nested_arrays(max + 1));
  CHECK(error.code == ErrorCode::limit_exceeded);
  CHECK(error.message == "line 1, column " + std::to_string(max + 1) + ": nesting is deeper than " +
                             std::to_string(max) + " levels");

  // Objects count the same as arrays.
  std::string objects;
  for (std::size_t i = 0; i < max; ++i) objects += "{\"a\":";
  std::string ok = objects + "1" + std::string(max, '}');
  CHECK(parse_ok(ok).is_object());
  std::string too_deep = objects + "[]" + std::string(max, '}');
  CHECK(parse_fails(too_deep).code == ErrorCode::limit_exceeded);

  // Very deep input is rejected without recursing into it.
  CHECK(parse_fails(std::string(1000000, '[')).code == ErrorCode::limit_exceeded);
}

TEST_CASE("json text size limit", "[json]") {
  std::string text = "1" + std::string(limits::json_bytes_max - 1, ' ');
  CHECK(parse_ok(text).as_int() == 1);
  text += ' ';
  const Error error = parse_fails(text);
  CHECK(error.code == ErrorCode::limit_exceeded);
  CHECK(error.message == "line 1, column 1: text is " + std::to_string(limits::json_bytes_max + 1) +
                             " bytes, more than the limit of " +
                             std::to_string(limits::json_bytes_max) + " bytes");
}

TEST_CASE("json string length limit counts decoded bytes", "[json]") {
  const std::size_t max = limits::json_string_bytes_max;
  CHECK(parse_ok("\"" + std::string(max, 'a') + "\"").as_string().size() == max);
  const Error error = parse_fails("[\"" + std::string(max + 1, 'a') + "\"]");
  CHECK(error.code == ErrorCode::limit_exceeded);
  CHECK(error.message ==
        "line 1, column 2: string is longer than " + std::to_string(max) + " bytes");

  // 2 bytes each after decoding.
  std::string escaped;
  for (std::size_t i = 0; i < max / 2; ++i) escaped += "\\u00e9";
  CHECK(parse_ok("\"" + escaped + "\"").as_string().size() == max);
  CHECK(parse_fails("\"" + escaped + "x\"").code == ErrorCode::limit_exceeded);
  // Keys too.
  CHECK(parse_fails("{\"" + std::string(max + 1, 'k') + "\":1}").code == ErrorCode::limit_exceeded);
}

TEST_CASE("json array length limit", "[json]") {
  const std::size_t max = limits::json_array_items_max;
  std::string text = "[";
  for (std::size_t i = 0; i < max; ++i) text += "0,";
  text.back() = ']';
  CHECK(parse_ok(text).as_array().size() == max);
  text.back() = ',';
  text += "0]";
  const Error error = parse_fails(text);
  CHECK(error.code == ErrorCode::limit_exceeded);
  CHECK(error.message == "line 1, column " + std::to_string(2 * max + 2) +
                             ": array has more than " + std::to_string(max) + " items");
}

TEST_CASE("json object size limit", "[json]") {
  const std::size_t max = limits::json_object_members_max;
  std::string text = "{";
  for (std::size_t i = 0; i < max; ++i) text += "\"" + std::to_string(i) + "\":0,";
  std::string ok = text;
  ok.back() = '}';
  CHECK(parse_ok(ok).as_object().size() == max);
  const std::size_t column = text.size() + 1;
  text += "\"x\":0}";
  const Error error = parse_fails(text);
  CHECK(error.code == ErrorCode::limit_exceeded);
  CHECK(error.message == "line 1, column " + std::to_string(column) + ": object has more than " +
                             std::to_string(max) + " members");
}

TEST_CASE("json parse limits a caller passes replace the defaults, larger or smaller", "[json]") {
  json::ParseLimits larger;
  larger.string_bytes = 64 * 1024;
  const std::string long_text(10'000, 'a');
  CHECK(parse_fails("\"" + long_text + "\"").code == ErrorCode::limit_exceeded);
  Result<json::Value> taken = json::parse("[\"" + long_text + "\"]", larger);
  REQUIRE(taken.ok());
  CHECK(taken->as_array()[0].as_string() == long_text);
  const std::string too_long(64 * 1024 + 1, 'b');
  Result<json::Value> refused = json::parse("\"" + too_long + "\"", larger);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "line 1, column 1: string is longer than 65536 bytes");

  json::ParseLimits smaller;
  smaller.bytes = 8;
  smaller.array_items = 2;
  smaller.object_members = 1;
  smaller.depth = 2;
  CHECK(json::parse("[1,2]", smaller).ok());
  CHECK(json::parse("[1,2,3]", smaller).error().message ==
        "line 1, column 6: array has more than 2 items");
  CHECK(json::parse("{\"a\":1,\"b\":2}", json::ParseLimits{16, 32, 4096, 10, 1})
            .error()
            .message == "line 1, column 8: object has more than 1 members");
  CHECK(json::parse("[[[0]]]", smaller).error().code == ErrorCode::limit_exceeded);
  CHECK(json::parse("[1, 2, 3 ]", smaller).error().message ==
        "line 1, column 1: text is 10 bytes, more than the limit of 8 bytes");
}

// ---------------------------------------------------------------------------------------------
// Building values in code

TEST_CASE("json values built in code", "[json]") {
  Value object = Value::make_object();
  object.add_member("id", Value::make_string("r1"));
  object.add_member("points", Value::make_int(-5));
  Value list = Value::make_array();
  list.append(Value::make_bool(true));
  list.append(Value::make_null());
  list.append(Value());
  object.add_member("list", std::move(list));
  CHECK(object.find("id")->as_string() == "r1");
  CHECK(object.find("points")->as_int() == -5);
  CHECK(object.find("list")->as_array().size() == 3);
  CHECK(object.find("list")->as_array()[2].is_null());
  CHECK(to_string(object, false) == R"({"id":"r1","points":-5,"list":[true,null,null]})");

  const Value same = Value::make_object({
      Member{"id", Value::make_string("r1")},
      Member{"points", Value::make_int(-5)},
      Member{"list", Value::make_array({Value::make_bool(true), Value(), Value()})},
  });
  CHECK(same == object);
  // Equality ignores positions but not order or content.
  CHECK(parse_ok(R"({"id":"r1","points":-5,"list":[true,null,null]})") == object);
  CHECK_FALSE(parse_ok(R"({"points":-5,"id":"r1","list":[true,null,null]})") == object);
  CHECK_FALSE(Value::make_int(1) == Value::make_bool(true));
  CHECK_FALSE(Value::make_int(1) == Value::make_int(2));
  CHECK(Value::make_string("a") == Value::make_string("a"));
}

// ---------------------------------------------------------------------------------------------
// Writer

TEST_CASE("json writer compact output", "[json]") {
  Writer writer;
  writer.begin_object();
  writer.key("a");
  writer.value(std::int64_t{1});
  writer.key("b");
  writer.begin_array();
  writer.value(true);
  writer.value(false);
  writer.null();
  writer.value("text");
  writer.value(std::string("s"));
  writer.value(std::string_view("v"));
  writer.value(42);  // int
  writer.value(std::size_t{7});
  writer.end_array();
  writer.key("c");
  writer.begin_object();
  writer.end_object();
  writer.key("d");
  writer.begin_array();
  writer.end_array();
  writer.end_object();
  CHECK(writer.complete());
  CHECK(writer.str() == R"({"a":1,"b":[true,false,null,"text","s","v",42,7],"c":{},"d":[]})");
  const std::string text = writer.take();
  CHECK(text == R"({"a":1,"b":[true,false,null,"text","s","v",42,7],"c":{},"d":[]})");
  // take() resets the writer.
  CHECK(writer.str().empty());
  CHECK_FALSE(writer.complete());
  writer.value(std::int64_t{5});
  CHECK(writer.take() == "5");
}

TEST_CASE("json writer pretty output", "[json]") {
  Writer writer(Format::pretty);
  writer.begin_object();
  writer.key("a");
  writer.value(std::int64_t{1});
  writer.key("b");
  writer.begin_array();
  writer.value(true);
  writer.begin_object();
  writer.key("x");
  writer.null();
  writer.end_object();
  writer.end_array();
  writer.key("c");
  writer.begin_object();
  writer.end_object();
  writer.key("d");
  writer.begin_array();
  writer.end_array();
  writer.end_object();
  CHECK(writer.take() ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": [\n"
        "    true,\n"
        "    {\n"
        "      \"x\": null\n"
        "    }\n"
        "  ],\n"
        "  \"c\": {},\n"
        "  \"d\": []\n"
        "}");
  Writer scalar(Format::pretty);
  scalar.value("x");
  CHECK(scalar.take() == "\"x\"");
}

TEST_CASE("json writer int64 bounds", "[json]") {
  Writer writer;
  writer.begin_array();
  writer.value(std::numeric_limits<std::int64_t>::max());
  writer.value(std::numeric_limits<std::int64_t>::min());
  writer.value(std::int64_t{0});
  writer.value(std::int64_t{-1});
  writer.end_array();
  CHECK(writer.take() == "[9223372036854775807,-9223372036854775808,0,-1]");
}

TEST_CASE("json writer escapes strings", "[json]") {
  CHECK(quote("plain") == "\"plain\"");
  CHECK(quote("") == "\"\"");
  CHECK(quote("a\"b\\c/d") == R"("a\"b\\c/d")");
  CHECK(quote("\n\t\r\b\f") == R"("\n\t\r\b\f")");
  CHECK(quote(std::string_view("\0\x01\x1F\x7F", 4)) == "\"\\u0000\\u0001\\u001f\x7F\"");
  CHECK(quote("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") ==
        "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  // Bytes that are not UTF-8 become U+FFFD, one per byte.
  CHECK(quote("a\xFF"
              "b") ==
        "\"a\xEF\xBF\xBD"
        "b\"");
  CHECK(quote("\xC3") == "\"\xEF\xBF\xBD\"");
  CHECK(quote("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  std::string out = "x=";
  append_quoted(out, "y");
  CHECK(out == "x=\"y\"");

  Writer writer;
  writer.begin_object();
  writer.key("k\"\n");
  writer.value("v\\");
  writer.end_object();
  CHECK(writer.take() == R"({"k\"\n":"v\\"})");
}

TEST_CASE("json escaping round-trips every control character", "[json]") {
  for (int c = 1; c < 0x20; ++c) {
    const std::string text(1, static_cast<char>(c));
    const std::string quoted = quote(text);
    INFO("char " << c << " written as " << quoted);
    CHECK(parse_ok(quoted).as_string() == text);
  }
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_CASE("json round-trips through to_string", "[json]") {
  const std::string text = R"(
    {
      "id": "summer-2026",
      "rates": [0, 1, -1, 9223372036854775807, -9223372036854775808],
      "flags": {"on": true, "off": false, "none": null},
      "text": "caf\u00e9 \"quoted\" back\\slash \n \u0001 \uD83D\uDE00 /",
      "empty": {"a": [], "o": {}, "s": ""},
      "nested": [[[1]], [{"x": [2]}]]
    })";
  const Value original = parse_ok(text);
  const std::string compact = to_string(original, false);
  CHECK(compact ==
        R"({"id":"summer-2026","rates":[0,1,-1,9223372036854775807,-9223372036854775808],)"
        R"("flags":{"on":true,"off":false,"none":null},)"
        "\"text\":\"caf\xC3\xA9 \\\"quoted\\\" back\\\\slash \\n \\u0001 \xF0\x9F\x98\x80 /\","
        R"("empty":{"a":[],"o":{},"s":""},"nested":[[[1]],[{"x":[2]}]]})");
  const Value reparsed = parse_ok(compact);
  CHECK(reparsed == original);
  CHECK(to_string(reparsed, false) == compact);

  const std::string pretty = to_string(original, true);
  const Value from_pretty = parse_ok(pretty);
  CHECK(from_pretty == original);
  CHECK(to_string(from_pretty, true) == pretty);
  CHECK(to_string(from_pretty, false) == compact);
}

TEST_CASE("json to_string of scalars", "[json]") {
  CHECK(to_string(Value(), false) == "null");
  CHECK(to_string(Value::make_bool(false), true) == "false");
  CHECK(to_string(Value::make_int(-0), false) == "0");
  CHECK(to_string(parse_ok("-0"), false) == "0");
  CHECK(to_string(Value::make_string("\xE2\x82\xAC"), false) == "\"\xE2\x82\xAC\"");
  CHECK(to_string(Value::make_array(), true) == "[]");
  CHECK(to_string(Value::make_object(), true) == "{}");
  CHECK(to_string(parse_ok("[1,[2,3]]"), true) == "[\n  1,\n  [\n    2,\n    3\n  ]\n]");
}

TEST_CASE("json writer and to_string accept the deepest allowed document", "[json]") {
  const Value v = parse_ok(nested_arrays(limits::json_depth_max));
  CHECK(to_string(v, false) == nested_arrays(limits::json_depth_max));
  CHECK(parse_ok(to_string(v, true)) == v);
}

}  // namespace
}  // namespace loyalty::json

TEST_CASE("decode_utf8 gives scalar values and refuses malformed sequences") {
  using loyalty::decode_utf8;
  const std::string text = "a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80";  // a, ä, €, 😀
  CHECK(decode_utf8(text, 0)->value == U'a');
  CHECK(decode_utf8(text, 1)->value == U'\u00E4');
  CHECK(decode_utf8(text, 1)->size == 2);
  CHECK(decode_utf8(text, 3)->value == U'\u20AC');
  CHECK(decode_utf8(text, 3)->size == 3);
  CHECK(decode_utf8(text, 6)->value == U'\U0001F600');
  CHECK(decode_utf8(text, 6)->size == 4);
  CHECK_FALSE(decode_utf8(text, 2));                // a continuation byte
  CHECK_FALSE(decode_utf8(text, 10));               // past the end
  CHECK_FALSE(decode_utf8("\xC0\xAF", 0));          // overlong '/'
  CHECK_FALSE(decode_utf8("\xED\xA0\x80", 0));      // a surrogate
  CHECK_FALSE(decode_utf8("\xF4\x90\x80\x80", 0));  // above U+10FFFF
  CHECK_FALSE(decode_utf8("\xE2\x82", 0));          // truncated
}
