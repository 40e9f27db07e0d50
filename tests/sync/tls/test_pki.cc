#include "tls/test_pki.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <cstdio>

namespace loyalty::sync::test {

namespace {

struct FileClose {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileClose>;
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key read_key(const std::string& path) {
  File file(std::fopen(path.c_str(), "r"));
  REQUIRE(file != nullptr);
  Key key(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr));
  REQUIRE(key != nullptr);
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  REQUIRE(extension != nullptr);
  REQUIRE(X509_add_ext(certificate, extension, -1) == 1);
  X509_EXTENSION_free(extension);
}

}  // namespace

Certificate read_certificate(const std::string& path) {
  File file(std::fopen(path.c_str(), "r"));
  REQUIRE(file != nullptr);
  Certificate certificate(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  REQUIRE(certificate != nullptr);
  return certificate;
}

std::vector<std::string> uri_names(const X509* certificate) {
  std::vector<std::string> uris;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  GENERAL_NAMES_free(names);
  return uris;
}

void issue_raw_client(const std::string& ca_directory, const std::string& out_prefix,
                      const std::string& alt_names) {
  Certificate ca = read_certificate(ca_directory + "/ca.crt");
  Key ca_key = read_key(ca_directory + "/ca.key");
  Key key(EVP_EC_gen("P-256"));
  REQUIRE(key != nullptr);
  Certificate certificate(X509_new());
  X509* x = certificate.get();
  REQUIRE(X509_set_version(x, X509_VERSION_3) == 1);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("raw"), -1, -1, 0);
  REQUIRE(X509_set_issuer_name(x, X509_get_subject_name(ca.get())) == 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  REQUIRE(X509_set_pubkey(x, key.get()) == 1);
  add_extension(x, ca.get(), NID_ext_key_usage, "clientAuth");
  add_extension(x, ca.get(), NID_subject_alt_name, alt_names);
  REQUIRE(X509_sign(x, ca_key.get(), EVP_sha256()) > 0);
  File crt(std::fopen((out_prefix + ".crt").c_str(), "w"));
  REQUIRE(PEM_write_X509(crt.get(), x) == 1);
  File pem(std::fopen((out_prefix + ".key").c_str(), "w"));
  REQUIRE(PEM_write_PrivateKey(pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

TestPki::TestPki() {
  const Timestamp start = plus_seconds(now(), -3600);
  REQUIRE(
      ca_init(
          CaInit{.directory = ca_directory(), .name = "test CA", .valid_days = 30, .now = start})
          .ok());
  CaIssue terminal = issue_request(ca_directory(), path("terminal"));
  terminal.terminal = TestPki::terminal();
  terminal.not_before = start;
  terminal.valid_days = 30;
  REQUIRE(ca_issue(terminal).ok());
  CaIssue server = issue_request(ca_directory(), path("server"));
  server.server_names = {"127.0.0.1"};
  server.not_before = start;
  server.valid_days = 30;
  REQUIRE(ca_issue(server).ok());
}

TlsFiles TestPki::files(const std::string& directory, const std::string& prefix) const {
  return TlsFiles{path(directory) + "/" + prefix + ".crt", path(directory) + "/" + prefix + ".key",
                  ca_directory() + "/ca.crt"};
}

TlsFiles TestPki::terminal_files() const { return files("terminal", "terminal"); }
TlsFiles TestPki::server_files() const { return files("server", "server"); }

}  // namespace loyalty::sync::test
