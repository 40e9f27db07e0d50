// The ledger annex of an event: what HQ needs to reconcile it without personal data
// (docs/sync.md, "The ledger annex"). Internal to storage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage::hq_internal {

// The highest transfer id so far (0 for none): an event's movements are the transfers written
// after it in the event's transaction.
Result<std::int64_t> last_transfer_id(Ledger& ledger);

struct AnnexInput {
  std::int64_t transfers_after = 0;  // from last_transfer_id() before the event's writes
  std::string_view customer_id;      // "" when the event has no customer
  std::int64_t spend_minor = 0;      // checkout: the net spend; refund: minus the money refunded
};

// The annex JSON object: {"key_id", "customer", "spend_minor", "movements": [...]}. Posted
// transfers only (a hold is not a movement; its posting is). Owners of customer, company and
// overdraft accounts appear as pseudonyms ("unkeyed" while the ledger has no key).
Result<std::string> build_annex(Ledger& ledger, const Transaction& transaction,
                                const AnnexInput& input);

}  // namespace loyalty::storage::hq_internal
