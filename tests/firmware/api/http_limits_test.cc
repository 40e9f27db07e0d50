// The POS API's limits, each over a real Unix socket: body and header sizes, the read timeout a
// slow client meets, the idle timeout, and the connection limit.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <thread>

#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

// A raw client socket, closed when it goes out of scope.
class RawClient {
 public:
  explicit RawClient(const std::string& path, int receive_timeout_ms = 5000) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    timeval timeout{receive_timeout_ms / 1000, (receive_timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawClient() { ::close(fd_); }
  void send(const std::string& text) {
    REQUIRE(::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  // Everything until the peer closes (or the receive timeout).
  std::string read_all() {
    std::string text;
    char buffer[4096];
    for (int i = 0; i < 1000; ++i) {
      const ssize_t got = ::read(fd_, buffer, sizeof(buffer));
      if (got <= 0) break;
      text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
  }

 private:
  int fd_ = -1;
};

void small_limits(Config& config) {
  config.api.body_bytes_max = 1024;
  config.api.header_bytes_max = 1024;
  config.api.read_timeout_ms = 300;
  config.api.idle_timeout_ms = 300;
  config.api.connections_max = 2;
}

TEST_CASE("limits: a body over api.body_bytes_max gets 413 before it is read") {
  DaemonFixture till(small_limits);
  const Reply big = till.post("/v1/quote", "{\"x\":\"" + std::string(2000, 'a') + "\"}");
  CHECK(big.status == 413);
  CHECK(big.json().find("type")->as_string() == "urn:loyalty:problem:payload-too-large");
  CHECK(big.json().find("detail")->as_string() ==
        "the request body exceeds api.body_bytes_max (1024 bytes)");
  CHECK(till.post("/v1/quote", "{}").status == 422);  // a small one still gets through
}

TEST_CASE("limits: headers over api.header_bytes_max get 431") {
  DaemonFixture till(small_limits);
  const Reply big = till.get("/v1/health", RequestOptions::with_header("X-Big", std::string(2000, 'h')));
  CHECK(big.status == 431);
  CHECK(big.json().find("type")->as_string() == "urn:loyalty:problem:headers-too-large");
}

TEST_CASE("limits: a request that trickles in is cut off at api.read_timeout_ms") {
  DaemonFixture till(small_limits);
  RawClient slow(till.socket());
  const auto start = std::chrono::steady_clock::now();
  slow.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  slow.send("Authorization: Bearer ");
  const std::string reply = slow.read_all();
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(reply.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
  CHECK(reply.find("api.read_timeout_ms (300 ms)") != std::string::npos);
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(waited < std::chrono::milliseconds(3000));
}

TEST_CASE("limits: an idle connection is closed after api.idle_timeout_ms") {
  DaemonFixture till(small_limits);
  RawClient idle(till.socket());
  const auto start = std::chrono::steady_clock::now();
  CHECK(idle.read_all().empty());  // closed without a word
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(waited < std::chrono::milliseconds(3000));
}

TEST_CASE("limits: one connection over api.connections_max gets 503 and the others carry on") {
  DaemonFixture till([](Config& config) {
    small_limits(config);
    config.api.idle_timeout_ms = 10'000;
  });
  RawClient first(till.socket());
  RawClient second(till.socket());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both accepted
  RawClient third(till.socket());
  const std::string refused = third.read_all();
  CHECK(refused.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(refused.find("too many connections (api.connections_max = 2)") != std::string::npos);
  first.send(std::string("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n") +
             "Authorization: Bearer " + api_token + "\r\n\r\n");
  CHECK(first.read_all().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

TEST_CASE("limits: a kept-alive connection serves several requests in order") {
  DaemonFixture till;
  RawClient client(till.socket(), 2000);
  const std::string request = std::string("GET /v1/readers HTTP/1.1\r\nHost: x\r\n") +
                              "Authorization: Bearer " + api_token + "\r\n\r\n";
  client.send(request + request);
  // Both replies, then the receive timeout (the connection stays open).
  const std::string replies = client.read_all();
  CHECK(replies.find("HTTP/1.1 200 OK") == 0);
  CHECK(replies.find("HTTP/1.1 200 OK", 10) != std::string::npos);
}

}  // namespace
}  // namespace loyalty::daemon::test
