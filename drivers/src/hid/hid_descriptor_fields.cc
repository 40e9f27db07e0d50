// Queries on a parsed HID report descriptor: usages of field elements, reports, report bits.
#include <algorithm>

#include "loyalty/drivers/hid/hid_descriptor.h"

namespace loyalty::drivers {

const char* hid_report_type_name(HidReportType type) {
  switch (type) {
    case HidReportType::input:
      return "input";
    case HidReportType::output:
      return "output";
    case HidReportType::feature:
      return "feature";
  }
  return "?";
}

std::optional<std::uint32_t> HidField::usage_of(std::uint32_t index) const {
  if (!variable() || usages.empty() || index >= count) return std::nullopt;
  std::uint64_t start = 0;
  for (const auto& range : usages) {
    const std::uint64_t length = static_cast<std::uint64_t>(range.last) - range.first + 1;
    if (index < start + length) return static_cast<std::uint32_t>(range.first + (index - start));
    start += length;
  }
  return usages.back().last;  // the last usage repeats (HID 1.11, 6.2.2.8)
}

std::optional<HidField::ElementSpan> HidField::elements_with_usage(std::uint32_t usage) const {
  if (!variable() || usages.empty() || count == 0) return std::nullopt;
  std::uint64_t start = 0;  // element index of the current range's first usage
  std::optional<std::uint64_t> first;
  std::uint64_t length = 0;
  bool open = false;     // the matched run reaches the end of the current range
  bool ran_out = false;  // every range was walked
  for (std::size_t i = 0; i < usages.size() && start < count; ++i) {
    const auto& range = usages[i];
    if (!first) {
      if (usage >= range.first && usage <= range.last) {
        first = start + (usage - range.first);
        length = 1;
        open = usage == range.last;
      }
    } else if (range.first == usage) {  // the run goes on into this range
      length += 1;
      open = range.last == usage;
    } else {
      open = false;
    }
    if (first && !open) break;
    start += static_cast<std::uint64_t>(range.last) - range.first + 1;
    ran_out = i + 1 == usages.size();
  }
  if (!first || *first >= count) return std::nullopt;
  // The last usage repeats for the remaining elements (HID 1.11, 6.2.2.8).
  if (open && ran_out) length = count - *first;
  length = std::min<std::uint64_t>(length, count - *first);
  return ElementSpan{static_cast<std::uint32_t>(*first), static_cast<std::uint32_t>(length)};
}

bool HidField::inside(std::uint32_t collection_usage) const {
  for (const auto& collection : collections) {
    if (collection.usage == collection_usage) return true;
  }
  return false;
}

bool HidReportDescriptor::numbered() const {
  for (const auto& report : reports) {
    if (report.id != 0) return true;
  }
  return false;
}

const HidReport* HidReportDescriptor::find(HidReportType type, std::uint8_t id) const {
  for (const auto& report : reports) {
    if (report.type == type && report.id == id) return &report;
  }
  return nullptr;
}

std::optional<std::uint32_t> hid_read_bits(std::span<const std::uint8_t> data,
                                           std::uint32_t bit_offset, std::uint32_t bit_size) {
  LOYALTY_ASSERT(bit_size >= 1 && bit_size <= 32);
  const std::uint64_t end = static_cast<std::uint64_t>(bit_offset) + bit_size;
  if (end > static_cast<std::uint64_t>(data.size()) * 8) return std::nullopt;
  std::uint32_t value = 0;
  for (std::uint32_t k = 0; k < bit_size; ++k) {
    const std::uint64_t bit = static_cast<std::uint64_t>(bit_offset) + k;
    if ((data[bit / 8] >> (bit % 8)) & 1u) value |= 1u << k;
  }
  return value;
}

}  // namespace loyalty::drivers
