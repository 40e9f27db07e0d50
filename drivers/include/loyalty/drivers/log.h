// The drivers' log: warnings and notes that are not events (a quirk that could not be applied, a
// device that could not be classified, a reconnect attempt). One process-wide sink, stderr by
// default; the daemon and loyaltyctl point it at their own log.
//
// What is logged never contains scanned data: no labels, no track data, no PAN. Messages name
// devices, lengths, positions and error texts. Tests install a sink and check exactly that.
//
// Thread-safety: set_log_sink() and log() may be called from any thread; the sink is called
// under a lock, one message at a time.
#pragma once

#include <functional>
#include <string_view>

namespace loyalty::drivers {

enum class LogLevel { debug, info, warning, error };
const char* log_level_name(LogLevel level);

using LogSink = std::function<void(LogLevel, std::string_view message)>;

// Replaces the sink; an empty function restores the default (stderr, "loyalty-drivers: <level>:
// <message>"). Returns the previous sink (empty when it was the default).
LogSink set_log_sink(LogSink sink);

void log(LogLevel level, std::string_view message);

}  // namespace loyalty::drivers
