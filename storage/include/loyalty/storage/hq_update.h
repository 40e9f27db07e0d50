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
#include "loyalty/storage/pseudonyms.h"

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

// Sync's items name customers by pseudonym (pseudonyms.h): HQ holds no card numbers.

// A card HQ blocked (or unblocked, reason ""), by pseudonym. Checkout refuses redemption for a
// card whose pseudonym is listed, as for the card blocklist.
struct HqPseudonymBlock {
  std::string pseudonym;
  std::string reason;  // "" to unblock
};

// HQ's tier and tier-period counters of a customer, every store's events counted.
struct HqTierPeriod {
  std::string tier;  // "" = the entry tier; 0..limits::id_bytes_max bytes
  std::optional<Timestamp> review_at;
  std::int64_t period_spend = 0;   // 0..limits::amount_minor_max (what a cache row may hold)
  std::int64_t period_points = 0;  // 0..limits::points_max
  bool operator==(const HqTierPeriod&) const = default;
};

// HQ's view of a customer's points: the net position (balance minus what the customer owes)
// counting this terminal's events up to `as_of_seq`. The terminal adds what it wrote after
// as_of_seq (HQ's own "hq:" transfers aside) and books the difference as a correction (source
// "hq:sync:<update id>"), so that its view is HQ's plus what HQ has not seen yet. A pseudonym this
// terminal does not know is skipped.
//
// `tier`: HQ's tier period, taken into the card's cache row unless the terminal wrote a checkout
// or refund of the card after as_of_seq (its own row is then newer than HQ's view) or holds no
// row for it: its review, its counters (in the same period never below the row's), and its tier
// when a later period started elsewhere or it ranks above the row's (HqUpdate::tier_order).
struct HqBalance {
  std::string pseudonym;
  std::int64_t net_points = 0;  // may be negative: an overdraft
  std::int64_t as_of_seq = 0;
  std::optional<Timestamp> expires_at;  // the lot of a grant expires then (nullopt: never)
  std::optional<HqTierPeriod> tier;
};

// A rule bundle HQ delivered; sync checked its signature and that core loads it. Refused
// (conflict) when the ledger holds a newer version of the program, or this version with other
// content.
struct HqBundle {
  std::string program_id;
  std::int64_t version = 0;
  Timestamp effective_from;
  std::string key_id;
  std::string bundle_json;
};

// A key HQ delivered, kept in the ledger so it survives a restart: a public key that signs rule
// bundles (sync checked its signature by a key already trusted), or an app-token HMAC key.
// `material`: the public key's PEM, or the HMAC key as 64 hex digits. A key id already held with
// other material is refused (conflict): a key id names one key forever.
struct HqDeliveredKey {
  enum class Use { bundle_signing, app_token };
  Use use = Use::bundle_signing;
  std::string key_id;
  std::string material;
};

struct HqUpdate {
  std::string update_id;  // 1..limits::ledger_text_bytes_max bytes
  std::vector<HqCustomer> customers;
  std::vector<HqBlock> block;
  std::vector<std::string> unblock;
  std::vector<std::string> erase;
  std::vector<HqCorrection> corrections;
  // From sync's downlink (docs/sync.md, "Downlink").
  std::optional<PseudonymKey> pseudonym_key;
  std::vector<HqPseudonymBlock> pseudonym_blocks;
  std::vector<std::string> erase_pseudonyms;
  std::vector<HqBalance> balances;
  std::vector<HqBundle> bundles;
  std::vector<HqDeliveredKey> keys;
  // The downlink version this update brings the terminal to, recorded with it; it must be above
  // the one recorded (conflict otherwise). nullopt: not from the downlink.
  std::optional<std::int64_t> downlink_version;
  // The tier ids of the program the till runs, lowest first, which rank HQ's tiers (HqBalance);
  // empty: those of the program the ledger stored last. Not part of the update's identity.
  std::vector<std::string> tier_order;
};

struct HqUpdateResult {
  std::string update_id;
  // The "hq_update" event's payload: what was applied, by count and correction id (no card
  // numbers: events are immutable and an erasure could not reach them).
  std::string summary_json;
  // 0 when the update changed nothing but the downlink version (balances and tiers the terminal
  // already held): no event is written and the update id is not recorded.
  std::int64_t event_seq = 0;
  bool replayed = false;
};

// Applies `update`, then runs every check of Ledger::check() in the same transaction; any problem
// rolls everything back and fails with conflict naming the problems. Fails with invalid_argument
// for bad ids, amounts or more than limits::hq_update_items_max items, conflict for an update id
// already used with other content. Erasing a card this terminal never saw is not an error.
Result<HqUpdateResult> apply_hq_update(Ledger& ledger, const HqUpdate& update, Timestamp at);

// The last downlink version applied (0 when none).
Result<std::int64_t> applied_downlink_version(Ledger& ledger);

// The keys HQ delivered for `use`, by key id.
Result<std::vector<HqDeliveredKey>> delivered_keys(Ledger& ledger, HqDeliveredKey::Use use);

// The newest bundle HQ delivered for `program_id` ("" for any program) whose effective_from is
// at or before `at`; nullopt when none.
Result<std::optional<HqBundle>> effective_bundle(Ledger& ledger, std::string_view program_id,
                                                 Timestamp at);
// The soonest effective_from after `at` among the bundles HQ delivered; nullopt when none.
Result<std::optional<Timestamp>> next_effective_from(Ledger& ledger, Timestamp at);

}  // namespace loyalty::storage
