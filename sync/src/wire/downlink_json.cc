// The downlink answer as JSON (downlink.h), and its zstd wire form.
//
// Wire form (docs/sync.md, "Downlink"), one compact JSON object, every member required
// but the three the customer item marks optional:
//
//   {"format":"loyalty-downlink-v1",
//    "after":4,                          the version the terminal asked after, >= 0
//    "latest":9,                         HQ's latest version for the terminal, >= after
//    "items":[                           at most limits::sync_downlink_items_max; versions
//      {"version":5,                     strictly increasing, after < version <= latest
//       "store_id":"" | "s-1",           "" for the whole chain
//       "published_at":"2026-01-01T00:00:00Z",
//       "kind":"bundle" | "signing_key" | "block" | "customer" | "erase" | "keys",
//       ...the members of the kind:
//       bundle:      "key_id", "program_id" (ids), "program_version" (>= 1),
//                    "effective_from" (ISO 8601), "program" (the bundle's JSON text as a JSON
//                    string, byte for byte), "signature" (base64 of 64 bytes)
//       signing_key: "key_id", "public_pem" (SPKI PEM text), "signer_key_id", "signature"
//       block:       "pseudonym", "blocked" (true/false), "reason" ("" for an unblock)
//       customer:    "pseudonym", "balance_points" (|n| <= limits::points_max), "as_of_seq"
//                    (>= 0), "expires_at" (ISO 8601 or null), "tier" (id or null), "flagged",
//                    and, optional (an HQ before the tier period sends none; absent reads as
//                    no tier period): "review_at" (ISO 8601 or null), "period_spend"
//                    (0..limits::amount_minor_max), "period_points" (0..limits::points_max)
//       erase:       "pseudonym"
//       keys:        "pseudonym_key_id", "pseudonym_key_hex" (64 lowercase hex),
//                    "app_token_keys": [{"key_id", "key_hex" (16..1024 bytes as lowercase hex)}]
//      }]}
//
// Ids and pseudonyms are 1..limits::sync_id_bytes_max bytes of [A-Za-z0-9._-]. Times are written
// in UTC (YYYY-MM-DDTHH:MM:SSZ); an offset is accepted when reading. No other member is allowed.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/sync/compression.h"
#include "loyalty/sync/downlink.h"
#include "wire/downlink_items.h"
#include "wire/wire_fields.h"

