// The downlink: what HQ sends a terminal, as versioned items (docs/sync.md, "Downlink").
//
// HQ numbers every item it publishes with one increasing `version` (1, 2, 3...). A terminal asks
// for the items after the last version it applied (GET /v1/downlink?after=V) and applies each
// answer in ONE SQLite transaction, recording the new version in the same transaction, so an
// item is applied exactly once and in order. Items are addressed to the whole chain or to one
// store; HQ sends a terminal the items of the chain and of its store.
//
// Customers are named by pseudonym (storage/pseudonyms.h): HQ holds no card numbers, and a
// terminal finds its local card through the pseudonyms it computed itself.
//
// All functions are pure (no I/O) and thread-safe. Decoding is strict and bounded
// (limits::sync_downlink_items_max, limits::sync_downlink_bytes_max).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/signing.h"

namespace loyalty::sync {

// A rule bundle signed by HQ. The signature covers bundle_signing_input(): every field below but
// the signature, so nothing can be changed or swapped without breaking it.
struct SignedBundle {
  std::string key_id;
  std::string program_id;            // the bundle's "id"
  std::int64_t program_version = 0;  // the bundle's "version"; a terminal refuses an older one
  Timestamp effective_from;          // the terminal quotes with it from this instant on
  std::string program_json;          // the bundle, byte for byte
  std::string signature;             // 64 bytes (base64 on the wire)
  bool operator==(const SignedBundle&) const = default;
};

// Netstrings of "loyalty-bundle-v1", key_id, program_id, program_version (decimal),
// effective_from (unix seconds, decimal), program_json.
std::string bundle_signing_input(const SignedBundle& bundle);
// Signs program_json with `key` (fills key_id and signature).
SignedBundle sign_bundle(const SigningKey& key, std::string program_id, std::int64_t version,
                         Timestamp effective_from, std::string program_json);
// Verifies the signature with `keys`. Errors as TrustedKeys::verify, naming the bundle.
Status verify_bundle(const TrustedKeys& keys, const SignedBundle& bundle);

// A new public key for bundles, signed by a key the terminal already trusts.
struct SignedKey {
  PublicKey key;
  std::string signer_key_id;
  std::string signature;  // over netstrings of "loyalty-key-v1", key.key_id, key.public_pem
  bool operator==(const SignedKey&) const = default;
};
std::string key_signing_input(const PublicKey& key);

// A card on (or off) the blocklist.
struct BlockItem {
  std::string pseudonym;
  std::string reason;  // "" for an unblock
  bool blocked = true;
  bool operator==(const BlockItem&) const = default;
};

// What HQ knows of one customer, for a store the customer visits.
struct CustomerItem {
  std::string pseudonym;
  // HQ's balance of the customer's points, counting every event HQ holds, this terminal's events
  // up to `as_of_seq` among them. The terminal adds what it wrote after as_of_seq and books the
  // difference, so its view equals HQ's plus what HQ has not seen yet.
  std::int64_t balance_points = 0;
  std::int64_t as_of_seq = 0;
  std::optional<Timestamp> expires_at;  // the soonest expiry among HQ's open lots
  // The tier and tier-period counters after the customer's latest event at HQ (at any store):
  // the terminal takes them when it has written nothing of the customer after as_of_seq.
  std::optional<std::string> tier;
  bool flagged = false;                // an offline double redemption is open against the card
  std::optional<Timestamp> review_at;  // the next tier review
  std::int64_t period_spend = 0;       // minor units spent in the tier period, every store
  std::int64_t period_points = 0;      // points earned in the tier period, every store
  bool operator==(const CustomerItem&) const = default;
};

// An erasure order: the terminal forgets which card the pseudonym is (storage's erase()).
struct EraseItem {
  std::string pseudonym;
  bool operator==(const EraseItem&) const = default;
};

// The secrets of identification: the chain's pseudonym key, and app-token HMAC keys.
struct KeysItem {
  std::string pseudonym_key_id;
  std::string pseudonym_key_hex;  // 64 hex digits
  struct AppTokenKey {
    std::string key_id;
    std::string key_hex;
    bool operator==(const AppTokenKey&) const = default;
  };
  std::vector<AppTokenKey> app_token_keys;
  bool operator==(const KeysItem&) const = default;
};

using DownlinkBody =
    std::variant<SignedBundle, SignedKey, BlockItem, CustomerItem, EraseItem, KeysItem>;
// "bundle", "signing_key", "block", "customer", "erase", "keys".
const char* downlink_kind_name(const DownlinkBody& body);

struct DownlinkItem {
  std::int64_t version = 0;  // HQ's item number, > 0, increasing within an answer
  std::string store_id;      // "" for the whole chain
  Timestamp published_at;
  DownlinkBody body;
  bool operator==(const DownlinkItem&) const = default;
};

struct Downlink {
  std::int64_t after = 0;   // what the terminal asked for
  std::int64_t latest = 0;  // HQ's latest version for this terminal (more may follow: ask again)
  std::vector<DownlinkItem> items;
  bool operator==(const Downlink&) const = default;
};

std::string encode_downlink_json(const Downlink& downlink);
Result<Downlink> decode_downlink_json(std::string_view json);
// zstd-compressed forms, decompressed within limits::sync_downlink_bytes_max.
std::string encode_downlink(const Downlink& downlink);
Result<Downlink> decode_downlink(std::string_view compressed);

}  // namespace loyalty::sync
