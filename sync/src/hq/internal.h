// Internals of the HqStore (hq_store.h) shared by its logic and its backends: the reading of
// event payloads, the in-memory projection of one pseudonym's accounts, the downlink bodies.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::hq {

// --- Event payloads (payload.cc) ---

struct MovementLot {
  Timestamp active_from;
  std::optional<Timestamp> expires_at;
};

// One points movement of an event's "ledger" annex that HQ mirrors.
struct Movement {
  std::string code;
  std::string debit;
  std::string credit;
  std::int64_t points = 0;
  std::optional<MovementLot> lot;
};

// Where an event sorts in the projection: (created_at, store, terminal, epoch, seq).
struct EventKey {
  Timestamp created_at;
  std::string store_id;
  std::string terminal_id;
  std::string epoch;
  std::int64_t seq = 0;
  auto operator<=>(const EventKey&) const = default;
  bool operator==(const EventKey&) const = default;
};

struct ParsedEvent {
  EventKey key;
  std::string kind;
  std::string receipt_id;
  std::optional<std::string> customer;    // the receipt's customer
  std::optional<std::string> tier_after;  // checkout: tier.after
  // The annex's "tier" (a customer's checkout or refund): what the event did to the customer's
  // tier-period counters at the terminal.
  struct TierReport {
    std::optional<Timestamp> review_at;
    bool period_reset = false;
    std::int64_t period_spend_delta = 0;
    std::int64_t period_points_delta = 0;
    // The terminal's totals after the event (nullopt in a report without them).
    std::optional<std::int64_t> period_spend;
    std::optional<std::int64_t> period_points;
  };
  std::optional<TierReport> tier_report;
  std::int64_t spend_minor = 0;
  std::vector<Movement> movements;  // mirrored ones only (points, no overdraft codes, no "hq:")
  std::string note;                 // why the event is a no-op; '' when it is applied
};

// Reads an event's payload. Never fails: what HQ cannot use becomes a no-op with a note.
ParsedEvent parse_event(EventKey key, std::string_view kind, std::string_view receipt_id,
                        std::string_view payload, std::string_view annex);

// "customer_points:<p>" and "company_points:<p>" -> p (floor-0 accounts at HQ); "" otherwise.
std::string floor_account_owner(std::string_view account);

// The pseudonyms an event concerns: its customer and the owners of floor accounts it moves.
std::vector<std::string> event_owners(const ParsedEvent& event);

// --- One pseudonym's projection (projection.cc) ---

struct Lot {
  std::int64_t lot_no = 0;
  std::string account;
  std::int64_t points = 0;
  std::int64_t remaining = 0;
  Timestamp active_from;
  std::optional<Timestamp> expires_at;
};

struct NewEntry {
  std::string debit;
  std::string credit;
  std::int64_t points = 0;
  std::string code;
  Timestamp at;
  EventKey event;  // store/terminal empty and seq 0 for HQ's own entries (expiry)
  std::string receipt_id;
};

// Everything HQ derives for one pseudonym. Invariant: each floor account's balance is the sum of
// its open lots' remaining points, and owed > 0 only when every floor account is at 0.
struct OwnerState {
  std::string pseudonym;
  std::vector<Lot> lots;  // open lots (remaining > 0)
  std::int64_t owed_points = 0;
  std::optional<std::string> tier;
  std::optional<Timestamp> review_at;  // the tier period's end, as the latest event reported
  std::optional<EventKey> tier_from;   // the event whose report set `tier`
  std::int64_t period_spend = 0;       // the tier period's counters, every store's events
  std::int64_t period_points = 0;
  std::int64_t receipts = 0;
  std::int64_t spend_minor = 0;
  bool flagged = false;
  std::optional<Timestamp> flagged_at;
  std::optional<Timestamp> cleared_at;
  std::int64_t next_lot_no = 1;
  std::optional<EventKey> last;
  std::optional<Timestamp> swept_through;
  std::int64_t state_version = 0;

  std::int64_t balance_points() const;
  std::optional<Timestamp> soonest_expiry() const;
};

// Applies `event` to `state` (expiring what is due before it first), appending the entries
// written to `out`. Only the movement sides on `state.pseudonym`'s accounts change the state; a
// movement's entry is written by the owner of its debit side (or of its credit side when the
// debit side is no floor account).
void project_event(OwnerState& state, const ParsedEvent& event, std::vector<NewEntry>& out);
// Expires the lots due by `at` (apply(now)'s sweep).
void sweep_expired(OwnerState& state, Timestamp at, std::vector<NewEntry>& out);

// --- Downlink bodies (body_codec.cc) ---

std::string body_kind(const DownlinkBody& body);
// The body's fields as JSON; its one large text field (program JSON, PEM) goes to `large`.
std::string encode_body(const DownlinkBody& body, std::string& large);
Result<DownlinkBody> decode_body(std::string_view kind, std::string_view json,
                                 std::string_view large);

}  // namespace loyalty::sync::hq
