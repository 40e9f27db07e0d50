// loyaltyd: the terminal program. Reads its configuration (docs/configuration.md), brings the
// daemon up (daemon/daemon.h), tells systemd it is ready, and runs the loop until SIGTERM or
// SIGINT. SIGHUP reloads the rule bundle, the API tokens and the reader settings; a bad new
// configuration is logged and the old one keeps running.
//
//   loyaltyd --config FILE [--set KEY=VALUE]... [--check-config]
//   loyaltyd --version | --help
//
// Exit status: 0 after a clean stop (or a configuration that checks out), 2 for a bad
// configuration or a start that failed (the message names the key), 1 for an internal error.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/daemon.h"
#include "system/log.h"
#include "system/notify.h"
#include "system/watchdog.h"

namespace {

#ifndef LOYALTY_VERSION
#error "LOYALTY_VERSION comes from project() in CMakeLists.txt"
#endif
constexpr std::string_view version = LOYALTY_VERSION;

constexpr std::string_view usage =
    "usage: loyaltyd --config FILE [--set KEY=VALUE]... [--check-config]\n"
    "       loyaltyd --version | --help\n"
    "\n"
    "  --config FILE     the configuration (TOML; docs/configuration.md)\n"
    "  --set KEY=VALUE   overrides one key of the file (api.socket=/tmp/api.sock)\n"
    "  --check-config    validates the configuration and exits: 0 valid, 2 not\n";

struct Arguments {
  std::string config_path;
  std::vector<std::string> overrides;
  bool check_only = false;
};

int usage_error(const std::string& message) {
  std::cerr << "loyaltyd: " << message << "\n" << usage;
  return 2;
}

using loyalty::daemon::Logger;
using loyalty::daemon::LogLevel;

int run(const Arguments& arguments) {
  loyalty::Result<loyalty::daemon::Config> config =
      loyalty::daemon::load_config(arguments.config_path, arguments.overrides);
  if (!config.ok()) {
    std::cerr << "loyaltyd: " << config.error().message << "\n";
    return 2;
  }
  if (arguments.check_only) {
    std::cout << "ok: " << arguments.config_path << "\n";
    return 0;
  }
  loyalty::daemon::LoggerOptions log_options;
  log_options.level_min = loyalty::daemon::parse_log_level(config->log.level).value();
  log_options.output = loyalty::daemon::parse_log_output(config->log.sink).value();
  Logger logger(log_options);
  loyalty::daemon::DriversLogRoute route(logger);

  loyalty::Result<loyalty::daemon::Notifier> notifier =
      loyalty::daemon::Notifier::from_environment();
  if (!notifier.ok()) {
    logger.error("start_failed", {{"error", notifier.error()}});
    return 2;
  }

  boost::asio::io_context io;
  loyalty::daemon::DaemonOptions options;
  options.config = config.value();
  options.version = std::string(version);
  loyalty::Result<std::unique_ptr<loyalty::daemon::Daemon>> started =
      loyalty::daemon::Daemon::start(io, options);
  if (!started.ok()) {
    logger.error("start_failed", {{"error", started.error()}});
    std::cerr << "loyaltyd: " << started.error().message << "\n";
    return started.error().code == loyalty::ErrorCode::internal ? 1 : 2;
  }
  loyalty::daemon::Daemon& daemon = *started.value();
  logger.info("ready", {{"socket", config->api.socket},
                        {"panel", daemon.panel_url()},
                        {"terminal", config->terminal.id}});
  (void)notifier->ready("serving the POS API on " + config->api.socket);

  loyalty::daemon::WatchdogPinger watchdog(io, *notifier, logger);
  watchdog.start();

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
          (void)notifier->reloading();
          loyalty::Result<loyalty::daemon::Config> fresh =
              loyalty::daemon::load_config(arguments.config_path, arguments.overrides);
          const loyalty::Status reloaded =
              fresh.ok() ? daemon.reload(fresh.value()) : loyalty::Status(fresh.error());
          if (reloaded.ok()) {
            logger.set_level_min(loyalty::daemon::parse_log_level(fresh->log.level).value());
            logger.info("reloaded", {{"config", arguments.config_path}});
          } else {
            logger.error("reload_refused", {{"error", reloaded.error()}});
          }
          (void)notifier->ready("serving the POS API on " + config->api.socket);
          signals.async_wait(on_signal);
          return;
        }
        logger.info("stopping", {{"signal", signal}});
        (void)notifier->stopping();
        watchdog.stop();
        daemon.stop();
        io.stop();
      };
  signals.async_wait(on_signal);
  io.run();
  daemon.stop();
  logger.info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "loyaltyd " << version << "\n";
      return 0;
    }
    if (arg == "--check-config") {
      arguments.check_only = true;
    } else if (arg == "--config") {
      const char* path = value();
      if (path == nullptr) return usage_error("--config needs a file");
      arguments.config_path = path;
    } else if (arg == "--set") {
      const char* assignment = value();
      if (assignment == nullptr) return usage_error("--set needs KEY=VALUE");
      arguments.overrides.emplace_back(assignment);
    } else {
      return usage_error("unknown option " + std::string(arg));
    }
  }
  if (arguments.config_path.empty()) return usage_error("--config FILE is required");
  return run(arguments);
}
