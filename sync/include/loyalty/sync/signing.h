// Ed25519 signatures (OpenSSL EVP) for what HQ publishes: rule bundles and new signing keys.
//
// A key is named by its key id (1..limits::sync_id_bytes_max bytes of [A-Za-z0-9._-]); a
// terminal trusts a set of public keys (TrustedKeys) and refuses a signature by any other. Key
// rotation: HQ publishes the new public key signed by a key the terminals already trust
// (docs/sync.md, "Keys and certificates"), then signs with the new one; the old stays trusted
// until it is withdrawn.
//
// Files are PEM: a private key in PKCS#8 ("-----BEGIN PRIVATE KEY-----"), a public key in SPKI
// ("-----BEGIN PUBLIC KEY-----"). Thread-safety: a SigningKey and TrustedKeys are immutable after
// construction and may be shared between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::sync {

class SigningKey {
 public:
  // A fresh Ed25519 key pair.
  static Result<SigningKey> generate(std::string key_id);
  // From PEM text of a PKCS#8 Ed25519 private key. Fails with invalid_argument when the text is
  // not one, or the key is not Ed25519.
  static Result<SigningKey> from_private_pem(std::string key_id, std::string_view pem);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const std::string& key_id() const { return key_id_; }
  std::string private_pem() const;
  std::string public_pem() const;
  // The 64-byte Ed25519 signature of `message`.
  std::string sign(std::string_view message) const;

 private:
  struct Impl;
  SigningKey(std::string key_id, std::unique_ptr<Impl> impl);
  std::string key_id_;
  std::unique_ptr<Impl> impl_;
};

struct PublicKey {
  std::string key_id;
  std::string public_pem;
  bool operator==(const PublicKey&) const = default;
};

class TrustedKeys {
 public:
  TrustedKeys();
  TrustedKeys(TrustedKeys&&) noexcept;
  TrustedKeys& operator=(TrustedKeys&&) noexcept;
  ~TrustedKeys();

  // Adds a public key (SPKI PEM, Ed25519). Fails with invalid_argument for a bad key or key id,
  // conflict when the key id is already trusted with another key, limit_exceeded past
  // limits::sync_trusted_keys_max. The same key again is a no-op.
  Status add(const PublicKey& key);
  bool trusts(std::string_view key_id) const;
  std::vector<std::string> key_ids() const;
  // Ok when `signature` is a valid signature of `message` by the trusted key `key_id`. Fails with
  // not_found for an unknown key id ("signed by unknown key k2; trusted: k1"), conflict for a
  // signature that does not verify.
  Status verify(std::string_view key_id, std::string_view message,
                std::string_view signature) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// RFC 4648 base64 (with padding), for signatures and keys inside JSON.
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace loyalty::sync
