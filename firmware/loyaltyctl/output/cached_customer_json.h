// The JSON loyaltyctl prints for a customer in the ledger's offline customer cache
// (`customer show`, `customer refresh`).
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string>

#include "loyalty/storage/customers.h"

namespace loyalty::cli {

// One line: {"customer_id","known","erased","consent":{"marketing","profile"},"hq_refreshed_at"
// (time or null),"offline_redeemed","blocked" (the reason or null),"state":{...}} and a newline.
// "state" is the cached customer document (core's customer format; its lots and counters are
// empty: the ledger keeps them).
std::string cached_customer_json(const storage::CachedCustomer& customer,
                                 const std::optional<std::string>& blocked);

}  // namespace loyalty::cli
