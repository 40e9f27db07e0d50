// libFuzzer target for ScanFramer on raw byte streams (serial scanners, any bytes and timing).
//
// Input: one configuration byte, then chunks: a length byte (mod 32), a milliseconds-since-the-
// previous-chunk byte, and that many bytes.
//   config  bits 0-2 suffix (mod 5), bit 3 prefix "]]" (overlaps AIM ids), bit 4 prefix STX,
//           bit 5 AIM id, bit 6 label_bytes_max 8
// Properties checked:
//   - every frame is non-empty, within label_bytes_max, has an AIM id exactly when configured,
//     starts with the prefix in its raw bytes, which contain the label, and ends with the suffix
//     when the suffix ended it; errors have messages; poll() before the deadline returns nothing;
//     nothing is pending after the final poll;
//   - differential: the same bytes all at one instant through a default framer (suffix CR) give
//     exactly the non-empty CR-separated segments, an over-long one as one limit_exceeded error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/scan/scan_framer.h"

namespace {

using namespace loyalty::drivers;

void check(const loyalty::Result<ScanFrame>& r, const ScanFramerOptions& options) {
  if (!r.ok()) {
    LOYALTY_ASSERT(!r.error().message.empty());
    return;
  }
  const ScanFrame& f = *r;
  LOYALTY_ASSERT(!f.label.empty() && f.label.size() <= options.label_bytes_max);
  LOYALTY_ASSERT(f.aim.has_value() == options.aim_id);
  const std::string raw(f.raw.begin(), f.raw.end());
  LOYALTY_ASSERT(raw.starts_with(options.prefix));
  LOYALTY_ASSERT(raw.find(f.label) != std::string::npos);
  if (f.end == FrameEnd::suffix) LOYALTY_ASSERT(raw.ends_with(scan_suffix_bytes(options.suffix)));
}

// The reference: non-empty CR-separated segments; the incomplete last one is not a frame.
void differential(std::string_view payload) {
  ScanFramer framer;
  const auto results = framer.feed(payload, 0);
  std::size_t i = 0;
  std::size_t start = 0;
  for (std::size_t cr = payload.find('\r'); cr != std::string_view::npos;
       start = cr + 1, cr = payload.find('\r', start)) {
    const std::string_view segment = payload.substr(start, cr - start);
    if (segment.empty()) continue;
    LOYALTY_ASSERT(i < results.size());
    if (segment.size() > loyalty::limits::scan_label_bytes_max) {
      LOYALTY_ASSERT(!results[i].ok());
    } else {
      LOYALTY_ASSERT(results[i].ok() && results[i]->label == segment);
    }
    ++i;
  }
  LOYALTY_ASSERT(i == results.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  ScanFramerOptions options;
  options.suffix = static_cast<ScanSuffix>((config & 7) % 5);
  if (config & 0x08) options.prefix = "]]";
  if (config & 0x10) options.prefix += "\x02";
  options.aim_id = (config & 0x20) != 0;
  if (config & 0x40) options.label_bytes_max = 8;
  if (!validate_scan_framer_options(options).ok()) return 0;

  ScanFramer framer(options);
  std::string payload;
  std::int64_t now_ms = 0;
  std::size_t i = 1;
  while (i + 2 <= size) {
    const std::size_t length = data[i] % 32;
    now_ms += data[i + 1];
    i += 2;
    const std::size_t take = std::min(length, size - i);
    const std::string_view chunk(reinterpret_cast<const char*>(data + i), take);
    i += take;
    payload.append(chunk);
    if (const auto deadline = framer.deadline_ms(); deadline && *deadline > now_ms) {
      LOYALTY_ASSERT(!framer.poll(now_ms).has_value());
    }
    for (const auto& r : framer.feed(chunk, now_ms)) check(r, options);
  }
  if (const auto r = framer.poll(now_ms + options.idle_timeout_ms)) check(*r, options);
  LOYALTY_ASSERT(!framer.deadline_ms().has_value());
  differential(payload);
  return 0;
}
