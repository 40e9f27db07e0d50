#include "system/watchdog.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>

#include "system/notify_socket.h"

namespace loyalty::daemon {
namespace {

using test::NotifySocket;
using test::ScopedEnv;

// A service manager with a watchdog of 200 ms (a ping every 100 ms), and a logger to a string.
struct WatchdogManager {
  NotifySocket socket;
  ScopedEnv notify{"NOTIFY_SOCKET", socket.path()};
  ScopedEnv usec{"WATCHDOG_USEC", "200000"};
  ScopedEnv pid{"WATCHDOG_PID", std::to_string(getpid())};
  Notifier notifier = make_notifier();
  std::ostringstream lines;
  Logger logger{options()};

  static Notifier make_notifier() {
    auto notifier = Notifier::from_environment();
    REQUIRE(notifier.ok());
    return *notifier;
  }
  LoggerOptions options() {
    LoggerOptions options;
    options.output = LogOutput::standard_error;
    options.lines = &lines;
    return options;
  }
};

TEST_CASE("the pinger pings at start and then once every ping period") {
  WatchdogManager manager;
  REQUIRE(manager.notifier.watchdog_ping_period() == std::chrono::milliseconds(100));
  boost::asio::io_context io;
  WatchdogPinger pinger(io, manager.notifier, manager.logger);
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(pinger.start());
  CHECK(manager.socket.receive() == "WATCHDOG=1");
  CHECK(pinger.pings_sent() == 1);
  CHECK(io.run_one() == 1);  // the timer's first tick
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(100));
  CHECK(manager.socket.receive() == "WATCHDOG=1");
  CHECK(io.run_one() == 1);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(200));
  CHECK(manager.socket.receive() == "WATCHDOG=1");
  CHECK_FALSE(manager.socket.receive().has_value());
  CHECK(pinger.pings_sent() == 3);
  pinger.stop();
  io.restart();
  CHECK(io.run() == 1);  // the cancelled wait completes, and nothing is re-armed
  CHECK_FALSE(manager.socket.receive().has_value());
  CHECK(manager.lines.str().empty());
}

TEST_CASE("a failed health check holds the pings back, and says so once") {
  WatchdogManager manager;
  boost::asio::io_context io;
  bool healthy = false;
  WatchdogPinger pinger(io, manager.notifier, manager.logger, [&healthy] { return healthy; });
  REQUIRE(pinger.start());
  CHECK(io.run_one() == 1);
  CHECK_FALSE(manager.socket.receive().has_value());
  CHECK(pinger.pings_held() == 2);
  healthy = true;
  CHECK(io.run_one() == 1);
  CHECK(manager.socket.receive() == "WATCHDOG=1");
  CHECK(pinger.pings_sent() == 1);
  CHECK(manager.lines.str() ==
        "error watchdog_held restart_after_ms=200\n"
        "info watchdog_resumed held_pings=2\n");
}

TEST_CASE("without a watchdog the pinger schedules nothing") {
  NotifySocket socket;
  const ScopedEnv notify("NOTIFY_SOCKET", socket.path());
  const ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  const auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  std::ostringstream lines;
  LoggerOptions options;
  options.output = LogOutput::standard_error;
  options.lines = &lines;
  Logger logger(options);
  boost::asio::io_context io;
  WatchdogPinger pinger(io, *notifier, logger);
  CHECK_FALSE(pinger.start());
  CHECK(io.run() == 0);
  CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("destroying the pinger with a tick pending leaves nothing to run") {
  WatchdogManager manager;
  boost::asio::io_context io;
  {
    WatchdogPinger pinger(io, manager.notifier, manager.logger);
    REQUIRE(pinger.start());
  }
  CHECK(manager.socket.receive() == "WATCHDOG=1");
  CHECK(io.run() == 1);  // the cancelled wait, which touches nothing
  CHECK_FALSE(manager.socket.receive().has_value());
}

}  // namespace
}  // namespace loyalty::daemon
