#include "hq/postgres/pg_params.h"

#include <array>
#include <cstring>

#include "loyalty/core/result.h"

namespace loyalty::sync::hq::pg {

// --- PgArray ---

void PgArray::separate() {
  if (size_ > 0) body_ += ',';
  ++size_;
}

PgArray& PgArray::text(std::string_view value) {
  // Always quoted, so that '', "NULL" and values with commas, braces or spaces stay themselves.
  separate();
  body_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') body_ += '\\';
    body_ += c;
  }
  body_ += '"';
  return *this;
}

PgArray& PgArray::int64(std::int64_t value) {
  separate();
  body_ += std::to_string(value);
  return *this;
}

PgArray& PgArray::boolean(bool value) {
  separate();
  body_ += value ? 't' : 'f';
  return *this;
}

PgArray& PgArray::null() {
  separate();
  body_ += "NULL";
  return *this;
}

PgArray& PgArray::optional_text(const std::optional<std::string>& value) {
  return value ? text(*value) : null();
}

PgArray& PgArray::optional_int64(const std::optional<std::int64_t>& value) {
  return value ? int64(*value) : null();
}

PgArray& PgArray::optional_time(const std::optional<Timestamp>& at) {
  return at ? int64(at->unix_seconds) : null();
}

// --- PgParams ---

PgParams& PgParams::text(std::string_view value) {
  values_.emplace_back(value);
  nulls_.push_back(false);
  return *this;
}

PgParams& PgParams::int64(std::int64_t value) { return text(std::to_string(value)); }

PgParams& PgParams::boolean(bool value) { return text(value ? "true" : "false"); }

PgParams& PgParams::null() {
  values_.emplace_back();
  nulls_.push_back(true);
  return *this;
}

PgParams& PgParams::optional_text(const std::optional<std::string>& value) {
  return value ? text(*value) : null();
}

PgParams& PgParams::optional_time(const std::optional<Timestamp>& at) {
  return at ? int64(at->unix_seconds) : null();
}

const char* const* PgParams::values() const {
  pointers_.clear();
  for (std::size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(nulls_[i] ? nullptr : values_[i].c_str());
  }
  return pointers_.empty() ? nullptr : pointers_.data();
}

// --- CopyRows ---

void CopyRows::separate() {
  if (row_open_) {
    data_ += '\t';
  } else {
    row_open_ = true;
  }
}

CopyRows& CopyRows::text(std::string_view value) {
  separate();
  // COPY's text format: a backslash, the delimiter (tab), newline and carriage return are
  // written as escapes; every other byte stands for itself. Runs without such a byte (most of a
  // JSON payload) are appended whole.
  static constexpr auto escaped = [] {
    std::array<char, 256> letter{};  // 0: the byte stands for itself
    letter[static_cast<unsigned char>('\\')] = '\\';
    letter[static_cast<unsigned char>('\t')] = 't';
    letter[static_cast<unsigned char>('\n')] = 'n';
    letter[static_cast<unsigned char>('\r')] = 'r';
    return letter;
  }();
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char letter = escaped[static_cast<unsigned char>(value[i])];
    if (letter == 0) continue;
    data_.append(value.data() + start, i - start);
    data_ += '\\';
    data_ += letter;
    start = i + 1;
  }
  data_.append(value.data() + start, value.size() - start);
  return *this;
}

CopyRows& CopyRows::int64(std::int64_t value) {
  separate();
  data_ += std::to_string(value);
  return *this;
}

CopyRows& CopyRows::null() {
  separate();
  data_ += "\\N";
  return *this;
}

void CopyRows::end_row() {
  LOYALTY_ASSERT(row_open_);
  data_ += '\n';
  row_open_ = false;
  ++rows_;
}

}  // namespace loyalty::sync::hq::pg
