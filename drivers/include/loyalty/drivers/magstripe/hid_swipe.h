// USB HID swipe readers (MagTek, ID TECH in HID mode): the 337-byte input report.
//
//   bytes 0-2     per-track decode status, bit 0 = error (other bits ignored)
//   bytes 3-5     track lengths
//   byte  6       encode type: 0 ISO, 1 AAMVA, 3 blank, others not decoded
//   bytes 7-116, 117-226, 227-336   track 1, 2, 3 data, with sentinels
//
// Cross-checks, per track: a length above 110 (the field size) is too_long; an error status with
// data is a contradiction (reader_error, data ignored); data with a blank or unknown encode type
// is invalid_data. A report that is not 337 bytes is an error for the whole report. The data is
// checked as the reader hands it over (check_track_text): an LRC character after the end
// sentinel is verified, and an AAMVA licence's track 3 (starting with '#' or '%') is
// other_format, whatever the encode type says; tracks 1 and 2 stay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

inline constexpr std::size_t hid_swipe_report_bytes = 337;

enum class HidEncodeType : std::uint8_t { iso = 0, aamva = 1, blank = 3 };

struct HidSwipe {
  std::uint8_t encode_type = 0;
  Swipe swipe;
};

// Applies the bank-card rule `rule`.
Result<HidSwipe> parse_hid_swipe_report(std::span<const std::uint8_t> report,
                                        const BankCardRule& rule = {});

}  // namespace loyalty::drivers
