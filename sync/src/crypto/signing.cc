// Ed25519 keys and signatures with OpenSSL 3's EVP interface (signing.h).
//
// Ed25519 signs the message itself (no digest: EVP_DigestSign with a NULL md). A TrustedKeys
// holds at most limits::sync_trusted_keys_max keys, compared by their raw 32-byte public key,
// so the same key in two PEM spellings is the same key.

#include "loyalty/sync/signing.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "crypto/openssl_handles.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync {
namespace crypto {

BioPtr memory_bio(std::string_view text) {
  LOYALTY_ASSERT(text.size() <= INT_MAX);
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  LOYALTY_ASSERT(bio != nullptr);
  return bio;
}

BioPtr output_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  LOYALTY_ASSERT(bio != nullptr);
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  LOYALTY_ASSERT(size >= 0);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string take_openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace crypto

namespace {

using crypto::PkeyPtr;

bool is_key_id(std::string_view id) {
  if (id.empty() || id.size() > limits::sync_id_bytes_max) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Status check_key_id(std::string_view id) {
  if (is_key_id(id)) return Status();
  return make_error(ErrorCode::invalid_argument, "key id \"" + std::string(id.substr(0, 64)) +
                                                     "\" must be 1 to " +
                                                     std::to_string(limits::sync_id_bytes_max) +
                                                     " bytes of A-Z, a-z, 0-9, '.', '_' and '-'");
}

Status check_pem_size(std::string_view what, std::string_view pem) {
  if (pem.size() <= limits::sync_pem_bytes_max) return Status();
  return make_error(ErrorCode::limit_exceeded,
                    std::string(what) + ": PEM text of " + std::to_string(pem.size()) +
                        " bytes is longer than " + std::to_string(limits::sync_pem_bytes_max));
}

Result<PkeyPtr> read_public_pem(std::string_view key_id, std::string_view pem) {
  TRY(check_pem_size("key " + std::string(key_id), pem));
  crypto::BioPtr bio = crypto::memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  const std::string detail = crypto::take_openssl_error();
  if (key == nullptr) {
    return make_error(
        ErrorCode::invalid_argument,
        "key " + std::string(key_id) +
            ": not a PEM public key (expected \"-----BEGIN PUBLIC KEY-----\"): " + detail);
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return make_error(ErrorCode::invalid_argument,
                      "key " + std::string(key_id) + ": the public key is " +
                          EVP_PKEY_get0_type_name(key.get()) + ", not Ed25519");
  }
  return key;
}

std::string raw_public_key(EVP_PKEY* key) {
  std::string raw(32, '\0');
  std::size_t size = raw.size();
  const int ok =
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size);
  LOYALTY_ASSERT(ok == 1 && size == 32);
  return raw;
}

std::string write_public_pem(EVP_PKEY* key) {
  crypto::BioPtr bio = crypto::output_bio();
  LOYALTY_ASSERT(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
  return crypto::bio_text(bio.get());
}

}  // namespace

struct SigningKey::Impl {
  PkeyPtr key;
};

SigningKey::SigningKey(std::string key_id, std::unique_ptr<Impl> impl)
    : key_id_(std::move(key_id)), impl_(std::move(impl)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::generate(std::string key_id) {
  TRY(check_key_id(key_id));
  crypto::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  LOYALTY_ASSERT(ctx != nullptr);
  LOYALTY_ASSERT(EVP_PKEY_keygen_init(ctx.get()) == 1);
  EVP_PKEY* raw = nullptr;
  LOYALTY_ASSERT(EVP_PKEY_keygen(ctx.get(), &raw) == 1);
  return SigningKey(std::move(key_id), std::make_unique<Impl>(Impl{PkeyPtr(raw)}));
}

Result<SigningKey> SigningKey::from_private_pem(std::string key_id, std::string_view pem) {
  TRY(check_key_id(key_id));
  TRY(check_pem_size("key " + key_id, pem));
  crypto::BioPtr bio = crypto::memory_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  const std::string detail = crypto::take_openssl_error();
  if (key == nullptr) {
    return make_error(ErrorCode::invalid_argument,
                      "key " + key_id +
                          ": not a PEM private key (expected PKCS#8, \"-----BEGIN PRIVATE "
                          "KEY-----\"): " +
                          detail);
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return make_error(ErrorCode::invalid_argument, "key " + key_id + ": the private key is " +
                                                       EVP_PKEY_get0_type_name(key.get()) +
                                                       ", not Ed25519");
  }
  return SigningKey(std::move(key_id), std::make_unique<Impl>(Impl{std::move(key)}));
}

std::string SigningKey::private_pem() const {
  crypto::BioPtr bio = crypto::output_bio();
  // OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted.
  LOYALTY_ASSERT(PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr,
                                          nullptr) == 1);
  return crypto::bio_text(bio.get());
}

std::string SigningKey::public_pem() const { return write_public_pem(impl_->key.get()); }

std::string SigningKey::sign(std::string_view message) const {
  crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
  LOYALTY_ASSERT(ctx != nullptr);
  LOYALTY_ASSERT(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1);
  std::string signature(64, '\0');
  std::size_t size = signature.size();
  LOYALTY_ASSERT(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                                &size, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size()) == 1);
  LOYALTY_ASSERT(size == 64);
  return signature;
}

struct TrustedKeys::Impl {
  struct Entry {
    std::string key_id;
    std::string raw_public;
    PkeyPtr key;
  };
  std::vector<Entry> entries;

