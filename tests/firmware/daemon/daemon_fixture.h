// A loyaltyd on its own loop thread, in a temporary state directory, for the API tests: the real
// Daemon (ledger file, Unix socket, storage thread), configured like a till, and a blocking
// client that talks HTTP/1.1 and WebSocket over the Unix socket with Boost.Beast.
//
// Every reply the client receives is appended to the contract record (one JSON line: method,
// path, status, content type, body) that the OpenAPI contract test checks against
// docs/pos-api.yaml.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "daemon/daemon.h"
#include "loyalty/core/json.h"

namespace loyalty::daemon::test {

inline constexpr const char* api_token = "test-token-0123456789abcdef0123456789abcdef";
// A loyalty card of examples/programs/grocery.json (prefix 29, 13 digits, GS1 check digit).
inline constexpr const char* card = "2900000000018";
inline constexpr const char* other_card = "2900000000025";

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The configuration of a test till: grocery.json, Europe/Berlin, no hotplug, no panel.
Config test_config(const TempDir& dir);
void write_token_file(const std::string& path, const std::string& token, unsigned mode = 0600);
// The JSON of examples/receipts/grocery/<name>.json, with its receipt_id replaced by `id`.
std::string example_receipt(const std::string& name, const std::string& id);
std::string read_text_file(const std::string& path);

// A clock for tests that assert exact points under the grocery program, whose rules depend on
// the weekday and the hour (double-tuesday, happy-hours, weekend-scratch): it starts at 12:00 UTC
// on the last Monday before now and advances with the steady clock.
std::function<Timestamp()> quiet_hours_clock();

// A program run through /bin/sh: its exit status (-1 when it did not exit) and what it wrote to
// stdout and stderr, in one string.
struct CommandRun {
  int status = -1;
  std::string output;
};
CommandRun run_command(const std::string& command);

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  boost::beast::http::fields headers;
  json::Value json() const;  // the body parsed; FAILs the test when it is not JSON
};

struct RequestOptions {
  std::string token = api_token;  // "" sends no Authorization header
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  static RequestOptions with_token(std::string token) {
    RequestOptions options;
    options.token = std::move(token);
    return options;
  }
  static RequestOptions with_content_type(std::string type) {
    RequestOptions options;
    options.content_type = std::move(type);
    return options;
  }
  static RequestOptions with_header(std::string name, std::string value) {
    RequestOptions options;
    options.headers.emplace_back(std::move(name), std::move(value));
    return options;
  }
};

// One request on a new connection (Connection: close).
Reply http_request(const std::string& socket_path, boost::beast::http::verb method,
                   const std::string& target, const std::string& body = "",
                   const RequestOptions& options = {});

// The same, but a refused connection or a connection closed without a reply is nullopt, not a
// test failure (the crash tests expect both).
std::optional<Reply> try_http_request(const std::string& socket_path,
                                      boost::beast::http::verb method, const std::string& target,
                                      const std::string& body = "",
                                      const RequestOptions& options = {});

class DaemonFixture {
 public:
  // `clock` replaces the system clock when set (see quiet_hours_clock).
  explicit DaemonFixture(std::function<void(Config&)> adjust = {},
                         std::function<Timestamp()> clock = {});
  ~DaemonFixture();

  Reply get(const std::string& target, const RequestOptions& options = {}) const;
  Reply post(const std::string& target, const std::string& body,
             const RequestOptions& options = {}) const;
  const std::string& socket() const { return config_.api.socket; }
  const Config& config() const { return config_; }
  TempDir& dir() { return dir_; }

  // Runs `work` on the daemon's loop and waits for it.
  void on_loop(std::function<void(Daemon&)> work);

 private:
  TempDir dir_;
  Config config_;
  boost::asio::io_context io_;
  std::unique_ptr<Daemon> daemon_;
  std::thread loop_;
};

// A WebSocket client of /v1/events; reads time out after `timeout_ms`.
class EventStream {
 public:
  EventStream(const std::string& socket_path, const std::string& token = api_token,
              int timeout_ms = 5000);
  // The next message parsed; FAILs on timeout.
  json::Value next();
  // Messages until one of `type` arrives (at most 50); FAILs on timeout.
  json::Value next_of_type(const std::string& type);

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::local::stream_protocol::socket> ws_;
};

}  // namespace loyalty::daemon::test
