// One RAII wrapper for each OpenSSL handle sync uses, and the text of OpenSSL's error queue.
//
// Thread-safety: plain owning values; OpenSSL's error queue is per thread.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace loyalty::sync::tls {

template <auto free_function>
struct OpensslDeleter {
  template <class T>
  void operator()(T* handle) const {
    free_function(handle);
  }
};

using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES_free>>;

// Empties this thread's OpenSSL error queue and returns its entries ("; "-separated), or
// "no detail from OpenSSL" when it was empty.
inline std::string openssl_errors() {
  std::string text;
  for (int i = 0; i < 16; ++i) {  // a bounded drain: the queue holds at most 16 entries
    const unsigned long code = ERR_get_error();
    if (code == 0) break;
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  ERR_clear_error();
  return text.empty() ? "no detail from OpenSSL" : text;
}

}  // namespace loyalty::sync::tls
