// SIGHUP's reload (Daemon::reload): a new bundle swaps in whole; a bad one is refused and the old
// one keeps serving.
#include <catch2/catch.hpp>
#include <fstream>

#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

TEST_CASE("reload: a bad new bundle is refused and the old one keeps serving") {
  DaemonFixture till;
  Config bad = till.config();
  bad.program.bundle = till.dir().file("broken.json");
  std::ofstream(bad.program.bundle) << "{\"format\": \"loyalty-program/1\", \"program_id\": 7}";
  Status reloaded;
  till.on_loop([&](Daemon& daemon) { reloaded = daemon.reload(bad); });
  REQUIRE_FALSE(reloaded.ok());
  CHECK(reloaded.error().message.rfind(bad.program.bundle + ": ", 0) == 0);
  const json::Value health = till.get("/v1/health").json();
  CHECK(health.find("program")->find("program_id")->as_string() == "fresh-market");
  CHECK(till.post("/v1/identify", std::string("{\"input\":\"") + card + "\"}").status == 200);

  Config missing_token = till.config();
  missing_token.api.token_file = till.dir().file("no-such-token");
  till.on_loop([&](Daemon& daemon) { reloaded = daemon.reload(missing_token); });
  REQUIRE_FALSE(reloaded.ok());
  CHECK(reloaded.error().message.rfind("api.token_file: ", 0) == 0);
  CHECK(till.get("/v1/health").status == 200);  // the old token still opens the API
}

TEST_CASE("reload: a new bundle swaps in whole and the stream says so") {
  DaemonFixture till;
  EventStream events(till.socket());
  Config fresh = till.config();
  fresh.program.bundle = std::string(LOYALTY_EXAMPLES_DIR) + "/programs/fashion.json";
  Status reloaded;
  till.on_loop([&](Daemon& daemon) { reloaded = daemon.reload(fresh); });
  INFO((reloaded.ok() ? std::string() : reloaded.error().message));
  REQUIRE(reloaded.ok());
  const json::Value event = events.next_of_type("daemon.reloaded");
  const std::string program = till.get("/v1/health").json().find("program")->find("program_id")
                                  ->as_string();
  CHECK(event.find("data")->find("program_id")->as_string() == program);
  CHECK(program != "fresh-market");
}

}  // namespace
}  // namespace loyalty::daemon::test
