// Ed25519 keys, trust and signatures (OpenSSL EVP).
#include "loyalty/sync/signing.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

using loyalty::ErrorCode;
using loyalty::Status;
using loyalty::sync::PublicKey;
using loyalty::sync::SigningKey;
using loyalty::sync::TrustedKeys;

namespace {

SigningKey fresh_key(const std::string& key_id) {
  loyalty::Result<SigningKey> key = SigningKey::generate(key_id);
  REQUIRE(key.ok());
  return std::move(key).value();
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

// PEM texts of a key that is not Ed25519 (P-256 or RSA).
std::string other_pem(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  const int ok =
      private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                  : PEM_write_bio_PUBKEY(bio.get(), key);
  REQUIRE(ok == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TEST_CASE("an Ed25519 signature verifies with the trusted key", "[sync][crypto]") {
  const SigningKey key = fresh_key("k1");
  CHECK(key.key_id() == "k1");
  const std::string signature = key.sign("hello");
  CHECK(signature.size() == 64);
  CHECK(key.sign("hello") == signature);  // Ed25519 is deterministic
  TrustedKeys keys;
  REQUIRE(keys.add(PublicKey{"k1", key.public_pem()}).ok());
  CHECK(keys.trusts("k1"));
  CHECK_FALSE(keys.trusts("k2"));
  CHECK(keys.verify("k1", "hello", signature).ok());
}

TEST_CASE("a tampered message or signature does not verify", "[sync][crypto]") {
  const SigningKey key = fresh_key("k1");
  TrustedKeys keys;
  REQUIRE(keys.add(PublicKey{"k1", key.public_pem()}).ok());
  std::string signature = key.sign("hello");
  Status verified = keys.verify("k1", "hellO", signature);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::conflict);
  CHECK(verified.error().message ==
        "the signature by key k1 does not verify: the signed content was changed or signed by "
        "another key");
  signature[10] = static_cast<char>(signature[10] ^ 1);
  CHECK(keys.verify("k1", "hello", signature).error().code == ErrorCode::conflict);
  CHECK(keys.verify("k1", "hello", signature.substr(0, 63)).error().code == ErrorCode::conflict);
  CHECK(keys.verify("k1", "hello", "").error().code == ErrorCode::conflict);
  // Another key's signature under k1's name.
  const SigningKey other = fresh_key("k1");
  CHECK(keys.verify("k1", "hello", other.sign("hello")).error().code == ErrorCode::conflict);
}

TEST_CASE("a signature by an unknown key id is refused as not found", "[sync][crypto]") {
  const SigningKey k1 = fresh_key("k1");
  const SigningKey k3 = fresh_key("k3");
  TrustedKeys keys;
  Status verified = keys.verify("k1", "m", k1.sign("m"));
  CHECK(verified.error().message == "signed by unknown key k1; trusted: (none)");
  REQUIRE(keys.add(PublicKey{"k3", k3.public_pem()}).ok());
  REQUIRE(keys.add(PublicKey{"k1", k1.public_pem()}).ok());
  const SigningKey k2 = fresh_key("k2");
  verified = keys.verify("k2", "m", k2.sign("m"));
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::not_found);
  CHECK(verified.error().message == "signed by unknown key k2; trusted: k1, k3");
  CHECK(keys.key_ids() == std::vector<std::string>{"k1", "k3"});
}

TEST_CASE("a key id already trusted with another key is refused on add", "[sync][crypto]") {
  const SigningKey first = fresh_key("k1");
  const SigningKey second = fresh_key("k1");
  TrustedKeys keys;
  REQUIRE(keys.add(PublicKey{"k1", first.public_pem()}).ok());
  CHECK(keys.add(PublicKey{"k1", first.public_pem()}).ok());  // the same key: a no-op
  const Status added = keys.add(PublicKey{"k1", second.public_pem()});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == ErrorCode::conflict);
  CHECK(added.error().message ==
        "key k1 is already trusted with another public key: give the new key a new key id");
  CHECK(keys.key_ids() == std::vector<std::string>{"k1"});
  CHECK(keys.verify("k1", "m", first.sign("m")).ok());
}

TEST_CASE("trusted keys stop at sync_trusted_keys_max", "[sync][crypto]") {
  TrustedKeys keys;
  for (int i = 0; i < 16; ++i) {
    const SigningKey key = fresh_key("k" + std::to_string(i));
    REQUIRE(keys.add(PublicKey{key.key_id(), key.public_pem()}).ok());
  }
  const SigningKey extra = fresh_key("k16");
  const Status added = keys.add(PublicKey{"k16", extra.public_pem()});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == ErrorCode::limit_exceeded);
  CHECK(added.error().message ==
        "key k16: already trusting 16 keys, the limit: withdraw an old key first");
}

TEST_CASE("a signing key survives a PEM round trip", "[sync][crypto]") {
  const SigningKey key = fresh_key("hq-2026");
  const std::string pem = key.private_pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(key.public_pem().rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  loyalty::Result<SigningKey> loaded = SigningKey::from_private_pem("hq-2026", pem);
  REQUIRE(loaded.ok());
  CHECK(loaded->public_pem() == key.public_pem());
  CHECK(loaded->private_pem() == pem);
  CHECK(loaded->sign("bundle") == key.sign("bundle"));
}

TEST_CASE("keys that are not Ed25519 or not PEM are refused", "[sync][crypto]") {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> p256(EVP_EC_gen("P-256"));
  REQUIRE(p256 != nullptr);
  loyalty::Result<SigningKey> loaded =
      SigningKey::from_private_pem("k1", other_pem(p256.get(), true));
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == ErrorCode::invalid_argument);
  CHECK(loaded.error().message == "key k1: the private key is EC, not Ed25519");
  TrustedKeys keys;
  Status added = keys.add(PublicKey{"k1", other_pem(p256.get(), false)});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == ErrorCode::invalid_argument);
  CHECK(added.error().message == "key k1: the public key is EC, not Ed25519");

  std::unique_ptr<EVP_PKEY, PkeyDeleter> rsa(EVP_RSA_gen(2048));
  REQUIRE(rsa != nullptr);
  added = keys.add(PublicKey{"k2", other_pem(rsa.get(), false)});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().message == "key k2: the public key is RSA, not Ed25519");

  added = keys.add(PublicKey{"k3", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"});
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(added.error().message,
             Catch::StartsWith("key k3: not a PEM public key (expected \"-----BEGIN PUBLIC "
                               "KEY-----\"): "));
  const SigningKey key = fresh_key("k4");
  loaded = SigningKey::from_private_pem("k4", key.public_pem());
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.error().message, Catch::StartsWith("key k4: not a PEM private key"));
  CHECK(keys.key_ids().empty());
}

TEST_CASE("bad key ids are refused", "[sync][crypto]") {
  loyalty::Result<SigningKey> key = SigningKey::generate("k 1");
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().code == ErrorCode::invalid_argument);
  CHECK(key.error().message ==
        "key id \"k 1\" must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and '-'");
  CHECK(SigningKey::generate("").error().code == ErrorCode::invalid_argument);
  const SigningKey good = fresh_key("k1");
  TrustedKeys keys;
  CHECK(keys.add(PublicKey{std::string(65, 'k'), good.public_pem()}).error().code ==
        ErrorCode::invalid_argument);
}
