// libFuzzer target for HID report descriptors, HID POS scanner reports and AIM ids
// (loyalty::drivers).
//
// Input: a 2-byte little-endian descriptor length, the descriptor, then input reports, each a
// 2-byte little-endian length and its bytes (a short tail is one last report). The descriptor is
// parsed; when it describes a HID POS scanner every report is fed to a HidPosAssembler. The first
// 3 bytes after the descriptor also go to the AIM functions with the rest as the label. None may
// crash or read out of bounds. Properties checked:
//   - every field of a parsed descriptor lies inside its report, and a report fits
//     limits::hid_report_bytes_max; elements_with_usage() agrees with usage_of();
//   - a layout's fields lie inside its report;
//   - a scan has a non-empty label of at most limits::scan_label_bytes_max bytes, at most
//     limits::hid_scan_reports_max reports, raw bytes of whole reports, and a type that
//     scan_data_type_from_aim() gives for its AIM id; every error has a message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/scan/aim.h"
#include "loyalty/drivers/hid/hid_descriptor.h"
#include "loyalty/drivers/hid/hid_pos_scanner.h"

namespace {

using namespace loyalty;
using namespace loyalty::drivers;

void check_field(const HidReport& report, const HidField& field) {
  const std::uint64_t end = static_cast<std::uint64_t>(field.bit_offset) +
                            static_cast<std::uint64_t>(field.bit_size) * field.count;
  LOYALTY_ASSERT(end <= report.bits);
  LOYALTY_ASSERT(field.bit_size <= limits::hid_report_size_bits_max);
  for (const auto& range : field.usages) {
    LOYALTY_ASSERT(range.first <= range.last);
    const auto span = field.elements_with_usage(range.first);
    if (!span) continue;
    LOYALTY_ASSERT(span->count >= 1);
    LOYALTY_ASSERT(static_cast<std::uint64_t>(span->first) + span->count <= field.count);
    LOYALTY_ASSERT(field.usage_of(span->first) == range.first);
    const std::uint32_t last = span->first + span->count - 1;
    LOYALTY_ASSERT(field.usage_of(last) == range.first);
  }
}

void check_descriptor(const HidReportDescriptor& descriptor) {
  for (const auto& report : descriptor.reports) {
    LOYALTY_ASSERT(report.wire_bytes() <= limits::hid_report_bytes_max);
    for (const auto& field : report.fields) check_field(report, field);
  }
}

void check_layout(const HidReportDescriptor& descriptor, const HidPosScannerLayout& layout) {
  const HidReport* report = descriptor.find(HidReportType::input, layout.report_id);
  LOYALTY_ASSERT(report != nullptr);
  LOYALTY_ASSERT(layout.report_bytes == report->wire_bytes());
  LOYALTY_ASSERT(layout.data_bit_offset + 8ull * layout.data_bytes_max <= report->bits);
  auto inside = [&](const std::optional<HidBits>& bits) {
    if (bits) LOYALTY_ASSERT(bits->bit_offset + bits->bit_size <= report->bits);
  };
  inside(layout.byte_count);
  inside(layout.continued);
  for (const auto& bits : layout.symbology_identifier) inside(bits);
}

void check_scan(const HidPosScan& scan, const HidPosScannerLayout& layout) {
  LOYALTY_ASSERT(!scan.label.empty());
  LOYALTY_ASSERT(scan.label.size() <= limits::scan_label_bytes_max);
  LOYALTY_ASSERT(scan.reports >= 1 && scan.reports <= limits::hid_scan_reports_max);
  LOYALTY_ASSERT(scan.raw.size() >= scan.reports * layout.report_bytes);
  LOYALTY_ASSERT(scan.aim_id.empty() || parse_aim_prefix(scan.aim_id).has_value());
  const auto expected = scan.aim_id.empty() ? ScanDataType::unknown
                                            : scan_data_type_from_aim(scan.aim_id, scan.label);
  LOYALTY_ASSERT(scan.type == expected);
}

void feed_reports(const HidReportDescriptor& descriptor, std::span<const std::uint8_t> rest) {
  const auto layout = find_hid_pos_scanner(descriptor);
  if (!layout.ok()) {
    LOYALTY_ASSERT(!layout.error().message.empty());
    return;
  }
  check_layout(descriptor, *layout);
  HidPosAssembler assembler(*layout);
  // Every round takes at least one byte.
  for (std::size_t round = 0; !rest.empty() && round <= rest.size(); ++round) {
    std::size_t length = rest.size();
    if (rest.size() >= 2) {
      length = std::min<std::size_t>(rest[0] | (rest[1] << 8), rest.size() - 2);
      rest = rest.subspan(2);
    } else {
      length = rest.size();
    }
    const auto scan = assembler.feed(rest.first(length));
    rest = rest.subspan(length);
    if (!scan.ok()) {
      LOYALTY_ASSERT(!scan.error().message.empty());
      LOYALTY_ASSERT(!assembler.in_progress());
    } else if (scan->has_value()) {
      check_scan(**scan, *layout);
    }
  }
  const auto enable = honeywell_hid_pos_enable_report(descriptor);
  LOYALTY_ASSERT(enable.size() >= 2 && enable[0] == 0xFE && enable[1] == 0x01);
}

void check_aim(std::span<const std::uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const auto id = parse_aim_prefix(text);
  const std::string_view aim = text.substr(0, std::min<std::size_t>(3, text.size()));
  const std::string_view label = text.substr(aim.size());
  const auto type = scan_data_type_from_aim(aim, label);
  LOYALTY_ASSERT(id.has_value() == (type != ScanDataType::unknown));
  if (id) LOYALTY_ASSERT(id->to_string() == aim);
  const auto back = aim_id_for(type);
  LOYALTY_ASSERT(back.empty() || parse_aim_prefix(back).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  if (input.size() < 2) return 0;
  const std::size_t descriptor_bytes =
      std::min<std::size_t>(input[0] | (input[1] << 8), input.size() - 2);
  const auto descriptor_span = input.subspan(2, descriptor_bytes);
  const auto rest = input.subspan(2 + descriptor_bytes);
  check_aim(rest);
  const auto descriptor = parse_hid_report_descriptor(descriptor_span);
  if (!descriptor.ok()) {
    LOYALTY_ASSERT(!descriptor.error().message.empty());
    return 0;
  }
  check_descriptor(*descriptor);
  feed_reports(*descriptor, rest);
  return 0;
}
