// The HTTPS server's limits: the body size, the number of connections, the size of the headers,
// and how long a handshake or a request may take to arrive.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "loyalty/sync/https.h"
#include "tls/test_pki.h"
#include "transport/https_support.h"

using loyalty::ErrorCode;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

HttpsClientOptions options_for(const ServerThread& server) {
  return HttpsClientOptions{.host = "127.0.0.1", .port = server.port()};
}

std::string peer(const ServerThread& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

tcp::endpoint endpoint_of(const ServerThread& server) {
  return {asio::ip::make_address("127.0.0.1"), server.port()};
}

// Runs `io` until `done` holds or `timeout` passed; whether `done` holds.
template <class Predicate>
bool run_until(asio::io_context& io, Predicate done, std::chrono::milliseconds timeout) {
  io.restart();
  const auto deadline = Clock::now() + timeout;
  while (!done() && io.run_one_until(deadline) > 0) {
  }
  return done();
}

// A TLS connection to the server driven step by step, each step bounded, for what HttpsClient
// never sends.
class RawTlsClient {
 public:
  RawTlsClient(asio::ssl::context& tls, const ServerThread& server) : stream_(io_, tls) {
    stream_.next_layer().connect(endpoint_of(server));
  }

  error_code handshake() {
    return run([&](auto done) { stream_.async_handshake(asio::ssl::stream_base::client, done); });
  }
  error_code write(const std::string& text) {
    return run([&](auto done) {
      asio::async_write(stream_, asio::buffer(text),
                        [done](error_code e, std::size_t) { done(e); });
    });
  }
  error_code read(http::response<http::string_body>& response) {
    return run([&](auto done) {
      http::async_read(stream_, buffer_, response, [done](error_code e, std::size_t) { done(e); });
    });
  }
  // Reads until the server closes the connection (or the step's bound passes).
  error_code read_until_closed() {
    return run([&](auto done) {
      stream_.async_read_some(asio::buffer(scratch_),
                              [done](error_code e, std::size_t) { done(e); });
    });
  }

 private:
  template <class Initiate>
  error_code run(Initiate initiate) {
    std::optional<error_code> result;
    initiate([&result](error_code error) { result = error; });
    REQUIRE(run_until(
        io_, [&] { return result.has_value(); }, 3s));
    return *result;
  }

  asio::io_context io_;
  asio::ssl::stream<tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
  char scratch_[256] = {};
};

}  // namespace

TEST_CASE(
    "the HTTPS server answers 413 to a body over body_bytes_max and keeps it from the handler",
    "[sync][transport]") {
  TestPki pki;
  HttpsServerOptions options;
  options.body_bytes_max = 1024;
  ServerThread server(pki.server_files(), echo, options);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto at_limit = client.request(post(std::string(1024, 'a')), 5s);
  REQUIRE(at_limit.ok());
  CHECK(at_limit->status == 200);
  CHECK(at_limit->body == std::string(1024, 'a'));
  REQUIRE(server.seen().calls() == 1);

  SECTION("one byte over") {
    const auto over = client.request(post(std::string(1025, 'b')), 5s);
    REQUIRE(over.ok());
    CHECK(over->status == 413);
    CHECK(over->content_type == "application/json");
    CHECK(over->body == "{\"error\": \"the request body exceeds 1024 bytes\"}");
  }
  SECTION("256 KiB over") {
    const auto over = client.request(post(std::string(1024 + 256 * 1024, 'c')), 5s);
    REQUIRE(over.ok());
    CHECK(over->status == 413);
    CHECK(over->body == "{\"error\": \"the request body exceeds 1024 bytes\"}");
  }
  CHECK(server.seen().calls() == 1);
  // The server closed the connection after the 413; the next request opens another one.
  CHECK_FALSE(client.connected());
  const auto next = client.request(post("next"), 5s);
  REQUIRE(next.ok());
  CHECK(next->status == 200);
  CHECK(server.server().connections_accepted() == 2);
}

