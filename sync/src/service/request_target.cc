// split_target and parse_downlink_query: a query is a list of name=value pairs joined by '&';
// values are plain decimal numbers, so no percent-decoding is needed (or accepted).

#include "service/request_target.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

#include "loyalty/core/json.h"
#include "loyalty/sync/api.h"

namespace loyalty::sync::service {

namespace {

constexpr std::size_t number_digits_max = 18;  // below 10^18: fits in int64 with room
constexpr std::size_t name_bytes_shown_max = 32;

Error bad_query(std::string message) {
  return make_error(ErrorCode::invalid_argument, "downlink query: " + std::move(message) +
                                                     " (expected after=V&wait_ms=W&max=N)");
}

Result<std::int64_t> read_number(std::string_view name, std::string_view text) {
  const bool digits =
      !text.empty() && text.size() <= number_digits_max &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::int64_t value = 0;
  if (digits) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
  }
  return bad_query(std::string(name) + " must be a decimal number of 1.." +
                   std::to_string(number_digits_max) + " digits, not " +
                   json::quote(text.substr(0, name_bytes_shown_max)));
}

struct Seen {
  bool after = false;
  bool wait_ms = false;
  bool max = false;
};

Status read_pair(std::string_view pair, DownlinkQuery& query, Seen& seen) {
  const std::size_t equals = pair.find('=');
  if (equals == std::string_view::npos) {
    return bad_query("parameter " + json::quote(pair.substr(0, name_bytes_shown_max)) +
                     " has no value");
  }
  const std::string_view name = pair.substr(0, equals);
  const std::string_view text = pair.substr(equals + 1);
  bool* given = name == "after"     ? &seen.after
                : name == "wait_ms" ? &seen.wait_ms
                : name == "max"     ? &seen.max
                                    : nullptr;
  if (given == nullptr) {
    return bad_query("unknown parameter " + json::quote(name.substr(0, name_bytes_shown_max)));
  }
  if (*given) return bad_query(std::string(name) + " is given more than once");
  *given = true;
  const std::int64_t value = TRY(read_number(name, text));
  if (name == "after") {
    query.after = value;
  } else if (name == "wait_ms") {
    query.wait = std::min(std::chrono::milliseconds(value), api::long_poll_ms_max);
  } else {
    if (value < 1) return bad_query("max must be at least 1");
    query.items_max =
        static_cast<std::size_t>(std::min<std::int64_t>(value, limits::sync_downlink_items_max));
  }
  return Status();
}

}  // namespace

RequestTarget split_target(std::string_view target) {
  const std::size_t mark = target.find('?');
  if (mark == std::string_view::npos) return RequestTarget{target, {}, false};
  return RequestTarget{target.substr(0, mark), target.substr(mark + 1), true};
}

Result<DownlinkQuery> parse_downlink_query(std::string_view query) {
  DownlinkQuery parsed;
  Seen seen;
  std::size_t start = 0;
  // Each round consumes one pair and its '&'; the header limit bounds the query's length.
  while (start <= query.size() && !query.empty()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, end - start);
    if (pair.empty()) return bad_query("an empty parameter (\"&&\" or a trailing '&')");
    TRY(read_pair(pair, parsed, seen));
    start = end + 1;
  }
  if (!seen.after) return bad_query("missing after");
  return parsed;
}

}  // namespace loyalty::sync::service
