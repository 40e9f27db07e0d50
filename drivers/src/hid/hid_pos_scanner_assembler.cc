// HidPosAssembler: input reports of a HID POS scanner joined into whole scans.
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/scan/aim.h"
#include "loyalty/drivers/hid/hid_pos_scanner.h"

namespace loyalty::drivers {

HidPosAssembler::HidPosAssembler(HidPosScannerLayout layout) : layout_(std::move(layout)) {
  LOYALTY_ASSERT(layout_.data_bytes_max > 0);
  LOYALTY_ASSERT(layout_.report_bytes > 0);
}

void HidPosAssembler::reset() {
  label_.clear();
  aim_id_.clear();
  raw_.clear();
  reports_ = 0;
  skipping_ = false;
}

Error HidPosAssembler::fail(ErrorCode code, std::string message, bool more_follows) {
  reset();
  skipping_ = more_follows;
  return make_error(code, "HID POS scanner: " + std::move(message));
}

// The AIM id from the Symbology Identifier bytes, or "" when the layout has none or the scanner
// sent no well-formed one (zeros when AIM ids are off in its configuration).
std::string HidPosAssembler::read_aim(std::span<const std::uint8_t> data) const {
  std::string aim;
  for (const auto& bits : layout_.symbology_identifier) {
    if (!bits || bits->bit_size != 8) return "";
    const auto value = hid_read_bits(data, bits->bit_offset, 8);
    if (!value) return "";
    aim.push_back(static_cast<char>(*value));
  }
  return parse_aim_prefix(aim) ? aim : "";
}

Result<std::size_t> HidPosAssembler::data_length(std::span<const std::uint8_t> data) const {
  if (layout_.counted()) {
    const auto count =
        hid_read_bits(data, layout_.byte_count->bit_offset, layout_.byte_count->bit_size);
    LOYALTY_ASSERT(count.has_value());  // the report was checked to be whole
    if (*count > layout_.data_bytes_max) {
      return make_error(ErrorCode::invalid_argument,
                        "report says " + std::to_string(*count) +
                            " data bytes but its Decoded Data field holds " +
                            std::to_string(layout_.data_bytes_max) + "; report dropped");
    }
    return static_cast<std::size_t>(*count);
  }
  // Uncounted: up to the first NUL or the end of the field.
  std::size_t length = 0;
  while (length < layout_.data_bytes_max) {
    const auto byte = hid_read_bits(data, layout_.data_bit_offset + 8 * length, 8);
    if (!byte || *byte == 0) break;
    ++length;
  }
  return length;
}

Result<std::optional<HidPosScan>> HidPosAssembler::feed(std::span<const std::uint8_t> report) {
  using None = std::optional<HidPosScan>;
  if (report.empty()) return fail(ErrorCode::invalid_argument, "empty input report", false);
  if (layout_.report_id != 0 && report[0] != layout_.report_id) {
    ++unexpected_reports_;  // another report of the device (status, trigger): not ours
    return None{};
  }
  if (report.size() < layout_.report_bytes) {
    return fail(ErrorCode::invalid_argument,
                "input report of " + std::to_string(report.size()) + " bytes, expected " +
                    std::to_string(layout_.report_bytes) + " (truncated); scan dropped",
                false);
  }
  const auto data = report.subspan(layout_.report_id != 0 ? 1 : 0);
  bool more = false;
  if (layout_.continued) {
    more = hid_read_bits(data, layout_.continued->bit_offset, layout_.continued->bit_size)
               .value_or(0) != 0;
  }
  if (skipping_) {
    ++dropped_reports_;
    skipping_ = more;
    return None{};
  }
  auto length = data_length(data);
  if (!length.ok()) return fail(ErrorCode::invalid_argument, length.error().message, more);
  if (label_.size() + *length > limits::scan_label_bytes_max) {
    return fail(
        ErrorCode::limit_exceeded,
        "scan longer than " + std::to_string(limits::scan_label_bytes_max) + " bytes; dropped",
        more);
  }
  if (reports_ == 0) aim_id_ = read_aim(data);
  for (std::size_t i = 0; i < *length; ++i) {
    label_.push_back(static_cast<char>(*hid_read_bits(data, layout_.data_bit_offset + 8 * i, 8)));
  }
  raw_.insert(raw_.end(), report.begin(), report.end());
  ++reports_;
  if (more) {
    if (reports_ >= limits::hid_scan_reports_max) {
      return fail(ErrorCode::limit_exceeded,
                  "scan still continued after " + std::to_string(limits::hid_scan_reports_max) +
                      " reports (runaway Decoded Data Continued); dropped",
                  true);
    }
    return None{};
  }
  if (label_.empty()) {  // a report with no data ends nothing worth reporting
    ++dropped_reports_;
    reset();
    return None{};
  }
  HidPosScan scan;
  scan.type = aim_id_.empty() ? ScanDataType::unknown : scan_data_type_from_aim(aim_id_, label_);
  scan.label = std::move(label_);
  scan.aim_id = std::move(aim_id_);
  scan.raw = std::move(raw_);
  scan.reports = reports_;
  reset();
  return None{std::move(scan)};
}

}  // namespace loyalty::drivers