TEST_CASE("the HTTPS server closes the connections over connections_max", "[sync][transport]") {
  TestPki pki;
  HttpsServerOptions options;
  options.connections_max = 1;
  ServerThread server(pki.server_files(), echo, options);
  auto tls = client_context(pki.terminal_files());
  HttpsClient first(tls, options_for(server));
  HttpsClient second(tls, options_for(server));

  REQUIRE(first.request(post("first"), 5s).ok());
  CHECK(first.connected());

  const auto refused = second.request(post("second"), 5s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::io_error);
  // The server closed the connection before the ClientHello was read (end of stream) or after
  // it arrived (reset).
  const std::string prefix =
      "TLS handshake with " + peer(server) + " failed (check the certificates on both sides): ";
  CHECK_THAT(refused.error().message, Catch::Equals(prefix + "stream truncated") ||
                                          Catch::Equals(prefix + "Connection reset by peer"));
  CHECK_FALSE(second.connected());
  CHECK(server.server().connections_accepted() == 2);
  CHECK(server.server().connections() == 1);
  CHECK(server.seen().calls() == 1);

  // Once the first connection is gone there is room for the second client.
  first.disconnect();
  REQUIRE(wait_until([&] { return server.server().connections() == 0; }));
  const auto admitted = second.request(post("second"), 5s);
  REQUIRE(admitted.ok());
  CHECK(admitted->body == "second");
  CHECK(server.server().connections_accepted() == 3);
  CHECK(server.seen().calls() == 2);
}

TEST_CASE("the HTTPS server answers 431 to a flood of request headers", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  auto tls = client_context(pki.terminal_files());
  RawTlsClient client(tls, server);
  REQUIRE_FALSE(client.handshake());

  std::string flood = "GET /v1/downlink HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 1000; ++i) flood += "X-Flood-" + std::to_string(i) + ": aaaaaaaaaaaaaaaa\r\n";
  flood += "\r\n";
  REQUIRE(flood.size() > 16 * 1024);
  REQUIRE_FALSE(client.write(flood));

  http::response<http::string_body> response;
  REQUIRE_FALSE(client.read(response));
  CHECK(response.result_int() == 431);
  CHECK(response[http::field::content_type] == "application/json");
  CHECK(response.body() == "{\"error\": \"the request headers exceed 16384 bytes\"}");
  CHECK_FALSE(response.keep_alive());
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server closes a connection whose TLS handshake never finishes",
          "[sync][transport]") {
  TestPki pki;
  HttpsServerOptions options;
  options.handshake_timeout = 200ms;
  ServerThread server(pki.server_files(), echo, options);

  asio::io_context io;
  tcp::socket socket(io);
  const auto start = Clock::now();
  socket.connect(endpoint_of(server));
  SECTION("nothing sent") {}
  SECTION("the first bytes of a TLS record sent") {
    asio::write(socket, asio::buffer("\x16\x03\x01", 3));
  }
  std::optional<error_code> closed;
  char byte = 0;
  socket.async_read_some(asio::buffer(&byte, 1),
                         [&closed](error_code error, std::size_t) { closed = error; });
  REQUIRE(run_until(
      io, [&] { return closed.has_value(); }, 3s));
  const auto elapsed = Clock::now() - start;
  CHECK((*closed == asio::error::eof || *closed == asio::error::connection_reset));
  CHECK(elapsed >= 200ms);
  CHECK(elapsed < 1500ms);
  CHECK(wait_until([&] { return server.server().connections() == 0; }));
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server closes a connection whose request never finishes",
          "[sync][transport]") {
  TestPki pki;
  HttpsServerOptions options;
  options.idle_timeout = 200ms;
  ServerThread server(pki.server_files(), echo, options);
  auto tls = client_context(pki.terminal_files());
  RawTlsClient client(tls, server);
  const auto start = Clock::now();
  REQUIRE_FALSE(client.handshake());
  REQUIRE_FALSE(client.write("GET /v1/downlink HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));

  // The server closes the TCP connection without a TLS close_notify.
  CHECK(client.read_until_closed() == asio::ssl::error::stream_truncated);
  const auto elapsed = Clock::now() - start;
  CHECK(elapsed >= 200ms);
  CHECK(elapsed < 1500ms);
  CHECK(wait_until([&] { return server.server().connections() == 0; }));
  CHECK(server.seen().calls() == 0);
}