  const Entry* find(std::string_view key_id) const {
    for (const Entry& e : entries) {
      if (e.key_id == key_id) return &e;
    }
    return nullptr;
  }
};

TrustedKeys::TrustedKeys() : impl_(std::make_unique<Impl>()) {}
TrustedKeys::TrustedKeys(TrustedKeys&&) noexcept = default;
TrustedKeys& TrustedKeys::operator=(TrustedKeys&&) noexcept = default;
TrustedKeys::~TrustedKeys() = default;

Status TrustedKeys::add(const PublicKey& key) {
  TRY(check_key_id(key.key_id));
  PkeyPtr parsed = TRY(read_public_pem(key.key_id, key.public_pem));
  std::string raw = raw_public_key(parsed.get());
  if (const Impl::Entry* existing = impl_->find(key.key_id)) {
    if (existing->raw_public == raw) return Status();
    return make_error(ErrorCode::conflict,
                      "key " + key.key_id +
                          " is already trusted with another public key: give the new key a new "
                          "key id");
  }
  if (impl_->entries.size() >= limits::sync_trusted_keys_max) {
    return make_error(ErrorCode::limit_exceeded, "key " + key.key_id + ": already trusting " +
                                                     std::to_string(limits::sync_trusted_keys_max) +
                                                     " keys, the limit: withdraw an old key first");
  }
  impl_->entries.push_back(Impl::Entry{key.key_id, std::move(raw), std::move(parsed)});
  return Status();
}

bool TrustedKeys::trusts(std::string_view key_id) const { return impl_->find(key_id) != nullptr; }

std::vector<std::string> TrustedKeys::key_ids() const {
  std::vector<std::string> ids;
  for (const Impl::Entry& e : impl_->entries) ids.push_back(e.key_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status TrustedKeys::verify(std::string_view key_id, std::string_view message,
                           std::string_view signature) const {
  const Impl::Entry* entry = impl_->find(key_id);
  if (entry == nullptr) {
    std::string trusted;
    for (const std::string& id : key_ids()) trusted += (trusted.empty() ? "" : ", ") + id;
    return make_error(ErrorCode::not_found,
                      "signed by unknown key " + std::string(key_id.substr(0, 64)) +
                          "; trusted: " + (trusted.empty() ? "(none)" : trusted));
  }
  crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
  LOYALTY_ASSERT(ctx != nullptr);
  LOYALTY_ASSERT(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, entry->key.get()) == 1);
  const int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto::take_openssl_error();
  if (ok != 1) {
    return make_error(ErrorCode::conflict,
                      "the signature by key " + entry->key_id +
                          " does not verify: the signed content was changed or signed by "
                          "another key");
  }
  return Status();
}

}  // namespace loyalty::sync
