// Signed rule bundles and signed keys.
#include <catch2/catch.hpp>
#include <string>

#include "loyalty/sync/downlink.h"
#include "loyalty/sync/signing.h"

using loyalty::ErrorCode;
using loyalty::Status;
using loyalty::Timestamp;
using loyalty::sync::PublicKey;
using loyalty::sync::SignedBundle;
using loyalty::sync::SigningKey;
using loyalty::sync::TrustedKeys;

namespace {

struct Fixture {
  SigningKey key = std::move(SigningKey::generate("hq-1")).value();
  TrustedKeys keys;
  SignedBundle bundle;
  Fixture() {
    REQUIRE(keys.add(PublicKey{"hq-1", key.public_pem()}).ok());
    bundle = loyalty::sync::sign_bundle(key, "coffee", 7, Timestamp{1767225600},
                                        "{\"id\":\"coffee\",\"version\":7}");
  }
};

void check_changed_refused(const TrustedKeys& keys, const SignedBundle& changed) {
  const Status verified = loyalty::sync::verify_bundle(keys, changed);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::conflict);
  CHECK(verified.error().message ==
        "bundle " + changed.program_id + " version " + std::to_string(changed.program_version) +
            ": the signature by key hq-1 does not verify: the signed content was changed or "
            "signed by another key");
}

}  // namespace

TEST_CASE("the bundle signing input is the documented netstrings", "[sync][crypto]") {
  SignedBundle bundle;
  bundle.key_id = "hq-1";
  bundle.program_id = "coffee";
  bundle.program_version = 7;
  bundle.effective_from = Timestamp{1767225600};
  bundle.program_json = "{\"a\":1}";
  CHECK(loyalty::sync::bundle_signing_input(bundle) ==
        "17:loyalty-bundle-v1,4:hq-1,6:coffee,1:7,10:1767225600,7:{\"a\":1},");
  CHECK(loyalty::sync::key_signing_input(PublicKey{"k2", "PEM\n"}) ==
        "14:loyalty-key-v1,2:k2,4:PEM\n,");
}

TEST_CASE("a signed bundle verifies with the trusted key", "[sync][crypto]") {
  Fixture f;
  CHECK(f.bundle.key_id == "hq-1");
  CHECK(f.bundle.program_id == "coffee");
  CHECK(f.bundle.program_version == 7);
  CHECK(f.bundle.signature.size() == 64);
  CHECK(f.bundle.signature == f.key.sign(loyalty::sync::bundle_signing_input(f.bundle)));
  CHECK(loyalty::sync::verify_bundle(f.keys, f.bundle).ok());
}

TEST_CASE("a bundle with any signed field changed is refused", "[sync][crypto]") {
  Fixture f;
  SignedBundle changed = f.bundle;
  changed.program_version = 8;
  check_changed_refused(f.keys, changed);
  changed = f.bundle;
  changed.effective_from = Timestamp{1767225599};
  check_changed_refused(f.keys, changed);
  changed = f.bundle;
  changed.program_json[changed.program_json.size() - 2] = '8';
  check_changed_refused(f.keys, changed);
  changed = f.bundle;
  changed.program_id = "tea";
  check_changed_refused(f.keys, changed);
  changed = f.bundle;
  changed.program_json += " ";
  check_changed_refused(f.keys, changed);
}

TEST_CASE("a bundle signed by an untrusted key is refused as not found", "[sync][crypto]") {
  Fixture f;
  const SigningKey rogue = std::move(SigningKey::generate("rogue")).value();
  const SignedBundle bundle =
      loyalty::sync::sign_bundle(rogue, "coffee", 8, Timestamp{1767225600}, "{}");
  const Status verified = loyalty::sync::verify_bundle(f.keys, bundle);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::not_found);
  CHECK(verified.error().message ==
        "bundle coffee version 8: signed by unknown key rogue; trusted: hq-1");
  SignedBundle renamed = bundle;
  renamed.key_id = "hq-1";  // claims a trusted key: the signature is still the rogue's
  CHECK(loyalty::sync::verify_bundle(f.keys, renamed).error().code == ErrorCode::conflict);
}

TEST_CASE("a new key signed by a trusted key verifies over key_signing_input", "[sync][crypto]") {
  Fixture f;
  const SigningKey next = std::move(SigningKey::generate("hq-2")).value();
  const PublicKey public_key{"hq-2", next.public_pem()};
  const std::string signature = f.key.sign(loyalty::sync::key_signing_input(public_key));
  CHECK(f.keys.verify("hq-1", loyalty::sync::key_signing_input(public_key), signature).ok());
  const PublicKey swapped{"hq-3", next.public_pem()};
  CHECK(f.keys.verify("hq-1", loyalty::sync::key_signing_input(swapped), signature).error().code ==
        ErrorCode::conflict);
}
