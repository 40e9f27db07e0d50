// Request targets of the HQ API (api.h): the path and its query, and the strict reading of the
// downlink's parameters (after=V&wait_ms=W&max=N).
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::sync::service {

struct RequestTarget {
  std::string_view path;   // up to the '?'
  std::string_view query;  // after the '?' ("" without one)
  bool has_query = false;  // a '?' was there, even with nothing after it
};

// Splits `target` (a view into it) at the first '?'.
RequestTarget split_target(std::string_view target);

struct DownlinkQuery {
  std::int64_t after = 0;             // required, >= 0
  std::chrono::milliseconds wait{0};  // wait_ms, >= 0, cut to api::long_poll_ms_max
  std::size_t items_max = limits::sync_downlink_items_max;  // max, >= 1, cut to the limit
};

// Reads "after=V[&wait_ms=W][&max=N]" in any order: decimal digits only, each at most once,
// nothing else. Errors (invalid_argument) name the parameter and what is wrong with it.
Result<DownlinkQuery> parse_downlink_query(std::string_view query);

}  // namespace loyalty::sync::service
