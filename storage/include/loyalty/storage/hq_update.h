// apply_hq_update: what HQ sends a terminal when a sync runs, applied in ONE write transaction
// that checks every ledger invariant before it commits. Sync (issue 5) carries the update over the
// wire and calls this; docs/storage.md ("HQ updates") describes it.
//
// An update refreshes customers in the offline cache, changes the blocklist, carries out erasure
// orders and applies points corrections HQ decided (a double redemption at two offline stores
// takes points back, as an overdraft when the lots no longer hold them; a goodwill grant credits a
// lot). It is idempotent by update id like a receipt: the same update again returns the first
// result; another update under the same id is refused.
//
// Thread-safety: that of the Ledger (one thread at a time). Borrows the ledger for the call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage {

struct HqCustomer {
  CustomerState state;  // lots and counters ignored: the ledger keeps them
  Consent consent;
};

struct HqBlock {
  std::string customer_id;
  std::string reason;
};

// A points correction HQ decided for one card.
struct HqCorrection {
  std::string correction_id;  // HQ's id; the transfers' source is "hq:<correction_id>"
  std::string customer_id;
  Points points;                        // 1..limits::points_max
  bool grant = false;                   // true: credit a lot; false: take the points back
  std::optional<Timestamp> expires_at;  // a grant's lot expiry (nullopt: never)
};

struct HqUpdate {
  std::string update_id;  // 1..limits::ledger_text_bytes_max bytes
  std::vector<HqCustomer> customers;
  std::vector<HqBlock> block;
  std::vector<std::string> unblock;
  std::vector<std::string> erase;
  std::vector<HqCorrection> corrections;
};

struct HqUpdateResult {
  std::string update_id;
  // The "hq_update" event's payload: what was applied, by count and correction id (no card
  // numbers: events are immutable and an erasure could not reach them).
  std::string summary_json;
  std::int64_t event_seq = 0;
  bool replayed = false;
};

// Applies `update`, then runs every check of Ledger::check() in the same transaction; any problem
// rolls everything back and fails with conflict naming the problems. Fails with invalid_argument
// for bad ids, amounts or more than limits::hq_update_items_max items, conflict for an update id
// already used with other content. Erasing a card this terminal never saw is not an error.
Result<HqUpdateResult> apply_hq_update(Ledger& ledger, const HqUpdate& update, Timestamp at);

}  // namespace loyalty::storage
