#include "loyalty/storage/database.h"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"
#include "sqlite/statement_cache.h"

namespace loyalty::storage {

Error sqlite_error(sqlite3* db, int result_code, std::string_view operation) {
  std::string message(operation);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
  switch (result_code & 0xff) {  // the primary code; extended codes keep it in the low byte
    case SQLITE_CONSTRAINT:
      // UNIQUE, CHECK, FOREIGN KEY, and RAISE(ABORT) in a trigger: the database refusing a write
      // that contradicts what it holds, a conflict rather than an I/O failure.
      return make_error(ErrorCode::conflict, std::move(message));
    case SQLITE_BUSY:    // another connection's lock outlasted the busy timeout (or a stale
                         // snapshot, SQLITE_BUSY_SNAPSHOT, which a new transaction cures)
    case SQLITE_LOCKED:  // a table locked by a statement of the same connection (or shared cache)
      message += " (busy: another connection or statement holds the lock; try again)";
      return make_error(ErrorCode::busy, std::move(message));
    default:
      return make_error(ErrorCode::io_error, std::move(message));
  }
}

namespace {

// Reads the one-row answer of a PRAGMA that reports its new value (journal_mode).
Result<std::string> pragma_text(const Database& db, std::string_view sql) {
  Statement statement = TRY(Statement::prepare(db, sql));
  if (TRY(statement.step()) != Step::row) {
    return make_error(ErrorCode::io_error, std::string(sql) + ": returned no row");
  }
  return statement.column_text(0);
}

Status configure(Database& db, const DatabaseOptions& options) {
  // The busy timeout comes first: entering WAL mode (and, on a WAL file, the first read) takes a
  // lock, and without the timeout a second process opening the file at the same moment would
  // fail at once instead of waiting. sqlite3_busy_timeout touches no file, so it cannot be busy.
  const int rc = sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout_ms));
  if (rc != SQLITE_OK) return sqlite_error(db.handle(), rc, "busy_timeout " + db.path());
  // WAL: readers do not block the writer, and a commit appends to the log instead of rewriting
  // pages in place. SQLite answers with the mode it is now in; a file it cannot put in WAL mode
  // (e.g. on a file system without shared memory) keeps its old mode, which we refuse.
  const std::string mode = TRY(pragma_text(db, "PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return make_error(ErrorCode::io_error, "open " + db.path() + ": journal_mode is \"" + mode +
                                               "\", not \"wal\": put the ledger on a local disk");
  }
  TRY(db.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                     : "PRAGMA synchronous=NORMAL"));
  TRY(db.exec("PRAGMA foreign_keys=ON"));
  return {};
}

}  // namespace

Result<Database> Database::open(const std::string& path, const DatabaseOptions& options) {
  if (options.busy_timeout_ms < 0 || options.busy_timeout_ms > limits::sqlite_busy_timeout_ms_max) {
    return make_error(ErrorCode::invalid_argument,
                      "busy_timeout_ms " + std::to_string(options.busy_timeout_ms) +
                          " is outside 0.." + std::to_string(limits::sqlite_busy_timeout_ms_max));
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  // sqlite3_open_v2 hands out a handle even on failure (for the message); the Database owns it
  // from here on either way, so it is closed on every path.
  Database db(raw, path);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  TRY(configure(db, options));
  return db;
}

Database::Database(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), cache_(std::make_unique<StatementCache>()) {}

void Database::close() {
  // Every Statement must be gone before its Database (statement.h): one alive now would hand its
  // statement back to the cache destroyed here.
  LOYALTY_ASSERT(cache_ == nullptr || cache_->lent() == 0);
  cache_.reset();  // finalizes the cached statements first
  // sqlite3_close_v2 defers the close until the last statement is finalized instead of failing,
  // so a leaked Statement cannot leak the connection too.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Database::~Database() { close(); }

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Result<Database::Checkpoint> Database::checkpoint() {
  LOYALTY_ASSERT(db_ != nullptr);
  Checkpoint out;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &out.wal_frames,
                                           &out.checkpointed);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "checkpoint " + path_);
  return out;
}

std::int64_t Database::last_insert_rowid() const {
  LOYALTY_ASSERT(db_ != nullptr);
  return sqlite3_last_insert_rowid(db_);
}

Status Database::exec(std::string_view sql) {
  LOYALTY_ASSERT(db_ != nullptr);
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "exec \"" + text + "\"");
  return {};
}

}  // namespace loyalty::storage
