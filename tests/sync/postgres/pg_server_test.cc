// PgServer (pg_server.h): a real PostgreSQL 15 server per test case, started, restarted, crashed
// and removed by the test itself.
#include "postgres/pg_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

namespace loyalty::test {
namespace {

using Catch::Matchers::Contains;

// The postmaster's pid, from the first line of its postmaster.pid.
pid_t postmaster_pid(const PgServer& pg) {
  std::ifstream file(pg.data_dir() + "/postmaster.pid");
  pid_t pid = 0;
  file >> pid;
  return pid;
}

// No process has this pid any more: not running, not a zombie waiting to be reaped.
bool gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// The message of what start() threw, or "" if it did not throw.
std::string start_failure(const PgServer::Options& options) {
  try {
    PgServer pg = PgServer::start(options);
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}

TEST_CASE("a started PostgreSQL 15 server answers psql as loyalty_test on 127.0.0.1",
          "[postgres]") {
  PgServer pg = PgServer::start({.name = "answers", .settings = {}});
  const std::string port = std::to_string(pg.port());
  CHECK(pg.port() > 0);
  CHECK(pg.port() < 65536);
  CHECK(pg.host() == "127.0.0.1");
  CHECK(pg.conninfo() == "postgresql://loyalty_test@127.0.0.1:" + port + "/postgres");
  CHECK(pg.conninfo("hq_east") == "postgresql://loyalty_test@127.0.0.1:" + port + "/hq_east");
  CHECK(pg.conninfo("a b/c") == "postgresql://loyalty_test@127.0.0.1:" + port + "/a%20b%2Fc");

  CHECK(pg.psql("SELECT 40 + 2") == "42");
  CHECK(pg.psql("SELECT 1, 'a' UNION ALL SELECT 2, 'b'") == "1|a\n2|b");
  CHECK(pg.psql("SELECT current_user") == "loyalty_test");
  CHECK(pg.psql("SELECT current_setting('server_version_num')::int / 10000") == "15");
  CHECK(pg.psql("SELECT inet_server_addr()") == "127.0.0.1");
  CHECK(pg.psql("SELECT inet_server_port()") == port);
  CHECK(pg.psql("SHOW data_directory") == pg.data_dir());
  CHECK(pg.psql("SHOW unix_socket_directories") ==
        std::filesystem::path(pg.data_dir()).parent_path().string());
  CHECK(pg.psql("SHOW listen_addresses") == "127.0.0.1");
  CHECK(pg.psql("SHOW fsync") == "on");
  CHECK(pg.psql("SHOW max_connections") == "200");
  CHECK(pg.psql("SHOW shared_buffers") == "128MB");
  CHECK(pg.psql("SHOW server_encoding") == "UTF8");
  CHECK(pg.psql("SHOW lc_collate") == "C.UTF-8");
  CHECK(pg.psql("SHOW logging_collector") == "off");
  CHECK_THAT(pg.log_tail(), Contains("database system is ready to accept connections"));

  // As root the cluster belongs to the postgres user, who runs the server; otherwise to us.
  struct stat info {};
  REQUIRE(::stat(pg.data_dir().c_str(), &info) == 0);
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    REQUIRE(postgres != nullptr);
    CHECK(info.st_uid == postgres->pw_uid);
  } else {
    CHECK(info.st_uid == ::geteuid());
  }
  CHECK((info.st_mode & 0777) == 0700);
}

TEST_CASE("psql reports the server's error and the statement that failed", "[postgres]") {
  PgServer pg = PgServer::start({.name = "errors", .settings = {}});
  CHECK_THROWS_WITH(pg.psql("SELECT no_such_column"),
                    Contains("PgServer \"errors\": psql failed with exit status 1") &&
                        Contains("SELECT no_such_column") &&
                        Contains("column \"no_such_column\" does not exist"));
  CHECK_THROWS_WITH(pg.psql("SELECT 1", "no_such_database"),
                    Contains("database \"no_such_database\" does not exist"));
  // ON_ERROR_STOP: the statement after the failed one does not run.
  CHECK_THROWS(pg.psql("CREATE TABLE t (x int); SELECT 1/0; CREATE TABLE u (x int)"));
  CHECK(pg.psql("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'u')") == "0");
}

TEST_CASE("Options settings are written after the defaults and override them", "[postgres]") {
  PgServer pg = PgServer::start({.name = "settings", .settings = {"fsync=off", "work_mem=8MB"}});
  CHECK(pg.psql("SHOW fsync") == "off");
  CHECK(pg.psql("SHOW work_mem") == "8MB");
  CHECK(pg.psql("SHOW max_connections") == "200");
}

TEST_CASE("a committed row survives an immediate restart, on the same port", "[postgres]") {
  PgServer pg = PgServer::start({.name = "restart", .settings = {}});
  pg.create_database("hq_test");
  CHECK(pg.psql("SELECT datname FROM pg_database WHERE datname = 'hq_test'") == "hq_test");
  CHECK(pg.psql("CREATE TABLE journal (id bigint PRIMARY KEY, body text NOT NULL)", "hq_test") ==
        "CREATE TABLE");
  CHECK(pg.psql("INSERT INTO journal VALUES (7, 'seven')", "hq_test") == "INSERT 0 1");
  const int port = pg.port();
  const pid_t first = postmaster_pid(pg);

  pg.restart("immediate");
  CHECK(pg.port() == port);
  CHECK(postmaster_pid(pg) != first);
  CHECK(gone(first));
  CHECK(pg.psql("SELECT id, body FROM journal", "hq_test") == "7|seven");
  // An immediate stop writes no shutdown checkpoint: the start was a recovery from the WAL.
  CHECK_THAT(pg.log_tail(), Contains("database system was not properly shut down; automatic "
                                     "recovery in progress"));

  pg.restart("fast");
  CHECK(pg.psql("SELECT id, body FROM journal", "hq_test") == "7|seven");
  CHECK_THAT(pg.log_tail(10), Contains("database system was shut down at"));
}

TEST_CASE("after kill_postmaster start_again recovers the committed row", "[postgres]") {
  PgServer pg = PgServer::start({.name = "crash", .settings = {}});
  pg.psql("CREATE TABLE points (id int PRIMARY KEY, points bigint NOT NULL)");
  pg.psql("INSERT INTO points VALUES (1, 250), (2, 40)");
  const pid_t postmaster = postmaster_pid(pg);
  REQUIRE(postmaster > 0);

  pg.kill_postmaster();
  // Every process of the server has exited, and has been reaped.
  CHECK(gone(postmaster));
  CHECK_THROWS_WITH(pg.psql("SELECT 1"), Contains("Connection refused"));
  // The crashed server's postmaster.pid stays; the next postmaster finds its pid gone.
  CHECK(std::filesystem::exists(pg.data_dir() + "/postmaster.pid"));

  pg.start_again();
  CHECK(pg.psql("SELECT id, points FROM points ORDER BY id") == "1|250\n2|40");
  CHECK_THAT(pg.log_tail(), Contains("automatic recovery in progress"));
  CHECK(pg.psql("SELECT 40 + 2") == "42");
}

TEST_CASE("a stopped server refuses psql until start_again", "[postgres]") {
  PgServer pg = PgServer::start({.name = "stopped", .settings = {}});
  const pid_t postmaster = postmaster_pid(pg);
  pg.stop();
  CHECK(gone(postmaster));
  CHECK_FALSE(std::filesystem::exists(pg.data_dir() + "/postmaster.pid"));
  CHECK_THROWS_WITH(pg.psql("SELECT 1"), Contains("PgServer \"stopped\": psql failed") &&
                                             Contains("Connection refused"));
  CHECK_THROWS_WITH(pg.stop(), Contains("PgServer \"stopped\": stop: the server is not running"));
  CHECK_THROWS_WITH(pg.kill_postmaster(), Contains("the server is not running"));

  pg.start_again();
  CHECK(pg.psql("SELECT 40 + 2") == "42");
  CHECK_THROWS_WITH(pg.start_again(), Contains("the server is already running"));
  CHECK_THROWS_WITH(pg.stop("sideways"), Contains("pg_ctl stop -m sideways failed") &&
                                             Contains("unrecognized shutdown mode"));
  CHECK(pg.psql("SELECT 40 + 2") == "42");  // still running
}

TEST_CASE("two servers run at once on different ports with separate data", "[postgres]") {
  PgServer east = PgServer::start({.name = "east", .settings = {}});
  PgServer west = PgServer::start({.name = "west", .settings = {}});
  CHECK(east.port() != west.port());
  CHECK(east.data_dir() != west.data_dir());
  east.psql("CREATE TABLE stores (id text)");
  east.psql("INSERT INTO stores VALUES ('FM014')");
  CHECK(east.psql("SELECT id FROM stores") == "FM014");
  CHECK_THROWS_WITH(west.psql("SELECT id FROM stores"),
                    Contains("relation \"stores\" does not exist"));
  CHECK(east.psql("SELECT inet_server_port()") == std::to_string(east.port()));
  CHECK(west.psql("SELECT inet_server_port()") == std::to_string(west.port()));
}

TEST_CASE("the destructor stops the server and removes its directory", "[postgres]") {
  std::string data_dir;
  pid_t postmaster = 0;
  {
    PgServer pg = PgServer::start({.name = "removed", .settings = {}});
    data_dir = pg.data_dir();
    postmaster = postmaster_pid(pg);
    REQUIRE(std::filesystem::exists(data_dir + "/PG_VERSION"));
  }
  CHECK(gone(postmaster));
  CHECK_FALSE(std::filesystem::exists(data_dir));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(data_dir).parent_path()));

