// The watchdog's keep-alive pings, sent from loyaltyd's event loop.
//
// With WatchdogSec= in the unit, systemd kills and restarts the daemon when no "WATCHDOG=1"
// arrives within that time. WatchdogPinger pings every Notifier::watchdog_ping_period() (half of
// it) from a timer on the io_context, so a ping proves the loop is turning; before each ping it
// asks a health check (the storage thread answered recently, say), and holds the ping back when
// the check fails, so that a daemon whose ledger is stuck is restarted too. The first ping is
// sent by start().
//
//   WatchdogPinger pinger(io, notifier, logger, [&] { return storage.alive(); });
//   pinger.start();
//
// Ownership and thread-safety: the pinger keeps references to the io_context, the Notifier and
// the Logger, which must outlive it. Use it from the io_context's thread only (start(), stop(),
// the destructor); the health check runs there too. Destroying it cancels the timer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "system/log.h"
#include "system/notify.h"

namespace loyalty::daemon {

class WatchdogPinger {
 public:
  // True when the daemon is healthy enough to be kept alive. Empty: always.
  using HealthCheck = std::function<bool()>;

  WatchdogPinger(boost::asio::io_context& io, const Notifier& notifier, Logger& logger,
                 HealthCheck healthy = {});
  ~WatchdogPinger();
  WatchdogPinger(const WatchdogPinger&) = delete;
  WatchdogPinger& operator=(const WatchdogPinger&) = delete;

  // Pings now and then every ping period. False, and nothing is scheduled, when the watchdog
  // is off (no WATCHDOG_USEC, or not for this process).
  bool start();
  // Cancels the timer; start() may be called again.
  void stop();

  // Pings sent, and pings held back by the health check, since construction.
  std::uint64_t pings_sent() const { return pings_sent_; }
  std::uint64_t pings_held() const { return pings_held_; }

 private:
  void tick();      // health check, ping, re-arm
  void schedule();  // the next tick in one ping period

  boost::asio::steady_timer timer_;
  const Notifier& notifier_;
  Logger& logger_;
  HealthCheck healthy_;
  bool running_ = false;
  bool was_healthy_ = true;  // a change is logged once, not every period
  std::uint64_t pings_sent_ = 0;
  std::uint64_t pings_held_ = 0;
  // A timer handler already queued when the pinger is destroyed finds this expired.
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

}  // namespace loyalty::daemon
