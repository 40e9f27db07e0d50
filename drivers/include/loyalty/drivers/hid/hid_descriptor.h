// USB HID report descriptors (HID 1.11, section 6.2.2): what a device's reports carry, where.
//
// The parser walks the short items (Main, Global, Local; 0, 1, 2 or 4 data bytes), skips long
// items, keeps the global state with Push/Pop, and lays out every Input, Output and Feature item
// as a HidField at its bit offset within its report. Usages are 32-bit extended usages (page in
// the high 16 bits): a 1- or 2-byte Usage takes the Usage Page current at the Main item that uses
// it (as the Linux kernel does), a 4-byte Usage carries its own page.
//
// Untrusted input: every count is capped by limits.h (descriptor bytes, Push depth, Collection
// nesting, element size, report bytes, queued usages), and a malformed descriptor is an error
// naming the byte offset of the offending item. Pure: no I/O. Thread-safety: stateless functions;
// the returned value is a plain value owned by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::drivers {

// page << 16 | id.
inline constexpr std::uint32_t hid_usage(std::uint16_t page, std::uint16_t id) {
  return (static_cast<std::uint32_t>(page) << 16) | id;
}
inline constexpr std::uint16_t hid_usage_page(std::uint32_t usage) {
  return static_cast<std::uint16_t>(usage >> 16);
}
inline constexpr std::uint16_t hid_usage_id(std::uint32_t usage) {
  return static_cast<std::uint16_t>(usage & 0xFFFF);
}

enum class HidReportType : std::uint8_t { input, output, feature };
const char* hid_report_type_name(HidReportType type);  // "input", "output", "feature"

// The data bits of an Input/Output/Feature item (HID 1.11, 6.2.2.5).
enum HidMainFlag : std::uint32_t {
  hid_flag_constant = 1u << 0,  // else data
  hid_flag_variable = 1u << 1,  // else array
  hid_flag_relative = 1u << 2,
  hid_flag_wrap = 1u << 3,
  hid_flag_nonlinear = 1u << 4,
  hid_flag_no_preferred = 1u << 5,
  hid_flag_null_state = 1u << 6,
  hid_flag_volatile = 1u << 7,  // Output and Feature only
  hid_flag_buffered_bytes = 1u << 8,
};

// Collection types (HID 1.11, 6.2.2.6); values above 6 are reserved or vendor-defined.
enum class HidCollectionType : std::uint8_t {
  physical = 0,
  application = 1,
  logical = 2,
  report = 3,
  named_array = 4,
  usage_switch = 5,
  usage_modifier = 6,
};

struct HidCollectionRef {
  std::uint32_t usage = 0;  // 0 when the Collection had no Usage
  std::uint8_t type = 0;    // a HidCollectionType value, or a reserved/vendor one
  friend bool operator==(const HidCollectionRef&, const HidCollectionRef&) = default;
};

// Usages as declared: a single Usage is a range with first == last.
struct HidUsageRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  friend bool operator==(const HidUsageRange&, const HidUsageRange&) = default;
};

// One Main data item: `count` elements of `bit_size` bits each, from `bit_offset`.
struct HidField {
  // Bits from the start of the report's data, i.e. after the Report ID byte when the descriptor
  // numbers its reports (hidraw hands that byte over as byte 0 of the buffer).
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;    // Report Size
  std::uint32_t count = 0;       // Report Count
  std::uint32_t flags = 0;       // HidMainFlag bits
  std::uint16_t usage_page = 0;  // the global Usage Page at the item
  std::int64_t logical_min = 0;
  std::int64_t logical_max = 0;
  std::vector<HidUsageRange> usages;          // empty for padding
  std::vector<HidCollectionRef> collections;  // enclosing collections, outermost first

  bool constant() const { return (flags & hid_flag_constant) != 0; }
  bool variable() const { return (flags & hid_flag_variable) != 0; }
  bool array() const { return !variable(); }

  // The usage of element `index` of a Variable item (HID 1.11, 6.2.2.8: usages are assigned in
  // order, and the last one repeats for the remaining elements), or nullopt when the item has no
  // usages or index >= count.
  std::optional<std::uint32_t> usage_of(std::uint32_t index) const;

  // The first element carrying `usage` in a Variable item and how many consecutive elements carry
  // it, or nullopt. Runs in O(usages.size()), whatever the count.
  struct ElementSpan {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  std::optional<ElementSpan> elements_with_usage(std::uint32_t usage) const;

  // Whether an enclosing collection has this usage.
  bool inside(std::uint32_t collection_usage) const;
};

struct HidReport {
  HidReportType type = HidReportType::input;
  std::uint8_t id = 0;  // 0 when the descriptor declares no Report ID
  std::uint32_t bits = 0;
  std::vector<HidField> fields;  // in descriptor order, constant (padding) items included

  // Bytes of the report's data, and as read from hidraw (with the Report ID byte when numbered).
  std::size_t data_bytes() const { return (bits + 7) / 8; }
  std::size_t wire_bytes() const { return data_bytes() + (id != 0 ? 1 : 0); }
};

struct HidReportDescriptor {
  std::vector<HidReport> reports;  // in order of first appearance
  // Usages of the top-level (application) collections, in order.
  std::vector<HidCollectionRef> applications;

  bool numbered() const;  // whether reports carry a Report ID byte
  // The report of that type and id (id 0 for an unnumbered descriptor), or nullptr. The pointer
  // lives as long as this descriptor is not modified.
  const HidReport* find(HidReportType type, std::uint8_t id) const;
};

// Errors (invalid_argument or limit_exceeded) name the item and its byte offset: a truncated
// item, an unbalanced Collection / End Collection, Push beyond
// limits::hid_global_stack_depth_max or Pop of an empty stack, nesting beyond
// limits::hid_collection_depth_max, Report ID 0, reports with and without a Report ID mixed, a
// Report Size above limits::hid_report_size_bits_max, a report above limits::hid_report_bytes_max,
// more than limits::hid_local_usages_max usages before a Main item, Usage Minimum without
// Maximum (or min > max), or a descriptor above limits::hid_report_descriptor_bytes_max.
Result<HidReportDescriptor> parse_hid_report_descriptor(std::span<const std::uint8_t> bytes);

// Unsigned value of `bit_size` (1..32) bits at `bit_offset` of a report's data, little-endian
// bit order as HID lays fields out (HID 1.11, 8.4), or nullopt when it runs past the end.
std::optional<std::uint32_t> hid_read_bits(std::span<const std::uint8_t> data,
                                           std::uint32_t bit_offset, std::uint32_t bit_size);

}  // namespace loyalty::drivers
