#include "daemon/daemon_fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

namespace loyalty::daemon::test {

namespace http = boost::beast::http;
namespace asio = boost::asio;

namespace {

// Appends one reply to the contract record (O_APPEND: one write per line, so parallel test
// processes do not interleave).
void record(const std::string& method, const std::string& target, const Reply& reply) {
  json::Writer out;
  out.begin_object();
  out.key("method");
  out.value(method);
  out.key("path");
  out.value(target.substr(0, target.find('?')));
  out.key("status");
  out.value(reply.status);
  out.key("content_type");
  out.value(reply.content_type);
  out.key("body");
  out.value(reply.body);
  out.end_object();
  const std::string line = out.take() + "\n";
  // $LOYALTY_API_RECORD_FILE names another file (the contract test records a run of its own).
  const char* path = std::getenv("LOYALTY_API_RECORD_FILE");
  if (path == nullptr || *path == '\0') path = LOYALTY_API_RECORD_FILE;
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::close(fd);
}

void set_receive_timeout(int fd, int timeout_ms) {
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

}  // namespace

TempDir::TempDir() {
  // Short: a Unix socket path must fit in 108 bytes.
  std::string pattern = "/tmp/loyd-XXXXXX";
  LOYALTY_ASSERT(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_token_file(const std::string& path, const std::string& token, unsigned mode) {
  std::ofstream(path) << "# the POS's token\n" << token << "\n";
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

CommandRun run_command(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  CommandRun run;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.output += buffer.data();
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string read_text_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string example_receipt(const std::string& name, const std::string& id) {
  Result<json::Value> parsed = json::parse(
      read_text_file(std::string(LOYALTY_EXAMPLES_DIR) + "/receipts/grocery/" + name + ".json"));
  REQUIRE(parsed.ok());
  json::Value receipt = json::Value::make_object();
  for (const json::Member& member : parsed->as_object()) {
    receipt.add_member(member.key, member.key == "receipt_id" ? json::Value::make_string(id)
                                                              : member.value);
  }
  json::Writer out;
  out.value(receipt);
  return out.take();
}

Config test_config(const TempDir& dir) {
  const std::string text = "[terminal]\nid = \"T-test\"\nstore_id = \"FM014\"\n"
                           "state_directory = \"" + dir.path().string() + "\"\n"
                           "time_zone = \"Europe/Berlin\"\n"
                           "[program]\nbundle = \"" LOYALTY_EXAMPLES_DIR "/programs/grocery.json\"\n"
                           "[api]\nsocket = \"" + dir.file("api.sock") + "\"\n"
                           "token_file = \"" + dir.file("token") + "\"\n"
                           "[panel]\nenabled = false\n"
                           "[readers]\nhotplug = false\n";
  Result<Config> config = parse_config(text, "test.toml");
  if (!config.ok()) FAIL(config.error().message);
  return std::move(config).value();
}

json::Value Reply::json() const {
  Result<json::Value> parsed = json::parse(body);
  if (!parsed.ok()) FAIL("reply is not JSON: " << body);
  return std::move(parsed).value();
}

std::optional<Reply> try_http_request(const std::string& socket_path, http::verb method,
                                      const std::string& target, const std::string& body,
                                      const RequestOptions& options) {
  asio::io_context io;
  asio::local::stream_protocol::socket socket(io);
  boost::system::error_code error;
  socket.connect(asio::local::stream_protocol::endpoint(socket_path), error);
  if (error) return std::nullopt;
  set_receive_timeout(socket.native_handle(), 10'000);
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::connection, "close");
  if (!options.token.empty()) request.set(http::field::authorization, "Bearer " + options.token);
  for (const auto& [name, value] : options.headers) request.set(name, value);
  if (!body.empty()) {
    request.set(http::field::content_type, options.content_type);
    request.body() = body;
  }
  request.prepare_payload();
  http::write(socket, request, error);
  if (error) return std::nullopt;
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response, error);
  if (error) return std::nullopt;
  Reply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.content_type = std::string(response[http::field::content_type]);
  reply.body = response.body();
  reply.headers = response.base();
  record(std::string(request.method_string()), target, reply);
  return reply;
}

Reply http_request(const std::string& socket_path, http::verb method, const std::string& target,
                   const std::string& body, const RequestOptions& options) {
  std::optional<Reply> reply = try_http_request(socket_path, method, target, body, options);
  if (!reply) FAIL("no reply to " << target << " on " << socket_path);
  return std::move(*reply);
}

std::function<Timestamp()> quiet_hours_clock() {
  constexpr std::int64_t day = 86400;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  // 1970-01-01 was a Thursday, so day number d is a Monday when (d + 3) % 7 == 0.
  std::int64_t monday = now / day;
  monday -= (monday + 3) % 7;
  const std::int64_t start = monday * day + 12 * 3600;
  const auto began = std::chrono::steady_clock::now();
  return [start, began] {
    return Timestamp{start + std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::steady_clock::now() - began)
                                 .count()};
  };
}

DaemonFixture::DaemonFixture(std::function<void(Config&)> adjust,
                             std::function<Timestamp()> clock)
    : config_(test_config(dir_)) {
  write_token_file(dir_.file("token"), api_token);
  if (adjust) adjust(config_);
  DaemonOptions options;
  options.config = config_;
  options.clock = std::move(clock);
  Result<std::unique_ptr<Daemon>> daemon = Daemon::start(io_, options);
  if (!daemon.ok()) FAIL("the daemon did not start: " << daemon.error().message);
  daemon_ = std::move(daemon).value();
  loop_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
}

DaemonFixture::~DaemonFixture() {
  on_loop([](Daemon& daemon) { daemon.stop(); });
  io_.stop();
  loop_.join();
  daemon_.reset();
}

void DaemonFixture::on_loop(std::function<void(Daemon&)> work) {
  std::promise<void> done;
  asio::post(io_, [&] {
    work(*daemon_);
    done.set_value();
  });
  done.get_future().wait();
}

Reply DaemonFixture::get(const std::string& target, const RequestOptions& options) const {
  return http_request(socket(), http::verb::get, target, "", options);
}

Reply DaemonFixture::post(const std::string& target, const std::string& body,
                          const RequestOptions& options) const {
  return http_request(socket(), http::verb::post, target, body, options);
}

EventStream::EventStream(const std::string& socket_path, const std::string& token,
                         int timeout_ms)
    : ws_(io_) {
  ws_.next_layer().connect(asio::local::stream_protocol::endpoint(socket_path));
  set_receive_timeout(ws_.next_layer().native_handle(), timeout_ms);
  ws_.set_option(boost::beast::websocket::stream_base::decorator(
      [token](boost::beast::websocket::request_type& request) {
        if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
      }));
  ws_.handshake("localhost", "/v1/events");
}

json::Value EventStream::next() {
  boost::beast::flat_buffer buffer;
  boost::system::error_code error;
  ws_.read(buffer, error);
  if (error) FAIL("event stream: " << error.message());
  const std::string text = boost::beast::buffers_to_string(buffer.data());
  Result<json::Value> parsed = json::parse(text);
  if (!parsed.ok()) FAIL("event is not JSON: " << text);
  return std::move(parsed).value();
}

json::Value EventStream::next_of_type(const std::string& type) {
  for (int i = 0; i < 50; ++i) {
    json::Value event = next();
    const json::Value* found = event.find("type");
    if (found != nullptr && found->is_string() && found->as_string() == type) return event;
  }
  FAIL("no " << type << " event in 50 messages");
  return {};
}

}  // namespace loyalty::daemon::test
