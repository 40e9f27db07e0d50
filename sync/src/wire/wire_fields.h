// Strict reading of the sync documents (batch, ack, downlink): an object whose members are all
// known and all present, typed member readers, and the checks of ids, hashes and epochs that the
// three documents share. Private to sync/src/wire.
//
// Every error message reads "<where>: <member> <reason>", where `where` names the document and
// the item ("batch: events[3] (seq 17)"), so the sender can find what to fix. Missing members,
// unknown members and wrong JSON types are parse_error; wrong values are invalid_argument;
// sizes past a limit are limit_exceeded.
//
// Thread-safety: a WireObject borrows the json::Value it reads (which must outlive it) and is
// otherwise a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::sync::wire {

// Parses `text` as one JSON document (core's parser), prefixing its errors with `where`.
Result<json::Value> parse_document(std::string_view text, std::string_view where,
                                   const json::ParseLimits& limits = {});
// The bounds of a batch (event payloads and annexes up to limits::event_payload_bytes_max as
// strings) and of a downlink answer (rule bundles up to limits::json_bytes_max as strings).
json::ParseLimits batch_parse_limits();
json::ParseLimits downlink_parse_limits();

class WireObject {
 public:
  // Fails with parse_error when `value` is not an object, has a member not in `names` or
  // `optional`, or lacks one of `names`. The spans must outlive the WireObject.
  static Result<WireObject> open(const json::Value& value, std::string where,
                                 std::span<const std::string_view> names,
                                 std::span<const std::string_view> optional = {});

  const std::string& where() const { return where_; }
  Error error(ErrorCode code, std::string_view member, std::string_view reason) const;

  // The member's value; the member is present (open() checked it, or has() said so).
  const json::Value& get(std::string_view member) const;
  bool has(std::string_view member) const;
  Result<std::string> string(std::string_view member) const;
  // A string, or "" for null.
  Result<std::string> string_or_null(std::string_view member) const;
  Result<std::int64_t> integer(std::string_view member, std::int64_t min, std::int64_t max) const;
  Result<bool> boolean(std::string_view member) const;
  Result<const std::vector<json::Value>*> array(std::string_view member,
                                                std::size_t items_max) const;
  // An ISO 8601 UTC time (core's parse_timestamp).
  Result<Timestamp> timestamp(std::string_view member) const;

  // A string member checked by one of the rules below.
  Result<std::string> id(std::string_view member) const;           // is_wire_id
  Result<std::string> id_or_empty(std::string_view member) const;  // is_wire_id or ""
  Result<std::string> hex(std::string_view member, std::size_t digits) const;
  Result<std::string> hex_or_empty(std::string_view member, std::size_t digits) const;
  // The string must equal `expected` ("format": "loyalty-batch-v1").
  Status constant(std::string_view member, std::string_view expected) const;

 private:
  WireObject(const json::Value* value, std::string where)
      : value_(value), where_(std::move(where)) {}
  const json::Value* value_;
  std::string where_;
};

// 1..limits::sync_id_bytes_max bytes of [A-Za-z0-9._-].
bool is_wire_id(std::string_view text);
// Exactly `digits` lowercase hex digits.
bool is_lower_hex(std::string_view text, std::size_t digits);
// `text` quoted for a message, cut after 64 bytes with "...".
std::string quoted(std::string_view text);

// Writes a time as ISO 8601 UTC (format_timestamp).
void write_time(json::Writer& writer, Timestamp at);

}  // namespace loyalty::sync::wire
