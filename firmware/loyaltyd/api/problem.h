// Errors of the POS API as RFC 9457 problem documents (application/problem+json).
//
// Every error the API returns is one of the types below. The `type` is a stable URN per kind of
// error ("urn:loyalty:problem:invalid-receipt"), the POS branches on it; `title` is the type's
// fixed one-line summary; `detail` says what was wrong with this request, naming the field where
// there is one, and the same field is given alone in the `field` extension member
// ("receipt.lines[2].quantity"). `code` is the ledger's or the rules core's ErrorCode name when the
// error came from there. Nothing in a problem document carries a token or card data: details are
// built from field names and messages of the core, which never hold them.
//
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

enum class ProblemType {
  bad_request,        // 400 a body that is not JSON, or not the object the operation takes
  invalid_field,      // 422 a field missing, of the wrong kind or out of range
  invalid_receipt,    // 422 a receipt the rules core refuses
  invalid_customer,   // 422 a customer document the rules core refuses
  unidentified,       // 422 typed or scanned input that names no customer, coupon or token
                      //     under the bundle's identification rules (code: the reason)
  unauthorized,       // 401 no bearer token, or a wrong one
  forbidden_origin,   // 403 a request from a web page (an Origin the daemon does not serve)
  not_found,          // 404 no such route, receipt, customer or reader
  method_not_allowed, // 405 (with an Allow header)
  upgrade_required,   // 426 /v1/events without the WebSocket upgrade
  conflict,           // 409 the same receipt or refund id with a different content, or a state
                      //     that does not allow the operation (commit of a cancelled receipt)
  request_timeout,    // 408 the request did not arrive whole within the read timeout
  payload_too_large,  // 413 a body over the configured limit
  headers_too_large,  // 431
  unsupported_media,  // 415 a body that is not application/json
  busy,               // 503 the ledger was locked for longer than the busy timeout; retry
  unavailable,        // 503 the daemon is starting or stopping, or no rule bundle is loaded
  internal,           // 500
};

int problem_status(ProblemType type);
// The URN, "urn:loyalty:problem:<slug>".
std::string problem_type_uri(ProblemType type);
const char* problem_title(ProblemType type);

struct Problem {
  ProblemType type = ProblemType::internal;
  std::string detail;
  std::optional<std::string> field;  // the request field at fault, as a JSON path
  std::optional<std::string> code;   // ErrorCode name, when the error came from core or storage
  // Not in the document: a 405's Allow header (the method the resource takes).
  std::optional<std::string> allow;
};

Problem make_problem(ProblemType type, std::string detail,
                     std::optional<std::string> field = std::nullopt);

// The problem an Error of the rules core or the ledger becomes: conflict → 409, not_found → 404,
// invalid_receipt → 422, busy → 503, parse_error/invalid_argument → 422 naming `field` when the
// caller knows which field was being read, internal and io_error → 500.
Problem problem_from_error(const Error& error, std::optional<std::string> field = std::nullopt);

// The document: {"type","title","status","detail","instance"?,"field"?,"code"?}.
std::string problem_json(const Problem& problem, std::string_view instance);

}  // namespace loyalty::daemon
