#include "system/notify.h"

#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <charconv>
#include <cstdint>
#include <string>

#include "system/notify_socket.h"

namespace loyalty::daemon {
namespace {

using test::NotifySocket;
using test::ScopedEnv;
using namespace std::chrono_literals;

std::uint64_t monotonic_usec() {
  timespec now{};
  REQUIRE(clock_gettime(CLOCK_MONOTONIC, &now) == 0);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

Notifier notifier_from_environment() {
  auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  return *notifier;
}

// A stand-in service manager: its socket in NOTIFY_SOCKET, no watchdog, and a Notifier on it.
struct Manager {
  Manager() { REQUIRE(notifier.enabled()); }

  NotifySocket socket;
  ScopedEnv notify{"NOTIFY_SOCKET", socket.path()};
  ScopedEnv usec{"WATCHDOG_USEC", std::nullopt};
  ScopedEnv pid{"WATCHDOG_PID", std::nullopt};
  Notifier notifier = notifier_from_environment();
};

TEST_CASE("without NOTIFY_SOCKET the notifier is off and every call succeeds") {
  const ScopedEnv notify("NOTIFY_SOCKET", std::nullopt);
  const ScopedEnv usec("WATCHDOG_USEC", "30000000");
  const ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
  const auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  CHECK_FALSE(notifier->enabled());
  // Pings need the socket: the watchdog is off without it.
  CHECK_FALSE(notifier->watchdog_timeout().has_value());
  CHECK_FALSE(notifier->watchdog_ping_period().has_value());
  CHECK(notifier->ready("ready").ok());
  CHECK(notifier->status("x").ok());
  CHECK(notifier->reloading().ok());
  CHECK(notifier->stopping().ok());
  CHECK(notifier->watchdog_ping().ok());
  CHECK(notifier->extend_timeout(5s).ok());
  CHECK_FALSE(Notifier().enabled());
}

TEST_CASE("ready sends READY=1 and the status in one datagram") {
  Manager manager;
  const Notifier& notifier = manager.notifier;
  NotifySocket& socket = manager.socket;
  REQUIRE(notifier.ready("3 readers, listening on /run/loyalty/api.sock").ok());
  CHECK(socket.receive() == "READY=1\nSTATUS=3 readers, listening on /run/loyalty/api.sock");
  CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("status, stopping and extend_timeout send their exact assignments") {
  Manager manager;
  const Notifier& notifier = manager.notifier;
  NotifySocket& socket = manager.socket;
  REQUIRE(notifier.status("opening the ledger").ok());
  REQUIRE(notifier.extend_timeout(90s).ok());
  REQUIRE(notifier.stopping().ok());
  CHECK(socket.receive() == "STATUS=opening the ledger");
  CHECK(socket.receive() == "EXTEND_TIMEOUT_USEC=90000000");
  CHECK(socket.receive() == "STOPPING=1");
  CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("a status text cannot add an assignment and shows no card number") {
  Manager manager;
  const Notifier& notifier = manager.notifier;
  NotifySocket& socket = manager.socket;
  REQUIRE(notifier.status("degraded\nREADY=1").ok());
  CHECK(socket.receive() == "STATUS=degraded\\nREADY=1");
  REQUIRE(notifier.ready("last card 4111111111111111").ok());
  CHECK(socket.receive() == "READY=1\nSTATUS=last card ************1111");
  REQUIRE(notifier.status(std::string(300, 'a')).ok());
  CHECK(socket.receive() == "STATUS=" + std::string(notify_status_bytes_max, 'a'));
}

TEST_CASE("reloading sends RELOADING=1 with the monotonic clock in microseconds") {
  Manager manager;
  const Notifier& notifier = manager.notifier;
  NotifySocket& socket = manager.socket;
  const std::uint64_t before = monotonic_usec();
  REQUIRE(notifier.reloading().ok());
  const std::uint64_t after = monotonic_usec();
  const auto datagram = socket.receive();
  REQUIRE(datagram.has_value());
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  REQUIRE(datagram->starts_with(prefix));
  std::uint64_t usec = 0;
  const char* end = datagram->data() + datagram->size();
  const auto parsed = std::from_chars(datagram->data() + prefix.size(), end, usec);
  REQUIRE(parsed.ec == std::errc());
  CHECK(parsed.ptr == end);
  CHECK(usec >= before);
  CHECK(usec <= after);
}

TEST_CASE("the watchdog timeout is WATCHDOG_USEC and the ping period half of it") {
  NotifySocket socket;
  const ScopedEnv notify("NOTIFY_SOCKET", socket.path());
  const ScopedEnv usec("WATCHDOG_USEC", "30000000");
  const ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
  const auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  CHECK(notifier->watchdog_timeout() == std::chrono::microseconds(30'000'000));
  CHECK(notifier->watchdog_ping_period() == std::chrono::microseconds(15'000'000));
  REQUIRE(notifier->watchdog_ping().ok());
  CHECK(socket.receive() == "WATCHDOG=1");
  CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("a watchdog meant for another process is off, and pings send nothing") {
  NotifySocket socket;
  const ScopedEnv notify("NOTIFY_SOCKET", socket.path());
  const ScopedEnv usec("WATCHDOG_USEC", "30000000");
  const ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid() + 1));
  const auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  CHECK(notifier->enabled());
  CHECK_FALSE(notifier->watchdog_timeout().has_value());
  REQUIRE(notifier->watchdog_ping().ok());
  CHECK_FALSE(socket.receive().has_value());
}

TEST_CASE("a malformed WATCHDOG_USEC is an error that names it") {
  const ScopedEnv notify("NOTIFY_SOCKET", "/run/systemd/notify");
  const ScopedEnv usec("WATCHDOG_USEC", "thirty");
  const ScopedEnv pid("WATCHDOG_PID", std::nullopt);
  const auto notifier = Notifier::from_environment();
  REQUIRE_FALSE(notifier.ok());
  CHECK(notifier.error().code == ErrorCode::invalid_argument);
  CHECK(notifier.error().message ==
        "the watchdog's environment is not valid (WATCHDOG_USEC=thirty, WATCHDOG_PID=): the "
        "service manager sets both as numbers (WatchdogSec=); unset them to run without the "
        "watchdog");
}

TEST_CASE("a notification socket that is gone is an io_error naming it") {
  std::string missing;
  {
    NotifySocket socket;
    missing = socket.path();
  }
  const ScopedEnv notify("NOTIFY_SOCKET", missing);
  const ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
  const auto notifier = Notifier::from_environment();
  REQUIRE(notifier.ok());
  const Status sent = notifier->ready("ready");
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().code == ErrorCode::io_error);
  CHECK(sent.error().message == "sd_notify(READY=1) to NOTIFY_SOCKET=" + missing +
                                    " failed: No such file or directory; run loyaltyd from its "
                                    "unit (Type=notify), or without NOTIFY_SOCKET");
}

}  // namespace
}  // namespace loyalty::daemon
