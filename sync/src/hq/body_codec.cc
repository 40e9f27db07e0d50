// The stored form of a published downlink body: a small JSON object of its fields, private to the
// HQ store (the wire form is wire/'s business). Signatures are bytes, so they are stored as hex.
// The one large field (a bundle's program JSON, a key's PEM) is kept beside the JSON, in its own
// column, so it is not bound by the JSON parser's string limit.

#include <array>

#include "hq/internal.h"
#include "loyalty/core/json.h"

namespace loyalty::sync::hq {

namespace {

constexpr std::array<const char*, 6> kind_names = {"bundle",   "signing_key", "block",
                                                   "customer", "erase",       "keys"};

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

void optional_time(json::Writer& out, const std::optional<Timestamp>& at) {
  if (at) {
    out.value(at->unix_seconds);
  } else {
    out.null();
  }
}

void optional_text(json::Writer& out, const std::optional<std::string>& text) {
  if (text) {
    out.value(*text);
  } else {
    out.null();
  }
}

struct BodyWriter {
  json::Writer& out;
  std::string& large;
  void field(std::string_view key, std::string_view text) {
    out.key(key);
    out.value(text);
  }
  void operator()(const SignedBundle& b) {
    field("key_id", b.key_id);
    field("program_id", b.program_id);
    out.key("program_version");
    out.value(b.program_version);
    out.key("effective_from");
    out.value(b.effective_from.unix_seconds);
    large = b.program_json;
    field("signature", to_hex(b.signature));
  }
  void operator()(const SignedKey& k) {
    field("key_id", k.key.key_id);
    large = k.key.public_pem;
    field("signer_key_id", k.signer_key_id);
    field("signature", to_hex(k.signature));
  }
  void operator()(const BlockItem& b) {
    field("pseudonym", b.pseudonym);
    field("reason", b.reason);
    out.key("blocked");
    out.value(b.blocked);
  }
  void operator()(const CustomerItem& c) {
    field("pseudonym", c.pseudonym);
    out.key("balance_points");
    out.value(c.balance_points);
    out.key("as_of_seq");
    out.value(c.as_of_seq);
    out.key("expires_at");
    optional_time(out, c.expires_at);
    out.key("tier");
    optional_text(out, c.tier);
    out.key("flagged");
    out.value(c.flagged);
    out.key("review_at");
    optional_time(out, c.review_at);
    out.key("period_spend");
    out.value(c.period_spend);
    out.key("period_points");
    out.value(c.period_points);
  }
  void operator()(const EraseItem& e) { field("pseudonym", e.pseudonym); }
  void operator()(const KeysItem& k) {
    field("pseudonym_key_id", k.pseudonym_key_id);
    field("pseudonym_key_hex", k.pseudonym_key_hex);
    out.key("app_token_keys");
    out.begin_array();
    for (const KeysItem::AppTokenKey& key : k.app_token_keys) {
      out.begin_object();
      field("key_id", key.key_id);
      field("key_hex", key.key_hex);
      out.end_object();
    }
    out.end_array();
  }
};

// Readers of what encode_body wrote: a missing member reads as empty (the text is HQ's own).
std::string text(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_string() ? value->as_string() : std::string();
}
std::int64_t number(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_int() ? value->as_int() : 0;
}
bool flag(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && value->is_bool() && value->as_bool();
}
bool present(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  return value != nullptr && !value->is_null();
}

DownlinkBody decode_kind(std::size_t index, const json::Value& o, std::string_view large) {
  switch (index) {
    case 0:
      return SignedBundle{text(o, "key_id"),
                          text(o, "program_id"),
                          number(o, "program_version"),
                          Timestamp{number(o, "effective_from")},
                          std::string(large),
                          from_hex(text(o, "signature"))};
    case 1:
      return SignedKey{PublicKey{text(o, "key_id"), std::string(large)}, text(o, "signer_key_id"),
                       from_hex(text(o, "signature"))};
    case 2:
      return BlockItem{text(o, "pseudonym"), text(o, "reason"), flag(o, "blocked")};
    case 3: {
      CustomerItem item;
      item.pseudonym = text(o, "pseudonym");
      item.balance_points = number(o, "balance_points");
      item.as_of_seq = number(o, "as_of_seq");
      item.flagged = flag(o, "flagged");
      if (present(o, "expires_at")) item.expires_at = Timestamp{number(o, "expires_at")};
      if (present(o, "tier")) item.tier = text(o, "tier");
      if (present(o, "review_at")) item.review_at = Timestamp{number(o, "review_at")};
      item.period_spend = number(o, "period_spend");
      item.period_points = number(o, "period_points");
      return item;
    }
    case 4:
      return EraseItem{text(o, "pseudonym")};
    default: {
      KeysItem keys{text(o, "pseudonym_key_id"), text(o, "pseudonym_key_hex"), {}};
      const json::Value* list = o.find("app_token_keys");
      if (list != nullptr && list->is_array()) {
        for (const json::Value& key : list->as_array()) {
          keys.app_token_keys.push_back({text(key, "key_id"), text(key, "key_hex")});
        }
      }
      return keys;
    }
  }
}

}  // namespace

std::string body_kind(const DownlinkBody& body) { return kind_names.at(body.index()); }

std::string encode_body(const DownlinkBody& body, std::string& large) {
  json::Writer out;
  out.begin_object();
  large.clear();
  std::visit(BodyWriter{out, large}, body);
  out.end_object();
  return out.take();
}

Result<DownlinkBody> decode_body(std::string_view kind, std::string_view json_text,
                                 std::string_view large) {
  for (std::size_t index = 0; index < kind_names.size(); ++index) {
    if (kind != kind_names[index]) continue;
    json::Value parsed = TRY(json::parse(json_text));
    if (!parsed.is_object()) break;
    return decode_kind(index, parsed, large);
  }
  return make_error(ErrorCode::internal,
                    "stored downlink item of kind \"" + std::string(kind) + "\" is unreadable");
}

}  // namespace loyalty::sync::hq
