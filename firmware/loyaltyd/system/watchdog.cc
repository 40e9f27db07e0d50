// The watchdog's keep-alive pings from the event loop (watchdog.h).
#include "system/watchdog.h"

#include <chrono>
#include <memory>
#include <utility>

namespace loyalty::daemon {

WatchdogPinger::WatchdogPinger(boost::asio::io_context& io, const Notifier& notifier,
                               Logger& logger, HealthCheck healthy)
    : timer_(io), notifier_(notifier), logger_(logger), healthy_(std::move(healthy)) {}

WatchdogPinger::~WatchdogPinger() { stop(); }

bool WatchdogPinger::start() {
  if (!notifier_.watchdog_ping_period()) return false;
  if (running_) return true;
  running_ = true;
  tick();
  return true;
}

void WatchdogPinger::stop() {
  running_ = false;
  timer_.cancel();
}

void WatchdogPinger::tick() {
  const bool healthy = !healthy_ || healthy_();
  if (healthy != was_healthy_) {
    if (healthy) {
      logger_.info("watchdog_resumed", {{"held_pings", pings_held_}});
    } else {
      const auto timeout_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(*notifier_.watchdog_timeout());
      logger_.error("watchdog_held", {{"restart_after_ms", timeout_ms.count()}});
    }
    was_healthy_ = healthy;
  }
  if (healthy) {
    const Status pinged = notifier_.watchdog_ping();
    if (pinged.ok()) {
      ++pings_sent_;
    } else {
      logger_.warning("watchdog_ping_failed", {{"error", pinged.error()}});
    }
  } else {
    ++pings_held_;
  }
  schedule();
}

void WatchdogPinger::schedule() {
  const auto period = notifier_.watchdog_ping_period();
  LOYALTY_ASSERT(period.has_value() && period->count() > 0);
  timer_.expires_after(*period);
  timer_.async_wait(
      [this, alive = std::weak_ptr<const int>(alive_)](const boost::system::error_code& error) {
        if (error || alive.expired() || !running_) return;
        tick();
      });
}

}  // namespace loyalty::daemon
