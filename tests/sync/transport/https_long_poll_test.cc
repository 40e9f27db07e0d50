// Handlers that answer later (long polls), the client's deadline against them, and responders
// that outlive their connection or the server.

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "loyalty/sync/https.h"
#include "tls/test_pki.h"
#include "transport/https_support.h"

using loyalty::ErrorCode;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds answer_delay = 300ms;

HttpsClientOptions options_for(const ServerThread& server) {
  return HttpsClientOptions{.host = "127.0.0.1", .port = server.port()};
}

std::string peer(const ServerThread& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

HttpsRequest get(const std::string& target) {
  HttpsRequest request;
  request.target = target;
  return request;
}

// Answers "/slow" answer_delay later from a timer on the server's thread (`io`, set once the
// server runs), anything else at once.
HttpsHandler slow_or_fast(std::atomic<asio::io_context*>& io) {
  return [&io](const TerminalIdentity&, HttpsRequest request, HttpsResponder respond) {
    if (request.target != "/slow") return respond(HttpsResponse{200, "text/plain", "", "fast"});
    auto timer = std::make_shared<asio::steady_timer>(*io.load(), answer_delay);
    timer->async_wait([timer, respond](boost::system::error_code) {
      respond(HttpsResponse{200, "text/plain", "", "late"});
    });
  };
}

}  // namespace

TEST_CASE("the HTTPS client receives a long poll answered later from a timer",
          "[sync][transport]") {
  TestPki pki;
  std::atomic<asio::io_context*> io{nullptr};
  ServerThread server(pki.server_files(), slow_or_fast(io));
  io = &server.io();
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto start = Clock::now();
  const auto late = client.request(get("/slow"), 5s);
  const auto elapsed = Clock::now() - start;
  REQUIRE(late.ok());
  CHECK(late->status == 200);
  CHECK(late->content_type == "text/plain");
  CHECK(late->body == "late");
  CHECK(elapsed >= answer_delay);

  // The connection stays open for the next request.
  const auto fast = client.request(get("/fast"), 5s);
  REQUIRE(fast.ok());
  CHECK(fast->body == "fast");
  CHECK(server.server().connections_accepted() == 1);
}

// [timing]: the 100 ms cover the connection and the TLS handshake too, which an emulated cross
// build's cryptography does not always meet (tests/CMakeLists.txt leaves it out there).
TEST_CASE("an HTTPS request times out before a slower long poll, and the client goes on",
          "[sync][transport][timing]") {
  TestPki pki;
  std::atomic<asio::io_context*> io{nullptr};
  ServerThread server(pki.server_files(), slow_or_fast(io));
  io = &server.io();
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto start = Clock::now();
  const auto timed_out = client.request(get("/slow"), 100ms);
  const auto elapsed = Clock::now() - start;
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().code == ErrorCode::io_error);
  CHECK(timed_out.error().message == "read from " + peer(server) + ": timed out after 100 ms");
  CHECK(elapsed >= 100ms);
  CHECK(elapsed < answer_delay);
  CHECK_FALSE(client.connected());

  const auto next = client.request(get("/fast"), 5s);
  REQUIRE(next.ok());
  CHECK(next->status == 200);
  CHECK(next->body == "fast");
  CHECK(server.server().connections_accepted() == 2);
  // The late answer goes to the connection the client dropped, which the server then closes.
  CHECK(wait_until([&] { return server.server().connections() == 1; }));
  CHECK(server.seen().calls() == 2);
}

TEST_CASE("a responder kept past the HTTPS server's stop is a no-op", "[sync][transport]") {
  TestPki pki;
  std::mutex mutex;
  HttpsResponder kept;
  ServerThread server(pki.server_files(),
                      [&](const TerminalIdentity&, HttpsRequest, HttpsResponder respond) {
                        std::lock_guard lock(mutex);
                        kept = std::move(respond);
                      });
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto start = Clock::now();
  auto answer = std::async(std::launch::async, [&] { return client.request(get("/poll"), 5s); });
  REQUIRE(wait_until([&] { return server.seen().calls() == 1; }));
  run_on(server.io(), [&] { server.server().stop(); });
  CHECK(server.server().connections() == 0);

  const auto response = answer.get();
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  // The server closed the connection without a TLS close_notify.
  CHECK(response.error().message == "read from " + peer(server) + " failed: stream truncated");
  CHECK(Clock::now() - start < 2s);  // well before the request's own deadline

  HttpsResponder late;
  {
    std::lock_guard lock(mutex);
    late = kept;
  }
  REQUIRE(late);
  run_on(server.io(), [&] { late(HttpsResponse{200, "text/plain", "", "too late"}); });
  CHECK(server.server().connections() == 0);

  // The server no longer accepts connections.
  const auto refused = client.request(get("/poll"), 5s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "connect to " + peer(server) + " failed: Connection refused");
  CHECK(server.seen().calls() == 1);
}

TEST_CASE("a second answer to the same HTTPS request is ignored", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(),
                      [](const TerminalIdentity&, HttpsRequest request, HttpsResponder respond) {
                        HttpsResponder again = respond;
                        respond(HttpsResponse{200, "text/plain", "", "first " + request.body});
                        again(HttpsResponse{500, "text/plain", "", "second " + request.body});
                      });
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  for (const std::string body : {"a", "b"}) {
    const auto response = client.request(post(body), 5s);
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->body == "first " + body);
  }
  CHECK(server.server().connections_accepted() == 1);
}

TEST_CASE("an exception of the HTTPS handler becomes a 500", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(),
                      [](const TerminalIdentity&, HttpsRequest, HttpsResponder) {
                        throw std::runtime_error("the store is \"closed\"");
                      });
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("x"), 5s);
  REQUIRE(response.ok());
  CHECK(response->status == 500);
  CHECK(response->content_type == "application/json");
  CHECK(response->body == "{\"error\": \"the request failed: the store is \\\"closed\\\"\"}");
  CHECK_FALSE(client.connected());
}

TEST_CASE("cancel() from another thread cuts a long poll at once, and every later request",
          "[sync][transport]") {
  TestPki pki;
  // Never answers: a long poll with nothing to say.
  ServerThread server(pki.server_files(),
                      [](const TerminalIdentity&, HttpsRequest, HttpsResponder) {});
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));
  auto polled = std::async(std::launch::async, [&] { return client.request(get("/poll"), 30s); });
  REQUIRE(wait_until([&] { return server.seen().calls() == 1; }, 5s));
  const auto start = Clock::now();
  client.cancel();
  const auto result = polled.get();
  CHECK(Clock::now() - start < 2s);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::io_error);
  CHECK(result.error().message == "read from " + peer(server) + " failed: Operation canceled");
  const auto after = client.request(get("/poll"), 5s);
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().message == "request to " + peer(server) + ": the client was cancelled");
  CHECK(server.seen().calls() == 1);
}
