// Which nodes are readers (device_monitor.h): the allow list, then the HID report descriptor.
#include <string>

#include "loyalty/drivers/device_monitor.h"
#include "loyalty/drivers/hid/hid_descriptor.h"
#include "loyalty/drivers/magstripe/hid_swipe.h"

namespace loyalty::drivers {

namespace {

constexpr std::uint16_t kHidPosUsagePage = 0x8C;
constexpr std::uint16_t kMagTekVendorId = 0x0801;
constexpr std::uint16_t kIdTechVendorId = 0x0acd;

bool is_hid_pos(const HidReportDescriptor& descriptor) {
  for (const HidCollectionRef& application : descriptor.applications) {
    if (hid_usage_page(application.usage) == kHidPosUsagePage) return true;
  }
  for (const HidReport& report : descriptor.reports) {
    for (const HidField& field : report.fields) {
      if (field.usage_page == kHidPosUsagePage) return true;
    }
  }
  return false;
}

bool has_swipe_report(const HidReportDescriptor& descriptor) {
  for (const HidReport& report : descriptor.reports) {
    if (report.type == HidReportType::input && report.data_bytes() == hid_swipe_report_bytes) {
      return true;
    }
  }
  return false;
}

std::optional<DeviceKind> classify_hidraw(const DeviceCandidate& candidate) {
  if (candidate.report_descriptor.empty()) return std::nullopt;
  const auto descriptor = parse_hid_report_descriptor(candidate.report_descriptor);
  if (!descriptor.ok()) return std::nullopt;
  if (is_hid_pos(*descriptor)) return DeviceKind::scanner;
  const bool swipe_vendor =
      candidate.vendor_id == kMagTekVendorId || candidate.vendor_id == kIdTechVendorId;
  if (swipe_vendor && has_swipe_report(*descriptor)) return DeviceKind::msr;
  return std::nullopt;
}

}  // namespace

std::optional<DeviceInfo> classify_device(const DeviceCandidate& candidate,
                                          const DeviceMonitorOptions& options) {
  DeviceInfo info;
  info.id = std::string(transport_name(candidate.transport)) + ":" + candidate.node;
  info.node = candidate.node;
  info.transport = candidate.transport;
  info.name = candidate.name;
  info.vendor_id = candidate.vendor_id;
  info.product_id = candidate.product_id;
  for (const ListedReader& listed : options.readers) {
    if (listed.vendor_id == candidate.vendor_id && listed.product_id == candidate.product_id &&
        listed.transport == candidate.transport) {
      info.kind = listed.kind;
      return info;
    }
  }
  std::optional<DeviceKind> kind;
  switch (candidate.transport) {
    case Transport::hidraw:
      kind = classify_hidraw(candidate);
      break;
    case Transport::serial:
      if (options.serial_unlisted_are_scanners) kind = DeviceKind::scanner;
      break;
    default:  // evdev (keyboards unless listed), and transports udev does not enumerate here
      break;
  }
  if (!kind) return std::nullopt;
  info.kind = *kind;
  return info;
}

}  // namespace loyalty::drivers
