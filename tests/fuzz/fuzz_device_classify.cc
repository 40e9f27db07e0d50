// libFuzzer target for the classification of enumerated nodes (device_monitor.h).
//
// Input: byte 0 picks the transport (hidraw, evdev, serial), bytes 1-4 the vendor and product ids
// (little-endian), byte 5 whether the allow list names this device and as what, the rest is the
// report descriptor. The descriptor is untrusted (it comes from the device), so classification
// must not crash, and its answer must be consistent:
//   - a listed device is a reader of the listed kind, whatever its descriptor;
//   - an unlisted evdev node is never a reader (it could be the cashier's keyboard);
//   - an unlisted hidraw MSR is a MagTek or ID TECH device;
//   - the id is "<transport>:<node>" and the ids are copied.
#include <cstddef>
#include <cstdint>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/drivers/device_monitor.h"

namespace {

using namespace loyalty::drivers;

constexpr Transport kTransports[] = {Transport::hidraw, Transport::evdev, Transport::serial};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 6) return 0;
  DeviceCandidate candidate;
  candidate.transport = kTransports[data[0] % 3];
  candidate.node = "/dev/node0";
  candidate.vendor_id = static_cast<std::uint16_t>(data[1] | (data[2] << 8));
  candidate.product_id = static_cast<std::uint16_t>(data[3] | (data[4] << 8));
  candidate.report_descriptor.assign(data + 6, data + size);

  DeviceMonitorOptions options;
  const int listed = data[5] % 3;  // 0 unlisted, 1 listed as scanner, 2 listed as msr
  if (listed != 0) {
    options.readers.push_back(ListedReader{candidate.vendor_id, candidate.product_id,
                                           candidate.transport,
                                           listed == 1 ? DeviceKind::scanner : DeviceKind::msr});
  }
  options.serial_unlisted_are_scanners = (data[5] & 0x80) == 0;

  const auto info = classify_device(candidate, options);
  if (listed != 0) {
    LOYALTY_ASSERT(info.has_value());
    LOYALTY_ASSERT(info->kind == (listed == 1 ? DeviceKind::scanner : DeviceKind::msr));
  } else if (candidate.transport == Transport::evdev) {
    LOYALTY_ASSERT(!info.has_value());
  } else if (info && candidate.transport == Transport::hidraw && info->kind == DeviceKind::msr) {
    LOYALTY_ASSERT(candidate.vendor_id == 0x0801 || candidate.vendor_id == 0x0acd);
  }
  if (info) {
    LOYALTY_ASSERT(info->id == std::string(transport_name(candidate.transport)) + ":/dev/node0");
    LOYALTY_ASSERT(info->vendor_id == candidate.vendor_id);
    LOYALTY_ASSERT(info->product_id == candidate.product_id);
    LOYALTY_ASSERT(info->transport == candidate.transport);
  }
  return 0;
}
