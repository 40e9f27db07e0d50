// loyaltyd's structured log: records of an event name and typed fields, at four levels, written
// as one line each to stderr or as one entry each to journald (docs/system-integration.md).
//
//   logger.info("reader_connected", {{"device", info.id}, {"kind", "msr"}, {"report_bytes", 337}});
//
// stderr, one line per record, logfmt-like:
//
//   info reader_connected device=hidraw:/dev/hidraw0 kind=msr report_bytes=337
//   warning ledger_busy detail="locked by pid 812" retry_ms=250
//
// A value is written bare when it is non-empty printable ASCII without space, '"', '=' or '\';
// otherwise in double quotes with \" \\ \n \r \t and \xNN for every other byte outside printable
// ASCII (UTF-8 included: the log is ASCII). A record is therefore always exactly one line.
//
// journald (sd_journal_sendv): MESSAGE is the line without its level ("reader_connected
// device=..."), PRIORITY the level (7 debug, 6 info, 4 warning, 3 error), SYSLOG_IDENTIFIER the
// program, EVENT the event, and one field per key, upper-cased (DEVICE=hidraw:/dev/hidraw0) with
// the value escaped as above but without quotes. `journalctl -u loyaltyd -o verbose` shows them,
// and `journalctl -u loyaltyd EVENT=reader_connected` selects by them.
//
// Card data and tokens. The first line of defence is that the daemon never passes card data (a
// PAN, track data) or a secret to the logger: the drivers hand over only loyalty identifiers,
// and messages name devices, lengths and error texts. The logger is the second line:
//   - every text value is run through redact_bearer_tokens() and mask_card_data() (digit runs of
//     12 or more masked, track 1 and 2 data withheld) before it is written: mask_sensitive_text();
//   - a key whose name says it holds a secret (token, secret, password, authorization, cookie,
//     credential, or ending in "key") is always written as [redacted], whatever its value;
//   - `redacted` as a value writes [redacted] for anything else that must not be seen.
// Integer fields are not masked: they are the program's own counts, lengths and ids.
//
// Names. Event names and keys are string literals checked at compile time (LogName): lower-case
// snake_case, 1 to 32 characters, starting with a letter, and not one of journald's own fields
// (message, priority, errno, event, ...). A bad name does not compile.
//
// Ownership and thread-safety: a Logger owns nothing of its output (fd 2, journald, or a stream
// the caller owns and keeps alive). log() may be called from any thread; records are formatted
// outside the lock and written under it, one whole record at a time. LogField is a view: it is
// built in the call's argument list and must not outlive the call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/log.h"

namespace loyalty::daemon {

// --- Limits (the daemon's log only) ---
// Bytes of one text value, after masking and before escaping; the rest is cut and counted
// ("... [+123 bytes]"). A record's line is at most about fields × 4 × this.
inline constexpr std::size_t log_value_bytes_max = 1024;
// Fields of one record (a programming error beyond).
inline constexpr std::size_t log_fields_max = 32;
// Characters of an event name or key (journald allows 64 for a field name).
inline constexpr std::size_t log_name_chars_max = 32;

// The drivers' levels, shared so their messages keep theirs.
using LogLevel = drivers::LogLevel;

// "debug", "info", "warning", "error" (the configuration's log.level).
Result<LogLevel> parse_log_level(std::string_view text);

// Where records go. `automatic` is journald when stderr is the journal's stream (systemd sets
// JOURNAL_STREAM to its device:inode for a service whose stderr goes to the journal), else stderr.
enum class LogOutput { standard_error, journald, automatic };

// "stderr", "journald", "auto" (the configuration's log.output).
Result<LogOutput> parse_log_output(std::string_view text);
const char* log_output_name(LogOutput output);  // "stderr", "journald", "auto"

// Whether `fd` is the stream $JOURNAL_STREAM names ("<st_dev>:<st_ino>", decimal).
bool fd_is_journal_stream(int fd);

namespace log_detail {

// Fields journald or systemd give a meaning (systemd.journal-fields(7)), and ours (EVENT).
inline constexpr std::string_view journal_reserved_names[] = {
    "message",
    "message_id",
    "priority",
    "code_file",
    "code_line",
    "code_func",
    "errno",
    "invocation_id",
    "user_invocation_id",
    "syslog_facility",
    "syslog_identifier",
    "syslog_pid",
    "syslog_timestamp",
    "syslog_raw",
    "documentation",
    "tid",
    "unit",
    "user_unit",
    "event",
};

}  // namespace log_detail

// A valid event name or key: [a-z][a-z0-9_]*, at most log_name_chars_max characters, and not one
// of journald's fields once upper-cased.
constexpr bool log_name_valid(std::string_view name) {
  if (name.empty() || name.size() > log_name_chars_max) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  for (const std::string_view reserved : log_detail::journal_reserved_names) {
    if (name == reserved) return false;
  }
  return !name.starts_with("object_") && !name.starts_with("coredump_");
}

// A key that holds a secret by its name: its values are always written as [redacted].
constexpr bool log_name_sensitive(std::string_view name) {
  constexpr std::string_view words[] = {"token",  "secret",     "password", "authorization",
                                        "cookie", "credential", "passwd"};
  for (const std::string_view word : words) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return name.ends_with("key");
}

// An event name or key: a string literal, checked when the program is compiled.
class LogName {
 public:
  // NOLINTNEXTLINE: implicit, so that call sites write "reader_connected".
  consteval LogName(const char* name) : name_(name), sensitive_(log_name_sensitive(name)) {
    if (!log_name_valid(name)) {
      throw "a log name is lower-case snake_case of at most 32 characters, not a journald field";
    }
  }
  constexpr std::string_view view() const { return name_; }
  constexpr bool sensitive() const { return sensitive_; }

