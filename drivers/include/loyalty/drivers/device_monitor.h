// Finding readers: udev enumeration of hidraw nodes, input event nodes and USB serial ports
// (ttyACM*, ttyUSB*), classified into DeviceInfo, and hotplug while the program runs.
//
// Classification (classify_device(), pure):
//   1. the allow list (DeviceMonitorOptions::readers) by vendor/product and transport decides
//      first: a keyboard-wedge reader looks exactly like a keyboard, so only the list can tell;
//   2. hidraw: a report descriptor with usage page 0x8C (HID POS) is a scanner; a MagTek (0x0801)
//      or ID TECH (0x0acd) device with a 337-byte input report is an MSR; anything else is not a
//      reader (keyboards, mice, UPSes);
//   3. input event nodes: readers only when listed;
//   4. serial ports: listed ones as listed; others are scanners when serial_unlisted_are_scanners
//      (USB CDC-ACM "COM port" mode is the usual serial scanner on a POS terminal).
// The id is "<transport>:<node>" ("hidraw:/dev/hidraw0").
//
// Hotplug: a udev netlink monitor (source "udev": events come after udevd has created the node
// and applied its rules) whose descriptor the Asio loop watches. The same node added twice (udev
// and umockdev may repeat an add) is reported once; a remove of an unknown node is ignored. When
// no monitor can be had (no netlink, e.g. a container), or use_udev_monitor is false, the monitor
// rescans every rescan_interval_ms and reports the difference instead.
//
// Thread-safety: one thread, the io_context's; handlers run on it. The io_context must outlive
// the monitor; destroying it with a wait pending is safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/device.h"

namespace loyalty::drivers {

// One entry of the allow list: a reader known by its USB ids.
struct ListedReader {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  Transport transport = Transport::evdev;  // hidraw, evdev or serial
  DeviceKind kind = DeviceKind::scanner;
};

struct DeviceMonitorOptions {
  std::vector<ListedReader> readers;
  bool serial_unlisted_are_scanners = true;
  bool use_udev_monitor = true;  // false: periodic rescans only
  std::int64_t rescan_interval_ms = limits::device_rescan_interval_ms_default;  // > 0
};

// What enumeration found out about a node, before classification.
struct DeviceCandidate {
  Transport transport = Transport::hidraw;  // hidraw, evdev or serial
  std::string node;                         // "/dev/hidraw0"
  std::string syspath;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::string name;
  // hidraw: the report descriptor; empty when it could not be read (then only the list decides).
  std::vector<std::uint8_t> report_descriptor;
};

// The reader a candidate is, or nullopt when it is none (rules above). Pure.
std::optional<DeviceInfo> classify_device(const DeviceCandidate& candidate,
                                          const DeviceMonitorOptions& options);

// The readers present now, in udev's order. io_error when udev cannot be used at all.
Result<std::vector<DeviceInfo>> enumerate_readers(const DeviceMonitorOptions& options);

class DeviceMonitor {
 public:
  using Handler = std::function<void(const DeviceInfo&)>;

  DeviceMonitor(boost::asio::io_context& io, DeviceMonitorOptions options = {});
  ~DeviceMonitor();
  DeviceMonitor(const DeviceMonitor&) = delete;
  DeviceMonitor& operator=(const DeviceMonitor&) = delete;

  // Set before start().
  void on_added(Handler handler) { on_added_ = std::move(handler); }
  void on_removed(Handler handler) { on_removed_ = std::move(handler); }

  // Starts watching, then enumerates: every reader present is reported to on_added (from this
  // call). io_error when udev cannot be used at all; a monitor that cannot be created is not an
  // error (rescanning() says so, and a warning is logged).
  Status start();
  // Stops watching; known devices are forgotten without on_removed. Idempotent.
  void stop();

  // Readers known now, in the order they were added.
  const std::vector<DeviceInfo>& devices() const { return devices_; }
  // True when hotplug works by periodic rescans.
  bool rescanning() const { return rescanning_; }

 private:
  struct Udev;

  void watch();
  void on_udev_readable();
  void schedule_rescan();
  void rescan();
  void add(DeviceInfo info, std::string syspath);
  void remove_node(const std::string& node);

  boost::asio::io_context& io_;
  DeviceMonitorOptions options_;
  std::unique_ptr<Udev> udev_;
  Handler on_added_;
  Handler on_removed_;
  std::vector<DeviceInfo> devices_;
  bool rescanning_ = false;
  bool running_ = false;
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

}  // namespace loyalty::drivers
