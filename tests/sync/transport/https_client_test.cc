// HttpsClient's errors before any HTTP: nothing listening, and a server that never answers the
// TLS handshake.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "loyalty/sync/https.h"
#include "tls/test_pki.h"
#include "transport/https_support.h"

using loyalty::ErrorCode;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");

// A port on 127.0.0.1 that was free a moment ago and has nothing listening on it now.
std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(loopback, 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("an HTTPS request to a closed port fails naming connect", "[sync][transport]") {
  TestPki pki;
  auto tls = client_context(pki.terminal_files());
  const std::uint16_t port = closed_port();
  HttpsClient client(tls, HttpsClientOptions{.host = "127.0.0.1", .port = port});

  const auto response = client.request(post("{}"), 5s);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message ==
        "connect to 127.0.0.1:" + std::to_string(port) + " failed: Connection refused");
  CHECK_FALSE(client.connected());
}

TEST_CASE("an HTTPS request to a server that never answers the handshake times out",
          "[sync][transport]") {
  TestPki pki;
  auto tls = client_context(pki.terminal_files());
  // A listening socket whose connections wait in the backlog, never accepted.
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(loopback, 0));
  const std::uint16_t port = silent.local_endpoint().port();
  HttpsClient client(tls, HttpsClientOptions{.host = "127.0.0.1", .port = port});

  const auto start = Clock::now();
  const auto response = client.request(post("{}"), 200ms);
  const auto elapsed = Clock::now() - start;
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message ==
        "TLS handshake with 127.0.0.1:" + std::to_string(port) + ": timed out after 200 ms");
  CHECK(elapsed >= 200ms);
  CHECK(elapsed < 1s);
  CHECK_FALSE(client.connected());
}

TEST_CASE("the HTTPS client's connect_timeout bounds the TLS handshake", "[sync][transport]") {
  TestPki pki;
  auto tls = client_context(pki.terminal_files());
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(loopback, 0));
  const std::uint16_t port = silent.local_endpoint().port();
  HttpsClient client(
      tls, HttpsClientOptions{.host = "127.0.0.1", .port = port, .connect_timeout = 150ms});

  const auto start = Clock::now();
  const auto response = client.request(post("{}"), 5s);
  const auto elapsed = Clock::now() - start;
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  // The message names the bound that applied, not the request's timeout.
  CHECK(response.error().message ==
        "TLS handshake with 127.0.0.1:" + std::to_string(port) + ": timed out after 150 ms");
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 1s);
  CHECK_FALSE(client.connected());
}
