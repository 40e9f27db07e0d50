// The service manager's notification protocol over libsystemd's sd_notify() (notify.h).
#include "system/notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <system_error>

#include "system/log.h"

namespace loyalty::daemon {

namespace {

const char* environment_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : value;
}

// One line, as the log writes text, cut to notify_status_bytes_max.
std::string status_line(std::string_view text) {
  std::string line = escape_log_text(mask_sensitive_text(text));
  if (line.size() > notify_status_bytes_max) line.resize(notify_status_bytes_max);
  // A cut inside an escape ("\x1" of "\x1b") leaves a '\' or a partial code: harmless text.
  return line;
}

}  // namespace

Result<Notifier> Notifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const bool enabled = socket != nullptr && socket[0] != '\0';
  std::uint64_t usec = 0;
  const int watchdog = sd_watchdog_enabled(0, &usec);
  if (watchdog < 0) {
    return make_error(ErrorCode::invalid_argument,
                      std::string("the watchdog's environment is not valid (WATCHDOG_USEC=") +
                          environment_or("WATCHDOG_USEC", "") +
                          ", WATCHDOG_PID=" + environment_or("WATCHDOG_PID", "") +
                          "): the service manager sets both as numbers (WatchdogSec=); unset them "
                          "to run without the watchdog");
  }
  // Pings need the socket: without it the watchdog is off whatever WATCHDOG_USEC says.
  std::optional<std::chrono::microseconds> timeout;
  if (enabled && watchdog > 0) timeout = std::chrono::microseconds(usec);
  return Notifier(enabled, timeout);
}

std::optional<std::chrono::microseconds> Notifier::watchdog_ping_period() const {
  if (!watchdog_timeout_) return std::nullopt;
  return *watchdog_timeout_ / 2;
}

Status Notifier::ready(std::string_view status) const {
  return send("READY=1\nSTATUS=" + status_line(status), "READY=1");
}

Status Notifier::status(std::string_view text) const {
  return send("STATUS=" + status_line(text), "STATUS");
}

Status Notifier::stopping() const { return send("STOPPING=1", "STOPPING=1"); }

Status Notifier::reloading() const {
  timespec now{};
  LOYALTY_ASSERT(clock_gettime(CLOCK_MONOTONIC, &now) == 0);
  const std::uint64_t usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                             static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
  return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec), "RELOADING=1");
}

Status Notifier::watchdog_ping() const {
  if (!watchdog_timeout_) return {};
  return send("WATCHDOG=1", "WATCHDOG=1");
}

Status Notifier::extend_timeout(std::chrono::microseconds more) const {
  LOYALTY_ASSERT(more.count() > 0);
  return send("EXTEND_TIMEOUT_USEC=" + std::to_string(more.count()), "EXTEND_TIMEOUT_USEC");
}

Status Notifier::send(const std::string& state, std::string_view what) const {
  if (!enabled_) return {};
  const int sent = sd_notify(0, state.c_str());
  if (sent > 0) return {};
  const std::string socket = environment_or("NOTIFY_SOCKET", "");
  if (sent == 0) {
    return make_error(ErrorCode::internal, "sd_notify(" + std::string(what) +
                                               "): NOTIFY_SOCKET was unset after the daemon "
                                               "started; nothing in the daemon may unset it");
  }
  return make_error(ErrorCode::io_error,
                    "sd_notify(" + std::string(what) +
                        ") to NOTIFY_SOCKET=" + escape_log_text(socket) +
                        " failed: " + std::error_code(-sent, std::generic_category()).message() +
                        "; run loyaltyd from its unit (Type=notify), or without NOTIFY_SOCKET");
}

}  // namespace loyalty::daemon
