// libFuzzer target: the backtest's in-place JSON reader (sync/src/backtest/json_cursor.h) against
// core's json::parse (core/json.h), on arbitrary bytes.
//
// The verdicts must agree: JsonCursor reading the whole input as one value (skip(), finish())
// accepts exactly what json::parse accepts, with one known difference, which json_cursor.h and
// docs/backtest.md document: the cursor does not look for duplicate keys, so where json::parse
// refuses the input for a duplicate key ("duplicate key ..."), the cursor may accept it. Any other
// disagreement aborts. When both refuse, the cursor's error is parse_error or limit_exceeded and
// reads "line L, column C: ...".
//
// When json::parse accepts, the cursor also reads the document the way the backtest's readers
// do, with the call for each value's kind (enter_object / next_key, enter_array / next_item,
// integer, boolean, text, text_or_null), once everywhere and once with every third value
// skipped: every key, string (escapes decoded), integer and boolean must be json::parse's, and
// the reading must end exactly at the end of the document. Must never crash, hang or read out of
// bounds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>

#include "backtest/json_cursor.h"
#include "loyalty/core/json.h"
#include "loyalty/core/result.h"

namespace {

namespace json = loyalty::json;
using loyalty::sync::backtest::JsonCursor;

// The one refusal of json::parse the cursor is known not to share.
bool is_duplicate_key_refusal(const loyalty::Error& error) {
  return error.code == loyalty::ErrorCode::parse_error &&
         error.message.find(": duplicate key ") != std::string::npos;
}

// Reads `value` with the typed call for its kind; every `skip_every`-th value (0: none) with
// skip() instead. False when the cursor fails or reads something else than `value` holds.
class TypedReader {
 public:
  TypedReader(JsonCursor& cursor, std::size_t skip_every) : c_(cursor), skip_every_(skip_every) {}

  bool read(const json::Value& value) {
    ++turn_;
    if (skip_every_ != 0 && turn_ % skip_every_ == 0) return c_.skip();
    switch (value.kind()) {
      case json::Kind::null: {
        std::string_view text;
        bool is_null = false;
        return c_.text_or_null(text, is_null) && is_null && text.empty();
      }
      case json::Kind::boolean: {
        bool flag = !value.as_bool();
        return c_.boolean(flag) && flag == value.as_bool();
      }
      case json::Kind::integer: {
        std::int64_t number = value.as_int() ^ 1;
        return c_.integer(number) && number == value.as_int();
      }
      case json::Kind::string: {
        std::string_view text;
        bool is_null = true;
        const bool read =
            turn_ % 2 == 0 ? c_.text(text) : c_.text_or_null(text, is_null) && !is_null;
        return read && text == value.as_string();
      }
      case json::Kind::array: {
        if (!c_.enter_array()) return false;
        for (const json::Value& item : value.as_array()) {  // bounded by the document
          if (!c_.next_item() || !read(item)) return false;
        }
        return !c_.next_item() && c_.ok();
      }
      case json::Kind::object: {
        if (!c_.enter_object()) return false;
        std::string_view key;
        for (const json::Member& member : value.as_object()) {  // bounded by the document
          if (!c_.next_key(key) || key != member.key || !read(member.value)) return false;
        }
        return !c_.next_key(key) && c_.ok();
      }
    }
    return false;
  }

 private:
  JsonCursor& c_;
  std::size_t skip_every_;
  std::size_t turn_ = 0;
};

[[noreturn]] void disagree(std::string_view text, const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_backtest_json_cursor: %s (%zu bytes): %s\n", what, text.size(),
               detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const loyalty::Result<json::Value> parsed = json::parse(text);

  std::deque<std::string> decoded;
  JsonCursor whole(text, decoded);
  const bool accepted = whole.skip() && whole.finish();
  LOYALTY_ASSERT(accepted == whole.ok());

  if (!parsed.ok()) {
    const loyalty::Error& error = parsed.error();
    if (is_duplicate_key_refusal(error)) return 0;  // the known difference: either verdict
    if (accepted) disagree(text, "json::parse refuses what JsonCursor accepts", error.message);
    // Both refuse, each at its first error: the codes may differ where they stop at different
    // errors (a string too long and unterminated: json::parse counts as it reads, the cursor
    // measures a string when it closes).
    const loyalty::Status status = whole.status();
    LOYALTY_ASSERT(!status.ok());
    LOYALTY_ASSERT(status.error().message.rfind("line ", 0) == 0);
    LOYALTY_ASSERT(status.error().code == loyalty::ErrorCode::parse_error ||
                   status.error().code == loyalty::ErrorCode::limit_exceeded);
    return 0;
  }
  if (!accepted) {
    disagree(text, "JsonCursor refuses what json::parse accepts", whole.status().error().message);
  }
  for (std::size_t skip_every : {std::size_t{0}, std::size_t{3}}) {
    decoded.clear();
    JsonCursor typed(text, decoded);
    TypedReader reader(typed, skip_every);
    if (!reader.read(*parsed) || !typed.finish()) {
      disagree(text, skip_every == 0 ? "typed reading differs" : "typed reading with skips differs",
               typed.ok() ? "another value" : typed.status().error().message);
    }
  }
  return 0;
}
