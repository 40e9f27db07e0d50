// The kind-specific members of downlink items; the wire forms are in downlink_json.cc.

#include "wire/downlink_items.h"

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "loyalty/core/limits.h"

namespace loyalty::sync {

const char* downlink_kind_name(const DownlinkBody& body) {
  static constexpr const char* names[] = {"bundle",   "signing_key", "block",
                                          "customer", "erase",       "keys"};
  static_assert(std::size(names) == std::variant_size_v<DownlinkBody>);
  LOYALTY_ASSERT(body.index() < std::size(names));
  return names[body.index()];
}

namespace wire {
namespace {

constexpr std::string_view bundle_members[] = {"key_id",         "program_id", "program_version",
                                               "effective_from", "program",    "signature"};
constexpr std::string_view signing_key_members[] = {"key_id", "public_pem", "signer_key_id",
                                                    "signature"};
constexpr std::string_view block_members[] = {"pseudonym", "blocked", "reason"};
constexpr std::string_view customer_members[] = {"pseudonym",  "balance_points", "as_of_seq",
                                                 "expires_at", "tier",           "flagged"};
// Written always, read when present: an HQ from before the tier period sends none of them.
constexpr std::string_view customer_optional_members[] = {"review_at", "period_spend",
                                                          "period_points"};
constexpr std::string_view erase_members[] = {"pseudonym"};
constexpr std::string_view keys_members[] = {"pseudonym_key_id", "pseudonym_key_hex",
                                             "app_token_keys"};
constexpr std::string_view app_token_key_members[] = {"key_id", "key_hex"};
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

void write_signature(json::Writer& w, const std::string& signature) {
  w.key("signature");
  w.value(base64_encode(signature));
}

Result<std::string> read_signature(const WireObject& o) {
  const std::string text = TRY(o.string("signature"));
  Result<std::string> bytes = base64_decode(text);
  if (!bytes.ok()) return o.error(ErrorCode::invalid_argument, "signature", bytes.error().message);
  if (bytes->size() != 64) {
    return o.error(
        ErrorCode::invalid_argument, "signature",
        "must be the 64 bytes of an Ed25519 signature, got " + std::to_string(bytes->size()));
  }
  return std::move(bytes).value();
}

void write(json::Writer& w, const SignedBundle& b) {
  w.key("key_id");
  w.value(b.key_id);
  w.key("program_id");
  w.value(b.program_id);
  w.key("program_version");
  w.value(b.program_version);
  w.key("effective_from");
  write_time(w, b.effective_from);
  w.key("program");
  w.value(b.program_json);
  write_signature(w, b.signature);
}

Result<DownlinkBody> read_bundle(const WireObject& o) {
  SignedBundle b;
  b.key_id = TRY(o.id("key_id"));
  b.program_id = TRY(o.id("program_id"));
  b.program_version = TRY(o.integer("program_version", 1, int64_max));
  b.effective_from = TRY(o.timestamp("effective_from"));
  b.program_json = TRY(o.string("program"));
  if (b.program_json.empty()) {
    return o.error(ErrorCode::invalid_argument, "program",
                   "must be the bundle's JSON text, got \"\"");
  }
  b.signature = TRY(read_signature(o));
  return DownlinkBody(std::move(b));
}

void write(json::Writer& w, const SignedKey& k) {
  w.key("key_id");
  w.value(k.key.key_id);
  w.key("public_pem");
  w.value(k.key.public_pem);
  w.key("signer_key_id");
  w.value(k.signer_key_id);
  write_signature(w, k.signature);
}

Result<DownlinkBody> read_signing_key(const WireObject& o) {
  SignedKey k;
  k.key.key_id = TRY(o.id("key_id"));
  k.key.public_pem = TRY(o.string("public_pem"));
  if (k.key.public_pem.empty() || k.key.public_pem.size() > limits::sync_pem_bytes_max) {
    return o.error(ErrorCode::invalid_argument, "public_pem",
                   "must be 1 to " + std::to_string(limits::sync_pem_bytes_max) +
                       " bytes of PEM, got " + std::to_string(k.key.public_pem.size()));
  }
  k.signer_key_id = TRY(o.id("signer_key_id"));
  k.signature = TRY(read_signature(o));
  return DownlinkBody(std::move(k));
}

void write(json::Writer& w, const BlockItem& b) {
  w.key("pseudonym");
  w.value(b.pseudonym);
  w.key("blocked");
  w.value(b.blocked);
  w.key("reason");
  w.value(b.reason);
}

Result<DownlinkBody> read_block(const WireObject& o) {
  BlockItem b;
  b.pseudonym = TRY(o.id("pseudonym"));
  b.blocked = TRY(o.boolean("blocked"));
  b.reason = TRY(o.string("reason"));
  if (b.reason.size() > limits::sync_message_bytes_max) {
    return o.error(ErrorCode::limit_exceeded, "reason",
                   "is longer than " + std::to_string(limits::sync_message_bytes_max) + " bytes");
  }
  if (!b.blocked && !b.reason.empty()) {
    return o.error(ErrorCode::invalid_argument, "reason", "must be \"\" for an unblock");
  }
  return DownlinkBody(std::move(b));
}

void write(json::Writer& w, const CustomerItem& c) {
  w.key("pseudonym");
  w.value(c.pseudonym);
  w.key("balance_points");
  w.value(c.balance_points);
  w.key("as_of_seq");
  w.value(c.as_of_seq);
  w.key("expires_at");
  if (c.expires_at) {
    write_time(w, *c.expires_at);
  } else {
    w.null();
  }
  w.key("tier");
  if (c.tier) {
    w.value(*c.tier);
  } else {
    w.null();
  }
  w.key("flagged");
  w.value(c.flagged);
  w.key("review_at");
  if (c.review_at) {
    write_time(w, *c.review_at);
  } else {
    w.null();
  }
  w.key("period_spend");
  w.value(c.period_spend);
  w.key("period_points");
  w.value(c.period_points);
}

Result<DownlinkBody> read_customer(const WireObject& o) {
  CustomerItem c;
  c.pseudonym = TRY(o.id("pseudonym"));
  c.balance_points = TRY(o.integer("balance_points", -limits::points_max, limits::points_max));
  c.as_of_seq = TRY(o.integer("as_of_seq", 0, int64_max));
  if (!o.get("expires_at").is_null()) c.expires_at = TRY(o.timestamp("expires_at"));
  if (!o.get("tier").is_null()) c.tier = TRY(o.id("tier"));
  c.flagged = TRY(o.boolean("flagged"));
  if (o.has("review_at") && !o.get("review_at").is_null()) {
    c.review_at = TRY(o.timestamp("review_at"));
  }
  if (o.has("period_spend")) {
    c.period_spend = TRY(o.integer("period_spend", 0, limits::amount_minor_max));
  }
  if (o.has("period_points")) {
    c.period_points = TRY(o.integer("period_points", 0, limits::points_max));
  }
  return DownlinkBody(std::move(c));
}

void write(json::Writer& w, const EraseItem& e) {
  w.key("pseudonym");
  w.value(e.pseudonym);
}

Result<DownlinkBody> read_erase(const WireObject& o) {
  EraseItem e;
  e.pseudonym = TRY(o.id("pseudonym"));
  return DownlinkBody(std::move(e));
}

void write(json::Writer& w, const KeysItem& k) {
  w.key("pseudonym_key_id");
  w.value(k.pseudonym_key_id);
  w.key("pseudonym_key_hex");
  w.value(k.pseudonym_key_hex);
  w.key("app_token_keys");
  w.begin_array();
  for (const KeysItem::AppTokenKey& key : k.app_token_keys) {
    w.begin_object();
    w.key("key_id");
    w.value(key.key_id);
    w.key("key_hex");
    w.value(key.key_hex);
    w.end_object();
  }
  w.end_array();
}

// An app-token HMAC key: an id of at most limits::token_key_id_bytes_max bytes and
// 16..limits::hmac_key_bytes_max bytes as lowercase hex.
Result<KeysItem::AppTokenKey> read_app_token_key(const json::Value& value, std::string where) {
  const WireObject o = TRY(WireObject::open(value, std::move(where), app_token_key_members));
  KeysItem::AppTokenKey key;
  key.key_id = TRY(o.id("key_id"));
  if (key.key_id.size() > limits::token_key_id_bytes_max) {
    return o.error(ErrorCode::invalid_argument, "key_id",
                   "must be at most " + std::to_string(limits::token_key_id_bytes_max) + " bytes");
  }
  key.key_hex = TRY(o.string("key_hex"));
  const std::size_t digits = key.key_hex.size();
  if (digits % 2 != 0 || digits < 32 || digits > 2 * limits::hmac_key_bytes_max ||
      !is_lower_hex(key.key_hex, digits)) {
    return o.error(ErrorCode::invalid_argument, "key_hex",
                   "must be 16 to " + std::to_string(limits::hmac_key_bytes_max) +
                       " bytes as lowercase hex digits (an even count)");
  }
  return key;
}

Result<DownlinkBody> read_keys(const WireObject& o) {
  KeysItem k;
  k.pseudonym_key_id = TRY(o.id("pseudonym_key_id"));
  k.pseudonym_key_hex = TRY(o.hex("pseudonym_key_hex", 64));
  const std::vector<json::Value>* keys = TRY(o.array("app_token_keys", limits::token_keys_max));
  for (std::size_t i = 0; i < keys->size(); ++i) {
    k.app_token_keys.push_back(TRY(
        read_app_token_key((*keys)[i], o.where() + ": app_token_keys[" + std::to_string(i) + "]")));
  }
  return DownlinkBody(std::move(k));
}

}  // namespace

std::span<const std::string_view> body_members(std::string_view kind) {
  if (kind == "bundle") return bundle_members;
  if (kind == "signing_key") return signing_key_members;
  if (kind == "block") return block_members;
  if (kind == "customer") return customer_members;
  if (kind == "erase") return erase_members;
  if (kind == "keys") return keys_members;
  return {};
}

std::span<const std::string_view> body_optional_members(std::string_view kind) {
  if (kind == "customer") return customer_optional_members;
  return {};
}

void write_body(json::Writer& writer, const DownlinkBody& body) {
  std::visit([&writer](const auto& item) { write(writer, item); }, body);
}

Result<DownlinkBody> read_body(const WireObject& item, std::string_view kind) {
  if (kind == "bundle") return read_bundle(item);
  if (kind == "signing_key") return read_signing_key(item);
  if (kind == "block") return read_block(item);
  if (kind == "customer") return read_customer(item);
  if (kind == "erase") return read_erase(item);
  LOYALTY_ASSERT(kind == "keys");
  return read_keys(item);
}

}  // namespace wire
}  // namespace loyalty::sync
