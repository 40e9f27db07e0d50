// RFC 8259 conformance of core's JSON reader (json.h), section by section.
//
// Three kinds of case, each citing the section of RFC 8259 it comes from:
//   - must accept: texts the grammar allows (RFC 8259 section 9: "A JSON parser MUST accept all
//     texts that conform to the JSON grammar"), each compared with exactly the value expected;
//   - must reject: texts the grammar does not allow, each with the exact position and reason;
//   - deliberate refusals: texts that are valid JSON, or that the RFC leaves to the
//     implementation, which the reader refuses on purpose (docs/architecture.md, "Why core has
//     its own JSON reader"): fractions and exponents, integers outside int64, duplicate names,
//     "\u0000", lone surrogates, the byte order mark and the limits of limits.h. Each is named,
//     with the exact message, so that relaxing one is a visible decision.
#include <catch2/catch.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::json {
namespace {

Value i(std::int64_t n) { return Value::make_int(n); }
Value s(std::string text) { return Value::make_string(std::move(text)); }
Value array(std::vector<Value> items) { return Value::make_array(std::move(items)); }
Value object(std::vector<Member> members) { return Value::make_object(std::move(members)); }

struct Accept {
  const char* section;
  const char* name;
  std::string text;
  Value expected;
};

struct Reject {
  const char* section;
  const char* name;
  std::string text;
  std::string message;  // exactly, "line L, column C: reason"
  ErrorCode code = ErrorCode::parse_error;
};

void check_accepts(const std::vector<Accept>& cases) {
  for (const Accept& c : cases) {
    INFO("RFC 8259 section " << c.section << ", " << c.name << ": " << c.text);
    const Result<Value> parsed = parse(c.text);
    if (!parsed.ok()) FAIL("refused: " << parsed.error().message);
    CHECK(*parsed == c.expected);
    CHECK(to_string(*parsed, false) == to_string(c.expected, false));
  }
}

void check_rejects(const std::vector<Reject>& cases) {
  for (const Reject& c : cases) {
    INFO("RFC 8259 section " << c.section << ", " << c.name << ": " << c.text);
    const Result<Value> parsed = parse(c.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message == c.message);
    CHECK(error_code_name(parsed.error().code) == std::string(error_code_name(c.code)));
  }
}

constexpr std::string_view integers_only =
    "numbers must be integers (money is in minor units, rates in basis points)";

std::string at(std::size_t column, std::string_view reason) {
  return "line 1, column " + std::to_string(column) + ": " + std::string(reason);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Section 2: JSON-text = ws value ws; ws = space, horizontal tab, line feed, carriage return.

TEST_CASE("rfc 8259 section 2 accepts any value at the top level and the four whitespaces",
          "[json][rfc8259]") {
  check_accepts({
      {"2", "top-level object", "{}", object({})},
      {"2", "top-level array", "[]", array({})},
      {"2", "top-level string", "\"Hello world!\"", s("Hello world!")},
      {"2", "top-level number", "42", i(42)},
      {"2", "top-level true", "true", Value::make_bool(true)},
      {"2", "top-level null", "null", Value()},
      {"2", "whitespace around the text", " \t\r\n 1 \n\t\r ", i(1)},
      {"2", "whitespace around every structural character",
       "\r\n{ \"a\" \t:\n[ 1 ,\r2 ] , \"b\" : { } }\n",
       object({{"a", array({i(1), i(2)})}, {"b", object({})}})},
      {"2", "no whitespace at all", "{\"a\":[1,2],\"b\":{}}",
       object({{"a", array({i(1), i(2)})}, {"b", object({})}})},
  });
}

TEST_CASE("rfc 8259 section 2 rejects other whitespace, comments and trailing text",
          "[json][rfc8259]") {
  check_rejects({
      {"2", "empty text (a value is required)", "", at(1, "empty input (expected a JSON value)")},
      {"2", "whitespace only", " \t", at(3, "unexpected end of input (expected a value)")},
      {"2", "form feed is not whitespace", "\f1", at(1, "unexpected byte 0x0C (expected a value)")},
      {"2", "vertical tab is not whitespace", "[1,\v2]",
       at(4, "unexpected byte 0x0B (expected a value)")},
      {"2", "no-break space is not whitespace",
       "\xC2\xA0"
       "1",
       at(1, "unexpected byte 0xC2 (expected a value)")},
      {"2", "a block comment", "/* c */ 1", at(1, "unexpected '/' (expected a value)")},
      {"2", "a line comment after the value", "1 // c", at(3, "unexpected '/' after the value")},
      {"2", "a hash comment", "# c\n1", at(1, "unexpected '#' (expected a value)")},
      {"2", "a comment inside an array", "[1 /* c */]",
       at(4, "unexpected '/' (expected ',' or ']')")},
      {"2", "two values", "1 2", at(3, "unexpected '2' after the value")},
      {"2", "trailing garbage after an object", "{}x", at(3, "unexpected 'x' after the value")},
      {"2", "a NUL byte after the value", std::string("1\0", 2),
       at(2, "unexpected byte 0x00 after the value")},
      {"2", "unbalanced close", "[]]", at(3, "unexpected ']' after the value")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 3: the literal names false, null and true, lowercase; no other literal names.

TEST_CASE("rfc 8259 section 3 accepts the three literals in lowercase", "[json][rfc8259]") {
  check_accepts({
      {"3", "false", "false", Value::make_bool(false)},
      {"3", "null", "null", Value()},
      {"3", "true", "true", Value::make_bool(true)},
      {"3", "literals as array items", "[true,false,null]",
       array({Value::make_bool(true), Value::make_bool(false), Value()})},
  });
}

TEST_CASE("rfc 8259 section 3 rejects other literal names and other cases", "[json][rfc8259]") {
  const std::string invalid = "invalid literal (expected true, false or null)";
  check_rejects({
      {"3", "capitalised True", "True", at(1, "unexpected 'T' (expected a value)")},
      {"3", "upper-case NULL", "NULL", at(1, "unexpected 'N' (expected a value)")},
      {"3", "mixed case tRUE", "tRUE", at(1, invalid)},
      {"3", "truncated literal", "fals", at(1, invalid)},
      {"3", "a bare word", "undefined", at(1, "unexpected 'u' (expected a value)")},
      {"3", "a bare word as a value", "{\"a\":yes}", at(6, "unexpected 'y' (expected a value)")},
      {"3", "a literal run on into letters", "nullx", at(5, "unexpected 'x' after the value")},
      {"3", "two literals without a separator", "[truefalse]",
       at(6, "unexpected 'f' (expected ',' or ']')")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 4: objects. Names are strings; name-separator ':'; value-separator ','.

TEST_CASE("rfc 8259 section 4 accepts objects with their members in order", "[json][rfc8259]") {
  check_accepts({
      {"4", "empty object", "{}", object({})},
      {"4", "empty object with whitespace inside", "{ \n }", object({})},
      {"4", "one member", "{\"a\":1}", object({{"a", i(1)}})},
      {"4", "members keep their order", "{\"b\":1,\"a\":2}", object({{"b", i(1)}, {"a", i(2)}})},
      {"4", "the empty name", "{\"\":0}", object({{"", i(0)}})},
      {"4", "names with escapes are decoded", "{\"a\\nb\":1,\"\\u00e9\":2}",
       object({{"a\nb", i(1)}, {"\xC3\xA9", i(2)}})},
      {"4", "the same name in nested objects is fine", "{\"a\":{\"a\":{}}}",
       object({{"a", object({{"a", object({})}})}})},
      {"4", "values of every kind",
       "{\"n\":null,\"t\":true,\"i\":-7,\"s\":\"x\",\"a\":[],\"o\":{}}",
       object({{"n", Value()},
               {"t", Value::make_bool(true)},
               {"i", i(-7)},
               {"s", s("x")},
               {"a", array({})},
               {"o", object({})}})},
  });
}

TEST_CASE("rfc 8259 section 4 rejects malformed objects", "[json][rfc8259]") {
  check_rejects({
      {"4", "trailing comma", "{\"a\":1,}", at(8, "unexpected '}' (expected a string key)")},
      {"4", "leading comma", "{,\"a\":1}", at(2, "unexpected ',' (expected a string key)")},
      {"4", "unquoted name", "{a:1}", at(2, "unexpected 'a' (expected a string key)")},
      {"4", "single-quoted name", "{'a':1}", at(2, "unexpected ''' (expected a string key)")},
      {"4", "number as a name", "{1:1}", at(2, "unexpected '1' (expected a string key)")},
      {"4", "missing name separator", "{\"a\" 1}",
       at(6, "unexpected '1' (expected ':' after the key)")},
      {"4", "'=' as name separator", "{\"a\"=1}",
       at(5, "unexpected '=' (expected ':' after the key)")},
      {"4", "missing value", "{\"a\":}", at(6, "unexpected '}' (expected a value)")},
      {"4", "missing value separator", "{\"a\":1 \"b\":2}",
       at(8, "unexpected '\"' (expected ',' or '}')")},
      {"4", "';' as value separator", "{\"a\":1;\"b\":2}",
       at(7, "unexpected ';' (expected ',' or '}')")},
      {"4", "unterminated object", "{\"a\":1",
       at(7, "unexpected end of input (expected ',' or '}')")},
      {"4", "closed by ']'", "{\"a\":1]", at(7, "unexpected ']' (expected ',' or '}')")},
      {"4", "a member without a name", "{:1}", at(2, "unexpected ':' (expected a string key)")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 5: arrays.

TEST_CASE("rfc 8259 section 5 accepts arrays of any values, nested", "[json][rfc8259]") {
  check_accepts({
      {"5", "empty array", "[]", array({})},
      {"5", "empty array with whitespace inside", "[ \t ]", array({})},
      {"5", "values need not be of one type", "[1,\"a\",null,[],{}]",
       array({i(1), s("a"), Value(), array({}), object({})})},
      {"5", "nested empty arrays", "[[[]]]", array({array({array({})})})},
      {"5", "arrays in objects in arrays", "[{\"a\":[{\"b\":[0]}]}]",
       array({object({{"a", array({object({{"b", array({i(0)})}})})}})})},
  });
}

TEST_CASE("rfc 8259 section 5 rejects malformed arrays", "[json][rfc8259]") {
  check_rejects({
      {"5", "trailing comma", "[1,]", at(4, "unexpected ']' (expected a value)")},
      {"5", "leading comma", "[,1]", at(2, "unexpected ',' (expected a value)")},
      {"5", "elision", "[1,,2]", at(4, "unexpected ',' (expected a value)")},
      {"5", "missing value separator", "[1 2]", at(4, "unexpected '2' (expected ',' or ']')")},
      {"5", "unterminated array", "[1", at(3, "unexpected end of input (expected ',' or ']')")},
      {"5", "unterminated empty array", "[", at(2, "unexpected end of input (expected a value)")},
      {"5", "closed by '}'", "[1}", at(3, "unexpected '}' (expected ',' or ']')")},
      {"5", "a member inside an array", "[\"a\":1]", at(5, "unexpected ':' (expected ',' or ']')")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 6: number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT ).

TEST_CASE("rfc 8259 section 6 accepts integers, minus zero and the int64 bounds",
          "[json][rfc8259]") {
  check_accepts({
      {"6", "zero", "0", i(0)},
      {"6", "minus zero is an integer", "-0", i(0)},
      {"6", "a positive integer", "123456789", i(123456789)},
      {"6", "a negative integer", "-42", i(-42)},
      {"6", "int64 maximum", "9223372036854775807", i(9223372036854775807)},
      {"6", "int64 minimum", "-9223372036854775808", i(-9223372036854775807 - 1)},
      {"6", "integers in an array", "[0,-1,10]", array({i(0), i(-1), i(10)})},
  });
}

TEST_CASE("rfc 8259 section 6 rejects what the number grammar does not allow", "[json][rfc8259]") {
  check_rejects({
      {"6", "leading zero", "01", at(1, "leading zeros are not allowed")},
      {"6", "leading zero after minus", "-012", at(1, "leading zeros are not allowed")},
      {"6", "two zeros", "00", at(1, "leading zeros are not allowed")},
      {"6", "plus sign", "+1", at(1, "unexpected '+' (expected a value)")},
      {"6", "plus sign in an array", "[+1]", at(2, "unexpected '+' (expected a value)")},
      {"6", "minus alone", "-", at(1, "'-' must be followed by a digit")},
      {"6", "minus then space", "- 1", at(1, "'-' must be followed by a digit")},
      {"6", "two minus signs", "--1", at(1, "'-' must be followed by a digit")},
      {"6", "no int before the fraction", ".5", at(1, "unexpected '.' (expected a value)")},
      {"6", "hexadecimal", "0x1F", at(2, "unexpected 'x' after the value")},
      {"6", "Infinity is not permitted", "Infinity", at(1, "unexpected 'I' (expected a value)")},
      {"6", "-Infinity is not permitted", "-Infinity", at(1, "'-' must be followed by a digit")},
      {"6", "NaN is not permitted", "NaN", at(1, "unexpected 'N' (expected a value)")},
      // Not numbers in the grammar either (frac needs a digit after '.', exp one after 'e');
      // the reader refuses every '.', 'e' and 'E' after an integer with the one reason.
      {"6", "a point without a digit", "1.", at(1, integers_only)},
      {"6", "an exponent without a digit", "1e", at(1, integers_only)},
      {"6", "an exponent sign without a digit", "1e+", at(1, integers_only)},
  });
}

TEST_CASE("rfc 8259 section 6 deliberate refusal of fractions and exponents", "[json][rfc8259]") {
  // Valid JSON numbers. The reader refuses them: money is in minor units and rates in basis
  // points, so a fraction or an exponent is an error, never a silently rounded double.
  check_rejects({
      {"6", "a fraction", "1.5", at(1, integers_only)},
      {"6", "a zero fraction", "2.0", at(1, integers_only)},
      {"6", "minus zero with a fraction", "-0.0", at(1, integers_only)},
      {"6", "an exponent", "1e5", at(1, integers_only)},
      {"6", "a capital exponent with a sign", "1E+2", at(1, integers_only)},
      {"6", "a negative exponent", "25e-1", at(1, integers_only)},
      {"6", "fraction and exponent", "-1.25e3", at(1, integers_only)},
      {"6", "a fraction as a member value", "{\"amount\":12.50}", at(11, integers_only)},
  });
}

TEST_CASE("rfc 8259 section 6 deliberate limit of integers to int64", "[json][rfc8259]") {
  // "This specification allows implementations to set limits on the range and precision of
  // numbers accepted": int64, so that every amount and product in limits.h fits.
  check_rejects({
      {"6", "int64 maximum plus one", "9223372036854775808", at(1, "integer out of range")},
      {"6", "int64 minimum minus one", "-9223372036854775809", at(1, "integer out of range")},
      {"6", "twenty-one digits", "[100000000000000000000]", at(2, "integer out of range")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 7: strings. Quotation mark, reverse solidus and U+0000..U+001F must be escaped; the
// escapes are \" \\ \/ \b \f \n \r \t and \uXXXX, with UTF-16 surrogate pairs above the BMP.

TEST_CASE("rfc 8259 section 7 accepts every escape and unescaped characters", "[json][rfc8259]") {
  check_accepts({
      {"7", "the empty string", "\"\"", s("")},
      {"7", "quotation mark", R"("\"")", s("\"")},
      {"7", "reverse solidus", R"("\\")", s("\\")},
      {"7", "solidus, escaped and not", R"("\/ /")", s("/ /")},
      {"7", "backspace", R"("\b")", s("\b")},
      {"7", "form feed", R"("\f")", s("\f")},
      {"7", "line feed", R"("\n")", s("\n")},
      {"7", "carriage return", R"("\r")", s("\r")},
      {"7", "tab", R"("\t")", s("\t")},
      {"7", "reverse solidus as \\u005C (the RFC's example)", R"("\u005C")", s("\\")},
      {"7", "\\u with lower- and upper-case hex digits", R"("\u00e9\u00E9")",
       s("\xC3\xA9\xC3\xA9")},
      {"7", "\\u of a control character", R"("\u0001\u001F")", s("\x01\x1F")},
      {"7", "\\u at the two- and three-byte UTF-8 bounds", R"("\u007F\u0080\u07FF\u0800\uFFFF")",
       s("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF")},
      {"7", "G clef as the surrogate pair \\uD834\\uDD1E (the RFC's example)", R"("\uD834\uDD1E")",
       s("\xF0\x9D\x84\x9E")},
      {"7", "lower-case surrogate pair", R"("\ud83d\ude00")", s("\xF0\x9F\x98\x80")},
      {"7", "first and last supplementary code points", R"("\uD800\uDC00\uDBFF\uDFFF")",
       s("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF")},
      {"7", "DEL needs no escape", "\"\x7F\"", s("\x7F")},
      {"7", "unescaped UTF-8 of every length", "\"A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"",
       s("A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")},
      {"7", "an escaped string as an array item", R"(["a\tb","c"])", array({s("a\tb"), s("c")})},
  });
}

TEST_CASE("rfc 8259 section 7 rejects unescaped control characters", "[json][rfc8259]") {
  for (int c = 0x00; c < 0x20; ++c) {
    static constexpr char hex[] = "0123456789ABCDEF";
    const std::string text = std::string("\"a") + static_cast<char>(c) + "b\"";
    const std::string code = std::string("U+00") + hex[c >> 4] + hex[c & 0xF];
    check_rejects({{"7", "unescaped control character", text,
                    at(3, "control character " + code + " must be escaped in strings")}});
  }
}

TEST_CASE("rfc 8259 section 7 rejects bad escapes, single quotes and unterminated strings",
          "[json][rfc8259]") {
  const std::string bad_u = "invalid \\u escape in string (expected 4 hex digits)";
  check_rejects({
      {"7", "single-quoted string", "'a'", at(1, "unexpected ''' (expected a value)")},
      {"7", "\\' is not an escape", R"("\'")", at(2, "invalid escape \\' in string")},
      {"7", "\\a is not an escape", R"("x\a")", at(3, "invalid escape \\a in string")},
      {"7", "\\x is not an escape", R"("\x41")", at(2, "invalid escape \\x in string")},
      {"7", "\\0 is not an escape", R"("\0")", at(2, "invalid escape \\0 in string")},
      {"7", "\\U is not \\u", R"("\U0041")", at(2, "invalid escape \\U in string")},
      {"7", "\\ before a space", R"("\ ")", at(2, "invalid escape \\  in string")},
      {"7", "\\ before a raw control character", std::string("\"\\\x0A\""),
       at(2, "invalid escape in string: backslash followed by byte 0x0A")},
      {"7", "\\u with three hex digits", R"("\u123")", at(2, bad_u)},
      {"7", "\\u with a non-hex digit", R"("\u12G4")", at(2, bad_u)},
      {"7", "\\u at the end of the text", R"("\u)", at(2, bad_u)},
      {"7", "unterminated string", "\"abc", at(1, "unterminated string")},
      {"7", "unterminated after an escape", "[\"a\\", at(2, "unterminated string")},
      {"7", "a lone quotation mark", "\"", at(1, "unterminated string")},
      {"7", "unescaped quotation mark ends the string", R"("a"b")",
       at(4, "unexpected 'b' after the value")},
  });
}

TEST_CASE("rfc 8259 section 7 deliberate refusal of the escaped NUL", "[json][rfc8259]") {
  // "\u0000" is valid JSON. The reader refuses it: a NUL inside a name or an id would cut it short
  // for any C string API downstream, and no document of the project needs one.
  check_rejects({
      {"7", "\\u0000", R"("\u0000")", at(2, "NUL (\\u0000) is not allowed in strings")},
      {"7", "\\u0000 inside a name", R"({"a\u0000b":1})",
       at(4, "NUL (\\u0000) is not allowed in strings")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 8.1: JSON text exchanged between systems MUST be UTF-8; implementations MUST NOT add a
// byte order mark, and a parser MAY ignore one rather than treat it as an error.

TEST_CASE("rfc 8259 section 8.1 rejects invalid UTF-8", "[json][rfc8259]") {
  const std::string invalid = "invalid UTF-8 in string: ";
  check_rejects({
      {"8.1", "a lone continuation byte", "\"a\x80\"",
       at(3, invalid + "unexpected continuation "
                       "byte 0x80")},
      {"8.1", "overlong two-byte '/'", "\"\xC0\xAF\"", at(2, invalid + "overlong encoding")},
      {"8.1", "overlong three-byte", "\"\xE0\x80\xAF\"", at(2, invalid + "overlong encoding")},
      {"8.1", "overlong four-byte", "\"\xF0\x80\x80\xAF\"", at(2, invalid + "overlong encoding")},
      {"8.1", "UTF-8 of a surrogate (CESU-8)", "\"\xED\xA0\x80\"",
       at(2, invalid + "encoded UTF-16 surrogate")},
      {"8.1", "above U+10FFFF", "\"\xF4\x90\x80\x80\"",
       at(2, invalid + "code point above U+10FFFF")},
      {"8.1", "byte 0xFE", "\"\xFE\"", at(2, invalid + "byte 0xFE never appears in UTF-8")},
      {"8.1", "truncated sequence before the quote", "\"\xE2\x82\"",
       at(2, invalid + "truncated sequence")},
      {"8.1", "truncated sequence at the end of the text", "\"\xF0\x9F\x98",
       at(2, invalid + "truncated sequence")},
      {"8.1", "Latin-1 instead of UTF-8", "\"caf\xE9\"", at(5, invalid + "truncated sequence")},
      {"8.1", "UTF-16 text", std::string("\xFF\xFE[\0]\0", 6),
       at(1, "unexpected byte 0xFF (expected a value)")},
      {"8.1", "a non-ASCII byte outside a string", "[\xC3\xA9]",
       at(2, "unexpected byte 0xC3 (expected a value)")},
  });
}

TEST_CASE("rfc 8259 section 8.1 deliberate refusal of the byte order mark", "[json][rfc8259]") {
  // A parser MAY ignore a BOM; this one refuses it, so that a file written by a tool that adds
  // one is noticed where it was written rather than accepted by one reader and not another.
  check_rejects({
      {"8.1", "BOM before an object", "\xEF\xBB\xBF{}",
       at(1, "UTF-8 byte order mark is not allowed")},
      {"8.1", "BOM before a number",
       "\xEF\xBB\xBF"
       "1",
       at(1, "UTF-8 byte order mark is not allowed")},
      {"8.1", "BOM after whitespace is not whitespace", " \xEF\xBB\xBF{}",
       at(2, "unexpected byte 0xEF (expected a value)")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 8.2: the grammar allows a lone UTF-16 surrogate in a \u escape ("\uDEAD"), with
// unpredictable results. The reader refuses it: a lone surrogate has no UTF-8 form.

TEST_CASE("rfc 8259 section 8.2 deliberate refusal of lone surrogates", "[json][rfc8259]") {
  const std::string high =
      "lone high surrogate \\uD834 in string (expected a low surrogate "
      "\\uDC00-\\uDFFF after it)";
  check_rejects({
      {"8.2", "\\uDEAD, the RFC's example", R"("\uDEAD")",
       at(2, "lone low surrogate \\uDEAD in string")},
      {"8.2", "a high surrogate at the end", R"("\uD834")", at(2, high)},
      {"8.2", "a high surrogate before a character", R"("\uD834x")", at(2, high)},
      {"8.2", "a high surrogate before another escape", R"("\uD834\n")", at(2, high)},
      {"8.2", "two high surrogates", R"("\uD834\uD834")", at(2, high)},
      {"8.2", "a high surrogate before a BMP escape", R"("\uD834\u0041")", at(2, high)},
      {"8.2", "the pair in the wrong order", R"("\uDD1E\uD834")",
       at(2, "lone low surrogate \\uDD1E in string")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 4: "The names within an object SHOULD be unique"; with duplicates "the behavior of
// software that receives such an object is unpredictable".

TEST_CASE("rfc 8259 section 4 deliberate refusal of duplicate names", "[json][rfc8259]") {
  // Allowed by the RFC. The reader refuses them: a reader that keeps the first and another that
  // keeps the last would disagree about the same bundle's discount.
  check_rejects({
      {"4", "the same name twice", R"({"a":1,"a":2})", at(8, "duplicate key \"a\"")},
      {"4", "the same name and value twice", R"({"a":1,"a":1})", at(8, "duplicate key \"a\"")},
      {"4", "names equal once the escapes are decoded", R"({"a":1,"\u0061":2})",
       at(8, "duplicate key \"a\"")},
      {"4", "a duplicate in a nested object", R"([{"k":{"x":0,"x":0}}])",
       at(14, "duplicate key \"x\"")},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 9: "An implementation may set limits on the size of texts ... the maximum depth of
// nesting ... the length and character contents of strings". The reader's come from limits.h.

TEST_CASE("rfc 8259 section 9 deliberate limits on depth, string length and size",
          "[json][rfc8259]") {
  const std::size_t depth = limits::json_depth_max;
  const std::string deepest = std::string(depth, '[') + std::string(depth, ']');
  const Result<Value> parsed = parse(deepest);
  REQUIRE(parsed.ok());
  CHECK(to_string(*parsed, false) == deepest);

  const std::string longest(limits::json_string_bytes_max, 'x');
  check_accepts({{"9", "the longest string", "\"" + longest + "\"", s(longest)}});
  check_rejects({
      {"9", "one level too deep", "[" + deepest + "]",
       at(depth + 1, "nesting is deeper than " + std::to_string(depth) + " levels"),
       ErrorCode::limit_exceeded},
      {"9", "one byte too long a string", "\"" + longest + "x\"",
       at(1, "string is longer than " + std::to_string(limits::json_string_bytes_max) + " bytes"),
       ErrorCode::limit_exceeded},
      {"9", "one byte too large a text", std::string(limits::json_bytes_max + 1, ' '),
       at(1, "text is " + std::to_string(limits::json_bytes_max + 1) +
                 " bytes, more than the limit of " + std::to_string(limits::json_bytes_max) +
                 " bytes"),
       ErrorCode::limit_exceeded},
  });
}

// ---------------------------------------------------------------------------------------------
// Section 13: the RFC's examples.

TEST_CASE("rfc 8259 section 13 first example is accepted exactly", "[json][rfc8259]") {
  const std::string text = R"({
        "Image": {
            "Width":  800,
            "Height": 600,
            "Title":  "View from 15th Floor",
            "Thumbnail": {
                "Url":    "http://www.example.com/image/481989943",
                "Height": 125,
                "Width":  100
            },
            "Animated" : false,
            "IDs": [116, 943, 234, 38793]
          }
      })";
  const Value thumbnail = object({{"Url", s("http://www.example.com/image/481989943")},
                                  {"Height", i(125)},
                                  {"Width", i(100)}});
  const Value image = object({{"Width", i(800)},
                              {"Height", i(600)},
                              {"Title", s("View from 15th Floor")},
                              {"Thumbnail", thumbnail},
                              {"Animated", Value::make_bool(false)},
                              {"IDs", array({i(116), i(943), i(234), i(38793)})}});
  check_accepts({{"13", "the Image object", text, object({{"Image", image}})}});
}

TEST_CASE("rfc 8259 section 13 second example is refused for its fractions", "[json][rfc8259]") {
  // Valid JSON, but its coordinates are fractions: the first, 37.7668, is refused where it starts.
  const std::string text = R"([
        {
           "precision": "zip",
           "Latitude":  37.7668,
           "Longitude": -122.3959,
           "Address":   "",
           "City":      "SAN FRANCISCO",
           "State":     "CA",
           "Zip":       "94107",
           "Country":   "US"
        }
      ])";
  const Result<Value> parsed = parse(text);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().message == "line 4, column 25: " + std::string(integers_only));
}

}  // namespace loyalty::json
