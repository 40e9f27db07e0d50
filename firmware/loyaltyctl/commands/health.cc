// `loyaltyctl health`: the health gate of an update (docs/flashing.md). Asks the running loyaltyd
// for /v1/health, /v1/readers and a ledger check, prints one line per check (or JSON), and exits
// 0 when healthy. With --wait it asks again every second until the terminal is healthy or the
// time is up, so that a gate run at boot gives the daemon time to start. With --mark-good a
// healthy terminal's booted RAUC slot is marked good (`rauc status mark-good`); an unhealthy one
// is left unmarked, so that the bootloader falls back to the previous slot.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "args/cli_args.h"
#include "commands.h"
#include "daemon/daemon_client.h"
#include "health/health_checks.h"
#include "loyalty/core/json.h"

extern char** environ;

namespace loyalty::cli {

namespace {

constexpr std::int64_t wait_s_max = 3600;
constexpr std::int64_t backlog_max_max = 1'000'000'000;

struct HealthArgs {
  std::string socket = "/run/loyalty/api.sock";
  std::string token_file;
  std::int64_t wait_s = 0;
  HealthOptions options;
  bool json = false;
  bool mark_good = false;
  std::string rauc = "rauc";
};

Result<HealthArgs> health_args(std::span<const std::string_view> args) {
  static constexpr FlagSpec flags[] = {{"socket"},      {"token-file"},
                                       {"wait"},        {"backlog-max"},
                                       {"format"},      {"mark-good", false, false, true},
                                       {"rauc"}};
  const ParsedArgs parsed = TRY(parse_args("health", args, flags, {}));
  HealthArgs out;
  if (const std::string* socket = parsed.flag("socket")) out.socket = *socket;
  out.token_file = parsed.flag("token-file") ? *parsed.flag("token-file") : default_token_file();
  if (const std::string* wait = parsed.flag("wait")) {
    if (!parse_number(*wait, out.wait_s) || out.wait_s < 0 || out.wait_s > wait_s_max) {
      return usage_error("health", "--wait takes seconds from 0 to " +
                                       std::to_string(wait_s_max) + ", got \"" + *wait + "\"");
    }
  }
  if (const std::string* backlog = parsed.flag("backlog-max")) {
    std::int64_t value = 0;
    if (!parse_number(*backlog, value) || value < 0 || value > backlog_max_max) {
      return usage_error("health", "--backlog-max takes a number of events from 0 to " +
                                       std::to_string(backlog_max_max) + ", got \"" + *backlog +
                                       "\"");
    }
    out.options.backlog_max = value;
  }
  if (const std::string* format = parsed.flag("format")) {
    if (*format != "text" && *format != "json") {
      return usage_error("health", "--format takes text or json, got \"" + *format + "\"");
    }
    out.json = *format == "json";
  }
  out.mark_good = parsed.flag("mark-good") != nullptr;
  if (const std::string* rauc = parsed.flag("rauc")) out.rauc = *rauc;
  return out;
}

DaemonAnswers ask_daemon(const HealthArgs& args) {
  DaemonAnswers answers;
  answers.socket = args.socket;
  Result<DaemonClient> client = DaemonClient::open(args.socket, args.token_file);
  if (!client.ok()) {
    answers.health = client.error();
    return answers;
  }
  const auto ask = [&](std::string_view method, const std::string& target) -> Result<std::string> {
    const DaemonReply reply = TRY(client->request(method, target, ""));
    return reply_body(reply);
  };
  answers.health = ask("GET", "/v1/health");
  if (!answers.health.ok()) return answers;
  answers.readers = ask("GET", "/v1/readers");
  answers.ledger_check = ask("POST", "/v1/ledger/check");
  return answers;
}

// Runs `<rauc> status mark-good`, its output on stderr (stdout may be JSON). Returns the reason
// it failed, or "" when it succeeded.
std::string mark_slot_good(const std::string& rauc) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  std::string program = rauc;
  std::string status = "status";
  std::string mark = "mark-good";
  char* argv[] = {program.data(), status.data(), mark.data(), nullptr};
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, rauc.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return "cannot run " + rauc + ": " + std::strerror(spawned);
  int wait_status = 0;
  while (::waitpid(child, &wait_status, 0) < 0) {
    if (errno != EINTR) return "waitpid: " + std::string(std::strerror(errno));
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return "";
  return rauc + " status mark-good " +
         (WIFEXITED(wait_status) ? "exited " + std::to_string(WEXITSTATUS(wait_status))
                                 : "was killed by signal " + std::to_string(WTERMSIG(wait_status)));
}

std::string text_report(const std::vector<HealthCheck>& checks) {
  std::string out;
  for (const HealthCheck& check : checks) {
    std::string verdict = verdict_name(check.verdict);
    std::string name = check.name;
    verdict.resize(5, ' ');
    name.resize(8, ' ');
    out += verdict + name + check.detail + "\n";
  }
  return out;
}

std::string json_report(const std::vector<HealthCheck>& checks, bool is_healthy,
                        const std::optional<std::string>& mark_failure) {
  json::Writer out;
  out.begin_object();
  out.key("healthy");
  out.value(is_healthy);
  out.key("checks");
  out.begin_array();
  for (const HealthCheck& check : checks) {
    out.begin_object();
    out.key("name");
    out.value(check.name);
    out.key("verdict");
    out.value(verdict_name(check.verdict));
    out.key("detail");
    out.value(check.detail);
    out.end_object();
  }
  out.end_array();
  out.key("marked_good");
  if (mark_failure) {
    out.value(mark_failure->empty());
  } else {
    out.null();
  }
  out.end_object();
  return out.take() + "\n";
}

// The first failing check's line, to show progress while waiting.
std::string first_failure(const std::vector<HealthCheck>& checks) {
  for (const HealthCheck& check : checks) {
    if (check.verdict == Verdict::fail) return check.name + ": " + check.detail;
  }
  return "";
}

}  // namespace

Result<int> run_health(std::span<const std::string_view> args, std::ostream& out,
                       std::ostream& progress) {
  const HealthArgs parsed = TRY(health_args(args));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(parsed.wait_s);
  std::vector<HealthCheck> checks = evaluate_health(ask_daemon(parsed), parsed.options);
  std::string shown;
  while (!healthy(checks) && std::chrono::steady_clock::now() < deadline) {
    if (const std::string failure = first_failure(checks); failure != shown) {
      progress << "loyaltyctl health: waiting (" << failure << ")\n" << std::flush;
      shown = failure;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    checks = evaluate_health(ask_daemon(parsed), parsed.options);
  }
  const bool is_healthy = healthy(checks);
  std::optional<std::string> mark_failure;
  if (is_healthy && parsed.mark_good) mark_failure = mark_slot_good(parsed.rauc);
  if (parsed.json) {
    TRY(write_output(out, json_report(checks, is_healthy, mark_failure)));
  } else {
    std::string summary = is_healthy ? "healthy" : "unhealthy";
    if (mark_failure) {
      summary += mark_failure->empty() ? ": the booted slot is marked good"
                                       : ": the slot is NOT marked good: " + *mark_failure;
    } else if (!is_healthy && parsed.mark_good) {
      summary += ": the slot is not marked good (the bootloader falls back to the previous one)";
    }
    TRY(write_output(out, text_report(checks) + summary + "\n"));
  }
  if (!is_healthy) return health_exit_unhealthy;
  if (mark_failure && !mark_failure->empty()) return health_exit_mark_good_failed;
  return 0;
}

}  // namespace loyalty::cli
