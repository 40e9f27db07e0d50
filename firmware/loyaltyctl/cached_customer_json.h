// The JSON loyaltyctl prints for a customer in the ledger's offline customer cache
// (`customer show`, `customer refresh`).
//
// Thread-safety: that of the Ledger passed in (one thread at a time).
#pragma once

#include <optional>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::cli {

// One line: {"customer_id","known","erased","consent":{"marketing","profile"},"hq_refreshed_at"
// (time or null),"offline_redeemed","blocked" (the reason or null),"state":{...}} and a newline.
// "state" is the customer document as the cache stores it (core's customer format, without lots
// and counters, which the ledger keeps), or null if the cache holds none.
Result<std::string> cached_customer_json(storage::Ledger& ledger,
                                         const storage::CachedCustomer& customer,
                                         const std::optional<std::string>& blocked);

}  // namespace loyalty::cli
