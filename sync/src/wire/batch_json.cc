// The uplink batch as JSON (batch.h), and its zstd wire form.
//
// Wire form (docs/sync.md, "Uplink"), one compact JSON object, members in this order:
//
//   {"format":"loyalty-batch-v1",
//    "store_id":"s-1",                  1..64 bytes of [A-Za-z0-9._-]
//    "terminal_id":"t-1",               the same
//    "epoch":"0123456789abcdef",        16 lowercase hex digits
//    "from_seq":1,"to_seq":2,           1 <= from_seq <= to_seq; to_seq - from_seq + 1 events,
//                                       at most limits::sync_batch_events_max
//    "prev_hash":"",                    payload_hash of from_seq - 1; "" exactly when from_seq is 1
//    "events":[
//      {"seq":1,                        from_seq, from_seq + 1, ... without gaps
//       "kind":"earn",                  1..limits::id_bytes_max bytes of [a-z0-9_.]
//       "receipt_id":"r-1" | null,      null when the event is not about a receipt (never "")
//       "payload":"{\"points\":5}",     the event's JSON text as a JSON string, byte for byte
//       "payload_hash":"<64 hex>",      SHA-256 of storage::event_hash_input
//       "prev_hash":"<64 hex>" | "",    the payload_hash of the event before ("" for seq 1)
//       "created_at":1767225600,        Unix seconds, >= 0
//       "annex":"{...}" | null}         the ledger annex's JSON text (storage/events.h), null
//                                       when the event has none; part of the hash when present
//    ]}
//
// Every member is required and no other is allowed. The hashes are checked for form and links
// here; verify_batch_hashes recomputes them.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/compression.h"
#include "wire/wire_fields.h"

namespace loyalty::sync {
namespace {

constexpr std::string_view batch_format = "loyalty-batch-v1";
constexpr std::string_view batch_members[] = {"format",   "store_id", "terminal_id", "epoch",
                                              "from_seq", "to_seq",   "prev_hash",   "events"};
constexpr std::string_view event_members[] = {"seq",          "kind",      "receipt_id", "payload",
                                              "payload_hash", "prev_hash", "created_at", "annex"};
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t hash_digits = 64;
constexpr std::size_t epoch_digits = 16;

void write_event(json::Writer& w, const WireEvent& event) {
  w.begin_object();
  w.key("seq");
  w.value(event.seq);
  w.key("kind");
  w.value(event.kind);
  w.key("receipt_id");
  if (event.receipt_id.empty()) {
    w.null();
  } else {
    w.value(event.receipt_id);
  }
  w.key("payload");
  w.value(event.payload);
  w.key("payload_hash");
  w.value(event.payload_hash);
  w.key("prev_hash");
  w.value(event.prev_hash);
  w.key("created_at");
  w.value(event.created_at.unix_seconds);
  w.key("annex");
  if (event.annex.empty()) {
    w.null();
  } else {
    w.value(event.annex);
  }
  w.end_object();
}

bool is_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > limits::id_bytes_max) return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return true;
}

