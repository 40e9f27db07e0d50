// A kill -9 of loyaltyd between the ledger's commit and the reply, then a restart and the POS's
// retry: the receipt is committed exactly once, and the retry gets the stored result. The real
// program runs, in its own process, with the fault injection point LOYALTYD_FAULT_KILL_AFTER_COMMIT
// (service/till_service.h) that sends it SIGKILL right after the commit.
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "daemon/daemon_fixture.h"

extern char** environ;

namespace loyalty::daemon::test {
namespace {

std::string config_text(const TempDir& dir) {
  return "[terminal]\nid = \"T-crash\"\nstore_id = \"FM014\"\nstate_directory = \"" +
         dir.path().string() +
         "\"\ntime_zone = \"Europe/Berlin\"\n[program]\nbundle = \"" LOYALTY_EXAMPLES_DIR
         "/programs/grocery.json\"\n[api]\nsocket = \"" +
         dir.file("api.sock") + "\"\ntoken_file = \"" + dir.file("token") +
         "\"\n[panel]\nenabled = false\n[readers]\nhotplug = false\n[log]\nsink = \"stderr\"\n";
}

// Starts loyaltyd with `fault` (or without, when empty) and waits until /v1/health answers.
pid_t start_daemon(const TempDir& dir, const std::string& fault) {
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    if (std::string_view(*variable).starts_with("LOYALTYD_FAULT_")) continue;
    environment.emplace_back(*variable);
  }
  if (!fault.empty()) environment.push_back("LOYALTYD_FAULT_KILL_AFTER_COMMIT=" + fault);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string config = dir.file("loyaltyd.toml");
  const std::string log = dir.file("loyaltyd.log");
  std::vector<std::string> args = {LOYALTYD_BINARY, "--config", config};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, LOYALTYD_BINARY, &actions, nullptr, argv.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 200; ++i) {  // up to 20 s on a loaded machine
    struct stat info {};
    if (::stat(dir.file("api.sock").c_str(), &info) == 0) {
      const std::optional<Reply> health = try_http_request(
          dir.file("api.sock"), boost::beast::http::verb::get, "/v1/health");
      if (health && health->status == 200) return pid;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) FAIL("loyaltyd exited: " << read_text_file(log));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  FAIL("loyaltyd did not become ready: " << read_text_file(log));
  return pid;
}

TEST_CASE("crash: kill -9 between commit and reply, restart, retry: exactly one commit") {
  TempDir dir;
  write_token_file(dir.file("token"), api_token);
  std::ofstream(dir.file("loyaltyd.toml")) << config_text(dir);
  const std::string body = std::string("{\"customer_id\":\"") + card +
                           "\",\"receipt\":" + example_receipt("basket-120", "R-crash") + "}";

  const pid_t first = start_daemon(dir, "R-crash");
  // The commit is written, then the daemon dies before it can answer.
  CHECK_FALSE(try_http_request(dir.file("api.sock"), boost::beast::http::verb::post,
                               "/v1/receipts/R-crash/commit", body)
                  .has_value());
  int status = 0;
  REQUIRE(::waitpid(first, &status, 0) == first);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  // systemd restarts it; the POS asks again.
  const pid_t second = start_daemon(dir, "");
  const Reply retried = http_request(dir.file("api.sock"), boost::beast::http::verb::post,
                                     "/v1/receipts/R-crash/commit", body);
  REQUIRE(retried.status == 200);
  const json::Value reply = retried.json();
  CHECK(reply.find("replayed")->as_bool());
  CHECK(reply.find("state")->as_string() == "committed");
  const std::int64_t earned = reply.find("quote")->find("points")->find("earned")->as_int();

  const json::Value history = http_request(dir.file("api.sock"), boost::beast::http::verb::get,
                                           std::string("/v1/customers/") + card + "/history")
                                  .json();
  CHECK(history.find("entries")->as_array().size() == 1);
  const json::Value balance = http_request(dir.file("api.sock"), boost::beast::http::verb::get,
                                           std::string("/v1/customers/") + card + "/balance")
                                  .json();
  CHECK(balance.find("posted")->as_int() == earned);

  ::kill(second, SIGTERM);
  REQUIRE(::waitpid(second, &status, 0) == second);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace loyalty::daemon::test
