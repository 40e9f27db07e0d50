// The uplink: a batch of a terminal's ledger events [from_seq, to_seq], and HQ's answer.
//
// A batch is one JSON document (docs/sync.md, "Uplink") compressed with zstd. The events are the
// ledger's rows exactly as stored (storage/events.h), so HQ recomputes every payload_hash with
// storage::event_hash_input and checks every link; `prev_hash` is the payload_hash of event
// from_seq - 1 ('' when from_seq is 1). Decoding is strict: unknown members, a gap or a reorder
// in seq, a link that does not match, more than limits::sync_batch_events_max events or more
// bytes than the limits allow are refused with an error naming what is wrong.
//
// All functions are pure (no I/O) and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::sync {

// One ledger event as shipped. Hashes are 64 lowercase hex digits.
struct WireEvent {
  std::int64_t seq = 0;
  std::string kind;
  std::string receipt_id;  // "" when not about a receipt
  std::string payload;     // the event's JSON text, byte for byte as stored
  std::string payload_hash;
  std::string prev_hash;
  Timestamp created_at;
  std::string annex;  // the ledger annex's JSON text ("" when the event has none)
  bool operator==(const WireEvent&) const = default;
};

struct Batch {
  std::string store_id;
  std::string terminal_id;
  std::string epoch;          // the ledger's epoch, 16 lowercase hex digits
  std::int64_t from_seq = 0;  // >= 1
  std::int64_t to_seq = 0;    // >= from_seq; to_seq - from_seq + 1 == events.size()
  std::string prev_hash;      // payload_hash of event from_seq - 1; '' when from_seq == 1
  std::vector<WireEvent> events;
  bool operator==(const Batch&) const = default;
};

// What HQ answers to a batch (and to GET /v1/uplink/state).
enum class AckStatus {
  accepted,     // stored; held_seq says how far HQ holds this terminal's chain
  quarantined,  // HQ keeps what arrived but applies nothing until an operator releases it
};
const char* ack_status_name(AckStatus status);

struct Ack {
  AckStatus status = AckStatus::accepted;
  std::string terminal_id;
  std::string epoch;          // the epoch HQ holds for the terminal ('' when it holds none)
  std::int64_t held_seq = 0;  // the highest seq HQ holds with every seq before it (0: none)
  std::string held_hash;      // payload_hash of held_seq ('' when held_seq is 0)
  std::string message;        // why, for a quarantine; '' otherwise
  bool operator==(const Ack&) const = default;
};

// JSON text of a batch (not compressed), and back. decode_batch_json checks the structure: ids
// of 1..limits::sync_id_bytes_max bytes, a 16-hex-digit epoch, seq numbering, every event's
// prev_hash equal to the previous event's payload_hash and the first one equal to the batch's
// prev_hash. It does not recompute payload hashes (that needs the terminal id: see
// verify_batch_hashes).
std::string encode_batch_json(const Batch& batch);
Result<Batch> decode_batch_json(std::string_view json);

// Recomputes every event's payload_hash from its fields (storage::event_hash_input) and fails
// with conflict naming the first event whose hash does not match.
Status verify_batch_hashes(const Batch& batch);

// The wire form: encode_batch_json compressed with zstd; decode_batch decompresses with the
// limits above (a zstd bomb is refused before it is inflated) and decodes.
std::string encode_batch(const Batch& batch);
Result<Batch> decode_batch(std::string_view compressed);

std::string encode_ack_json(const Ack& ack);
Result<Ack> decode_ack_json(std::string_view json);

}  // namespace loyalty::sync
