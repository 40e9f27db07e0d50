// The POS API's routes under /v1, matched from a request target: each names an operation and its
// path parameters (percent-decoded, each 1..limits::id_bytes_max printable bytes).
//
//   GET  /v1/health                      health
//   GET  /v1/readers                     readers
//   GET  /v1/events                      events (WebSocket upgrade)
//   POST /v1/identify                    identify
//   POST /v1/quote                       quote
//   GET  /v1/receipts/{id}               receipt
//   POST /v1/receipts/{id}/open          open
//   POST /v1/receipts/{id}/commit        commit
//   POST /v1/receipts/{id}/cancel        cancel
//   POST /v1/refunds/{id}                refund
//   POST /v1/customers                   enrol
//   GET  /v1/customers/{id}/balance      balance
//   GET  /v1/customers/{id}/history      history (?limit=N, 1..200, default 20)
//   POST /v1/ledger/check                ledger_check
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/problem.h"

namespace loyalty::daemon {

enum class Operation {
  health,
  readers,
  events,
  identify,
  quote,
  receipt,
  open,
  commit,
  cancel,
  refund,
  enrol,
  balance,
  history,
  ledger_check,
};
const char* operation_name(Operation operation);

struct Route {
  Operation operation = Operation::health;
  std::string id;  // the receipt, refund or customer id of the path; "" when it has none
  std::size_t limit = 20;  // history's ?limit
  bool takes_body = false;  // POST operations
};

// The route of `method` and `target` ("/v1/receipts/R1/commit?x=1"), or the problem: 404 for an
// unknown path, 405 for a known path with another method, 422 for a bad id or query.
std::variant<Route, Problem> match_route(std::string_view method, std::string_view target);

}  // namespace loyalty::daemon
