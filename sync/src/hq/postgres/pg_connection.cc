#include "hq/postgres/pg_connection.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "loyalty/sync/hq_postgres.h"

namespace loyalty::sync::hq::pg {

namespace {

// libpq's messages end with a newline and may span lines ("DETAIL: ..."): one line for ours.
std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += c;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

bool is_connection_state(std::string_view sqlstate) {
  // Class 08: connection exceptions; 57P01..57P03: the server is shutting down or starting.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

bool is_busy_state(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03";
}

// A label for a statement in messages: its first words.
std::string describe(std::string_view sql) {
  constexpr std::size_t label_bytes_max = 60;
  std::string label = one_line(sql.substr(0, std::min(sql.size(), label_bytes_max * 2)));
  if (label.size() > label_bytes_max) label = label.substr(0, label_bytes_max) + "...";
  return label;
}

// The server's notices and warnings (a NOTICE of IF NOT EXISTS, the WARNING of a shutdown) are
// not errors: libpq would print them on stderr, HQ's log; the errors that follow say what matters.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string server_name(std::string_view conninfo) {
  if (conninfo.empty()) return "(libpq defaults: PGHOST, PGPORT, PGDATABASE, PGUSER)";
  return redact_conninfo(conninfo);
}

// --- PgResult ---

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    clear();
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

void PgResult::clear() {
  if (result_ != nullptr) PQclear(result_);
  result_ = nullptr;
}

int PgResult::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }

bool PgResult::is_null(int row, int column) const {
  LOYALTY_ASSERT(result_ != nullptr && row < PQntuples(result_) && column < PQnfields(result_));
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view PgResult::view(int row, int column) const {
  LOYALTY_ASSERT(result_ != nullptr && row < PQntuples(result_) && column < PQnfields(result_));
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::int64(int row, int column) const {
  if (is_null(row, column)) return 0;
  const std::string_view text = view(row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // A bigint column's text is always an integer: anything else is a bug of the query.
  LOYALTY_ASSERT(error == std::errc() && end == text.data() + text.size());
  return value;
}

std::optional<std::int64_t> PgResult::optional_int64(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return int64(row, column);
}

std::optional<std::string> PgResult::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::string_view PgResult::command_status() const {
  return result_ == nullptr ? std::string_view() : std::string_view(PQcmdStatus(result_));
}

std::int64_t PgResult::affected() const {
  if (result_ == nullptr) return 0;
  const char* tuples = PQcmdTuples(result_);
  std::int64_t value = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), value);
  return value;
}

// --- PgConnection ---

Result<PgConnection> PgConnection::connect(const std::string& conninfo,
                                           const PgConnectOptions& options) {
  const std::string connect_timeout = std::to_string(options.connect_timeout_s);
  // Keywords apply in order: application_name before dbname (the expanded conninfo may name
  // another), the timeout and the encoding after it (this program's).
  const char* keywords[] = {"application_name", "dbname", "connect_timeout", "client_encoding",
                            nullptr};
  const char* values[] = {"loyalty-hq", conninfo.c_str(), connect_timeout.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) {
    return make_error(ErrorCode::io_error, "cannot connect to the HQ database at " +
                                               server_name(conninfo) + ": out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return make_error(ErrorCode::io_error, "cannot connect to the HQ database at " +
                                               server_name(conninfo) + ": " + message);
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  PgConnection connection(conn, conninfo, options);
  TRY(connection.setup_session());
  return connection;
}

PgConnection::PgConnection(PGconn* conn, std::string conninfo, PgConnectOptions options)
    : conn_(conn),
      conninfo_(std::move(conninfo)),
      server_(server_name(conninfo_)),
      options_(options) {}

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(other.conn_),
      conninfo_(std::move(other.conninfo_)),
      server_(std::move(other.server_)),
      options_(other.options_),
      session_setup_(std::move(other.session_setup_)),
      prepared_(std::move(other.prepared_)),
      in_transaction_(other.in_transaction_) {
  other.conn_ = nullptr;
  other.in_transaction_ = false;
}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = other.conn_;
    conninfo_ = std::move(other.conninfo_);
    server_ = std::move(other.server_);
    options_ = other.options_;
    session_setup_ = std::move(other.session_setup_);
    prepared_ = std::move(other.prepared_);
    in_transaction_ = other.in_transaction_;
    other.conn_ = nullptr;
    other.in_transaction_ = false;
  }
  return *this;
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConnection::setup_session() {
  std::int64_t lock_ms = options_.lock_timeout_ms;
  if (options_.statement_timeout_ms > 0 &&
      (lock_ms == 0 || lock_ms > options_.statement_timeout_ms)) {
    lock_ms = options_.statement_timeout_ms;
  }
  TRY(exec("SET statement_timeout = " + std::to_string(options_.statement_timeout_ms) +
           "; SET lock_timeout = " + std::to_string(lock_ms) +
           "; SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'"));
  if (!session_setup_.empty()) TRY(exec(session_setup_));
  return {};
}

Status PgConnection::set_session_setup(std::string sql) {
  session_setup_ = std::move(sql);
  return exec(session_setup_);
}

Status PgConnection::ensure_open() {
  LOYALTY_ASSERT(conn_ != nullptr);
  if (PQstatus(conn_) == CONNECTION_OK) return {};
  // A new session: what the old one prepared is gone with it.
  prepared_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return make_error(ErrorCode::io_error, "cannot reconnect to the HQ database at " + server_ +
                                               ": " + one_line(PQerrorMessage(conn_)));
  }
  return setup_session();
}

Status PgConnection::begin(PgTransaction kind) {
  LOYALTY_ASSERT(!in_transaction_);
  TRY(ensure_open());
  const std::string_view sql = kind == PgTransaction::read
                                   ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                                   : "BEGIN ISOLATION LEVEL READ COMMITTED";
  Status begun = exec(sql);
  if (!begun.ok() && PQstatus(conn_) != CONNECTION_OK) {
    // An idle connection learns that its server restarted only when it next speaks: nothing
    // was done yet, so reconnect and begin once more.
    TRY(ensure_open());
    begun = exec(sql);
  }
  TRY(std::move(begun));
  in_transaction_ = true;
  return {};
}

Status PgConnection::commit() {
  if (!in_transaction_) {
    // Only a lost connection ends a transaction behind the caller's back (begin() is asserted).
    return make_error(ErrorCode::io_error, "the connection to the HQ database at " + server_ +
                                               " was lost: its transaction was rolled back");
  }
  if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    // COMMIT of a failed transaction answers ROLLBACK without an error: say so instead.
    rollback();
    return make_error(ErrorCode::io_error,
                      "the HQ database transaction failed earlier and was rolled back");
  }
  PgResult result = TRY(check(PQexec(conn_, "COMMIT"), "COMMIT"));
  in_transaction_ = false;
  if (result.command_status() != "COMMIT") {
    return make_error(ErrorCode::io_error, "the HQ database rolled the transaction back (" +
                                               std::string(result.command_status()) + ")");
  }
  return {};
}

