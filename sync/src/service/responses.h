// The answers of the HQ API (api.h): an error as {"error": "..."}, an Ack as JSON, a Downlink
// zstd-compressed.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "loyalty/sync/batch.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/https.h"

namespace loyalty::sync::service {

HttpsResponse error_response(int status, std::string_view message);
HttpsResponse ack_response(const Ack& ack);
HttpsResponse downlink_response(const Downlink& downlink);

// The HTTP status for a store call that failed with `error`: 400 for what the request got wrong
// (invalid_argument, parse_error, limit_exceeded), 503 for the store itself (busy, io_error and
// the rest): the client retries later.
int store_error_status(const Error& error);

}  // namespace loyalty::sync::service
