// The HTTP API between a terminal's sync client and loyalty-hq (docs/sync.md, "Messages").
//
// Every request travels over mutual TLS (tls.h, https.h); HQ takes the terminal's identity from
// its client certificate, never from a request.
//
//   POST /v1/batches                    body: encode_batch() (zstd), Content-Encoding: zstd
//        200  encode_ack_json(): accepted or quarantined (the Ack's status says which)
//        400  the batch cannot be read or a hash does not match: {"error": "..."}; nothing stored
//        403  the batch names another store or terminal than the certificate; nothing stored
//        413  larger than limits::sync_batch_compressed_bytes_max
//        503  HQ's store is busy or failing: retry later
//   GET  /v1/uplink/state                200  encode_ack_json(): where to resume
//   GET  /v1/downlink?after=V&wait_ms=W&max=N
//        200  encode_downlink() (zstd): the items after version V for this terminal, at most N
//             (default and cap limits::sync_downlink_items_max). When there are none and W > 0,
//             HQ holds the request up to min(W, api::long_poll_ms_max) and answers as soon as
//             something is published for the terminal's store or the chain (a long poll).
//        400  bad parameters: {"error": "..."}
//   Anything else: 404 (unknown path) or 405 (wrong method), {"error": "..."}.
//
// Error bodies are application/json {"error":"<message>"}.
#pragma once

#include <chrono>
#include <string_view>

#include "loyalty/core/limits.h"

namespace loyalty::sync::api {

inline constexpr std::string_view batches_path = "/v1/batches";
inline constexpr std::string_view uplink_state_path = "/v1/uplink/state";
inline constexpr std::string_view downlink_path = "/v1/downlink";
inline constexpr std::string_view json_type = "application/json";
inline constexpr std::string_view zstd_encoding = "zstd";

// The longest HQ holds a downlink request; the client's timeout must exceed what it asks for.
inline constexpr std::chrono::milliseconds long_poll_ms_max{limits::sync_long_poll_ms_max};

}  // namespace loyalty::sync::api