namespace loyalty::sync {
namespace {

constexpr std::string_view downlink_format = "loyalty-downlink-v1";
constexpr std::string_view downlink_members[] = {"format", "after", "latest", "items"};
constexpr std::string_view item_members[] = {"version", "store_id", "published_at", "kind"};
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

void write_item(json::Writer& w, const DownlinkItem& item) {
  w.begin_object();
  w.key("version");
  w.value(item.version);
  w.key("store_id");
  w.value(item.store_id);
  w.key("published_at");
  wire::write_time(w, item.published_at);
  w.key("kind");
  w.value(downlink_kind_name(item.body));
  wire::write_body(w, item.body);
  w.end_object();
}

// The item's kind, read before the rest because it decides which members are allowed.
Result<std::string> read_kind(const json::Value& value, const std::string& where) {
  if (!value.is_object()) {
    return make_error(ErrorCode::parse_error,
                      where + ": must be a JSON object, got " + json::kind_name(value.kind()));
  }
  const json::Value* kind = value.find("kind");
  if (kind == nullptr) {
    return make_error(ErrorCode::parse_error, where + ": member kind is missing");
  }
  if (!kind->is_string()) {
    return make_error(ErrorCode::parse_error,
                      where + ": kind must be a string, got " + json::kind_name(kind->kind()));
  }
  if (wire::body_members(kind->as_string()).empty()) {
    return make_error(ErrorCode::invalid_argument,
                      where +
                          ": kind must be one of: bundle, signing_key, block, customer, "
                          "erase, keys, got " +
                          wire::quoted(kind->as_string()));
  }
  return kind->as_string();
}

Result<DownlinkItem> read_item(const json::Value& value, const std::string& where) {
  const std::string kind = TRY(read_kind(value, where));
  std::vector<std::string_view> names(std::begin(item_members), std::end(item_members));
  for (std::string_view name : wire::body_members(kind)) names.push_back(name);
  const wire::WireObject o =
      TRY(wire::WireObject::open(value, where, names, wire::body_optional_members(kind)));
  DownlinkItem item;
  item.version = TRY(o.integer("version", 1, int64_max));
  item.store_id = TRY(o.id_or_empty("store_id"));
  item.published_at = TRY(o.timestamp("published_at"));
  item.body = TRY(wire::read_body(o, kind));
  return item;
}

// Reads the items in order: versions strictly increasing within (after, latest].
Status read_items(const wire::WireObject& o, Downlink& downlink) {
  const std::vector<json::Value>* items = TRY(o.array("items", limits::sync_downlink_items_max));
  downlink.items.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string where = "downlink: items[" + std::to_string(i) + "]";
    DownlinkItem item = TRY(read_item((*items)[i], where));
    const std::string named = where + " (version " + std::to_string(item.version) + ")";
    const std::int64_t floor = i == 0 ? downlink.after : downlink.items.back().version;
    if (item.version <= floor) {
      return make_error(ErrorCode::invalid_argument,
                        named + ": version must be greater than " +
                            (i == 0 ? "after (" + std::to_string(floor) + ")"
                                    : "the previous item's (" + std::to_string(floor) + ")"));
    }
    if (item.version > downlink.latest) {
      return make_error(ErrorCode::invalid_argument, named + ": version must be at most latest (" +
                                                         std::to_string(downlink.latest) + ")");
    }
    downlink.items.push_back(std::move(item));
  }
  return Status();
}

}  // namespace

std::string encode_downlink_json(const Downlink& downlink) {
  LOYALTY_ASSERT(downlink.items.size() <= limits::sync_downlink_items_max);
  json::Writer w;
  w.begin_object();
  w.key("format");
  w.value(downlink_format);
  w.key("after");
  w.value(downlink.after);
  w.key("latest");
  w.value(downlink.latest);
  w.key("items");
  w.begin_array();
  for (const DownlinkItem& item : downlink.items) write_item(w, item);
  w.end_array();
  w.end_object();
  return w.take();
}

Result<Downlink> decode_downlink_json(std::string_view json) {
  if (json.size() > limits::sync_downlink_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "downlink: " + std::to_string(json.size()) + " bytes, more than the " +
                          std::to_string(limits::sync_downlink_bytes_max) + " allowed");
  }
  const json::Value document =
      TRY(wire::parse_document(json, "downlink", wire::downlink_parse_limits()));
  const wire::WireObject o = TRY(wire::WireObject::open(document, "downlink", downlink_members));
  TRY(o.constant("format", downlink_format));
  Downlink downlink;
  downlink.after = TRY(o.integer("after", 0, int64_max));
  downlink.latest = TRY(o.integer("latest", 0, int64_max));
  if (downlink.latest < downlink.after) {
    return o.error(ErrorCode::invalid_argument, "latest",
                   "must be at least after (" + std::to_string(downlink.after) + "), got " +
                       std::to_string(downlink.latest));
  }
  TRY(read_items(o, downlink));
  return downlink;
}

std::string encode_downlink(const Downlink& downlink) {
  return zstd_compress(encode_downlink_json(downlink));
}

Result<Downlink> decode_downlink(std::string_view compressed) {
  if (compressed.size() > limits::sync_downlink_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "downlink: " + std::to_string(compressed.size()) +
                          " compressed bytes, more than the " +
                          std::to_string(limits::sync_downlink_bytes_max) + " allowed");
  }
  Result<std::string> json = zstd_decompress(compressed, limits::sync_downlink_bytes_max);
  if (!json.ok()) return make_error(json.error().code, "downlink: " + json.error().message);
  return decode_downlink_json(*json);
}

}  // namespace loyalty::sync
