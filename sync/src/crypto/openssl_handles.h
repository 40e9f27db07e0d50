// One RAII wrapper per OpenSSL handle that sync/src/crypto uses. Private to sync/src/crypto.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace loyalty::sync::crypto {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// A read-only memory BIO over `text`, which must outlive it.
BioPtr memory_bio(std::string_view text);
// A writable memory BIO.
BioPtr output_bio();
// What was written into an output_bio().
std::string bio_text(BIO* bio);
// Clears OpenSSL's error queue of this thread, returning its first entry's text ("" if none).
std::string take_openssl_error();

}  // namespace loyalty::sync::crypto
