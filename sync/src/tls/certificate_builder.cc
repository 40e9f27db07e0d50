// X.509 v3 certificates for the development CA (OpenSSL 3).

#include "tls/certificate_builder.h"

#include <openssl/ec.h>
#include <openssl/rand.h>

#include <ctime>

namespace loyalty::sync::tls {

namespace {

Error openssl_failure(const std::string& what) {
  return make_error(ErrorCode::internal, "cannot " + what + ": " + openssl_errors());
}

Status set_serial(X509* certificate) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return openssl_failure("draw a serial number");
  bytes[0] |= 0x01;  // never zero; BN_bin2bn makes it positive, 128 bits at most
  BignumPtr serial(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) == nullptr) {
    return openssl_failure("set the serial number");
  }
  return Status();
}

Status set_name(X509_NAME* name, const CertificateSpec& spec) {
  const auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  if (!spec.organization.empty() && !add("O", spec.organization)) {
    return openssl_failure("set the organization \"" + spec.organization + "\"");
  }
  if (!add("CN", spec.common_name)) {
    return openssl_failure("set the common name \"" + spec.common_name + "\"");
  }
  return Status();
}

Status set_validity(X509* certificate, const CertificateSpec& spec) {
  const Timestamp not_after = plus_days(spec.not_before, spec.valid_days);
  if (ASN1_TIME_set(X509_getm_notBefore(certificate),
                    static_cast<std::time_t>(spec.not_before.unix_seconds)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(certificate),
                    static_cast<std::time_t>(not_after.unix_seconds)) == nullptr) {
    return openssl_failure("set the validity");
  }
  return Status();
}

Status add_extensions(X509* certificate, X509* issuer, const CertificateSpec& spec) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : certificate, certificate, nullptr, nullptr,
                 0);
  for (const auto& [nid, value] : spec.extensions) {
    X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
      return openssl_failure(std::string("add the extension ") + OBJ_nid2sn(nid) + " = " + value);
    }
  }
  return Status();
}

}  // namespace

Result<EvpPkeyPtr> generate_p256_key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_failure("generate a P-256 key");
  return key;
}

Result<X509Ptr> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                                  EVP_PKEY* issuer_key) {
  LOYALTY_ASSERT(subject_key != nullptr && issuer_key != nullptr);
  LOYALTY_ASSERT(spec.valid_days > 0);
  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    return openssl_failure("create a certificate");
  }
  TRY(set_serial(certificate.get()));
  TRY(set_name(X509_get_subject_name(certificate.get()), spec));
  const X509_NAME* issuer_name =
      issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(certificate.get());
  if (X509_set_issuer_name(certificate.get(), issuer_name) != 1) {
    return openssl_failure("set the issuer name");
  }
  TRY(set_validity(certificate.get(), spec));
  if (X509_set_pubkey(certificate.get(), subject_key) != 1) {
    return openssl_failure("set the public key");
  }
  TRY(add_extensions(certificate.get(), issuer, spec));
  if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) <= 0) {
    return openssl_failure("sign the certificate");
  }
  return certificate;
}

}  // namespace loyalty::sync::tls
