// PgServer: a real PostgreSQL 15 server for one test, started by the test itself. start() makes a
// fresh cluster (initdb) in a temporary directory of its own and starts it (pg_ctl) on a free
// loopback TCP port; the destructor stops it and removes the directory. Nothing is mocked: the
// HQ store's PostgreSQL tests talk to it over libpq with conninfo(), and its fault tests stop,
// restart or crash it (restart(), kill_postmaster()) in the middle of an ingest.
//
// Who runs the server: PostgreSQL refuses to run as root, and CI runs the tests as root. Then
// initdb, pg_ctl and the server run as the `postgres` system user (created by the Debian package
// postgresql) through setpriv, and the temporary directory belongs to that user; otherwise they
// run as the caller. The clients (psql) run as the caller either way. The superuser is always
// "loyalty_test", with trust authentication on loopback, so conninfo() is the same for everyone.
//
// Ownership: a PgServer owns the server's processes and its directory (data directory, log file
// and Unix sockets). While the server runs, a supervisor process (a child of the test program)
// is the parent of the postmaster: it reaps the server's processes, so that none is left as a
// zombie where init does not reap, and stop() and kill_postmaster() return only once every one
// has exited. If the test program dies without running the destructor (abort, SIGKILL), the
// supervisor notices, stops the server with an immediate shutdown and removes the directory.
// Move-only; a moved-from PgServer owns nothing and may only be destroyed or assigned to.
//
// Thread-safety: the lifecycle (start, stop, start_again, restart, kill_postmaster, destruction)
// is for one thread at a time. The const members may run on several threads at once, e.g. psql()
// beside a store under test, as long as no lifecycle call runs meanwhile.
//
// Errors: these are test fixtures, not a component, so they throw std::runtime_error. Each
// message names the server (Options::name), the command that failed and its stderr, and, where the
// server is involved, the tail of the server's log, where PostgreSQL says what it disliked.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty::test {

class PgServer {
 public:
  struct Options {
    std::string name = "pg";  // the server's label in error messages
    // Extra postgresql.conf lines, "key=value" each, written after the defaults below, which
    // they therefore override (e.g. "fsync=off" for a test that does not need durability).
    // Defaults: listen_addresses='127.0.0.1', the chosen port, unix_socket_directories inside
    // the temporary directory, max_connections=200, shared_buffers=128MB, fsync=on, the log to
    // the file server.log in the temporary directory.
    std::vector<std::string> settings;
  };

  // Runs initdb (--auth=trust --encoding=UTF8 --locale=C.UTF-8 -U loyalty_test) and starts the
  // server on a free port of 127.0.0.1, waiting until it accepts connections (at most 30 s, then
  // a "SELECT 1" over TCP). A port taken by someone else between choosing and binding it is
  // replaced by another one, a few times. Throws std::runtime_error when PostgreSQL 15 is not
  // installed, when initdb fails (with its stderr), or when the server does not start (with
  // pg_ctl's output and the server's complaint from its log); nothing is left behind then.
  static PgServer start(const Options& options);
  // start() with the default Options. (A default argument "= {}" cannot be used here: GCC
  // rejects the nested Options' default member initializers inside the unfinished class.)
  static PgServer start();

  // pg_ctl stop -m immediate if the server runs, then removes the directory.
  ~PgServer();
  PgServer(PgServer&& other) noexcept;
  PgServer& operator=(PgServer&& other) noexcept;
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Where the server listens: 127.0.0.1 and a port that stays the same across start_again().
  int port() const;
  std::string host() const;
  // A libpq URI for `database` as the superuser: "postgresql://loyalty_test@127.0.0.1:PORT/DB"
  // (the database name percent-encoded where it needs to be).
  std::string conninfo(std::string_view database = "postgres") const;

  // pg_ctl stop -m MODE -w (smart, fast or immediate): returns once the server and all of its
  // processes have exited. Throws if the server is not running or pg_ctl fails.
  void stop(std::string_view mode = "fast");
  // Starts the stopped (or crashed) server again on the same port and data directory, waiting
  // until it accepts connections, as start() does. After kill_postmaster() or an immediate stop
  // the server first recovers from its WAL. Throws if it is running, or does not start (e.g. the
  // port has been taken meanwhile).
  void start_again();
  // stop(mode) and start_again(): for "PostgreSQL restarts mid-ingest" fault tests. The default,
  // immediate, is a shutdown without a checkpoint, so the restart is a crash recovery.
  void restart(std::string_view mode = "immediate");
  // A crash: SIGKILL to the postmaster; returns once its other processes have exited too (they
  // exit when the postmaster is gone). start_again() recovers.
  void kill_postmaster();

  // Runs `sql` with psql -X -v ON_ERROR_STOP=1 -At -c in `database` as the superuser and returns
  // what it printed without the final newline: one line per row, columns separated by '|'.
  // Throws with psql's stderr (the server's error) when it fails.
  std::string psql(std::string_view sql, std::string_view database = "postgres") const;
  // CREATE DATABASE with `name` as a quoted identifier.
  void create_database(std::string_view name) const;

  // The last `lines` lines of the server's log file (shorter if the log is).
  std::string log_tail(std::size_t lines = 40) const;
  // The data directory, inside the temporary directory that also holds the log and the sockets.
  const std::string& data_dir() const;

 private:
  struct State;  // pg_server.cc: paths, the user, the supervisor; nullptr when moved from

  explicit PgServer(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace loyalty::test
