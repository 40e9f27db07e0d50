// The 337-byte HID swipe report of MagTek and ID TECH readers.
#include "loyalty/drivers/magstripe/hid_swipe.h"

#include <string>

#include "loyalty/core/limits.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

using detail::failed;

constexpr std::size_t kStatusOffset = 0;
constexpr std::size_t kLengthOffset = 3;
constexpr std::size_t kEncodeTypeOffset = 6;
constexpr std::size_t kDataOffset = 7;

bool decodable(std::uint8_t encode_type) {
  return encode_type == static_cast<std::uint8_t>(HidEncodeType::iso) ||
         encode_type == static_cast<std::uint8_t>(HidEncodeType::aamva);
}

TrackResult decode_hid_track(std::span<const std::uint8_t> report, int number,
                             std::uint8_t encode_type) {
  const auto index = static_cast<std::size_t>(number - 1);
  const std::uint8_t status = report[kStatusOffset + index];
  const std::size_t length = report[kLengthOffset + index];
  const std::string name = "track " + std::to_string(number);
  const std::string says = "the length byte says " + std::to_string(length) + " bytes";
  if (length > limits::hid_track_bytes_max) {
    return failed(number, TrackStatus::too_long,
                  name + ": " + says + "; the report's track field holds " +
                      std::to_string(limits::hid_track_bytes_max));
  }
  const bool error_bit = (status & 0x01) != 0;
  if (error_bit && length > 0) {
    return failed(number, TrackStatus::reader_error,
                  name + ": the status byte reports a decode error but " + says +
                      ": contradiction, data ignored");
  }
  if (error_bit) {
    return failed(number, TrackStatus::reader_error,
                  "the reader reported a decode error for " + name);
  }
  if (length == 0) return TrackResult::absent_track(number);
  if (!decodable(encode_type)) {
    return failed(number, TrackStatus::invalid_data,
                  name + ": encode type " + std::to_string(encode_type) +
                      " is not ISO or AAMVA (3 is blank) but " + says + "; not decoded");
  }
  const std::size_t start = kDataOffset + index * limits::hid_track_bytes_max;
  const auto data = report.subspan(start, length);
  std::string text(data.begin(), data.end());
  TrackResult result = check_track_text(number, text);
  detail::wipe(text);
  return result;
}

}  // namespace

Result<HidSwipe> parse_hid_swipe_report(std::span<const std::uint8_t> report,
                                        const BankCardRule& rule) {
  if (report.size() != hid_swipe_report_bytes) {
    return make_error(ErrorCode::invalid_argument,
                      "a HID swipe report is " + std::to_string(hid_swipe_report_bytes) +
                          " bytes; this one has " + std::to_string(report.size()));
  }
  HidSwipe out;
  out.encode_type = report[kEncodeTypeOffset];
  for (int n = 1; n <= 3; ++n) out.swipe.track(n) = decode_hid_track(report, n, out.encode_type);
  withhold_payment_card(out.swipe, rule);
  return out;
}

}  // namespace loyalty::drivers
