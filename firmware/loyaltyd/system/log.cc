// loyaltyd's structured log (log.h): formatting, masking, and the stderr and journald outputs.
#include "system/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <ostream>
#include <system_error>
#include <utility>

namespace loyalty::daemon {

namespace {

constexpr std::string_view kRedacted = "[redacted]";
constexpr std::string_view kTrack1Withheld = "[track 1 withheld]";
constexpr std::string_view kTrack2Withheld = "[track 2 withheld]";
// Digits of a PAN: ISO/IEC 7812 numbers are 12 to 19 digits long.
constexpr std::size_t kPanDigitsMin = 12;
constexpr std::size_t kPanDigitsMax = 19;
constexpr std::size_t kPanDigitsShown = 4;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Contiguous digits from `pos`.
std::size_t digits_at(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && is_digit(text[end])) ++end;
  return end - pos;
}

bool pan_length(std::size_t digits) { return digits >= kPanDigitsMin && digits <= kPanDigitsMax; }

// Past the end sentinel '?' at or after `pos`, or the end of the text.
std::size_t past_sentinel(std::string_view text, std::size_t pos) {
  const std::size_t sentinel = text.find('?', pos);
  return sentinel == std::string_view::npos ? text.size() : sentinel + 1;
}

// Pass 1 of mask_card_data(): track 1 and track 2 data replaced by a marker.
std::string withhold_tracks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    const bool run_starts = is_digit(c) && (pos == 0 || !is_digit(text[pos - 1]));
    const std::size_t run = run_starts ? digits_at(text, pos) : 0;
    const char after_run = pos + run < text.size() ? text[pos + run] : '\0';
    if (c == '%' && pos + 2 < text.size() && text[pos + 1] == 'B' && is_digit(text[pos + 2])) {
      out += kTrack1Withheld;  // %B<PAN>^<NAME>^<YYMM><service code><discretionary>?
      pos = past_sentinel(text, pos);
    } else if (c == ';' && digits_at(text, pos + 1) >= 1 && digits_at(text, pos + 1) <= 19 &&
               pos + 1 + digits_at(text, pos + 1) < text.size() &&
               text[pos + 1 + digits_at(text, pos + 1)] == '=') {
      out += kTrack2Withheld;  // ;<PAN>=<YYMM><service code><discretionary>?
      pos = past_sentinel(text, pos);
    } else if (pan_length(run) && after_run == '^') {
      if (pos > 0 && text[pos - 1] == 'B' && !out.empty() && out.back() == 'B') out.pop_back();
      out += kTrack1Withheld;  // track 1 without its start sentinel
      pos = past_sentinel(text, pos);
    } else if (pan_length(run) && after_run == '=' && pos + run + 1 < text.size() &&
               is_digit(text[pos + run + 1])) {
      out += kTrack2Withheld;  // track 2 without its sentinels: digits and separators
      pos += run;
      while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '=')) ++pos;
      if (pos < text.size() && text[pos] == '?') ++pos;
    } else {
      out += c;
      ++pos;
    }
  }
  return out;
}

// Pass 2 of mask_card_data(): digit runs of 12 or more digits, grouped by single spaces or
// dashes, masked but for the last 4 digits (or whole, past 19 digits).
std::string mask_digit_runs(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos])) {
      out += text[pos++];
      continue;
    }
    std::size_t end = pos;
    std::size_t digits = 0;
    while (true) {
      const std::size_t group = digits_at(text, end);
      end += group;
      digits += group;
      const bool joined = end + 1 < text.size() && (text[end] == ' ' || text[end] == '-') &&
                          is_digit(text[end + 1]);
      if (!joined) break;
      ++end;
    }
    if (digits < kPanDigitsMin) {
      out += text.substr(pos, end - pos);
    } else {
      const std::size_t shown = digits <= kPanDigitsMax ? kPanDigitsShown : 0;
      std::size_t seen = 0;
      for (std::size_t i = pos; i < end; ++i) {
        if (!is_digit(text[i])) {
          out += text[i];
          continue;
        }
        ++seen;
        out += seen + shown > digits ? text[i] : '*';
      }
    }
    pos = end;
  }
  return out;
}

bool is_token_char(char c) {
  // RFC 6750 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool word_at(std::string_view text, std::size_t pos, std::string_view lower_word) {
  if (pos + lower_word.size() > text.size()) return false;
  for (std::size_t i = 0; i < lower_word.size(); ++i) {
    if (lower(text[pos + i]) != lower_word[i]) return false;
  }
  const bool starts_word = pos == 0 || !is_token_char(text[pos - 1]);
  return starts_word;
}

