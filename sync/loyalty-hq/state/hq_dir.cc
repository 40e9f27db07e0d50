// HQ's state directory: paths, and loading the keys with errors that name the
// file and what to do.

#include "state/hq_dir.h"

#include "loyalty/core/limits.h"
#include "state/state_files.h"

namespace loyalty::hq {

namespace {

constexpr std::size_t small_file_bytes_max = 4096;

}  // namespace

std::string HqDir::bundle_key(std::string_view id) const {
  return keys() + "/bundle-" + std::string(id) + ".key";
}

std::string HqDir::bundle_public_key(std::string_view id) const {
  return keys() + "/bundle-" + std::string(id) + ".pub";
}

sync::TlsFiles HqDir::server_tls() const {
  return sync::TlsFiles{server() + "/server.crt", server() + "/server.key", server() + "/ca.crt"};
}

HqDir hq_dir(const ParsedArgs& parsed) { return HqDir{parsed.flag_or("dir", default_dir)}; }

Result<storage::PseudonymKey> load_pseudonym_key(const HqDir& dir) {
  const std::string text = trimmed(TRY(read_text_file(dir.pseudonym_key(), small_file_bytes_max)));
  storage::PseudonymKey key{std::string(pseudonym_key_id), text};
  if (!storage::validate_pseudonym_key(key).ok()) {
    // The message names no key material.
    return make_error(ErrorCode::parse_error,
                      dir.pseudonym_key() + ": not a pseudonym key (64 lowercase hex digits)");
  }
  return key;
}

Result<std::string> current_signing_key_id(const HqDir& dir) {
  const std::string id = trimmed(TRY(read_text_file(dir.current_key(), small_file_bytes_max)));
  if (id.empty() || id.size() > limits::sync_id_bytes_max) {
    return make_error(ErrorCode::parse_error, dir.current_key() + ": does not hold a key id");
  }
  return id;
}

Result<sync::SigningKey> load_signing_key(const HqDir& dir, const std::string& id) {
  const std::string path = dir.bundle_key(id);
  if (!path_exists(path)) {
    return make_error(ErrorCode::not_found, path + ": no signing key " + id + " in " + dir.keys());
  }
  const std::string pem = TRY(read_text_file(path, limits::sync_pem_bytes_max));
  Result<sync::SigningKey> key = sync::SigningKey::from_private_pem(id, pem);
  if (!key.ok()) return make_error(ErrorCode::parse_error, path + ": " + key.error().message);
  return key;
}

}  // namespace loyalty::hq
