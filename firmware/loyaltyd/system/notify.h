// The service manager's notification protocol (sd_notify(3)) as loyaltyd uses it: readiness,
// a status line, reload and stop, the watchdog, and more start-up time.
//
// The unit is Type=notify with NotifyAccess=main (firmware/systemd/loyaltyd.service): systemd
// counts the daemon as started only when ready() is sent, shows status() in `systemctl status`,
// and kills and restarts the daemon when no watchdog_ping() arrives within WatchdogSec=. Each call
// is one datagram to $NOTIFY_SOCKET through libsystemd's sd_notify(); outside systemd (a terminal,
// the tests) NOTIFY_SOCKET is unset and every call does nothing and succeeds.
//
// What is sent is exact: ready("3 readers") sends "READY=1\nSTATUS=3 readers". A status text is
// one line: control characters are escaped as in the log (\n, \xNN) so that a text can never add
// an assignment of its own, and card numbers in it are masked (log.h, mask_card_data()).
//
// Ownership and thread-safety: a Notifier is an immutable value read from the environment once
// (from_environment()); its calls may be made from any thread. sd_notify() reads $NOTIFY_SOCKET
// again at each call, so the process must not change or unset it while a Notifier is in use (a
// child such as loyalty-decoder should be started with an environment without it).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

// Bytes of a status text once escaped; the rest is cut (`systemctl status` shows one line).
inline constexpr std::size_t notify_status_bytes_max = 256;

class Notifier {
 public:
  // Reads NOTIFY_SOCKET, and WATCHDOG_USEC with WATCHDOG_PID (sd_watchdog_enabled(3)): the
  // watchdog is on when WATCHDOG_USEC is set and WATCHDOG_PID is unset or this process's pid.
  // An error when WATCHDOG_USEC (or WATCHDOG_PID) is not a number.
  static Result<Notifier> from_environment();

  // A Notifier that sends nothing (NOTIFY_SOCKET unset, no watchdog).
  Notifier() = default;

  // NOTIFY_SOCKET was set: the calls below send datagrams.
  bool enabled() const { return enabled_; }

  // WatchdogSec= as the service manager passed it (WATCHDOG_USEC); empty when the watchdog is off.
  std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_timeout_; }
  // How often to call watchdog_ping(): half the timeout, as sd_watchdog_enabled(3) recommends,
  // so one late ping is not yet a restart. Empty when the watchdog is off.
  std::optional<std::chrono::microseconds> watchdog_ping_period() const;

  // "READY=1\nSTATUS=<status>": start-up is done (the API socket listens, the ledger is open).
  // Sent again after a reload has finished.
  Status ready(std::string_view status) const;
  // "STATUS=<text>": what `systemctl status loyaltyd` shows.
  Status status(std::string_view text) const;
  // "STOPPING=1": shutdown has begun.
  Status stopping() const;
  // "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC in µs>": a reload (SIGHUP) has begun; call
  // ready() when it is done. systemd 253's Type=notify-reload needs MONOTONIC_USEC; 252 ignores
  // it.
  Status reloading() const;
  // "WATCHDOG=1". Does nothing when the watchdog is off.
  Status watchdog_ping() const;
  // "EXTEND_TIMEOUT_USEC=<µs>": start-up (or a reload, or the stop) needs up to `more` from now,
  // past TimeoutStartSec= (a ledger check at open on a slow card). `more` must be positive.
  Status extend_timeout(std::chrono::microseconds more) const;

 private:
  Notifier(bool enabled, std::optional<std::chrono::microseconds> watchdog_timeout)
      : enabled_(enabled), watchdog_timeout_(watchdog_timeout) {}

  // Sends `state` (assignments separated by '\n') when enabled; `what` names it in an error.
  Status send(const std::string& state, std::string_view what) const;

  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_timeout_;
};

}  // namespace loyalty::daemon