bool needs_quotes(std::string_view raw) {
  if (raw.empty()) return true;
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

// A field's value as written: masked, cut to log_value_bytes_max; [redacted] for a secret key.
std::string field_raw(const LogField& field) {
  if (field.key().sensitive()) return std::string(kRedacted);
  std::string raw = field.text();
  if (raw.size() > log_value_bytes_max) {
    const std::size_t cut = raw.size() - log_value_bytes_max;
    raw.resize(log_value_bytes_max);
    raw += "... [+" + std::to_string(cut) + " bytes]";
  }
  return raw;
}

std::string stderr_value(std::string_view raw) {
  if (!needs_quotes(raw)) return std::string(raw);
  return "\"" + escape_log_text(raw) + "\"";
}

// The line's content after the level: "<event> key=value ...".
std::string record_text(LogName event, std::span<const LogField> fields) {
  std::string text(event.view());
  for (const LogField& field : fields) {
    text += ' ';
    text += field.key().view();
    text += '=';
    text += stderr_value(field_raw(field));
  }
  return text;
}

int journal_priority(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return 7;  // LOG_DEBUG
    case LogLevel::info:
      return 6;  // LOG_INFO
    case LogLevel::warning:
      return 4;  // LOG_WARNING
    case LogLevel::error:
      return 3;  // LOG_ERR
  }
  return 3;
}

std::string upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

int send_to_journal(const std::vector<std::string>& fields) {
  std::vector<iovec> vectors;
  vectors.reserve(fields.size());
  for (const std::string& field : fields) {
    vectors.push_back(iovec{const_cast<char*>(field.data()), field.size()});
  }
  return sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size()));
}

// write(2) of the whole line; a failure has nowhere to be reported and is dropped.
void write_fd(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

LogOutput resolve_output(const LoggerOptions& options) {
  if (options.output != LogOutput::automatic) return options.output;
  if (options.lines != nullptr) return LogOutput::standard_error;
  return fd_is_journal_stream(STDERR_FILENO) ? LogOutput::journald : LogOutput::standard_error;
}

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
  for (const LogLevel level :
       {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error}) {
    if (text == drivers::log_level_name(level)) return level;
  }
  return make_error(ErrorCode::invalid_argument,
                    "log level must be \"debug\", \"info\", \"warning\" or \"error\", not \"" +
                        escape_log_text(text) + "\"");
}

const char* log_output_name(LogOutput output) {
  switch (output) {
    case LogOutput::standard_error:
      return "stderr";
    case LogOutput::journald:
      return "journald";
    case LogOutput::automatic:
      return "auto";
  }
  return "unknown";
}

Result<LogOutput> parse_log_output(std::string_view text) {
  for (const LogOutput output :
       {LogOutput::standard_error, LogOutput::journald, LogOutput::automatic}) {
    if (text == log_output_name(output)) return output;
  }
  return make_error(ErrorCode::invalid_argument,
                    "log output must be \"stderr\", \"journald\" or \"auto\", not \"" +
                        escape_log_text(text) + "\"");
}

bool fd_is_journal_stream(int fd) {
  const char* value = std::getenv("JOURNAL_STREAM");
  if (value == nullptr) return false;
  const std::string_view text(value);
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  const auto device_end = text.data() + colon;
  const auto parsed_device = std::from_chars(text.data(), device_end, device);
  const auto parsed_inode = std::from_chars(device_end + 1, text.data() + text.size(), inode);
  if (parsed_device.ec != std::errc() || parsed_device.ptr != device_end ||
      parsed_inode.ec != std::errc() || parsed_inode.ptr != text.data() + text.size()) {
    return false;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) return false;
  return static_cast<std::uint64_t>(status.st_dev) == device &&
         static_cast<std::uint64_t>(status.st_ino) == inode;
}

LogField::LogField(LogName key, const Error& error)
    : key_(key), value_(std::string(error_code_name(error.code)) + ": " + error.message) {}

std::string LogField::text() const {
  struct Visitor {
    std::string operator()(std::string_view text) const { return mask_sensitive_text(text); }
    std::string operator()(const std::string& text) const { return mask_sensitive_text(text); }
    std::string operator()(std::int64_t number) const { return std::to_string(number); }
    std::string operator()(std::uint64_t number) const { return std::to_string(number); }
    std::string operator()(bool flag) const { return flag ? "true" : "false"; }
    std::string operator()(Redacted) const { return std::string(kRedacted); }
  };
  return std::visit(Visitor{}, value_);
}

