#include "cached_customer_json.h"

#include "ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/statement.h"

namespace loyalty::cli {

namespace {

// The customer document the cache stores, as storage wrote it (its customer_to_json is internal
// to storage, so the stored text is read instead of writing the state a second way). The storage
// API has no accessor for it; this reads the customers table directly (schema:
// storage/src/schema.cc).
Result<std::optional<std::string>> stored_state_json(storage::Ledger& ledger,
                                                     const std::string& customer_id) {
  storage::Statement find = TRY(storage::Statement::prepare(
      ledger.database(), "SELECT state_json FROM customers WHERE customer_id = ?1"));
  TRY(find.bind_text(1, customer_id));
  if (TRY(find.step()) == storage::Step::done || find.column_is_null(0)) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(find.column_text(0));
}

const char* boolean(bool value) { return value ? "true" : "false"; }

}  // namespace

Result<std::string> cached_customer_json(storage::Ledger& ledger,
                                         const storage::CachedCustomer& customer,
                                         const std::optional<std::string>& blocked) {
  const std::optional<std::string> state =
      TRY(stored_state_json(ledger, customer.state.customer_id));
  return "{" + json_field("customer_id", customer.state.customer_id) +
         ",\"known\":" + boolean(customer.state.known) + ",\"erased\":" + boolean(customer.erased) +
         ",\"consent\":{\"marketing\":" + boolean(customer.consent.marketing) +
         ",\"profile\":" + boolean(customer.consent.profile) + "},\"hq_refreshed_at\":" +
         (customer.hq_refreshed_at ? json::quote(format_timestamp(*customer.hq_refreshed_at))
                                   : std::string("null")) +
         ",\"offline_redeemed\":" + std::to_string(customer.offline_redeemed) +
         ",\"blocked\":" + (blocked ? json::quote(*blocked) : std::string("null")) +
         ",\"state\":" + state.value_or("null") + "}\n";
}

}  // namespace loyalty::cli
