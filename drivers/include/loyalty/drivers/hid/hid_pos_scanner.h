// USB HID POS barcode scanners: the Bar Code Scanner page (0x8C) of the HID Point of Sale Usage
// Tables. The kernel turns none of it into input events; a transport reads /dev/hidrawN, parses the
// report descriptor once (hid_descriptor.h), finds the scanner's layout here, and feeds every input
// report to a HidPosAssembler, which hands back a whole scan when its last report arrives.
//
// Usages (HID POS Usage Tables; the same ids in Apple's IOHIDUsageTables.h and Haiku's headers):
//   0x8C:0x02 Bar Code Scanner (application collection)   0x8C:0x12 Scanned Data Report
//   0x8C:0xFB..0xFD Symbology Identifier 1..3 (the AIM id: ']', code, modifier)
//   0x8C:0xFE Decoded Data (bytes)                          0x8C:0xFF Decoded Data Continued
//   0x01:0x3B Byte Count (Generic Desktop): Decoded Data bytes in this report
//
// Layouts differ by vendor, so nothing is at a fixed offset: with Honeywell's descriptor
// (report ID 2) the parse comes out as byte 1 Byte Count (<= 56), bytes 2-4 the AIM id, bytes 5-60
// Decoded Data, byte 63 bit 0 Decoded Data Continued. A "counted" layout has a Byte Count; an
// "uncounted" one has none, and its data runs to the first NUL or the end of the field.
//
// Pure parsing: no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/hid/hid_descriptor.h"
#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

namespace hid_pos_usage {
inline constexpr std::uint16_t bar_code_scanner_page = 0x8C;
inline constexpr std::uint32_t bar_code_scanner = hid_usage(0x8C, 0x02);
inline constexpr std::uint32_t scanned_data_report = hid_usage(0x8C, 0x12);
inline constexpr std::uint32_t symbology_identifier_1 = hid_usage(0x8C, 0xFB);
inline constexpr std::uint32_t symbology_identifier_2 = hid_usage(0x8C, 0xFC);
inline constexpr std::uint32_t symbology_identifier_3 = hid_usage(0x8C, 0xFD);
inline constexpr std::uint32_t decoded_data = hid_usage(0x8C, 0xFE);
inline constexpr std::uint32_t decoded_data_continued = hid_usage(0x8C, 0xFF);
inline constexpr std::uint32_t byte_count = hid_usage(0x01, 0x3B);
}  // namespace hid_pos_usage

// A value's place in a report's data (after the Report ID byte).
struct HidBits {
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;  // 1..32
  friend bool operator==(const HidBits&, const HidBits&) = default;
};

// Where a scanner's input report carries what. Built by find_hid_pos_scanner().
struct HidPosScannerLayout {
  std::uint8_t report_id = 0;    // 0 when the device does not number its reports
  std::size_t report_bytes = 0;  // as read from hidraw, Report ID byte included
  std::uint32_t data_bit_offset = 0;
  std::uint32_t data_bytes_max = 0;   // Decoded Data elements in one report
  std::optional<HidBits> byte_count;  // present: a "counted" layout
  std::array<std::optional<HidBits>, 3> symbology_identifier;
  std::optional<HidBits> continued;  // absent: every report is a whole scan

  bool counted() const { return byte_count.has_value(); }
};

// The scanner layout of a descriptor: the input report with an 8-bit Decoded Data field (one
// inside a Scanned Data Report collection preferred, else the first), with the Byte Count,
// Symbology Identifier and Decoded Data Continued fields of that same report when present. Errors:
// not_found when no input report carries Decoded Data (a keyboard, or a scanner still in keyboard
// mode); invalid_argument when Decoded Data is not made of bytes or another field is over 32 bits.
Result<HidPosScannerLayout> find_hid_pos_scanner(const HidReportDescriptor& descriptor);
bool is_hid_pos_scanner(const HidReportDescriptor& descriptor);

// Honeywell scanners switch to HID POS mode on Feature report 0xFE = 1. Wanted when the descriptor
// declares a Feature report 0xFE (a transport may also decide by USB vendor id 0x0C2E).
inline constexpr std::uint8_t honeywell_enable_report_id = 0xFE;
bool hid_pos_wants_enable_report(const HidReportDescriptor& descriptor);
// The bytes for HIDIOCSFEATURE: 0xFE, 0x01, then zeros up to the declared size of Feature report
// 0xFE (2 bytes when the descriptor declares none).
std::vector<std::uint8_t> honeywell_hid_pos_enable_report(const HidReportDescriptor& descriptor);

// One complete scan, the pieces of a ScanEvent.
struct HidPosScan {
  std::string label;   // Decoded Data of every report in order; FNC1 stays GS (0x1D)
  std::string aim_id;  // "]Q1" from the Symbology Identifier bytes of the first report, or ""
  ScanDataType type = ScanDataType::unknown;  // scan_data_type_from_aim(aim_id, label)
  std::vector<std::uint8_t> raw;              // every report as read, Report ID bytes included
  std::size_t reports = 0;
};

// Joins the input reports of one scanner into scans. Not thread-safe: one per device, fed from
// the thread that reads it. Owns copies of everything; the layout is copied in.
class HidPosAssembler {
 public:
  explicit HidPosAssembler(HidPosScannerLayout layout);

  // One input report exactly as read from hidraw. Returns the scan when this report completes
  // one, nullopt when more reports are expected or the report is not the scanner's (another Report
  // ID: ignored and counted in unexpected_reports()). Errors, after which the scan in progress is
  // dropped: an empty or truncated report (invalid_argument); a Byte Count above the field's size
  // (invalid_argument); a scan over limits::hid_scan_reports_max reports or
  // limits::scan_label_bytes_max bytes (limit_exceeded). After an error on a report that says more
  // follows, the rest of that scan is skipped up to and including its last report
  // (dropped_reports()).
  Result<std::optional<HidPosScan>> feed(std::span<const std::uint8_t> report);

  // Drops the scan in progress (clearInput, unplug).
  void reset();

  bool in_progress() const { return reports_ > 0; }
  std::size_t unexpected_reports() const { return unexpected_reports_; }
  // Reports skipped after an error, and final reports of scans with no data.
  std::size_t dropped_reports() const { return dropped_reports_; }
  const HidPosScannerLayout& layout() const { return layout_; }

 private:
  Error fail(ErrorCode code, std::string message, bool more_follows);
  std::string read_aim(std::span<const std::uint8_t> data) const;
  Result<std::size_t> data_length(std::span<const std::uint8_t> data) const;

  HidPosScannerLayout layout_;
  std::string label_;
  std::string aim_id_;
  std::vector<std::uint8_t> raw_;
  std::size_t reports_ = 0;
  bool skipping_ = false;  // dropping the rest of a failed scan
  std::size_t unexpected_reports_ = 0;
  std::size_t dropped_reports_ = 0;
};

}  // namespace loyalty::drivers