std::string mask_card_data(std::string_view text) { return mask_digit_runs(withhold_tracks(text)); }

std::string mask_sensitive_text(std::string_view text) {
  // Tokens first: masking digits inside a token would end its run of token characters early.
  return mask_card_data(redact_bearer_tokens(text));
}

std::string redact_bearer_tokens(std::string_view text) {
  constexpr std::string_view scheme = "bearer";
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!word_at(text, pos, scheme)) {
      out += text[pos++];
      continue;
    }
    std::size_t token = pos + scheme.size();
    while (token < text.size() && (text[token] == ' ' || text[token] == '\t')) ++token;
    std::size_t end = token;
    while (end < text.size() && is_token_char(text[end])) ++end;
    if (token == pos + scheme.size() || end == token) {  // "bearers", or no token after it
      out += text.substr(pos, scheme.size());
      pos += scheme.size();
      continue;
    }
    out += text.substr(pos, token - pos);
    out += kRedacted;
    pos = end;
  }
  return out;
}

std::string escape_log_text(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20 || byte >= 0x7f) {
          out += "\\x";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_log_line(LogLevel level, LogName event, std::span<const LogField> fields) {
  LOYALTY_ASSERT(fields.size() <= log_fields_max);
  return std::string(drivers::log_level_name(level)) + " " + record_text(event, fields);
}

std::vector<std::string> format_journal_fields(LogLevel level, LogName event,
                                               std::span<const LogField> fields,
                                               std::string_view identifier) {
  LOYALTY_ASSERT(fields.size() <= log_fields_max);
  std::vector<std::string> out;
  out.reserve(4 + fields.size());
  out.push_back("MESSAGE=" + record_text(event, fields));
  out.push_back("PRIORITY=" + std::to_string(journal_priority(level)));
  out.push_back("SYSLOG_IDENTIFIER=" + escape_log_text(identifier));
  out.push_back("EVENT=" + std::string(event.view()));
  for (const LogField& field : fields) {
    out.push_back(upper(field.key().view()) + "=" + escape_log_text(field_raw(field)));
  }
  return out;
}

Logger::Logger(LoggerOptions options)
    : options_(std::move(options)),
      output_(resolve_output(options_)),
      level_min_(options_.level_min) {
  if (!options_.journal_writer) options_.journal_writer = send_to_journal;
}

void Logger::log(LogLevel level, LogName event, std::initializer_list<LogField> fields) {
  LOYALTY_ASSERT(fields.size() <= log_fields_max);
  if (!enabled(level)) return;
  const std::span<const LogField> span(fields.begin(), fields.size());
  if (output_ == LogOutput::journald) {
    const int sent =
        options_.journal_writer(format_journal_fields(level, event, span, options_.identifier));
    if (sent >= 0) return;
    const std::string line = format_log_line(level, event, span);
    const std::string reason = std::error_code(-sent, std::generic_category()).message();
    const LogField why[] = {{"error", reason}};
    const std::lock_guard lock(mutex_);
    if (!std::exchange(journal_failed_, true)) {
      write_line(format_log_line(LogLevel::warning, "journal_send_failed", why));
    }
    write_line(line);
    return;
  }
  const std::string line = format_log_line(level, event, span);
  const std::lock_guard lock(mutex_);
  write_line(line);
}

void Logger::debug(LogName event, std::initializer_list<LogField> fields) {
  log(LogLevel::debug, event, fields);
}
void Logger::info(LogName event, std::initializer_list<LogField> fields) {
  log(LogLevel::info, event, fields);
}
void Logger::warning(LogName event, std::initializer_list<LogField> fields) {
  log(LogLevel::warning, event, fields);
}
void Logger::error(LogName event, std::initializer_list<LogField> fields) {
  log(LogLevel::error, event, fields);
}

void Logger::write_line(const std::string& line) {
  if (options_.lines != nullptr) {
    *options_.lines << line << '\n';
    options_.lines->flush();
    return;
  }
  write_fd(STDERR_FILENO, line + "\n");
}

DriversLogRoute::DriversLogRoute(Logger& logger)
    : previous_(drivers::set_log_sink([&logger](LogLevel level, std::string_view message) {
        logger.log(level, "drivers", {{"detail", message}});
      })) {}

DriversLogRoute::~DriversLogRoute() { drivers::set_log_sink(std::move(previous_)); }

}  // namespace loyalty::daemon
