// What HQ signs in the downlink: rule bundles and new signing keys (downlink.h).
//
// The signed bytes are netstrings ("<decimal byte length>:<bytes>,", as storage's event hash
// input), so no field can bleed into the next:
//   bundle: "loyalty-bundle-v1", key_id, program_id, program_version (decimal),
//           effective_from (Unix seconds, decimal), program_json
//   key:    "loyalty-key-v1", key.key_id, key.public_pem

#include <string>
#include <utility>

#include "loyalty/sync/downlink.h"
#include "loyalty/sync/signing.h"

namespace loyalty::sync {
namespace {

void append_netstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

}  // namespace

std::string bundle_signing_input(const SignedBundle& bundle) {
  std::string out;
  append_netstring(out, "loyalty-bundle-v1");
  append_netstring(out, bundle.key_id);
  append_netstring(out, bundle.program_id);
  append_netstring(out, std::to_string(bundle.program_version));
  append_netstring(out, std::to_string(bundle.effective_from.unix_seconds));
  append_netstring(out, bundle.program_json);
  return out;
}

SignedBundle sign_bundle(const SigningKey& key, std::string program_id, std::int64_t version,
                         Timestamp effective_from, std::string program_json) {
  SignedBundle bundle;
  bundle.key_id = key.key_id();
  bundle.program_id = std::move(program_id);
  bundle.program_version = version;
  bundle.effective_from = effective_from;
  bundle.program_json = std::move(program_json);
  bundle.signature = key.sign(bundle_signing_input(bundle));
  LOYALTY_ASSERT(bundle.signature.size() == 64);
  return bundle;
}

Status verify_bundle(const TrustedKeys& keys, const SignedBundle& bundle) {
  Status verified = keys.verify(bundle.key_id, bundle_signing_input(bundle), bundle.signature);
  if (!verified.ok()) {
    return make_error(verified.error().code,
                      "bundle " + bundle.program_id.substr(0, 64) + " version " +
                          std::to_string(bundle.program_version) + ": " + verified.error().message);
  }
  return Status();
}

std::string key_signing_input(const PublicKey& key) {
  std::string out;
  append_netstring(out, "loyalty-key-v1");
  append_netstring(out, key.key_id);
  append_netstring(out, key.public_pem);
  return out;
}

}  // namespace loyalty::sync
