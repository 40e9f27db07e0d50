#include <catch2/catch.hpp>
#include <string>

#include "loyalty/sync/tls.h"
#include "tls/test_pki.h"

using loyalty::ErrorCode;
using loyalty::sync::parse_terminal_uri;
using loyalty::sync::terminal_identity;
using loyalty::sync::terminal_uri;
using loyalty::sync::TerminalIdentity;
using namespace loyalty::sync::test;

TEST_CASE("terminal_uri and parse_terminal_uri round trip") {
  const TerminalIdentity terminal{"store-1", "till.7_A"};
  CHECK(terminal_uri(terminal) == "urn:loyalty:terminal:store-1:till.7_A");
  const auto parsed = parse_terminal_uri(terminal_uri(terminal));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == terminal);
  const std::string longest(64, 'a');
  CHECK(parse_terminal_uri("urn:loyalty:terminal:" + longest + ":" + longest) ==
        TerminalIdentity{longest, longest});
}

TEST_CASE("parse_terminal_uri rejects what is not a terminal URI") {
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:store 1:till").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:store/1:till").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:s:t:u").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal::till").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:store:").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:store").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:").has_value());
  CHECK_FALSE(
      parse_terminal_uri("urn:loyalty:terminal:" + std::string(65, 'a') + ":t").has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:terminal:s:" + std::string(65, 'a')).has_value());
  CHECK_FALSE(parse_terminal_uri("urn:loyalty:till:store:till").has_value());
  CHECK_FALSE(parse_terminal_uri("URN:loyalty:terminal:store:till").has_value());
  CHECK_FALSE(parse_terminal_uri("").has_value());
}

TEST_CASE("terminal_identity reads the one terminal URI of a certificate") {
  TestPki pki;
  const Certificate certificate = read_certificate(pki.terminal_files().certificate_path);
  const auto identity = terminal_identity(certificate.get());
  REQUIRE(identity.ok());
  CHECK(*identity == TestPki::terminal());
}

TEST_CASE("terminal_identity refuses certificates without exactly one terminal URI") {
  TestPki pki;
  issue_raw_client(pki.ca_directory(), pki.path("none"), "DNS:till.example,URI:https://x.example");
  issue_raw_client(pki.ca_directory(), pki.path("two"),
                   "URI:urn:loyalty:terminal:s:a,URI:urn:loyalty:terminal:s:b");
  issue_raw_client(pki.ca_directory(), pki.path("bad"), "URI:urn:loyalty:terminal:s:a b");
  const std::string suffix =
      "; it needs exactly one subjectAltName URI urn:loyalty:terminal:<store>:<terminal>";
  const auto none = terminal_identity(read_certificate(pki.path("none") + ".crt").get());
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::invalid_argument);
  CHECK(none.error().message == "the client certificate has no terminal URI" + suffix);
  const auto two = terminal_identity(read_certificate(pki.path("two") + ".crt").get());
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().message == "the client certificate has more than one terminal URI" + suffix);
  const auto bad = terminal_identity(read_certificate(pki.path("bad") + ".crt").get());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "the client certificate has a malformed terminal URI \"urn:loyalty:terminal:s:a b\"" +
            suffix);
  const auto server =
      terminal_identity(read_certificate(pki.server_files().certificate_path).get());
  REQUIRE_FALSE(server.ok());
  CHECK(server.error().message == "the client certificate has no terminal URI" + suffix);
  const auto missing = terminal_identity(nullptr);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "the client certificate is missing" + suffix);
}
