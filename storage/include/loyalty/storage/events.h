// The event chain: the terminal's append-only log of what happened, which sync ships to HQ.
//
// Events are numbered 1, 2, 3... without gaps (seq is max + 1 inside the caller's write
// transaction, whose lock serialises writers). Each event carries the SHA-256 of its canonical
// encoding (terminal id, epoch, seq, kind, receipt id, payload; see event_hash_input()) and the
// hash of the event before it, so HQ and Ledger::check() can tell a changed, removed or
// reordered event. docs/storage.md ("Event chain") gives the encoding.
//
// append_event() writes inside the caller's write Transaction (from `ledger`); nothing is
// committed here. Functions borrow the ledger for the call only. Thread-safety: that of the
// Ledger (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage {

// One event as stored. Hashes are 64 lowercase hex digits ('' for the prev_hash of seq 1).
struct EventRow {
  std::int64_t seq = 0;
  std::string kind;
  std::string receipt_id;  // "" when the event is not about a receipt
  std::string payload;     // JSON text, as given
  std::string payload_hash;
  std::string prev_hash;
  Timestamp created_at;
  // What HQ needs to reconcile the event without personal data (docs/sync.md, "The ledger
  // annex"): a JSON object, or "" when the event has none (events of schema v4 and before).
  std::string annex;
  bool operator==(const EventRow&) const = default;
};

// Whether append_event parses the payload to prove it is one JSON document. `written_by_core`:
// the payload comes straight from core's JSON writer (quote_to_json, reversal_to_json), which
// writes nothing else, so parsing it again would only cost time on the checkout path.
enum class PayloadCheck { parse, written_by_core };

// Appends one event. `kind` is 1..limits::id_bytes_max bytes of [a-z0-9_.]; `receipt_id` at most
// limits::ledger_text_bytes_max bytes; `payload_json` one JSON document of at most
// limits::event_payload_bytes_max bytes. Fails with invalid_argument (naming what is wrong) or
// limit_exceeded (payload size).
// `annex_json`: "" for none, or one JSON object written by storage itself (not checked again).
Result<EventRow> append_event(Ledger& ledger, const Transaction& transaction, std::string_view kind,
                              std::string_view receipt_id, std::string_view payload_json,
                              Timestamp at, PayloadCheck check = PayloadCheck::parse,
                              std::string_view annex_json = {});

// Up to min(count_max, limits::events_since_batch_max) events with seq > after_seq, in order.
// Reads the committed state (or the caller's open transaction, on the same connection).
Result<std::vector<EventRow>> events_since(Ledger& ledger, std::int64_t after_seq,
                                           std::size_t count_max);

// The exact bytes hashed for an event: each field as a netstring ("<decimal byte length>:<bytes>,")
// in the order terminal_id, epoch (16 lowercase hex digits), seq (decimal), kind, receipt_id,
// payload, and then the annex when the event has one (a non-empty annex is a seventh netstring; an
// event without one hashes as before schema v5). Length prefixes make the encoding unambiguous
// whatever the fields contain.
std::string event_hash_input(std::string_view terminal_id, std::string_view epoch_hex,
                             std::int64_t seq, std::string_view kind, std::string_view receipt_id,
                             std::string_view payload, std::string_view annex = {});

// The seq of the last event (0 when there is none).
Result<std::int64_t> last_event_seq(Ledger& ledger);

// A ledger epoch as written in events and batches: 16 lowercase hex digits.
std::string epoch_hex(std::uint64_t epoch);

// SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL EVP_Digest).
std::string sha256_hex(std::string_view bytes);

}  // namespace loyalty::storage
