// libFuzzer target for the replies of the decoder child (loyaltyd's sandbox/decoder_protocol.h):
// the daemon parses them from a child that decodes hostile images and may be compromised, so
// parse_reply() must take any bytes without crashing, reading out of bounds or allocating more
// than the bounds allow. Properties:
//   - a refusal is a parse_error whose message starts "decoder reply: ";
//   - a parsed reply is within every bound (symbols, labels, raw bytes, ECI segments in order,
//     rejections, messages) and canonical: encode_reply() gives back exactly the input;
//   - the encoder never writes what the parser refuses: a scan built from the same bytes (any type,
//     AIM id, label, ECI segments and corners; the bytes as a rejection's message) encodes to a
//     reply that parses, with what did not fit turned into rejections.
// The first 4 bytes also go to parse_message_header(), which refuses 0 and more than the bound.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "sandbox/decoder_protocol.h"
#include "sandbox/sandbox_limits.h"

namespace {

using namespace loyalty::daemon;
using loyalty::drivers::DecodedSymbol;
using loyalty::drivers::FrameScan;

void check_scan(const FrameScan& scan) {
  LOYALTY_ASSERT(scan.symbols.size() <= loyalty::limits::image_symbols_max);
  LOYALTY_ASSERT(scan.rejected.size() <= decoder_rejected_max);
  for (const DecodedSymbol& symbol : scan.symbols) {
    LOYALTY_ASSERT(!symbol.aim_id.empty() && symbol.aim_id.size() <= decoder_aim_id_bytes_max);
    LOYALTY_ASSERT(symbol.label.size() <= loyalty::limits::scan_label_bytes_max);
    LOYALTY_ASSERT(symbol.raw.size() <= decoder_raw_bytes_max);
    LOYALTY_ASSERT(symbol.ecis.size() <= decoder_eci_segments_max);
    std::size_t at = 0;
    for (const auto& segment : symbol.ecis) {
      LOYALTY_ASSERT(segment.at >= at && segment.at <= symbol.raw.size());
      at = segment.at;
    }
  }
  for (const loyalty::Error& error : scan.rejected) {
    LOYALTY_ASSERT(error.message.size() <= decoder_message_bytes_max);
  }
}

std::uint32_t le32(std::span<const std::uint8_t> bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value |= std::uint32_t{at + i < bytes.size() ? bytes[at + i] : std::uint8_t{0}} << (8 * i);
  }
  return value;
}

// A scan that uses the bytes for every field, fitting or not.
FrameScan scan_of(std::span<const std::uint8_t> bytes) {
  DecodedSymbol symbol;
  symbol.type = static_cast<loyalty::drivers::ScanDataType>(le32(bytes, 0) % 1024);
  const std::size_t aim_bytes = bytes.empty() ? 0 : bytes[0] % 10;
  symbol.aim_id.assign(bytes.begin(), bytes.begin() + std::min(aim_bytes, bytes.size()));
  symbol.label.assign(bytes.begin(), bytes.end());
  symbol.raw.assign(bytes.begin(), bytes.begin() + bytes.size() / 2);
  for (std::size_t i = 0; i + 8 <= bytes.size() && i < 8 * 40; i += 8) {
    symbol.ecis.push_back({static_cast<int>(le32(bytes, i)), le32(bytes, i + 4) % 64});
  }
  auto& c = symbol.corners;
  c.top_left = {static_cast<int>(le32(bytes, 1)), static_cast<int>(le32(bytes, 5))};
  c.bottom_right = {static_cast<int>(bytes.size()), -static_cast<int>(bytes.size())};
  FrameScan scan;
  scan.symbols.push_back(symbol);
  symbol.aim_id = "]Q1";  // a second symbol with a good AIM id, and a corner in range
  symbol.corners.top_left = {};
  symbol.type = loyalty::drivers::ScanDataType::qrcode;
  scan.symbols.push_back(symbol);
  scan.rejected.push_back(
      loyalty::make_error(loyalty::ErrorCode::internal, std::string(bytes.begin(), bytes.end())));
  return scan;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);

  if (size >= decoder_header_bytes) {
    std::array<std::uint8_t, decoder_header_bytes> header{};
    std::copy_n(bytes.begin(), decoder_header_bytes, header.begin());
    const auto body = parse_message_header(header, decoder_reply_bytes_max, "decoder reply");
    if (body.ok()) LOYALTY_ASSERT(*body >= 1 && *body <= decoder_reply_bytes_max);
  }

  const auto reply = parse_reply(bytes);
  if (!reply.ok()) {
    LOYALTY_ASSERT(reply.error().code == loyalty::ErrorCode::parse_error);
    LOYALTY_ASSERT(reply.error().message.starts_with("decoder reply: "));
  } else {
    if (reply->scan.ok()) check_scan(*reply->scan);
    const std::vector<std::uint8_t> again = encode_reply(reply->id, reply->scan);
    LOYALTY_ASSERT(again.size() == decoder_header_bytes + size);
    LOYALTY_ASSERT(std::equal(bytes.begin(), bytes.end(), again.begin() + decoder_header_bytes));
  }

  const std::vector<std::uint8_t> encoded = encode_reply(7, scan_of(bytes));
  const auto parsed =
      parse_reply(std::span<const std::uint8_t>(encoded).subspan(decoder_header_bytes));
  LOYALTY_ASSERT(parsed.ok());
  LOYALTY_ASSERT(parsed->id == 7 && parsed->scan.ok());
  LOYALTY_ASSERT(parsed->scan->symbols.size() + parsed->scan->rejected.size() == 3);
  check_scan(*parsed->scan);
  return 0;
}
