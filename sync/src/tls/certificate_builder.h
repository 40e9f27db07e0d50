// Building X.509 v3 certificates with OpenSSL 3 for the development CA: P-256 keys, a subject,
// a validity window, extensions in OpenSSL's configuration syntax, SHA-256 signatures.
//
// Thread-safety: functions of their arguments (and OpenSSL's random generator).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "tls/openssl_handles.h"

namespace loyalty::sync::tls {

struct CertificateSpec {
  std::string common_name;
  std::string organization;  // "" for none
  Timestamp not_before;
  std::int64_t valid_days = 0;
  // (NID, value in openssl x509v3_config syntax), added in this order; a critical one's value
  // starts with "critical,". subjectKeyIdentifier must come before authorityKeyIdentifier.
  std::vector<std::pair<int, std::string>> extensions;
};

Result<EvpPkeyPtr> generate_p256_key();

// A certificate for `subject_key` with a random 128-bit serial, signed by `issuer_key`; `issuer`
// is the issuer's certificate, or nullptr for a self-signed one (issuer_key == subject_key).
Result<X509Ptr> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                                  EVP_PKEY* issuer_key);

}  // namespace loyalty::sync::tls
