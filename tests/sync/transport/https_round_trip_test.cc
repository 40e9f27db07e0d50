// HttpsServer and HttpsClient over mutual TLS: what a request and its answer carry, the peer's
// identity, and the kept-alive connection.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "loyalty/sync/https.h"
#include "tls/test_pki.h"
#include "transport/https_support.h"

using loyalty::ErrorCode;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace {

HttpsClientOptions options_for(const ServerThread& server) {
  return HttpsClientOptions{.host = "127.0.0.1", .port = server.port()};
}

// Every byte value, NUL and CR LF included, twice.
std::string all_bytes() {
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

std::string random_bytes(std::size_t size) {
  std::mt19937 random(20240601);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

}  // namespace

TEST_CASE("an HTTPS request and its answer cross mutual TLS unchanged", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  SECTION("a JSON body") {
    const auto response = client.request(post("{\"batch\": 1}"), 5s);
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->content_type == "application/json");
    CHECK(response->content_encoding == "zstd");
    CHECK(response->body == "{\"batch\": 1}");
  }
  SECTION("a binary body with every byte value") {
    const std::string body = all_bytes();
    REQUIRE(body.size() == 512);
    const auto response = client.request(post(body), 5s);
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->body.size() == 512);
    CHECK(response->body == body);
  }
  SECTION("a body of 1 MiB") {
    const std::string body = random_bytes(1 << 20);
    const auto response = client.request(post(body), 5s);
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->body.size() == body.size());
    CHECK(response->body == body);
    REQUIRE(server.seen().calls() == 1);
    CHECK(server.seen().requests[0].body == body);
  }
  SECTION("a GET without a body") {
    HttpsRequest get;
    get.target = "/v1/downlink?after=7&wait_ms=25000";
    const auto response = client.request(get, 5s);
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->content_type == "");
    CHECK(response->content_encoding == "");
    CHECK(response->body == "");
    REQUIRE(server.seen().calls() == 1);
    const HttpsRequest& seen = server.seen().requests[0];
    CHECK(seen.method == "GET");
    CHECK(seen.target == "/v1/downlink?after=7&wait_ms=25000");
    CHECK(seen.content_type == "");
    CHECK(seen.content_encoding == "");
    CHECK(seen.body == "");
  }
  CHECK(server.server().connections_accepted() == 1);
}

TEST_CASE("the HTTPS handler sees the request and the terminal of the client certificate",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("abc"), 5s);
  REQUIRE(response.ok());
  REQUIRE(server.seen().calls() == 1);
  CHECK(server.seen().peers[0] == TerminalIdentity{"store-1", "till.7"});
  const HttpsRequest& seen = server.seen().requests[0];
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/v1/batches");
  CHECK(seen.content_type == "application/json");
  CHECK(seen.content_encoding == "zstd");
  CHECK(seen.body == "abc");
}

TEST_CASE("the HTTPS client receives the status and headers the handler chose",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(),
                      [](const TerminalIdentity&, HttpsRequest, HttpsResponder respond) {
                        respond(HttpsResponse{409, "application/problem+json", "zstd", "conflict"});
                      });
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("x"), 5s);
  REQUIRE(response.ok());
  CHECK(response->status == 409);
  CHECK(response->content_type == "application/problem+json");
  CHECK(response->content_encoding == "zstd");
  CHECK(response->body == "conflict");
  CHECK(client.connected());  // an error status keeps the connection
}

TEST_CASE("sequential HTTPS requests of one client share one kept-alive connection",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));
  CHECK_FALSE(client.connected());

  for (int i = 0; i < 5; ++i) {
    const auto response = client.request(post("request " + std::to_string(i)), 5s);
    REQUIRE(response.ok());
    CHECK(response->body == "request " + std::to_string(i));
    CHECK(client.connected());
  }
  CHECK(server.server().connections_accepted() == 1);
  CHECK(server.server().connections() == 1);
  CHECK(server.seen().calls() == 5);

  client.disconnect();
  CHECK_FALSE(client.connected());
  CHECK(wait_until([&] { return server.server().connections() == 0; }));
  const auto response = client.request(post("after disconnect"), 5s);
  REQUIRE(response.ok());
  CHECK(response->body == "after disconnect");
  CHECK(server.server().connections_accepted() == 2);
  CHECK(server.server().connections() == 1);
  CHECK(server.seen().calls() == 6);
}

TEST_CASE("the HTTPS client reconnects once when the server closed its idle connection",
          "[sync][transport]") {
  TestPki pki;
  HttpsServerOptions options;
  options.idle_timeout = 150ms;
  ServerThread server(pki.server_files(), echo, options);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto first = client.request(post("first"), 5s);
  REQUIRE(first.ok());
  CHECK(first->body == "first");
  // The server closes the connection after idle_timeout without a request; the client has not
  // seen it yet.
  REQUIRE(wait_until([&] { return server.server().connections() == 0; }));
  CHECK(client.connected());

  const auto second = client.request(post("second"), 5s);
  REQUIRE(second.ok());
  CHECK(second->status == 200);
  CHECK(second->body == "second");
  CHECK(server.server().connections_accepted() == 2);
  // The request reached the handler once, on the new connection.
  REQUIRE(server.seen().calls() == 2);
  CHECK(server.seen().requests[1].body == "second");
}
