// Finding a HID POS scanner's layout in its report descriptor, and Honeywell's enable report.
#include "loyalty/drivers/hid/hid_pos_scanner.h"

#include <string>

namespace loyalty::drivers {

namespace {

struct DataField {
  const HidReport* report = nullptr;
  const HidField* field = nullptr;
  HidField::ElementSpan span;
};

// The first input field carrying Decoded Data, one inside a Scanned Data Report preferred.
std::optional<DataField> find_decoded_data(const HidReportDescriptor& descriptor) {
  std::optional<DataField> first;
  for (const auto& report : descriptor.reports) {
    if (report.type != HidReportType::input) continue;
    for (const auto& field : report.fields) {
      const auto span = field.elements_with_usage(hid_pos_usage::decoded_data);
      if (!span) continue;
      DataField found{&report, &field, *span};
      if (field.inside(hid_pos_usage::scanned_data_report)) return found;
      if (!first) first = found;
    }
  }
  return first;
}

// The first element of `report` with `usage`, if its size is 1..32 bits.
Result<std::optional<HidBits>> find_value(const HidReport& report, std::uint32_t usage,
                                          const char* name) {
  for (const auto& field : report.fields) {
    const auto span = field.elements_with_usage(usage);
    if (!span) continue;
    if (field.bit_size == 0 || field.bit_size > 32) {
      return make_error(ErrorCode::invalid_argument, std::string("HID POS scanner: the ") + name +
                                                         " field is " +
                                                         std::to_string(field.bit_size) +
                                                         " bits wide; at most 32 are supported");
    }
    return std::optional<HidBits>{
        HidBits{field.bit_offset + span->first * field.bit_size, field.bit_size}};
  }
  return std::optional<HidBits>{};
}

}  // namespace

Result<HidPosScannerLayout> find_hid_pos_scanner(const HidReportDescriptor& descriptor) {
  const auto data = find_decoded_data(descriptor);
  if (!data) {
    return make_error(ErrorCode::not_found,
                      "no input report carries Decoded Data (usage 0x8C:0xFE): the device is not "
                      "a HID POS scanner; if it is a scanner in keyboard mode, switch it to HID "
                      "POS mode");
  }
  if (data->field->bit_size != 8) {
    return make_error(ErrorCode::invalid_argument,
                      "HID POS scanner: Decoded Data elements are " +
                          std::to_string(data->field->bit_size) +
                          " bits wide; only bytes (8 bits) are supported");
  }
  const HidReport& report = *data->report;
  HidPosScannerLayout layout;
  layout.report_id = report.id;
  layout.report_bytes = report.wire_bytes();
  layout.data_bit_offset = data->field->bit_offset + data->span.first * 8;
  layout.data_bytes_max = data->span.count;
  layout.byte_count = TRY(find_value(report, hid_pos_usage::byte_count, "Byte Count"));
  layout.symbology_identifier[0] =
      TRY(find_value(report, hid_pos_usage::symbology_identifier_1, "Symbology Identifier 1"));
  layout.symbology_identifier[1] =
      TRY(find_value(report, hid_pos_usage::symbology_identifier_2, "Symbology Identifier 2"));
  layout.symbology_identifier[2] =
      TRY(find_value(report, hid_pos_usage::symbology_identifier_3, "Symbology Identifier 3"));
  layout.continued =
      TRY(find_value(report, hid_pos_usage::decoded_data_continued, "Decoded Data Continued"));
  LOYALTY_ASSERT(layout.data_bytes_max > 0);
  return layout;
}

bool is_hid_pos_scanner(const HidReportDescriptor& descriptor) {
  return find_hid_pos_scanner(descriptor).ok();
}

bool hid_pos_wants_enable_report(const HidReportDescriptor& descriptor) {
  return descriptor.find(HidReportType::feature, honeywell_enable_report_id) != nullptr;
}

std::vector<std::uint8_t> honeywell_hid_pos_enable_report(const HidReportDescriptor& descriptor) {
  const HidReport* feature = descriptor.find(HidReportType::feature, honeywell_enable_report_id);
  const std::size_t bytes = feature != nullptr ? feature->wire_bytes() : 2;
  LOYALTY_ASSERT(bytes >= 2);
  std::vector<std::uint8_t> report(bytes, 0);
  report[0] = honeywell_enable_report_id;
  report[1] = 0x01;
  return report;
}

}  // namespace loyalty::drivers
