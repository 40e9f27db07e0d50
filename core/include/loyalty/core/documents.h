// Loads and writes the customer state and receipt documents that loyaltyctl, tests and (later) the
// terminal API exchange as JSON (docs/rules.md, "Customer" and "Receipt"). Both are untrusted:
// errors name the field path and the reason, e.g. `lines[2].quantity: must be between 1 and 100000,
// got 0`.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/json.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"

namespace loyalty {

Result<CustomerState> load_customer(std::string_view customer_json);
Result<CustomerState> load_customer(const json::Value& customer);

Result<Receipt> load_receipt(std::string_view receipt_json);
Result<Receipt> load_receipt(const json::Value& receipt);

// What campaign budgets spent, for a quote's environment (loyaltyctl quote --budgets-spent):
//   {"budgets_spent": [{"budget": "xmas-discounts", "period": "2026-11", "spent": 480000}]}
// `budget` and `period` are ids, `spent` 0..10^12; a (budget, period) pair at most once; at most
// limits::budget_spent_entries_max entries. Errors are ErrorCode::invalid_argument.
Result<std::vector<BudgetSpent>> load_budgets_spent(std::string_view budgets_json);

// The same documents written back: compact and deterministic (counters in key order, empty
// optional fields left out), so a round trip through the loader gives the same value. Storage
// keeps them with each receipt (refunds quote it again from them) and hashes them.
std::string customer_to_json(const CustomerState& customer);
std::string receipt_to_json(const Receipt& receipt);

}  // namespace loyalty
