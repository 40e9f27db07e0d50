// What the PostgreSQL backend sends with a statement, all in PostgreSQL's text formats:
// - PgParams: the $1, $2, ... of one statement (NULL-able), for PQexecParams / PQexecPrepared;
// - PgArray: a one-dimensional array literal ('{"a","b",NULL}') for one text[] / bigint[] /
//   boolean[] parameter, so that many rows go in one statement (unnest);
// - CopyRows: rows in COPY's text format (tab-separated, \N for NULL, backslash escapes).
//
// Ownership: each holds copies of what it was given. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/time.h"

namespace loyalty::sync::hq::pg {

class PgArray {
 public:
  PgArray& text(std::string_view value);
  PgArray& int64(std::int64_t value);
  PgArray& boolean(bool value);
  PgArray& null();
  PgArray& optional_text(const std::optional<std::string>& value);
  PgArray& optional_int64(const std::optional<std::int64_t>& value);
  PgArray& optional_time(const std::optional<Timestamp>& at);

  std::size_t size() const { return size_; }
  // The literal: "{}" when empty.
  std::string literal() const { return "{" + body_ + "}"; }

 private:
  void separate();
  std::string body_;
  std::size_t size_ = 0;
};

class PgParams {
 public:
  PgParams& text(std::string_view value);
  PgParams& int64(std::int64_t value);
  PgParams& boolean(bool value);
  PgParams& null();
  PgParams& optional_text(const std::optional<std::string>& value);
  PgParams& optional_time(const std::optional<Timestamp>& at);
  PgParams& array(const PgArray& array) { return text(array.literal()); }

  int size() const { return static_cast<int>(values_.size()); }
  // One pointer per parameter (nullptr for NULL), valid while this object is unchanged.
  const char* const* values() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  mutable std::vector<const char*> pointers_;
};

class CopyRows {
 public:
  CopyRows& text(std::string_view value);
  CopyRows& int64(std::int64_t value);
  CopyRows& null();
  // Ends the current row.
  void end_row();

  std::size_t rows() const { return rows_; }
  std::string_view data() const { return data_; }

 private:
  void separate();
  std::string data_;
  std::size_t rows_ = 0;
  bool row_open_ = false;
};

}  // namespace loyalty::sync::hq::pg
