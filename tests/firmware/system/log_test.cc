#include "system/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "system/notify_socket.h"

namespace loyalty::daemon {
namespace {

using test::ScopedEnv;

// A logger writing lines to `out`, from `level` up.
LoggerOptions lines_to(std::ostream& out, LogLevel level = LogLevel::debug) {
  LoggerOptions options;
  options.level_min = level;
  options.output = LogOutput::standard_error;
  options.lines = &out;
  return options;
}

// journald records captured instead of sent; `result` is what the writer answers.
struct CapturedJournal {
  std::vector<std::vector<std::string>> records;
  int result = 0;
  JournalWriter writer() {
    return [this](const std::vector<std::string>& fields) {
      records.push_back(fields);
      return result;
    };
  }
};

TEST_CASE("a record is one line: level, event, then key=value quoted only where needed") {
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.info("reader_connected",
              {{"device", "hidraw:/dev/hidraw0"}, {"kind", "msr"}, {"report_bytes", 337}});
  logger.warning("ledger_busy", {{"detail", "locked by pid 812"}, {"retry_ms", 250u}});
  logger.error("startup_failed", {{"empty", ""}, {"ok", false}, {"delta", -5}});
  logger.debug("tick");
  CHECK(out.str() ==
        "info reader_connected device=hidraw:/dev/hidraw0 kind=msr report_bytes=337\n"
        "warning ledger_busy detail=\"locked by pid 812\" retry_ms=250\n"
        "error startup_failed empty=\"\" ok=false delta=-5\n"
        "debug tick\n");
  CHECK(logger.output() == LogOutput::standard_error);
}

TEST_CASE("quotes, backslashes, control characters and non-ASCII bytes are escaped on one line") {
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.info("injected", {{"detail", "ok\ninfo forged_event user=admin"},
                           {"path", "C:\\x\"y\""},
                           {"name", "M\xc3\xbcller\r\t\x1b[2J\x7f"},
                           {"equals", "a=b"}});
  CHECK(out.str() ==
        "info injected detail=\"ok\\ninfo forged_event user=admin\" path=\"C:\\\\x\\\"y\\\"\" "
        "name=\"M\\xc3\\xbcller\\r\\t\\x1b[2J\\x7f\" equals=\"a=b\"\n");
  CHECK(escape_log_text(std::string("a\0b", 3)) == "a\\x00b");
}

TEST_CASE("records below the minimum level are dropped, and a reload may change the level") {
  std::ostringstream out;
  Logger logger(lines_to(out, LogLevel::warning));
  logger.debug("a");
  logger.info("b");
  logger.warning("c");
  logger.error("d");
  CHECK(out.str() == "warning c\nerror d\n");
  CHECK_FALSE(logger.enabled(LogLevel::info));
  logger.set_level_min(LogLevel::debug);
  CHECK(logger.level_min() == LogLevel::debug);
  logger.debug("e");
  CHECK(out.str() == "warning c\nerror d\ndebug e\n");
}

TEST_CASE("a card number in free text keeps only its last four digits") {
  CHECK(mask_card_data("card 4111111111111111 declined") == "card ************1111 declined");
  CHECK(mask_card_data("4111 1111 1111 1111") == "**** **** **** 1111");
  CHECK(mask_card_data("pan=3782-822463-10005.") == "pan=****-******-*0005.");
  CHECK(mask_card_data("123456789012") == "********9012");                  // 12 digits
  CHECK(mask_card_data("1234567890123456789") == "***************6789");    // 19 digits
  CHECK(mask_card_data("12345678901234567890") == "********************");  // 20: all
  CHECK(mask_card_data("receipt 12345678901 at 2024-06-01 10:15") ==
        "receipt 12345678901 at 2024-06-01 10:15");  // 11 digits, a date: untouched
  CHECK(mask_card_data("") == "");
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.info("swipe_refused", {{"detail", "bank card 5500005555555559"}});
  CHECK(out.str() == "info swipe_refused detail=\"bank card ************5559\"\n");
}

TEST_CASE("track 1 and track 2 data are withheld, with or without their sentinels") {
  const std::string track1 = "%B4111111111111111^DOE/JOHN^2512101000000000000?";
  const std::string track2 = ";4111111111111111=25121010000000000000?";
  CHECK(mask_card_data(track1) == "[track 1 withheld]");
  CHECK(mask_card_data(track2) == "[track 2 withheld]");
  CHECK(mask_card_data("read " + track1 + track2 + " done") ==
        "read [track 1 withheld][track 2 withheld] done");
  CHECK(mask_card_data("B4111111111111111^DOE/JOHN^25121010000? then") ==
        "[track 1 withheld] then");
  CHECK(mask_card_data("t2 4111111111111111=25121010000000000000 next") ==
        "t2 [track 2 withheld] next");
  CHECK(mask_card_data("%B41111111111") == "[track 1 withheld]");  // cut short: to the end
  CHECK(mask_card_data(";12=3?") == "[track 2 withheld]");
  CHECK(mask_card_data("50% Bonus; 3=three") == "50% Bonus; 3=three");
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.warning("wedge_line", {{"detail", "%B5500005555555559^X/Y^2601?;5500005555555559=2601?"}});
  CHECK(out.str() == "warning wedge_line detail=\"[track 1 withheld][track 2 withheld]\"\n");
}

TEST_CASE("bearer tokens, secret-named keys and redacted values are never written") {
  CHECK(redact_bearer_tokens("Authorization: Bearer eyJhbGciOi.x-y_z~+/==") ==
        "Authorization: Bearer [redacted]");
  CHECK(redact_bearer_tokens("bearer  abc123 rest") == "bearer  [redacted] rest");
  CHECK(redact_bearer_tokens("bearers of news") == "bearers of news");
  CHECK(redact_bearer_tokens("no Bearer") == "no Bearer");
  // A token with a long digit run is redacted whole: tokens first, then card masking.
  CHECK(mask_sensitive_text("Bearer abc1234567890123456xyz") == "Bearer [redacted]");
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.warning("unauthorized", {{"client_token", "s3cr3t"},
                                  {"api_key", "k"},
                                  {"password", "p"},
                                  {"header", "Bearer s3cr3t"},
                                  {"client", redacted},
                                  {"key_id", "2024-01"}});
  CHECK(out.str() ==
        "warning unauthorized client_token=[redacted] api_key=[redacted] password=[redacted] "
        "header=\"Bearer [redacted]\" client=[redacted] key_id=2024-01\n");
  static_assert(LogName("authorization").sensitive());
  static_assert(LogName("session_cookie").sensitive());
  static_assert(!LogName("key_id").sensitive());
}

TEST_CASE("journald gets MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, EVENT and one field per key") {
  CapturedJournal journal;
  LoggerOptions options;
  options.output = LogOutput::journald;
  options.level_min = LogLevel::debug;
  options.journal_writer = journal.writer();
  Logger logger(options);
  CHECK(logger.output() == LogOutput::journald);
  logger.warning(
      "reader_lost",
      {{"device", "hidraw:/dev/hidraw0"}, {"detail", "unplugged\nmid-swipe"}, {"token", "t"}});
  logger.debug("tick");
  logger.info("a");
  logger.error("b");
  REQUIRE(journal.records.size() == 4);
  CHECK(journal.records[0] ==
        std::vector<std::string>{
            "MESSAGE=reader_lost device=hidraw:/dev/hidraw0 detail=\"unplugged\\nmid-swipe\" "
            "token=[redacted]",
            "PRIORITY=4", "SYSLOG_IDENTIFIER=loyaltyd", "EVENT=reader_lost",
            "DEVICE=hidraw:/dev/hidraw0", "DETAIL=unplugged\\nmid-swipe", "TOKEN=[redacted]"});
  CHECK(journal.records[1] == std::vector<std::string>{"MESSAGE=tick", "PRIORITY=7",
                                                       "SYSLOG_IDENTIFIER=loyaltyd", "EVENT=tick"});
  CHECK(journal.records[2][1] == "PRIORITY=6");
  CHECK(journal.records[3][1] == "PRIORITY=3");
}

TEST_CASE("a record journald refuses is written as a line, after one line saying why") {
  CapturedJournal journal;
  journal.result = -ECONNREFUSED;
  std::ostringstream out;
  LoggerOptions options = lines_to(out);
  options.output = LogOutput::journald;
  options.journal_writer = journal.writer();
  Logger logger(options);
  logger.info("first", {{"n", 1}});
  logger.info("second", {{"n", 2}});
  CHECK(journal.records.size() == 2);
  CHECK(out.str() ==
        "warning journal_send_failed error=\"Connection refused\"\n"
        "info first n=1\n"
        "info second n=2\n");
}

TEST_CASE("the drivers' log goes through the logger while the route lives") {
  std::vector<std::string> before;
  drivers::set_log_sink(
      [&before](drivers::LogLevel, std::string_view message) { before.emplace_back(message); });
  std::ostringstream out;
  Logger logger(lines_to(out, LogLevel::info));
  {
    const DriversLogRoute route(logger);
    drivers::log(drivers::LogLevel::warning, "hidraw0: quirk not applied (card 4111111111111111)");
    drivers::log(drivers::LogLevel::debug, "below the level");
    drivers::log(drivers::LogLevel::error, "line\nbreak");
  }
  drivers::log(drivers::LogLevel::info, "after the route");
  drivers::set_log_sink({});
  CHECK(out.str() ==
        "warning drivers detail=\"hidraw0: quirk not applied (card ************1111)\"\n"
        "error drivers detail=\"line\\nbreak\"\n");
  CHECK(before == std::vector<std::string>{"after the route"});
}

TEST_CASE("log names are snake_case literals that are not journald's own fields") {
  static_assert(log_name_valid("reader_connected"));
  static_assert(log_name_valid("t2"));
  static_assert(!log_name_valid(""));
  static_assert(!log_name_valid("Reader"));
  static_assert(!log_name_valid("2fast"));
  static_assert(!log_name_valid("has-dash"));
  static_assert(!log_name_valid("message"));
  static_assert(!log_name_valid("priority"));
  static_assert(!log_name_valid("event"));
  static_assert(!log_name_valid("syslog_identifier"));
  static_assert(!log_name_valid("object_pid"));
  static_assert(log_name_valid("abcdefghijklmnopqrstuvwxyz012345"));    // 32
  static_assert(!log_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));  // 33
  CHECK(LogName("reader_connected").view() == "reader_connected");
}

TEST_CASE("the log level and output parse from the configuration's words") {
  CHECK(*parse_log_level("debug") == LogLevel::debug);
  CHECK(*parse_log_level("warning") == LogLevel::warning);
  CHECK(*parse_log_output("stderr") == LogOutput::standard_error);
  CHECK(*parse_log_output("journald") == LogOutput::journald);
  CHECK(*parse_log_output("auto") == LogOutput::automatic);
  const auto level = parse_log_level("verbose\n");
  REQUIRE_FALSE(level.ok());
  CHECK(level.error().code == ErrorCode::invalid_argument);
  CHECK(level.error().message ==
        "log level must be \"debug\", \"info\", \"warning\" or \"error\", not \"verbose\\n\"");
  const auto output = parse_log_output("syslog");
  REQUIRE_FALSE(output.ok());
  CHECK(output.error().message ==
        "log output must be \"stderr\", \"journald\" or \"auto\", not \"syslog\"");
}

TEST_CASE("auto is journald only when stderr is the stream JOURNAL_STREAM names") {
  struct stat status {};
  REQUIRE(::fstat(STDERR_FILENO, &status) == 0);
  const std::string device = std::to_string(status.st_dev);
  const std::string inode = std::to_string(status.st_ino);
  {
    const ScopedEnv stream("JOURNAL_STREAM", device + ":" + inode);
    CHECK(fd_is_journal_stream(STDERR_FILENO));
    CapturedJournal journal;
    LoggerOptions options;
    options.journal_writer = journal.writer();
    Logger logger(options);  // output automatic, no lines stream
    CHECK(logger.output() == LogOutput::journald);
    logger.info("started");
    CHECK(journal.records.size() == 1);
    // With a stream of its own the logger writes lines there, whatever JOURNAL_STREAM says.
    std::ostringstream out;
    LoggerOptions to_stream = lines_to(out);
    to_stream.output = LogOutput::automatic;
    CHECK(Logger(to_stream).output() == LogOutput::standard_error);
  }
  for (const std::string& other : {device + ":" + std::to_string(status.st_ino + 1),
                                   device + ":" + inode + "x", device + inode, std::string()}) {
    const ScopedEnv stream("JOURNAL_STREAM", other);
    CHECK_FALSE(fd_is_journal_stream(STDERR_FILENO));
  }
  const ScopedEnv unset("JOURNAL_STREAM", std::nullopt);
  CHECK_FALSE(fd_is_journal_stream(STDERR_FILENO));
  CHECK_FALSE(fd_is_journal_stream(-1));
}

TEST_CASE("a long value is cut at log_value_bytes_max with the count of the rest") {
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.info("long", {{"detail", std::string(log_value_bytes_max + 10, 'x')}});
  CHECK(out.str() ==
        "info long detail=\"" + std::string(log_value_bytes_max, 'x') + "... [+10 bytes]\"\n");
}

TEST_CASE("an Error field is its code's name and its message") {
  std::ostringstream out;
  Logger logger(lines_to(out));
  logger.error("ledger_open_failed",
               {{"error", make_error(ErrorCode::busy, "database is locked")}});
  CHECK(out.str() == "error ledger_open_failed error=\"busy: database is locked\"\n");
}

TEST_CASE("records from several threads come out as whole lines") {
  constexpr int kThreads = 4;
  constexpr int kRecordsPerThread = 200;
  std::ostringstream out;
  Logger logger(lines_to(out));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < kRecordsPerThread; ++i) {
        logger.info("work", {{"thread", t}, {"record", i}, {"detail", "a b c"}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::istringstream lines(out.str());
  const std::regex whole("info work thread=[0-3] record=[0-9]+ detail=\"a b c\"");
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    REQUIRE(std::regex_match(line, whole));
  }
  CHECK(count == kThreads * kRecordsPerThread);
}

TEST_CASE("lines go to fd 2 whole when no stream is given") {
  // Redirect fd 2 to a file for the duration of the test.
  char path[] = "/tmp/loyalty-log-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  const int saved = ::dup(STDERR_FILENO);
  REQUIRE(saved >= 0);
  REQUIRE(::dup2(file, STDERR_FILENO) == STDERR_FILENO);
  {
    LoggerOptions options;
    options.output = LogOutput::standard_error;
    Logger logger(options);
    logger.info("to_fd", {{"n", 1}});
  }
  REQUIRE(::dup2(saved, STDERR_FILENO) == STDERR_FILENO);
  ::close(saved);
  std::string text(256, '\0');
  const ssize_t read = ::pread(file, text.data(), text.size(), 0);
  ::close(file);
  ::unlink(path);
  REQUIRE(read >= 0);
  text.resize(static_cast<std::size_t>(read));
  CHECK(text == "info to_fd n=1\n");
}

}  // namespace
}  // namespace loyalty::daemon
