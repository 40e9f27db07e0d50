// Connections the HTTPS server or client must refuse: a client certificate that is not a valid
// terminal's of the configured CA, and a server certificate for another name.

#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "loyalty/sync/https.h"
#include "tls/test_pki.h"
#include "transport/https_support.h"

using loyalty::ErrorCode;
using loyalty::Timestamp;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace {

HttpsClientOptions options_for(const ServerThread& server) {
  return HttpsClientOptions{.host = "127.0.0.1", .port = server.port()};
}

std::string peer(const ServerThread& server) {
  return "127.0.0.1:" + std::to_string(server.port());
}

// With TLS 1.3 the client has finished its side of the handshake when the server checks the
// client's certificate: the server's alert arrives on the first read.
std::string refused_on_read(const ServerThread& server, const std::string& alert) {
  return "TLS handshake with " + peer(server) +
         " failed during read from: the server refused the session (most often it does not "
         "accept this terminal's certificate): " +
         alert;
}

// A terminal certificate of `pki`'s CA issued into <dir>/<directory> for `not_before` and
// `valid_days`; the files trust `pki`'s CA.
TlsFiles terminal_valid(const TestPki& pki, const std::string& directory, Timestamp not_before,
                        std::int64_t valid_days) {
  CaIssue request = issue_request(pki.ca_directory(), pki.path(directory));
  request.terminal = TestPki::terminal();
  request.not_before = not_before;
  request.valid_days = valid_days;
  REQUIRE(ca_issue(request).ok());
  return pki.files(directory, "terminal");
}

// A client certificate with the subjectAltName `alt_names`, signed by `pki`'s CA.
TlsFiles raw_client(const TestPki& pki, const std::string& alt_names) {
  issue_raw_client(pki.ca_directory(), pki.path("raw"), alt_names);
  return TlsFiles{pki.path("raw") + ".crt", pki.path("raw") + ".key",
                  pki.ca_directory() + "/ca.crt"};
}

// Sends one request with `files` as the client's and returns its result.
loyalty::Result<HttpsResponse> request_with(const ServerThread& server, const TlsFiles& files) {
  auto tls = client_context(files);
  HttpsClient client(tls, options_for(server));
  auto response = client.request(post("{}"), 5s);
  CHECK_FALSE(client.connected());
  return response;
}

const std::string identity_rule =
    "; it needs exactly one subjectAltName URI urn:loyalty:terminal:<store>:<terminal>";

}  // namespace

TEST_CASE("the HTTPS server refuses a client certificate of another CA", "[sync][transport]") {
  TestPki pki;
  TestPki other;
  ServerThread server(pki.server_files(), echo);
  // The certificate and key of the other CA's terminal; the client trusts HQ's CA.
  TlsFiles files = other.terminal_files();
  files.ca_path = pki.ca_directory() + "/ca.crt";

  const auto response = request_with(server, files);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message == refused_on_read(server, "tlsv1 alert unknown ca"));
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server refuses a client without a certificate", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  // make_client_context needs a certificate: a context that only trusts HQ's CA.
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.load_verify_file(pki.ca_directory() + "/ca.crt");
  tls.set_verify_mode(boost::asio::ssl::verify_peer);
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("{}"), 5s);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message == refused_on_read(server, "tlsv13 alert certificate required"));
  CHECK_FALSE(client.connected());
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server refuses an expired client certificate", "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  // Valid for one day, three days ago.
  const TlsFiles files = terminal_valid(pki, "expired", plus_days(now(), -3), 1);

  const auto response = request_with(server, files);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message == refused_on_read(server, "sslv3 alert certificate expired"));
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server refuses a client certificate that is not valid yet",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  const TlsFiles files = terminal_valid(pki, "future", plus_days(now(), 1), 30);

  const auto response = request_with(server, files);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message == refused_on_read(server, "sslv3 alert bad certificate"));
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server answers 403 to a client certificate without a terminal URI",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  // The certificate is valid, so the handshake succeeds; the server answers the first request
  // with 403 and closes the connection.
  const auto response = request_with(server, raw_client(pki, "DNS:till.example"));
  REQUIRE(response.ok());
  CHECK(response->status == 403);
  CHECK(response->content_type == "application/json");
  CHECK(response->body ==
        "{\"error\": \"the client certificate has no terminal URI" + identity_rule + "\"}");
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server answers 403 to a client certificate with two terminal URIs",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  const auto response = request_with(
      server, raw_client(pki,
                         "URI:urn:loyalty:terminal:store-1:till.7,URI:urn:loyalty:terminal:store-1:"
                         "till.8"));
  REQUIRE(response.ok());
  CHECK(response->status == 403);
  CHECK(response->content_type == "application/json");
  CHECK(response->body == "{\"error\": \"the client certificate has more than one terminal URI" +
                              identity_rule + "\"}");
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS server answers 403 to a client certificate with a malformed terminal URI",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);
  const auto response = request_with(server, raw_client(pki, "URI:urn:loyalty:terminal:store-1"));
  REQUIRE(response.ok());
  CHECK(response->status == 403);
  CHECK(response->body ==
        "{\"error\": \"the client certificate has a malformed terminal URI "
        "\\\"urn:loyalty:terminal:store-1\\\"" +
            identity_rule + "\"}");
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS client refuses a server certificate for another IP address",
          "[sync][transport]") {
  TestPki pki;
  CaIssue issue = issue_request(pki.ca_directory(), pki.path("elsewhere"));
  issue.server_names = {"hq.example", "10.0.0.1"};
  issue.not_before = plus_seconds(now(), -3600);
  issue.valid_days = 30;
  REQUIRE(ca_issue(issue).ok());
  ServerThread server(pki.files("elsewhere", "server"), echo);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("{}"), 5s);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message == "TLS handshake with " + peer(server) +
                                        " failed: HQ's certificate is not accepted for "
                                        "\"127.0.0.1\": IP address mismatch");
  CHECK_FALSE(client.connected());
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS client refuses a server certificate without the host name it expects",
          "[sync][transport]") {
  TestPki pki;
  ServerThread server(pki.server_files(), echo);  // a certificate for 127.0.0.1 only
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, HttpsClientOptions{.host = "localhost", .port = server.port()});

  const auto response = client.request(post("{}"), 5s);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message ==
        "TLS handshake with localhost:" + std::to_string(server.port()) +
            " failed: HQ's certificate is not accepted for "
            "\"localhost\": hostname mismatch");
  CHECK(server.seen().calls() == 0);
}

TEST_CASE("the HTTPS client refuses a server certificate of another CA", "[sync][transport]") {
  TestPki pki;
  TestPki other;
  // The server sends its chain up to the other CA, which the client does not trust.
  ServerThread server(other.server_files(), echo);
  auto tls = client_context(pki.terminal_files());
  HttpsClient client(tls, options_for(server));

  const auto response = client.request(post("{}"), 5s);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::io_error);
  CHECK(response.error().message ==
        "TLS handshake with " + peer(server) +
            " failed: HQ's certificate is not accepted for "
            "\"127.0.0.1\": self-signed certificate in certificate chain");
  CHECK(server.seen().calls() == 0);
}
