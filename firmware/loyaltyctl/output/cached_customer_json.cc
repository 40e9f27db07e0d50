#include "output/cached_customer_json.h"

#include "ledger/ledger_access.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/time.h"

namespace loyalty::cli {

namespace {

const char* boolean(bool value) { return value ? "true" : "false"; }

}  // namespace

std::string cached_customer_json(const storage::CachedCustomer& customer,
                                 const std::optional<std::string>& blocked) {
  return "{" + json_field("customer_id", customer.state.customer_id) +
         ",\"known\":" + boolean(customer.state.known) + ",\"erased\":" + boolean(customer.erased) +
         ",\"consent\":{\"marketing\":" + boolean(customer.consent.marketing) +
         ",\"profile\":" + boolean(customer.consent.profile) + "},\"hq_refreshed_at\":" +
         (customer.hq_refreshed_at ? json::quote(format_timestamp(*customer.hq_refreshed_at))
                                   : std::string("null")) +
         ",\"offline_redeemed\":" + std::to_string(customer.offline_redeemed) +
         ",\"blocked\":" + (blocked ? json::quote(*blocked) : std::string("null")) +
         ",\"state\":" + customer_to_json(customer.state) + "}\n";
}

}  // namespace loyalty::cli
