// The customer cache's rows, for CustomerCache and for the checkout (which reads the cache, checks
// the blocklist and writes the state back inside its own transaction). Not part of the public API.
// Thread-safety: that of the Ledger passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/customer.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage::customers_internal {

// Pseudonyms that replace erased card numbers start with this.
inline constexpr std::string_view pseudonym_prefix = "erased-";

// Without consent.profile: drops the birthday and the segments.
void drop_unconsented_profile(CustomerState& state, Consent consent);
// drop_unconsented_profile(), and empties lots and counters, which the ledger keeps.
void keep_only_consented(CustomerState& state, Consent consent);

Result<std::optional<CachedCustomer>> load(Ledger& ledger, std::string_view customer_id);

// Inserts or replaces the row of `customer.state.customer_id`, after keep_only_consented().
Status store(Ledger& ledger, CachedCustomer customer, Timestamp at);

Result<std::optional<std::string>> blocked_reason(Ledger& ledger, std::string_view customer_id);

// CustomerCache::erase inside the caller's write transaction (not_found for an unknown card).
Result<ErasureReport> erase(Ledger& ledger, const Transaction& transaction,
                            std::string_view customer_id, Timestamp at);

// Fails with invalid_argument for an empty, too long or pseudonym-looking card number.
Status validate_id(std::string_view customer_id);
// validate_id(), and a reason of 1..limits::ledger_text_bytes_max bytes.
Status validate_block(std::string_view customer_id, std::string_view reason);

// The state HQ issued, with the customer's consent: known, refreshed at `at`, offline count 0.
Status refresh(Ledger& ledger, const CustomerState& state, Consent consent, Timestamp at);
// Adds (or re-lists with a new reason) and removes a card on the blocklist.
Status list_blocked(Ledger& ledger, std::string_view customer_id, std::string_view reason,
                    Timestamp at);
Status unlist_blocked(Ledger& ledger, std::string_view customer_id);

}  // namespace loyalty::storage::customers_internal
