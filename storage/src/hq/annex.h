// The ledger annex of an event: what HQ needs to reconcile it without personal data
// (docs/sync.md, "The ledger annex"). Internal to storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/customer.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage::hq_internal {

// The highest transfer id so far (0 for none): an event's movements are the transfers written
// after it in the event's transaction.
Result<std::int64_t> last_transfer_id(Ledger& ledger);

// The tier and the period counters of a customer's state.
struct TierCounters {
  std::string tier;  // "" = the entry tier
  std::optional<Timestamp> review_at;
  std::int64_t period_spend = 0;
  std::int64_t period_points = 0;
  bool operator==(const TierCounters&) const = default;
};

// What an event did to them: `before` is the state it applied to, `after` the cache row it wrote.
struct TierChange {
  TierCounters before;
  TierCounters after;
  bool period_reset = false;  // a review fell due in the event: the period restarted
};

TierCounters tier_counters(const CustomerState& state);

struct AnnexInput {
  std::int64_t transfers_after = 0;  // from last_transfer_id() before the event's writes
  std::string_view customer_id;      // "" when the event has no customer
  std::int64_t spend_minor = 0;      // checkout: the net spend; refund: minus the money refunded
  std::optional<TierChange> tier;    // a customer's checkout or refund
};

// The annex JSON object: {"key_id", "customer", "spend_minor", "movements": [...], and for a
// customer's checkout or refund "tier": {"after", "review_at", "period_reset",
// "period_spend_delta", "period_points_delta"}}. Posted transfers only (a hold is not a
// movement; its posting is). Owners of customer, company and overdraft accounts appear as
// pseudonyms ("unkeyed" while the ledger has no key).
Result<std::string> build_annex(Ledger& ledger, const Transaction& transaction,
                                const AnnexInput& input);

}  // namespace loyalty::storage::hq_internal
