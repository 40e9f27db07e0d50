// PgConnection: one libpq connection (PGconn) of the HQ store's PostgreSQL backend, and PgResult,
// the result of one statement (PGresult).
//
// - Statements: exec() (simple protocol, no parameters, one or more statements), query() (one
//   statement with text parameters, PQexecParams) and run() (a named statement prepared once per
//   session with PQprepare, then PQexecPrepared; prepared again after a reconnect).
// - COPY ... FROM STDIN in text format: copy_in().
// - Transactions: begin(read|write), commit(), rollback(). A read transaction is REPEATABLE READ
//   READ ONLY (one snapshot, as a SQLite read transaction); a write transaction is READ COMMITTED
//   and the callers take the row locks that serialise what must be (hq/postgres/pg_rows.h).
// - Errors (core's Result): SQLSTATE 40001, 40P01 (serialisation failure, deadlock) and 55P03
//   (lock_timeout) are ErrorCode::busy; a lost or refused connection is io_error naming the
//   server by redact_conninfo (never its password); anything else is io_error with PostgreSQL's
//   message and SQLSTATE.
// - Reconnect: a connection that broke (the server restarted) is reset by the next begin(), so a
//   long-running HQ worker survives a PostgreSQL restart; a call inside a transaction whose
//   connection broke fails (io_error) and the transaction counts as rolled back.
//
// Ownership: a PgConnection owns its PGconn (moved, never copied); a PgResult owns its PGresult.
// Thread-safety: none; one connection per thread.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "hq/postgres/pg_params.h"
#include "loyalty/core/result.h"

namespace loyalty::sync::hq::pg {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result) {}
  ~PgResult() { clear(); }
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  bool is_null(int row, int column) const;
  // A view into the result, valid while it lives; "" for NULL.
  std::string_view view(int row, int column) const;
  std::string text(int row, int column) const { return std::string(view(row, column)); }
  // An integer column; 0 for NULL (as SQLite's column_int64), so callers that check for NULL
  // first read exactly what the SQLite backend reads.
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const { return view(row, column) == "t"; }
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  // The rows an INSERT, UPDATE or DELETE touched (PQcmdTuples).
  std::int64_t affected() const;
  // The command tag ("COMMIT", "INSERT 0 3").
  std::string_view command_status() const;

 private:
  void clear();
  PGresult* result_ = nullptr;
};

// A statement prepared under `name` on first use in a session. Both views must outlive every
// connection that runs it (they are string literals).
struct PgStatement {
  std::string_view name;
  std::string_view sql;
};

struct PgConnectOptions {
  int connect_timeout_s = 10;           // libpq connect_timeout (0: none)
  int statement_timeout_ms = 60000;     // 0: none
  std::int64_t lock_timeout_ms = 5000;  // 0: none; never above the statement timeout
};

enum class PgTransaction { read, write };

class PgConnection {
 public:
  // Connects to `conninfo` (URI or key=value), application_name "loyalty-hq" unless the
  // conninfo names another, and sets the session up (UTF8, ISO dates, the timeouts).
  static Result<PgConnection> connect(const std::string& conninfo, const PgConnectOptions& options);

  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // SQL run now and after every reconnect (temporary tables, settings of the session).
  Status set_session_setup(std::string sql);

  Status begin(PgTransaction kind);
  Status commit();
  // Ends the open transaction without its changes; a no-op when none is open or the connection
  // is gone (the server rolled it back).
  void rollback() noexcept;
  bool in_transaction() const { return in_transaction_; }

  Status exec(std::string_view sql);
  Result<PgResult> query(std::string_view sql, const PgParams& params = {});
  Result<PgResult> run(const PgStatement& statement, const PgParams& params = {});
  // Runs `copy_sql` (COPY ... FROM STDIN, text format) and sends `data` as its rows.
  Status copy_in(std::string_view copy_sql, std::string_view data);

  // How messages name the server: the conninfo with its password hidden.
  const std::string& server() const { return server_; }

 private:
  PgConnection(PGconn* conn, std::string conninfo, PgConnectOptions options);
  Status setup_session();
  // Resets a broken connection; a no-op for a good one.
  Status ensure_open();
  Result<PgResult> check(PGresult* raw, std::string_view what);
  Error error_of(const PGresult* result, std::string_view what);
  Error connection_lost(std::string_view what);

  PGconn* conn_ = nullptr;
  std::string conninfo_;  // may hold a password: never in a message
  std::string server_;
  PgConnectOptions options_;
  std::string session_setup_;
  std::set<std::string, std::less<>> prepared_;
  bool in_transaction_ = false;
};

// The message naming a server for `conninfo` ("(libpq defaults)" for an empty one).
std::string server_name(std::string_view conninfo);

}  // namespace loyalty::sync::hq::pg