  // ... also when the server was stopped first, and after a move.
  {
    PgServer pg = PgServer::start({.name = "moved", .settings = {}});
    pg.stop();
    PgServer moved = std::move(pg);
    data_dir = moved.data_dir();
    moved.start_again();
    postmaster = postmaster_pid(moved);
    CHECK(moved.psql("SELECT 40 + 2") == "42");
  }
  CHECK(gone(postmaster));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(data_dir).parent_path()));
}

TEST_CASE("a bad setting makes start throw with the server's own complaint", "[postgres]") {
  const std::string message =
      start_failure({.name = "bad", .settings = {"shared_buffers=nonsense"}});
  CHECK_THAT(message, Contains("PgServer \"bad\": the server did not start") &&
                          Contains("pg_ctl start failed with exit status 1") &&
                          Contains("invalid value for parameter \"shared_buffers\": \"nonsense\""));
  // Nothing is left behind: the directory named in the message is gone.
  std::smatch match;
  REQUIRE(std::regex_search(message, match, std::regex("data directory (\\S+)/data")));
  CHECK_FALSE(std::filesystem::exists(match[1].str()));

  CHECK_THAT(start_failure({.name = "unparsable", .settings = {"fsync"}}),
             Contains("PgServer \"unparsable\": setting \"fsync\" is not one \"key=value\" line"));
}

}  // namespace
}  // namespace loyalty::test
