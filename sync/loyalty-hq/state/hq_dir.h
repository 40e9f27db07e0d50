// HQ's state directory (--dir, default /var/lib/loyalty-hq) and what lives in it:
//
//   hq.db                   the HqStore (SQLite), unless D/store names another (store_choice.h)
//   store                   the store's locator, when init was given --store
//   business-time-zone      the chain's business time zone, when init was given --time-zone
//   ca/ca.key, ca/ca.crt    the development CA that issues terminal and server certificates
//   keys/bundle-<id>.key    Ed25519 private keys that sign rule bundles (0600), and
//   keys/bundle-<id>.pub    their public keys, which terminals are provisioned with
//   keys/bundle.current     the id of the key that signs now ("k1"; changed by a rotation)
//   keys/pseudonym.key      the chain's pseudonym key, 64 hex digits (0600), key id "pk1"
//   server/server.crt, server/server.key, server/ca.crt
//                           HQ's TLS certificate and key, and the CA terminals are trusted by
//   serve.port              the port `serve` listens on, while it runs
//
// Thread-safety: functions of their arguments and the file system only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "args/hq_args.h"
#include "loyalty/core/result.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/signing.h"
#include "loyalty/sync/tls.h"

namespace loyalty::hq {

inline constexpr std::string_view default_dir = "/var/lib/loyalty-hq";
inline constexpr std::string_view pseudonym_key_id = "pk1";
inline constexpr std::string_view first_signing_key_id = "k1";

struct HqDir {
  std::string root;

  std::string database() const { return root + "/hq.db"; }
  std::string ca() const { return root + "/ca"; }
  std::string keys() const { return root + "/keys"; }
  std::string bundle_key(std::string_view id) const;
  std::string bundle_public_key(std::string_view id) const;
  std::string current_key() const { return keys() + "/bundle.current"; }
  std::string pseudonym_key() const { return keys() + "/pseudonym.key"; }
  std::string server() const { return root + "/server"; }
  std::string serve_port() const { return root + "/serve.port"; }
  std::string store_file() const { return root + "/store"; }
  std::string zone_file() const { return root + "/business-time-zone"; }
  // HQ's side of mutual TLS: server/server.crt, server/server.key, server/ca.crt.
  sync::TlsFiles server_tls() const;
};

// --dir, or the default.
HqDir hq_dir(const ParsedArgs& parsed);

// The chain's pseudonym key from keys/pseudonym.key.
Result<storage::PseudonymKey> load_pseudonym_key(const HqDir& dir);
// The id in keys/bundle.current.
Result<std::string> current_signing_key_id(const HqDir& dir);
// The bundle signing key `id` from keys/bundle-<id>.key.
Result<sync::SigningKey> load_signing_key(const HqDir& dir, const std::string& id);

}  // namespace loyalty::hq
