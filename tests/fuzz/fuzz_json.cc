// libFuzzer target for the JSON reader and writer.
//
// For any input: parse() must not crash, hang or read out of bounds. When it accepts the input,
// the compact text written by to_string() must parse back to an equal value and print the same
// again; the pretty text must parse back to the same value too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace json = loyalty::json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const loyalty::Result<json::Value> parsed = json::parse(text);
  if (!parsed.ok()) {
    // Every error carries a position.
    LOYALTY_ASSERT(parsed.error().message.rfind("line ", 0) == 0);
    return 0;
  }

  const std::string compact = json::to_string(*parsed, false);
  // Compact output is never longer than the input, so it is within the size limit.
  LOYALTY_ASSERT(compact.size() <= text.size());
  const loyalty::Result<json::Value> reparsed = json::parse(compact);
  LOYALTY_ASSERT(reparsed.ok());
  LOYALTY_ASSERT(*reparsed == *parsed);
  LOYALTY_ASSERT(json::to_string(*reparsed, false) == compact);

  const std::string pretty = json::to_string(*parsed, true);
  if (pretty.size() <= loyalty::limits::json_bytes_max) {
    const loyalty::Result<json::Value> from_pretty = json::parse(pretty);
    LOYALTY_ASSERT(from_pretty.ok());
    LOYALTY_ASSERT(*from_pretty == *parsed);
    LOYALTY_ASSERT(json::to_string(*from_pretty, false) == compact);
  }
  return 0;
}
