// The drivers' process-wide log sink (log.h).
#include "loyalty/drivers/log.h"

#include <cstdio>
#include <mutex>
#include <string>
#include <utility>

namespace loyalty::drivers {

namespace {

std::mutex& sink_mutex() {
  static std::mutex mutex;
  return mutex;
}

LogSink& current_sink() {
  static LogSink sink;
  return sink;
}

}  // namespace

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

LogSink set_log_sink(LogSink sink) {
  const std::lock_guard lock(sink_mutex());
  return std::exchange(current_sink(), std::move(sink));
}

void log(LogLevel level, std::string_view message) {
  const std::lock_guard lock(sink_mutex());
  if (current_sink()) {
    current_sink()(level, message);
    return;
  }
  const std::string line =
      std::string("loyalty-drivers: ") + log_level_name(level) + ": " + std::string(message) + "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace loyalty::drivers
