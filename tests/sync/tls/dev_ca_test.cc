#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>

#include "loyalty/sync/tls.h"
#include "tls/test_pki.h"

using loyalty::ErrorCode;
using loyalty::Timestamp;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::int64_t unix_seconds(const ASN1_TIME* time) {
  std::tm tm{};
  REQUIRE(ASN1_TIME_to_tm(time, &tm) == 1);
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

TEST_CASE("ca_init refuses to overwrite an existing CA") {
  TempDir dir;
  const CaInit request{.directory = dir.file("ca"), .now = Timestamp{1'750'000'000}};
  REQUIRE(ca_init(request).ok());
  const auto again = ca_init(request);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::conflict);
  CHECK(again.error().message == dir.file("ca") + "/ca.key: a CA already exists in " +
                                     dir.file("ca") + "; refusing to overwrite it");
}

TEST_CASE("private keys are written with mode 0600 and directories with 0700") {
  TestPki pki;
  CHECK(mode_of(pki.ca_directory() + "/ca.key") == 0600);
  CHECK(mode_of(pki.terminal_files().private_key_path) == 0600);
  CHECK(mode_of(pki.server_files().private_key_path) == 0600);
  CHECK(mode_of(pki.ca_directory() + "/ca.crt") == 0644);
  CHECK(mode_of(pki.path("terminal")) == 0700);
  CHECK(mode_of(pki.path("terminal") + "/ca.crt") == 0644);
}

TEST_CASE("the CA certificate is a critical CA TRUE self-signed certificate") {
  TempDir dir;
  const Timestamp start{1'750'000'000};
  REQUIRE(ca_init({.directory = dir.file("ca"), .valid_days = 10, .now = start}).ok());
  const Certificate ca = read_certificate(dir.file("ca") + "/ca.crt");
  int critical = 0;
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(ca.get(), NID_basic_constraints, &critical, nullptr));
  REQUIRE(constraints != nullptr);
  CHECK(critical == 1);
  CHECK(constraints->ca != 0);
  BASIC_CONSTRAINTS_free(constraints);
  CHECK((X509_get_key_usage(ca.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) ==
        (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(X509_get0_subject_key_id(ca.get()) != nullptr);
  CHECK(X509_check_issued(ca.get(), ca.get()) == X509_V_OK);
  CHECK(unix_seconds(X509_get0_notBefore(ca.get())) == start.unix_seconds);
  CHECK(unix_seconds(X509_get0_notAfter(ca.get())) == start.unix_seconds + 10 * 86400);
}

TEST_CASE("an issued terminal certificate carries its URI, validity and key ids") {
  TempDir dir;
  const Timestamp start{1'750'000'000};
  REQUIRE(ca_init({.directory = dir.file("ca"), .now = start}).ok());
  CaIssue request = issue_request(dir.file("ca"), dir.file("out"));
  request.terminal = TerminalIdentity{"store-9", "lane-2"};
  request.not_before = start;
  request.valid_days = 90;
  REQUIRE(ca_issue(request).ok());
  const Certificate ca = read_certificate(dir.file("ca") + "/ca.crt");
  const Certificate issued = read_certificate(dir.file("out") + "/terminal.crt");
  CHECK(uri_names(issued.get()) == std::vector<std::string>{"urn:loyalty:terminal:store-9:lane-2"});
  CHECK(unix_seconds(X509_get0_notBefore(issued.get())) == start.unix_seconds);
  CHECK(unix_seconds(X509_get0_notAfter(issued.get())) -
            unix_seconds(X509_get0_notBefore(issued.get())) ==
        90 * 86400);
  CHECK(X509_check_issued(ca.get(), issued.get()) == X509_V_OK);
  CHECK((X509_get_extended_key_usage(issued.get()) & XKU_SSL_CLIENT) == XKU_SSL_CLIENT);
  CHECK((X509_get_extended_key_usage(issued.get()) & XKU_SSL_SERVER) == 0);
  REQUIRE(X509_get0_authority_key_id(issued.get()) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(issued.get()),
                              X509_get0_subject_key_id(ca.get())) == 0);
  CHECK(X509_check_ca(issued.get()) == 0);
  CHECK(std::filesystem::exists(dir.file("out") + "/terminal.key"));
  CHECK(std::filesystem::exists(dir.file("out") + "/ca.crt"));
}

TEST_CASE("an issued server certificate names its DNS names and IP addresses") {
  TempDir dir;
  REQUIRE(ca_init({.directory = dir.file("ca"), .now = now()}).ok());
  CaIssue request = issue_request(dir.file("ca"), dir.file("hq"));
  request.out_prefix = "hq";
  request.server_names = {"hq.example", "127.0.0.1", "::1"};
  request.not_before = now();
  REQUIRE(ca_issue(request).ok());
  const Certificate issued = read_certificate(dir.file("hq") + "/hq.crt");
  CHECK(X509_check_host(issued.get(), "hq.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(issued.get(), "other.example", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(issued.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(issued.get(), "::1", 0) == 1);
  CHECK(X509_check_host(issued.get(), "127.0.0.1", 0, 0, nullptr) == 0);  // an IP entry only
  CHECK((X509_get_extended_key_usage(issued.get()) & XKU_SSL_SERVER) == XKU_SSL_SERVER);
  CHECK(uri_names(issued.get()).empty());
}

TEST_CASE("ca_issue refuses malformed requests") {
  TempDir dir;
  REQUIRE(ca_init({.directory = dir.file("ca"), .now = now()}).ok());
  const CaIssue neither = issue_request(dir.file("ca"), dir.file("out"));
  const auto none = ca_issue(neither);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::invalid_argument);
  CaIssue bad_terminal = neither;
  bad_terminal.terminal = TerminalIdentity{"store 1", "t"};
  const auto bad = ca_issue(bad_terminal);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        "terminal \"store 1:t\": store and terminal ids are 1..64 bytes of [A-Za-z0-9._-]");
  CaIssue bad_name = neither;
  bad_name.server_names = {"hq example"};
  const auto name = ca_issue(bad_name);
  REQUIRE_FALSE(name.ok());
  CHECK(name.error().message ==
        "server name \"hq example\" is neither a DNS name nor an IP address");
  CaIssue no_days = neither;
  no_days.server_names = {"hq.example"};
  no_days.valid_days = 0;
  const auto days = ca_issue(no_days);
  REQUIRE_FALSE(days.ok());
  CHECK(days.error().message == "valid_days 0 is out of range (1..36500)");
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
}
