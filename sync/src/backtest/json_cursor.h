// JsonCursor: a pull reader over one JSON document, for the stored events the backtest reads a
// million at a time. core's json::parse builds a tree of owned values (a string per key and per
// text), which cost five times the quote itself; the cursor walks the text in place and hands out
// views into it, so a warm reader allocates nothing.
//
// The dialect is core's (json.h) where it matters for what is read: RFC 8259 syntax, integers
// only (a fraction or an exponent is an error, as is an integer outside int64), no "\u0000", no
// lone surrogate, no control character and only well-formed UTF-8 in a string, nesting at most
// limits::json_depth_max, the text at most limits::json_bytes_max, a string (a key too) at most
// limits::json_string_bytes_max bytes once decoded, an array at most limits::json_array_items_max
// items and an object at most limits::json_object_members_max members. One difference, harmless
// for documents written by core's writer: a duplicate key is not detected (the reader sees both,
// and what it stores last wins). tests/fuzz/fuzz_backtest_json_cursor.cc holds the cursor's
// verdicts to json::parse's with that one exception (docs/backtest.md, "Reading the journal").
//
// Errors: the first one is kept and every later call returns false. status() reads
// "line L, column C: <reason>", columns counting bytes from 1.
//
// Thread-safety: one per thread. Ownership: borrows the text, which must outlive every view the
// cursor returned; a string with escapes is decoded into `decoded`, which the caller owns.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::sync::backtest {

// Whether a member's key is `name`: the length and first byte first, which settles most
// comparisons of a reader's if-chain without calling memcmp.
inline bool key_is(std::string_view key, std::string_view name) {
  return key.size() == name.size() && !key.empty() && key[0] == name[0] &&
         std::memcmp(key.data(), name.data(), key.size()) == 0;
}

class JsonCursor {
 public:
  JsonCursor(std::string_view text, std::deque<std::string>& decoded);

  // '{'. Then next_key() gives each member's key, true while there is one; the caller must read
  // (or skip) its value before asking for the next key. false at '}' (consumed) or on error.
  bool enter_object();
  bool next_key(std::string_view& key);
  // '['. Then next_item() is true while an item follows (the caller reads it); false at ']'.
  bool enter_array();
  bool next_item();

  bool integer(std::int64_t& out);
  bool boolean(bool& out);
  bool text(std::string_view& out);
  // null (true, `is_null` set) or a string.
  bool text_or_null(std::string_view& out, bool& is_null);
  // Any value, of any depth (bounded).
  bool skip();
  // Only whitespace after the document.
  bool finish();

  // Records a problem at the current position (the first one is kept); returns false.
  bool fail(std::string_view reason);
  // Records that a member the reader needs is not there (invalid_argument, no position):
  // "<name>: missing".
  bool fail_missing(std::string_view name);
  bool ok() const { return error_.empty(); }
  Status status() const;

 private:
  bool expect_value_start();
  bool before_member_or_item(char close, bool& more);
  bool literal(std::string_view word);
  bool scan_string(std::string_view& out);
  bool decode_escapes(std::size_t start, std::size_t end, std::string_view& out);
  bool decode_escape(std::size_t& i, std::size_t end, std::string& decoded);
  bool fail_string_size(std::size_t start);
  bool hex4(std::size_t at, std::size_t end, std::uint32_t& unit);
  void whitespace();

  std::string_view text_;
  std::deque<std::string>* decoded_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  // Per open container: the members or items begun (after the first, a comma comes before the
  // next); at most limits::json_object_members_max or json_array_items_max.
  std::uint32_t items_[limits::json_depth_max + 1] = {};
  std::string error_;
  ErrorCode error_code_ = ErrorCode::parse_error;
};

}  // namespace loyalty::sync::backtest