 private:
  std::string_view name_;
  bool sensitive_ = false;
};

// A value that is never written: {"client", redacted} logs client=[redacted].
struct Redacted {};
inline constexpr Redacted redacted{};

// One key and its value. Text is viewed, not copied (except an Error's, which is formatted).
class LogField {
 public:
  LogField(LogName key, std::string_view text) : key_(key), value_(text) {}
  LogField(LogName key, const char* text) : key_(key), value_(std::string_view(text)) {}
  LogField(LogName key, const std::string& text) : key_(key), value_(std::string_view(text)) {}
  LogField(LogName key, bool flag) : key_(key), value_(flag) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>)
      LogField(LogName key, T number)
      : key_(key), value_(static_cast<std::int64_t>(number)) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_unsigned_v<T>)
      LogField(LogName key, T number)
      : key_(key), value_(static_cast<std::uint64_t>(number)) {}
  // "<code name>: <message>" ("busy: database is locked").
  LogField(LogName key, const Error& error);
  LogField(LogName key, Redacted) : key_(key), value_(Redacted{}) {}

  LogName key() const { return key_; }
  // The value as written before escaping: masked text, a number, true/false, or [redacted].
  std::string text() const;

 private:
  LogName key_;
  std::variant<std::string_view, std::string, std::int64_t, std::uint64_t, bool, Redacted> value_;
};

// Masks what looks like card data in free text, for the log and the service status:
//   - a run of 12 to 19 digits, which may be grouped by single spaces or dashes ("4111 1111 1111
//     1111"), keeps its last 4 digits: "************1111", "**** **** **** 1111"; a longer run is
//     masked whole (it may be track data without its sentinels);
//   - track 1 ("%B" and a digit, or 12-19 digits followed by '^') is withheld up to and including
//     the next '?', or to the end of the text: "[track 1 withheld]";
//   - track 2 (';' and digits followed by '=', or 12-19 digits, '=' and a digit) is withheld up
//     to and including the next '?' (to the end without one; without its ';', up to the last
//     digit or '='): "[track 2 withheld]".
// Anything else is returned as it was.
std::string mask_card_data(std::string_view text);

// "Bearer <token>" (any case) becomes "Bearer [redacted]".
std::string redact_bearer_tokens(std::string_view text);

// What the logger does to every text value: redact_bearer_tokens(), then mask_card_data().
std::string mask_sensitive_text(std::string_view text);

// `text` as one line of printable ASCII: \\ \" \n \r \t, \xNN for any other byte outside 0x20-0x7e.
std::string escape_log_text(std::string_view text);

// The stderr line of a record, without its newline: "<level> <event> key=value ...".
std::string format_log_line(LogLevel level, LogName event, std::span<const LogField> fields);

// The journald fields of a record, each "NAME=value": MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
// EVENT, then one per key in order.
std::vector<std::string> format_journal_fields(LogLevel level, LogName event,
                                               std::span<const LogField> fields,
                                               std::string_view identifier);

// Sends one record's fields (format_journal_fields()) to journald: 0, or a negative errno.
using JournalWriter = std::function<int(const std::vector<std::string>& fields)>;

struct LoggerOptions {
  LogLevel level_min = LogLevel::info;
  LogOutput output = LogOutput::automatic;
  std::string identifier = "loyaltyd";  // SYSLOG_IDENTIFIER
  // Where lines go instead of fd 2 (tests; a program logging elsewhere). Not owned: it must
  // outlive the Logger. With it, `automatic` is stderr lines to this stream.
  std::ostream* lines = nullptr;
  // Sends a record to journald; empty: sd_journal_sendv(). Tests capture the fields. Called
  // outside the logger's lock, from the logging threads, possibly at once.
  JournalWriter journal_writer;
};

// The daemon's logger; see the top of this file. Made once by main() and passed by reference.
class Logger {
 public:
  explicit Logger(LoggerOptions options);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // standard_error or journald: `automatic` as it was resolved at construction.
  LogOutput output() const { return output_; }
  LogLevel level_min() const { return level_min_.load(std::memory_order_relaxed); }
  // A reload may change the level; records in flight on other threads use either.
  void set_level_min(LogLevel level) { level_min_.store(level, std::memory_order_relaxed); }
  bool enabled(LogLevel level) const { return level >= level_min(); }

  // Writes a record if `level` is at least level_min(). At most log_fields_max fields. If
  // journald refuses a record it is written as a line instead (after one line saying why).
  void log(LogLevel level, LogName event, std::initializer_list<LogField> fields = {});
  void debug(LogName event, std::initializer_list<LogField> fields = {});
  void info(LogName event, std::initializer_list<LogField> fields = {});
  void warning(LogName event, std::initializer_list<LogField> fields = {});
  void error(LogName event, std::initializer_list<LogField> fields = {});

 private:
  void write_line(const std::string& line);  // under mutex_

  LoggerOptions options_;
  LogOutput output_;
  std::atomic<LogLevel> level_min_;
  std::mutex mutex_;
  bool journal_failed_ = false;  // under mutex_: the failure was said once
};

// Routes the drivers' log (loyalty/drivers/log.h) through a Logger while it lives: each message
// becomes "<level> drivers detail=\"...\"" (the drivers' level, masked like any text). The
// destructor puts the previous sink back. The Logger must outlive it; one at a time.
class DriversLogRoute {
 public:
  explicit DriversLogRoute(Logger& logger);
  ~DriversLogRoute();
  DriversLogRoute(const DriversLogRoute&) = delete;
  DriversLogRoute& operator=(const DriversLogRoute&) = delete;

 private:
  drivers::LogSink previous_;
};

}  // namespace loyalty::daemon
