// HQ's answer to a batch (batch.h, Ack) as JSON.
//
// Wire form (docs/sync.md, "Uplink"), one compact JSON object, every member required:
//
//   {"format":"loyalty-ack-v1",
//    "status":"accepted" | "quarantined",
//    "terminal_id":"t-1",              1..64 bytes of [A-Za-z0-9._-]
//    "epoch":"0123456789abcdef" | "",  the epoch HQ holds for the terminal; "" when none
//    "held_seq":17,                    >= 0; 0 when HQ holds nothing (and always when epoch is "")
//    "held_hash":"<64 hex>" | "",      payload_hash of held_seq; "" exactly when held_seq is 0
//    "message":"..."}                  why, for a quarantine ("" otherwise); at most
//                                      limits::sync_message_bytes_max bytes

#include <cstdint>
#include <limits>
#include <string>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/sync/batch.h"
#include "wire/wire_fields.h"

namespace loyalty::sync {
namespace {

constexpr std::string_view ack_format = "loyalty-ack-v1";
constexpr std::string_view ack_members[] = {"format",   "status",    "terminal_id", "epoch",
                                            "held_seq", "held_hash", "message"};

Result<AckStatus> read_status(const wire::WireObject& o) {
  const std::string name = TRY(o.string("status"));
  for (AckStatus status : {AckStatus::accepted, AckStatus::quarantined}) {
    if (name == ack_status_name(status)) return status;
  }
  return o.error(ErrorCode::invalid_argument, "status",
                 "must be \"accepted\" or \"quarantined\", got " + wire::quoted(name));
}

// The held position: epoch, held_seq and held_hash agree with each other.
Status read_held(const wire::WireObject& o, Ack& ack) {
  ack.epoch = TRY(o.hex_or_empty("epoch", 16));
  ack.held_seq = TRY(o.integer("held_seq", 0, std::numeric_limits<std::int64_t>::max()));
  ack.held_hash = TRY(o.hex_or_empty("held_hash", 64));
  if (ack.epoch.empty() && ack.held_seq != 0) {
    return o.error(
        ErrorCode::invalid_argument, "held_seq",
        "must be 0 when epoch is \"\" (HQ holds nothing), got " + std::to_string(ack.held_seq));
  }
  if ((ack.held_seq == 0) != ack.held_hash.empty()) {
    return o.error(ErrorCode::invalid_argument, "held_hash",
                   ack.held_seq == 0 ? "must be \"\" when held_seq is 0"
                                     : "must be the payload_hash of held_seq " +
                                           std::to_string(ack.held_seq) + ", got \"\"");
  }
  return Status();
}

}  // namespace

std::string encode_ack_json(const Ack& ack) {
  json::Writer w;
  w.begin_object();
  w.key("format");
  w.value(ack_format);
  w.key("status");
  w.value(ack_status_name(ack.status));
  w.key("terminal_id");
  w.value(ack.terminal_id);
  w.key("epoch");
  w.value(ack.epoch);
  w.key("held_seq");
  w.value(ack.held_seq);
  w.key("held_hash");
  w.value(ack.held_hash);
  w.key("message");
  w.value(ack.message);
  w.end_object();
  return w.take();
}

Result<Ack> decode_ack_json(std::string_view json) {
  if (json.size() > limits::json_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "ack: " + std::to_string(json.size()) + " bytes is not an ack");
  }
  const json::Value document = TRY(wire::parse_document(json, "ack"));
  const wire::WireObject o = TRY(wire::WireObject::open(document, "ack", ack_members));
  TRY(o.constant("format", ack_format));
  Ack ack;
  ack.status = TRY(read_status(o));
  ack.terminal_id = TRY(o.id("terminal_id"));
  TRY(read_held(o, ack));
  ack.message = TRY(o.string("message"));
  if (ack.message.size() > limits::sync_message_bytes_max) {
    return o.error(ErrorCode::limit_exceeded, "message",
                   "is longer than " + std::to_string(limits::sync_message_bytes_max) + " bytes");
  }
  return ack;
}

}  // namespace loyalty::sync
