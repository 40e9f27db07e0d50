#include "loyalty/storage/statement.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "sqlite/statement_cache.h"

namespace loyalty::storage {

namespace {

// SQL quoted in error messages is cut here: enough to recognise the statement.
constexpr std::size_t quoted_sql_bytes_max = 80;

std::string quoted(const char* sql) {
  std::string text = sql != nullptr ? sql : "";
  if (text.size() > quoted_sql_bytes_max) text = text.substr(0, quoted_sql_bytes_max) + "...";
  return "\"" + text + "\"";
}

}  // namespace

Result<Statement> Statement::prepare(const Database& db, std::string_view sql) {
  LOYALTY_ASSERT(db.handle() != nullptr);
  StatementCache* cache = db.statement_cache();
  if (cache != nullptr) {
    if (sqlite3_stmt* cached = cache->take(sql)) return Statement(cached, cache);
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  Statement statement(raw, nullptr);  // owns raw (may be nullptr) on every path
  if (rc != SQLITE_OK) {
    return sqlite_error(db.handle(), rc, "prepare " + quoted(std::string(sql).c_str()));
  }
  // Empty SQL, or a second statement that would be silently ignored, is a bug of the caller.
  LOYALTY_ASSERT(raw != nullptr);
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  LOYALTY_ASSERT(rest.find_first_not_of(" \t\n;") == std::string_view::npos);
  // The cache files a statement under its own text, so only SQL that is exactly one statement
  // (nothing after it) is kept; anything else is finalized after use.
  if (cache != nullptr && std::string_view(sqlite3_sql(raw)) == sql) {
    statement.cache_ = cache;
    cache->adopt();
  }
  return statement;
}

void Statement::release() {
  if (stmt_ == nullptr) return;
  if (cache_ != nullptr) {
    cache_->give_back(sqlite3_sql(stmt_), stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  cache_ = nullptr;
}

Statement::~Statement() { release(); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), cache_(std::exchange(other.cache_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    cache_ = std::exchange(other.cache_, nullptr);
  }
  return *this;
}

Status Statement::check_bind(int result_code, int index) {
  if (result_code == SQLITE_OK) return {};
  return sqlite_error(sqlite3_db_handle(stmt_), result_code,
                      "bind ?" + std::to_string(index) + " of " + quoted(sqlite3_sql(stmt_)));
}

Status Statement::bind_int64(int index, std::int64_t value) {
  LOYALTY_ASSERT(stmt_ != nullptr);
  return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::bind_text(int index, std::string_view value) {
  LOYALTY_ASSERT(stmt_ != nullptr);
  return check_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

Status Statement::bind_null(int index) {
  LOYALTY_ASSERT(stmt_ != nullptr);
  return check_bind(sqlite3_bind_null(stmt_, index), index);
}

Result<Step> Statement::step() {
  LOYALTY_ASSERT(stmt_ != nullptr);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::row;
  if (rc == SQLITE_DONE) return Step::done;
  Error error = sqlite_error(sqlite3_db_handle(stmt_), rc, "step " + quoted(sqlite3_sql(stmt_)));
  // Leave the statement reusable: a failed step otherwise keeps its error until the next reset.
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::run() {
  while (TRY(step()) == Step::row) {
  }
  return {};
}

std::int64_t Statement::column_int64(int index) const {
  LOYALTY_ASSERT(stmt_ != nullptr);
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::column_text(int index) const {
  LOYALTY_ASSERT(stmt_ != nullptr);
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  const int bytes = sqlite3_column_bytes(stmt_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

bool Statement::column_is_null(int index) const {
  LOYALTY_ASSERT(stmt_ != nullptr);
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void Statement::reset() {
  LOYALTY_ASSERT(stmt_ != nullptr);
  // sqlite3_reset repeats the last step's error, which step() has already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

}  // namespace loyalty::storage