void PgConnection::rollback() noexcept {
  if (!in_transaction_) return;
  in_transaction_ = false;
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
  PGresult* result = PQexec(conn_, "ROLLBACK");
  if (result != nullptr) PQclear(result);
}

Status PgConnection::exec(std::string_view sql) {
  TRY(check(PQexec(conn_, std::string(sql).c_str()), describe(sql)));
  return {};
}

Result<PgResult> PgConnection::query(std::string_view sql, const PgParams& params) {
  return check(PQexecParams(conn_, std::string(sql).c_str(), params.size(), nullptr,
                            params.values(), nullptr, nullptr, 0),
               describe(sql));
}

Result<PgResult> PgConnection::run(const PgStatement& statement, const PgParams& params) {
  const std::string name(statement.name);
  if (prepared_.find(name) == prepared_.end()) {
    TRY(check(PQprepare(conn_, name.c_str(), std::string(statement.sql).c_str(), 0, nullptr),
              "preparing " + name));
    prepared_.insert(name);
  }
  return check(
      PQexecPrepared(conn_, name.c_str(), params.size(), params.values(), nullptr, nullptr, 0),
      name);
}

Status PgConnection::copy_in(std::string_view copy_sql, std::string_view data) {
  const std::string what = describe(copy_sql);
  PGresult* start = PQexec(conn_, std::string(copy_sql).c_str());
  if (start == nullptr || PQresultStatus(start) != PGRES_COPY_IN) {
    Error error = error_of(start, what);
    if (start != nullptr) PQclear(start);
    return error;
  }
  PQclear(start);
  // PQputCopyData takes an int length: send large rows in pieces (COPY does not care where).
  constexpr std::size_t piece_bytes_max = 1 << 20;
  bool sent = true;
  for (std::size_t offset = 0; sent && offset < data.size(); offset += piece_bytes_max) {
    const std::size_t bytes = std::min(piece_bytes_max, data.size() - offset);
    sent = PQputCopyData(conn_, data.data() + offset, static_cast<int>(bytes)) == 1;
  }
  if (!sent || PQputCopyEnd(conn_, nullptr) != 1) return connection_lost(what);
  // The COPY's result, then the end of results.
  Result<PgResult> done = check(PQgetResult(conn_), what);
  while (PGresult* more = PQgetResult(conn_)) PQclear(more);
  TRY(std::move(done));
  return {};
}

Result<PgResult> PgConnection::check(PGresult* raw, std::string_view what) {
  if (raw != nullptr) {
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return PgResult(raw);
    }
  }
  Error error = error_of(raw, what);
  if (raw != nullptr) PQclear(raw);
  return error;
}

Error PgConnection::connection_lost(std::string_view what) {
  const bool was_in_transaction = in_transaction_;
  in_transaction_ = false;
  std::string message = "lost the connection to the HQ database at " + server_ + " during " +
                        std::string(what) + ": " + one_line(PQerrorMessage(conn_));
  if (what == "COMMIT") {
    message += "; whether the transaction committed is unknown";
  } else if (was_in_transaction) {
    message += "; the transaction was rolled back";
  }
  return make_error(ErrorCode::io_error, std::move(message));
}

Error PgConnection::error_of(const PGresult* result, std::string_view what) {
  if (PQstatus(conn_) != CONNECTION_OK) return connection_lost(what);
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  if (is_connection_state(sqlstate)) {
    // The server said goodbye (a shutdown, a restart): the connection is as good as gone, and
    // the next begin() reconnects.
    return connection_lost(what);
  }
  std::string message;
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary != nullptr) {
    message = one_line(primary);
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
      message += " (" + one_line(detail) + ")";
    }
  } else {
    message = one_line(PQerrorMessage(conn_));
  }
  if (!sqlstate.empty()) message += " [SQLSTATE " + sqlstate + "]";
  if (is_busy_state(sqlstate)) {
    return make_error(ErrorCode::busy, "the HQ database could not run " + std::string(what) +
                                           " now: " + message + "; run it again");
  }
  return make_error(ErrorCode::io_error,
                    "the HQ database refused " + std::string(what) + ": " + message);
}

}  // namespace loyalty::sync::hq::pg
