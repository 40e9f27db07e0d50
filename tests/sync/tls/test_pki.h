// Test certificates: a development CA with a terminal's and a server's certificate made by
// ca_init/ca_issue, and a client certificate with any subjectAltName made with OpenSSL directly
// (for what ca_issue refuses to make). Helpers to read an issued certificate back.
#pragma once

#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/sync/tls.h"
#include "temp_dir.h"

namespace loyalty::sync::test {

inline Timestamp now() { return Timestamp{static_cast<std::int64_t>(std::time(nullptr))}; }

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

// A CaIssue with its directories set.
inline CaIssue issue_request(const std::string& ca_directory, const std::string& out_directory) {
  CaIssue request;
  request.ca_directory = ca_directory;
  request.out_directory = out_directory;
  return request;
}

// The certificate in a PEM file (REQUIREd).
Certificate read_certificate(const std::string& path);
// The URI subjectAltName entries of a certificate, in order.
std::vector<std::string> uri_names(const X509* certificate);
// A clientAuth certificate with the subjectAltName `alt_names` (x509v3_config syntax, e.g.
// "URI:urn:x,DNS:a"), signed by the CA in `ca_directory`; writes <prefix>.crt and <prefix>.key.
void issue_raw_client(const std::string& ca_directory, const std::string& out_prefix,
                      const std::string& alt_names);

// A CA in <dir>/ca, a terminal (store-1, till.7) in <dir>/terminal, HQ for 127.0.0.1 in
// <dir>/server.
class TestPki {
 public:
  TestPki();
  std::string ca_directory() const { return dir_.file("ca"); }
  std::string path(const std::string& name) const { return dir_.file(name); }
  TlsFiles terminal_files() const;
  TlsFiles server_files() const;
  // Files of a certificate issued into <dir>/<directory> as <prefix>, trusting this CA.
  TlsFiles files(const std::string& directory, const std::string& prefix) const;
  static TerminalIdentity terminal() { return {"store-1", "till.7"}; }

 private:
  TempDir dir_;
};

}  // namespace loyalty::sync::test