// One event's members, read and checked for form; the seq and the links are checked by the
// caller, which knows the neighbours.
Result<WireEvent> read_event(const json::Value& value, const std::string& where) {
  wire::WireObject o = TRY(wire::WireObject::open(value, where, event_members));
  WireEvent event;
  event.seq = TRY(o.integer("seq", 1, int64_max));
  event.kind = TRY(o.string("kind"));
  if (!is_kind(event.kind)) {
    return o.error(ErrorCode::invalid_argument, "kind",
                   "must be 1 to " + std::to_string(limits::id_bytes_max) +
                       " bytes of a-z, 0-9, '_' and '.', got " + wire::quoted(event.kind));
  }
  event.receipt_id = TRY(o.string_or_null("receipt_id"));
  if (event.receipt_id.size() > limits::ledger_text_bytes_max) {
    return o.error(ErrorCode::limit_exceeded, "receipt_id",
                   "is longer than " + std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  event.payload = TRY(o.string("payload"));
  if (event.payload.empty()) {
    return o.error(ErrorCode::invalid_argument, "payload",
                   "must be the event's JSON text, got \"\"");
  }
  if (event.payload.size() > limits::event_payload_bytes_max) {
    return o.error(ErrorCode::limit_exceeded, "payload",
                   "is longer than " + std::to_string(limits::event_payload_bytes_max) + " bytes");
  }
  event.payload_hash = TRY(o.hex("payload_hash", hash_digits));
  event.prev_hash = TRY(o.hex_or_empty("prev_hash", hash_digits));
  event.created_at.unix_seconds = TRY(o.integer("created_at", 0, int64_max));
  event.annex = TRY(o.string_or_null("annex"));
  if (event.annex.size() > limits::event_payload_bytes_max) {
    return o.error(ErrorCode::limit_exceeded, "annex",
                   "is longer than " + std::to_string(limits::event_payload_bytes_max) + " bytes");
  }
  return event;
}

std::string event_where(std::size_t index, std::int64_t seq) {
  return "batch: events[" + std::to_string(index) + "] (seq " + std::to_string(seq) + ")";
}

// The header members: ids, epoch, the seq range and the batch's prev_hash.
Status read_header(const wire::WireObject& o, Batch& batch) {
  TRY(o.constant("format", batch_format));
  batch.store_id = TRY(o.id("store_id"));
  batch.terminal_id = TRY(o.id("terminal_id"));
  batch.epoch = TRY(o.hex("epoch", epoch_digits));
  batch.from_seq = TRY(o.integer("from_seq", 1, int64_max));
  batch.to_seq = TRY(o.integer("to_seq", 1, int64_max));
  if (batch.to_seq < batch.from_seq) {
    return o.error(ErrorCode::invalid_argument, "to_seq",
                   "must be at least from_seq (" + std::to_string(batch.from_seq) + "), got " +
                       std::to_string(batch.to_seq));
  }
  if (static_cast<std::uint64_t>(batch.to_seq - batch.from_seq) >= limits::sync_batch_events_max) {
    return o.error(ErrorCode::limit_exceeded, "to_seq",
                   "spans more than " + std::to_string(limits::sync_batch_events_max) +
                       " events: send at most that many per batch");
  }
  batch.prev_hash = TRY(o.hex_or_empty("prev_hash", hash_digits));
  if (batch.from_seq == 1 && !batch.prev_hash.empty()) {
    return o.error(ErrorCode::invalid_argument, "prev_hash", "must be \"\" when from_seq is 1");
  }
  if (batch.from_seq > 1 && batch.prev_hash.empty()) {
    return o.error(ErrorCode::invalid_argument, "prev_hash",
                   "must be the payload_hash of seq " + std::to_string(batch.from_seq - 1) +
                       " when from_seq is " + std::to_string(batch.from_seq) + ", got \"\"");
  }
  return Status();
}

// Reads the events in order, checking seq numbering and every link.
Status read_events(const wire::WireObject& o, Batch& batch) {
  const std::vector<json::Value>* items = TRY(o.array("events", limits::sync_batch_events_max));
  const auto expected = static_cast<std::size_t>(batch.to_seq - batch.from_seq + 1);
  if (items->size() != expected) {
    return o.error(ErrorCode::invalid_argument, "events",
                   "has " + std::to_string(items->size()) + " events, but from_seq " +
                       std::to_string(batch.from_seq) + " to to_seq " +
                       std::to_string(batch.to_seq) + " needs " + std::to_string(expected));
  }
  batch.events.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::int64_t seq = batch.from_seq + static_cast<std::int64_t>(i);
    WireEvent event = TRY(read_event((*items)[i], event_where(i, seq)));
    const std::string where = event_where(i, event.seq);
    if (event.seq != seq) {
      return make_error(ErrorCode::invalid_argument,
                        where + ": seq must be " + std::to_string(seq) +
                            " (seqs run from from_seq without gaps or reordering)");
    }
    const std::string& link = i == 0 ? batch.prev_hash : batch.events.back().payload_hash;
    if (event.prev_hash != link) {
      return make_error(ErrorCode::conflict,
                        where + ": prev_hash does not match " +
                            (i == 0 ? std::string("the batch's prev_hash")
                                    : "the payload_hash of seq " + std::to_string(seq - 1)));
    }
    batch.events.push_back(std::move(event));
  }
  return Status();
}

}  // namespace

std::string encode_batch_json(const Batch& batch) {
  LOYALTY_ASSERT(batch.events.size() <= limits::sync_batch_events_max);
  json::Writer w;
  w.begin_object();
  w.key("format");
  w.value(batch_format);
  w.key("store_id");
  w.value(batch.store_id);
  w.key("terminal_id");
  w.value(batch.terminal_id);
  w.key("epoch");
  w.value(batch.epoch);
  w.key("from_seq");
  w.value(batch.from_seq);
  w.key("to_seq");
  w.value(batch.to_seq);
  w.key("prev_hash");
  w.value(batch.prev_hash);
  w.key("events");
  w.begin_array();
  for (const WireEvent& event : batch.events) write_event(w, event);
  w.end_array();
  w.end_object();
  return w.take();
}

Result<Batch> decode_batch_json(std::string_view json) {
  if (json.size() > limits::sync_batch_bytes_max) {
    return make_error(ErrorCode::limit_exceeded, "batch: " + std::to_string(json.size()) +
                                                     " bytes, more than the " +
                                                     std::to_string(limits::sync_batch_bytes_max) +
                                                     " allowed: send fewer events per batch");
  }
  const json::Value document = TRY(wire::parse_document(json, "batch", wire::batch_parse_limits()));
  const wire::WireObject o = TRY(wire::WireObject::open(document, "batch", batch_members));
  Batch batch;
  TRY(read_header(o, batch));
  TRY(read_events(o, batch));
  LOYALTY_ASSERT(batch.events.size() ==
                 static_cast<std::size_t>(batch.to_seq - batch.from_seq + 1));
  return batch;
}

Status verify_batch_hashes(const Batch& batch) {
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const WireEvent& e = batch.events[i];
    const std::string hash = storage::sha256_hex(storage::event_hash_input(
        batch.terminal_id, batch.epoch, e.seq, e.kind, e.receipt_id, e.payload, e.annex));
    if (hash != e.payload_hash) {
      return make_error(ErrorCode::conflict,
                        event_where(i, e.seq) +
                            ": payload_hash does not match the event's content (recomputed " +
                            hash + "): the event was changed after it was hashed");
    }
  }
  return Status();
}

std::string encode_batch(const Batch& batch) { return zstd_compress(encode_batch_json(batch)); }

Result<Batch> decode_batch(std::string_view compressed) {
  if (compressed.size() > limits::sync_batch_compressed_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "batch: " + std::to_string(compressed.size()) +
                          " compressed bytes, more than the " +
                          std::to_string(limits::sync_batch_compressed_bytes_max) +
                          " allowed: send fewer events per batch");
  }
  Result<std::string> json = zstd_decompress(compressed, limits::sync_batch_bytes_max);
  if (!json.ok()) {
    return make_error(json.error().code, "batch: " + json.error().message);
  }
  return decode_batch_json(*json);
}

}  // namespace loyalty::sync
