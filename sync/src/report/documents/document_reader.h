// Strict reading of HQ's report documents (report_document.h, backtest_document.h): objects whose
// members are all known and all present, typed member readers with ranges, and messages that
// name the member by its path. Private to sync/src/report.
//
// Every error is invalid_argument and reads "<document>: <path> <reason>", e.g.
// "report: stores[1].points.issued must be an integer, got string", so whoever wrote the
// document can find what to fix.
//
// Thread-safety: a DocObject borrows the json::Value it reads (which must outlive it) and is
// otherwise a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::sync::report {

// The documents' bounds are limits::hq_document_* (loyalty/core/limits.h).

// Parses `text` as one JSON document (core's parser, with room for limits::hq_document_stores_max
// stores), prefixing its errors with `document` ("report: not a JSON document: line 1, column 2:
// ...").
Result<json::Value> parse_document(std::string_view text, std::string_view document);

// The document's "format" member must be there and equal `expected`: checked before anything
// else, so that a document of another kind or version is named as such.
Status check_format(const json::Value& value, std::string_view document, std::string_view expected);

class DocObject {
 public:
  // The document's top level. Fails when `value` is not an object, has a member in neither
  // `members` nor `optional`, or lacks one of `members`.
  static Result<DocObject> root(const json::Value& value, std::string_view document,
                                std::span<const std::string_view> members);
  // The object that is this object's `member`, or an item of one of its arrays (at `path`,
  // item_path()) read as an object; checked as root() checks.
  Result<DocObject> object(std::string_view member, std::span<const std::string_view> members,
                           std::span<const std::string_view> optional = {}) const;
  Result<DocObject> item(const json::Value& value, std::string path,
                         std::span<const std::string_view> members,
                         std::span<const std::string_view> optional = {}) const;
  // Whether an optional member is there.
  bool has(std::string_view member) const { return value_->find(member) != nullptr; }

  Error error(std::string_view member, std::string_view reason) const;
  // "stores[1]" for the item `index` of this object's array `member`.
  std::string item_path(std::string_view member, std::size_t index) const;

  Result<std::int64_t> integer(std::string_view member, std::int64_t min, std::int64_t max) const;
  // A string of at most `bytes_max` bytes; "" only when `empty_ok`.
  Result<std::string> string(std::string_view member, std::size_t bytes_max, bool empty_ok) const;
  // The member must be null (a figure the document leaves out here).
  Status null(std::string_view member) const;
  Result<std::span<const json::Value>> array(std::string_view member, std::size_t items_max) const;
  Result<CivilDate> date(std::string_view member) const;         // YYYY-MM-DD
  Result<std::string> timestamp(std::string_view member) const;  // ISO 8601 UTC, as given

 private:
  DocObject(const json::Value* value, std::string_view document, std::string path)
      : value_(value), document_(document), path_(std::move(path)) {}
  static Result<DocObject> open(const json::Value& value, std::string_view document,
                                std::string path, std::span<const std::string_view> members,
                                std::span<const std::string_view> optional);
  const json::Value& get(std::string_view member) const;
  std::string member_path(std::string_view member) const;

  const json::Value* value_;
  std::string_view document_;  // "report" or "backtest": a literal
  std::string path_;           // "" at the top level, else "chain.points"
};

}  // namespace loyalty::sync::report
