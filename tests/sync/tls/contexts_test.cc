#include <catch2/catch.hpp>
#include <fstream>

#include "loyalty/sync/tls.h"
#include "tls/test_pki.h"

using loyalty::ErrorCode;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

TEST_CASE("make_server_context and make_client_context load the issued certificates") {
  TestPki pki;
  CHECK(make_server_context(pki.server_files()).ok());
  CHECK(make_client_context(pki.terminal_files()).ok());
}

TEST_CASE("make_server_context names a missing file") {
  TestPki pki;
  TlsFiles files = pki.server_files();
  files.ca_path = pki.path("nowhere.crt");
  const auto context = make_server_context(files);
  REQUIRE_FALSE(context.ok());
  CHECK(context.error().code == ErrorCode::not_found);
  CHECK(context.error().message == pki.path("nowhere.crt") +
                                       ": the CA certificate is missing; check the path in the "
                                       "configuration");
}

TEST_CASE("make_server_context names a file that is not PEM") {
  TestPki pki;
  std::ofstream(pki.path("garbage.key")) << "this is not a key\n";
  TlsFiles files = pki.server_files();
  files.private_key_path = pki.path("garbage.key");
  const auto context = make_server_context(files);
  REQUIRE_FALSE(context.ok());
  CHECK(context.error().code == ErrorCode::parse_error);
  CHECK(context.error().message ==
        pki.path("garbage.key") + ": the private key is not PEM (no \"-----BEGIN \" line)");
}

TEST_CASE("make_server_context names a broken PEM certificate") {
  TestPki pki;
  std::ofstream(pki.path("broken.crt"))
      << "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  TlsFiles files = pki.server_files();
  files.certificate_path = pki.path("broken.crt");
  const auto context = make_server_context(files);
  REQUIRE_FALSE(context.ok());
  CHECK(context.error().code == ErrorCode::invalid_argument);
  CHECK(context.error().message.starts_with(pki.path("broken.crt") +
                                            ": cannot load the certificate: "));
}

TEST_CASE("make_server_context refuses a key that does not match the certificate") {
  TestPki pki;
  TlsFiles files = pki.server_files();
  files.private_key_path = pki.terminal_files().private_key_path;
  const auto context = make_server_context(files);
  REQUIRE_FALSE(context.ok());
  CHECK(context.error().code == ErrorCode::invalid_argument);
  CHECK(context.error().message ==
        files.private_key_path + ": the private key does not match the certificate " +
            files.certificate_path + "; use the key issued with that certificate");
}

TEST_CASE("make_client_context refuses a file over the PEM size limit") {
  TestPki pki;
  {
    std::ofstream big(pki.path("big.crt"));
    big << "-----BEGIN CERTIFICATE-----\n" << std::string(1024 * 1024 + 1, 'A');
  }
  TlsFiles files = pki.terminal_files();
  files.certificate_path = pki.path("big.crt");
  const auto context = make_client_context(files);
  REQUIRE_FALSE(context.ok());
  CHECK(context.error().code == ErrorCode::limit_exceeded);
  CHECK(context.error().message ==
        pki.path("big.crt") +
            ": the certificate is larger than 1048576 bytes (limits::sync_pem_bytes_max); is it "
            "the right file?");
}
