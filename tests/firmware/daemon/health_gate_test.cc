// `loyaltyctl health`, the update's health gate (docs/flashing.md): its verdicts on exact replies
// (health/health_checks.h), and the command against a real loyaltyd: healthy, a reader that
// cannot be opened, a ledger whose invariants were broken behind the daemon's back, a sync
// backlog beyond its bound, no daemon at all; and --mark-good running the slot's marker only
// when the terminal is healthy.
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemon/daemon_fixture.h"
#include "health/health_checks.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/sync/tls.h"

namespace loyalty::daemon::test {
namespace {

using cli::DaemonAnswers;
using cli::evaluate_health;
using cli::HealthCheck;
using cli::HealthOptions;
using cli::Verdict;

const std::int64_t build_schema = static_cast<std::int64_t>(storage::ledger_migrations().size());

std::string ledger_reply(std::int64_t version, const std::string& problems = "") {
  return "{\"ok\":" + std::string(problems.empty() ? "true" : "false") +
         ",\"schema_version\":" + std::to_string(version) +
         ",\"schema_build_version\":6,\"checked_through_seq\":42,\"problems\":[" + problems + "]}";
}

std::string health_reply(const std::string& sync_detail = "null") {
  return "{\"status\":\"ok\",\"version\":\"0.2.0\",\"terminal_id\":\"T-1\",\"store_id\":\"S\","
         "\"program\":{\"program_id\":\"grocery\",\"version\":7,\"origin\":\"config\"},"
         "\"sync_detail\":" + sync_detail + "}";
}

std::string sync_detail(const std::string& phase, std::int64_t backlog,
                        const std::string& error = "") {
  return "{\"phase\":\"" + phase + "\",\"backlog\":" + std::to_string(backlog) +
         ",\"last_error\":\"" + error + "\",\"quarantine_reason\":\"" +
         (phase == "quarantined" ? "epoch went backwards" : "") + "\"}";
}

std::string reader(const std::string& id, const std::string& status, bool configured,
                   const std::string& reason = "") {
  return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"reason\":\"" + reason +
         "\",\"configured\":" + (configured ? "true" : "false") + "}";
}

DaemonAnswers answers(std::string health, std::string readers, std::string ledger) {
  DaemonAnswers out;
  out.socket = "/run/loyalty/api.sock";
  out.health = std::move(health);
  out.readers = "{\"readers\":[" + readers + "]}";
  out.ledger_check = std::move(ledger);
  return out;
}

const HealthCheck& named(const std::vector<HealthCheck>& checks, const std::string& name) {
  for (const HealthCheck& check : checks) {
    if (check.name == name) return check;
  }
  FAIL("no check " << name);
  return checks.front();
}

TEST_CASE("health: a terminal answering, migrated, reading and in sync is healthy") {
  const auto checks = evaluate_health(
      answers(health_reply(sync_detail("in_sync", 0)),
              reader("serial:/dev/ttyACM0", "online", true) + "," +
                  reader("hidraw:/dev/hidraw3", "online", false),
              ledger_reply(6)),
      HealthOptions{});
  REQUIRE(checks.size() == 4);
  CHECK(cli::healthy(checks));
  CHECK(checks[0].name == "service");
  CHECK(checks[0].verdict == Verdict::ok);
  CHECK(checks[0].detail ==
        "loyaltyd 0.2.0 answers on /run/loyalty/api.sock (terminal T-1, program grocery version 7)");
  CHECK(checks[1].detail == "schema 6 (this build's: 6), invariants hold through event 42");
  CHECK(checks[2].detail == "1 of 1 configured reader(s) online, 1 other(s) online");
  CHECK(checks[3].detail == "in sync with HQ, 0 event(s) HQ does not hold yet");
}

TEST_CASE("health: no daemon fails every check, naming the socket") {
  DaemonAnswers none;
  none.socket = "/run/x.sock";
  none.health = make_error(ErrorCode::io_error, "cannot reach loyaltyd at /run/x.sock: refused");
  const auto checks = evaluate_health(none, HealthOptions{});
  CHECK_FALSE(cli::healthy(checks));
  CHECK(named(checks, "service").detail ==
        "loyaltyd does not answer on /run/x.sock: cannot reach loyaltyd at /run/x.sock: refused "
        "(systemctl status loyaltyd; journalctl -u loyaltyd)");
  for (const HealthCheck& check : checks) CHECK(check.verdict == Verdict::fail);
}

TEST_CASE("health: the ledger must be migrated and sound, and newer is a rollback warning") {
  const std::string readers = reader("serial:/dev/ttyS0", "online", true);
  const auto broken = evaluate_health(
      answers(health_reply(), readers, ledger_reply(6, "\"transfer 7: amount changed\",\"x\"")),
      HealthOptions{});
  CHECK_FALSE(cli::healthy(broken));
  CHECK(named(broken, "ledger").detail ==
        "2 broken invariant(s), first: transfer 7: amount changed (loyaltyctl ledger check --db "
        "FILE shows all; docs/flashing.md)");
  const auto old = evaluate_health(answers(health_reply(), readers, ledger_reply(5)), {});
  CHECK_FALSE(cli::healthy(old));
  CHECK(named(old, "ledger").detail == "schema 5 (this build's: 6): not migrated");
  const auto newer = evaluate_health(answers(health_reply(), readers, ledger_reply(7)), {});
  CHECK(cli::healthy(newer));
  CHECK(named(newer, "ledger").verdict == Verdict::warn);
  CHECK(named(newer, "ledger").detail ==
        "schema 7 (this build's: 6), invariants hold through event 42: a newer release migrated "
        "this ledger (a rollback); this one reads it");
  const auto garbled = evaluate_health(answers(health_reply(), readers, "{\"ok\":true}"), {});
  CHECK(named(garbled, "ledger").verdict == Verdict::fail);
  CHECK(named(garbled, "ledger").detail.starts_with("/v1/ledger/check answered without ok, "));
  const auto not_json = evaluate_health(answers(health_reply(), readers, "[1]"), {});
  CHECK(named(not_json, "ledger").detail ==
        "the ledger check did not run: /v1/ledger/check answered something that is not a JSON "
        "object");
}

TEST_CASE("health: a configured reader that cannot be opened fails, an unplugged one warns") {
  const std::string ledger = ledger_reply(6);
  const auto offline = evaluate_health(
      answers(health_reply(),
              reader("serial:/dev/ttyS0", "offline", true, "not a terminal") + "," +
                  reader("serial:/dev/ttyS1", "claimed", true, "held by another program") + "," +
                  reader("hidraw:/dev/hidraw0", "offline", false, "hotplugged, ignored"),
              ledger),
      {});
  CHECK_FALSE(cli::healthy(offline));
  CHECK(named(offline, "readers").detail ==
        "0 of 2 configured reader(s) online, 0 other(s) online; not reading: serial:/dev/ttyS0 "
        "offline: not a terminal; serial:/dev/ttyS1 claimed: held by another program (loyaltyctl "
        "--daemon SOCKET readers; docs/drivers.md)");
  const auto gone = evaluate_health(
      answers(health_reply(), reader("serial:/dev/ttyS0", "gone", true, "unplugged"), ledger), {});
  CHECK(cli::healthy(gone));
  CHECK(named(gone, "readers").verdict == Verdict::warn);
  CHECK(named(gone, "readers").detail ==
        "0 of 1 configured reader(s) online, 0 other(s) online; unplugged: serial:/dev/ttyS0");
  const auto none = evaluate_health(answers(health_reply(), "", ledger), {});
  CHECK(named(none, "readers").verdict == Verdict::ok);
  DaemonAnswers no_list = answers(health_reply(), "", ledger);
  no_list.readers = std::string("{\"devices\":[]}");
  CHECK(named(evaluate_health(no_list, {}), "readers").detail ==
        "/v1/readers answered without a readers array");
}

TEST_CASE("health: HQ out of reach passes while the backlog is within its bound") {
  const std::string ledger = ledger_reply(6);
  HealthOptions options;
  options.backlog_max = 10;
  const auto within = evaluate_health(
      answers(health_reply(sync_detail("offline", 10, "connection refused")), "", ledger), options);
  CHECK(cli::healthy(within));
  CHECK(named(within, "sync").verdict == Verdict::warn);
  CHECK(named(within, "sync").detail ==
        "offline (connection refused): 10 event(s) HQ does not hold yet, within the bound of 10");
  const auto beyond = evaluate_health(
      answers(health_reply(sync_detail("offline", 11, "connection refused")), "", ledger), options);
  CHECK_FALSE(cli::healthy(beyond));
  CHECK(named(beyond, "sync").detail ==
        "offline (connection refused): 11 event(s) HQ does not hold yet, more than the bound of 10 "
        "(--backlog-max)");
  const auto catching_up =
      evaluate_health(answers(health_reply(sync_detail("catching_up", 3)), "", ledger), options);
  CHECK(named(catching_up, "sync").verdict == Verdict::ok);
  const auto quarantined =
      evaluate_health(answers(health_reply(sync_detail("quarantined", 0)), "", ledger), options);
  CHECK_FALSE(cli::healthy(quarantined));
  CHECK(named(quarantined, "sync").detail ==
        "HQ quarantined this terminal: epoch went backwards (docs/sync.md, \"Quarantine\")");
  const auto unsynced = evaluate_health(answers(health_reply("null"), "", ledger), options);
  CHECK(named(unsynced, "sync").detail == "no [sync] section: this terminal does not sync");
  const auto odd = evaluate_health(answers(health_reply("{\"phase\":\"in_sync\"}"), "", ledger), {});
  CHECK(named(odd, "sync").detail == "/v1/health's sync_detail has no phase or backlog");
}

// --- The command against a running loyaltyd -----------------------------------------------------

using Run = CommandRun;

Run health(DaemonFixture& till, const std::string& arguments = "") {
  return run_command(std::string(LOYALTYCTL_BINARY) + " health --socket " + till.socket() +
                     " --token-file " + till.config().api.token_file + " " + arguments);
}

// A stand-in for `rauc` that records its arguments (the RAUC test harness marks a real slot:
// tests/firmware/bundle/); `fail` makes it exit 1.
std::string fake_rauc(TempDir& dir, bool fail = false) {
  const std::string path = dir.file(fail ? "rauc-failing" : "rauc");
  std::ofstream(path) << "#!/bin/sh\necho \"$@\" >> " << dir.file("rauc-calls") << "\n"
                      << (fail ? "echo 'rauc: D-Bus error' >&2\nexit 1\n" : "exit 0\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST_CASE("loyaltyctl health passes a sound till and marks the slot good") {
  DaemonFixture till;
  const std::string receipt = till.dir().file("receipt.json");
  std::ofstream(receipt) << example_receipt("basket-120", "R-health");
  REQUIRE(till.post("/v1/receipts/R-health/commit",
                    "{\"customer_id\":\"" + std::string(card) + "\",\"receipt\":" +
                        read_text_file(receipt) + "}")
              .status == 201);
  const std::string rauc = fake_rauc(till.dir());
  const Run run = health(till, "--mark-good --rauc " + rauc);
  INFO(run.output);
  CHECK(run.status == 0);
  CHECK(run.output.rfind("ok   service loyaltyd dev answers on " + till.socket() +
                             " (terminal T-test, program fresh-market version ",
                         0) == 0);
  CHECK(run.output.find("ok   ledger  schema " + std::to_string(build_schema) +
                        " (this build's: " + std::to_string(build_schema) +
                        "), invariants hold through event ") != std::string::npos);
  CHECK(run.output.find("ok   readers 0 of 0 configured reader(s) online, 0 other(s) online\n") !=
        std::string::npos);
  CHECK(run.output.find("ok   sync    no [sync] section: this terminal does not sync\n") !=
        std::string::npos);
  CHECK(run.output.ends_with("healthy: the booted slot is marked good\n"));
  CHECK(read_text_file(till.dir().file("rauc-calls")) == "status mark-good\n");

  const Run json = health(till, "--format json");
  CHECK(json.status == 0);
  Result<json::Value> parsed = json::parse(json.output);
  REQUIRE(parsed.ok());
  CHECK(parsed->find("healthy")->as_bool());
  CHECK(parsed->find("marked_good")->is_null());
  CHECK(parsed->find("checks")->as_array().size() == 4);

  // A marker that fails: healthy, but exit 5 and the reason.
  const Run refused = health(till, "--mark-good --rauc " + fake_rauc(till.dir(), true));
  CHECK(refused.status == 5);
  CHECK(refused.output.find("rauc: D-Bus error\n") != std::string::npos);
  CHECK(refused.output.find("healthy: the slot is NOT marked good: " + till.dir().file("rauc-failing") +
                            " status mark-good exited 1\n") != std::string::npos);
}

TEST_CASE("loyaltyctl health fails a till whose configured reader cannot be opened") {
  DaemonFixture till([](Config& config) {
    config.readers.devices.push_back(ReadersConfig::Static{"/dev/null"});
  });
  const std::string rauc = fake_rauc(till.dir());
  const Run run = health(till, "--mark-good --rauc " + rauc);
  INFO(run.output);
  CHECK(run.status == 4);
  CHECK(run.output.find("fail readers 0 of 1 configured reader(s) online, 0 other(s) online; not "
                        "reading: serial:/dev/null offline") != std::string::npos);
  CHECK(run.output.ends_with(
      "unhealthy: the slot is not marked good (the bootloader falls back to the previous one)\n"));
  CHECK_FALSE(std::filesystem::exists(till.dir().file("rauc-calls")));
}

TEST_CASE("api: /v1/ledger/check and loyaltyctl health fail a ledger broken behind their back") {
  DaemonFixture till;
  const std::string receipt = till.dir().file("receipt.json");
  std::ofstream(receipt) << example_receipt("basket-120", "R-tampered");
  REQUIRE(till.post("/v1/receipts/R-tampered/commit",
                    "{\"customer_id\":\"" + std::string(card) + "\",\"receipt\":" +
                        read_text_file(receipt) + "}")
              .status == 201);
  const Reply checked = till.post("/v1/ledger/check", "");
  REQUIRE(checked.status == 200);
  const json::Value sound = checked.json();
  CHECK(sound.find("ok")->as_bool());
  CHECK(sound.find("schema_version")->as_int() == build_schema);
  CHECK(sound.find("schema_build_version")->as_int() == build_schema);
  CHECK(sound.find("problems")->as_array().empty());
  // The fixture's daemon is version "dev" (DaemonOptions::version), recorded when it opened.
  const json::Value* releases = sound.find("releases");
  REQUIRE(releases->as_array().size() == 1);
  CHECK(releases->as_array()[0].find("release")->as_string() == "dev");
  CHECK(releases->as_array()[0].find("schema_build")->as_int() == build_schema);
  const std::int64_t through = sound.find("checked_through_seq")->as_int();
  CHECK(through >= 1);
  CHECK(till.get("/v1/ledger/check").status == 405);

  // A receipt after the checkpoint, then its event rewritten with raw SQL, as a failing disk or
  // a hand edit could: the check since the checkpoint verifies the events' hash chain.
  REQUIRE(till.post("/v1/receipts/R-after/commit",
                    "{\"customer_id\":\"" + std::string(card) + "\",\"receipt\":" +
                        example_receipt("basket-120", "R-after") + "}")
              .status == 201);
  const Run tamper = run_command(
      "sqlite3 -cmd '.timeout 10000' " + till.dir().file("ledger.db") +
      " \"DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, "
      "'R-after', 'R-forged') WHERE seq = (SELECT MAX(seq) FROM events);\"");
  INFO(tamper.output);
  REQUIRE(tamper.status == 0);
  const json::Value broken = till.post("/v1/ledger/check", "").json();
  CHECK_FALSE(broken.find("ok")->as_bool());
  CHECK_FALSE(broken.find("problems")->as_array().empty());
  CHECK(broken.find("checked_through_seq")->as_int() == through);
  INFO(broken.find("problems")->as_array().front().as_string());
  const Run run = health(till);
  INFO(run.output);
  CHECK(run.status == 4);
  CHECK(run.output.find("fail ledger  ") != std::string::npos);
  CHECK(run.output.find(" broken invariant(s), first: ") != std::string::npos);
}

// A terminal certificate for a [sync] section whose HQ is not there (nothing listens on the port).
SyncConfig unreachable_hq(TempDir& dir) {
  const Timestamp now{static_cast<std::int64_t>(std::time(nullptr)) - 3600};
  REQUIRE(sync::ca_init(sync::CaInit{dir.file("ca"), "test CA", 30, now}).ok());
  sync::CaIssue terminal;
  terminal.ca_directory = dir.file("ca");
  terminal.out_directory = dir.file("till");
  terminal.terminal = sync::TerminalIdentity{"FM014", "T-test"};
  terminal.not_before = now;
  REQUIRE(sync::ca_issue(terminal).ok());
  SyncConfig config;
  config.hq_host = "127.0.0.1";
  config.hq_port = 9;  // discard: nothing listens on it on loopback
  config.certificate = dir.file("till/terminal.crt");
  config.private_key = dir.file("till/terminal.key");
  config.ca = dir.file("till/ca.crt");
  config.backoff_initial_ms = 100;
  config.backoff_max_ms = 200;
  return config;
}

TEST_CASE("loyaltyctl health bounds the backlog of a till that cannot reach HQ") {
  TempDir certificates;
  const SyncConfig sync = unreachable_hq(certificates);
  DaemonFixture till([&](Config& config) { config.sync = sync; });
  const std::string receipt = till.dir().file("receipt.json");
  std::ofstream(receipt) << example_receipt("basket-120", "R-offline");
  REQUIRE(till.post("/v1/receipts/R-offline/commit",
                    "{\"customer_id\":\"" + std::string(card) + "\",\"receipt\":" +
                        read_text_file(receipt) + "}")
              .status == 201);
  // The sync link reports the backlog once it has read the ledger's head.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::int64_t backlog = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const json::Value reply = till.get("/v1/health").json();
    const json::Value* detail = reply.find("sync_detail");
    backlog = detail->find("backlog")->as_int();
    if (backlog > 0 && detail->find("phase")->as_string() == "offline") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(backlog > 0);
  const Run within = health(till, "--backlog-max " + std::to_string(backlog));
  INFO(within.output);
  CHECK(within.status == 0);
  CHECK(within.output.find("warn sync    offline (") != std::string::npos);
  CHECK(within.output.find(std::to_string(backlog) + " event(s) HQ does not hold yet, within the "
                           "bound of " + std::to_string(backlog) + "\n") != std::string::npos);
  const Run beyond = health(till, "--backlog-max " + std::to_string(backlog - 1));
  INFO(beyond.output);
  CHECK(beyond.status == 4);
  CHECK(beyond.output.find("more than the bound of " + std::to_string(backlog - 1) +
                           " (--backlog-max)\n") != std::string::npos);
}

TEST_CASE("loyaltyctl health waits for a daemon that does not come, then fails") {
  TempDir dir;
  write_token_file(dir.file("token"), api_token);
  const auto start = std::chrono::steady_clock::now();
  const Run run = run_command(std::string(LOYALTYCTL_BINARY) + " health --socket " +
                              dir.file("none.sock") + " --token-file " + dir.file("token") +
                              " --wait 2 --mark-good --rauc " + fake_rauc(dir));
  const auto waited = std::chrono::steady_clock::now() - start;
  INFO(run.output);
  CHECK(run.status == 4);
  CHECK(waited >= std::chrono::seconds(2));
  CHECK(run.output.rfind("loyaltyctl health: waiting (service: loyaltyd does not answer on " +
                             dir.file("none.sock") + ": cannot reach loyaltyd at ",
                         0) == 0);
  CHECK(run.output.find("fail service loyaltyd does not answer on ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("rauc-calls")));
}

TEST_CASE("loyaltyctl health refuses bad arguments with exit 2") {
  const std::string base = std::string(LOYALTYCTL_BINARY) + " health ";
  const Run wait = run_command(base + "--wait=-1");
  CHECK(wait.status == 2);
  CHECK(wait.output == "loyaltyctl: health: --wait takes seconds from 0 to 3600, got \"-1\" (see "
                       "'loyaltyctl --help')\n");
  const Run format = run_command(base + "--format xml");
  CHECK(format.status == 2);
  CHECK(format.output.find("--format takes text or json, got \"xml\"") != std::string::npos);
  const Run mark = run_command(base + "--mark-good=yes");
  CHECK(mark.status == 2);
  CHECK(mark.output.find("--mark-good takes no value") != std::string::npos);
  const Run backlog = run_command(base + "--backlog-max many");
  CHECK(backlog.status == 2);
  CHECK(backlog.output.find("--backlog-max takes a number of events") != std::string::npos);
  const Run unknown = run_command(base + "--frobnicate 1");
  CHECK(unknown.status == 2);
}

}  // namespace
}  // namespace loyalty::daemon::test
