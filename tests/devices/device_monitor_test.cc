// udev enumeration and hotplug of readers in a umockdev testbed: classification by descriptor
// and allow list, add and remove at runtime (repeated adds reported once), the rescan fallback.
#include "loyalty/drivers/device_monitor.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "../drivers/hid/hid_pos_fixtures.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "testbed.h"

using namespace loyalty::drivers;
using namespace devices_test;

namespace {

Bytes swipe_descriptor() { return from_hex("0600FF0901A10115002600FF750896510109208102C0"); }

std::string describe(const DeviceInfo& info) {
  char ids[16];
  std::snprintf(ids, sizeof ids, "%04x:%04x", info.vendor_id, info.product_id);
  return info.id + " " + device_kind_name(info.kind) + " " + transport_name(info.transport) + " " +
         ids + " " + info.name;
}

std::vector<std::string> describe_all(const std::vector<DeviceInfo>& infos) {
  std::vector<std::string> out;
  for (const DeviceInfo& info : infos) out.push_back(describe(info));
  return out;
}

DeviceMonitorOptions wedge_listed() {
  DeviceMonitorOptions options;
  options.readers.push_back(ListedReader{0x05e0, 0x1200, Transport::evdev, DeviceKind::scanner});
  options.readers.push_back(ListedReader{0x0801, 0x0002, Transport::evdev, DeviceKind::msr});
  return options;
}

}  // namespace

TEST_CASE("device enumeration classifies hidraw, evdev and serial nodes") {
  LogCapture log;
  Testbed testbed;
  testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
  testbed.add_hidraw(1, 0x0c2e, 0x0b61, "Honeywell Scanner", drivers_test::kHoneywellDescriptor);
  testbed.add_hidraw(2, 0x046d, 0xc31c, "Logitech Keyboard", drivers_test::kBootKeyboardDescriptor);
  // A 337-byte report from a vendor that is not a swipe maker: not an MSR.
  testbed.add_hidraw(3, 0x1234, 0x0001, "Other Device", swipe_descriptor());
  testbed.add_evdev(4, 0x05e0, 0x1200, "Symbol Bar Code Scanner");
  testbed.add_evdev(5, 0x0801, 0x0002, "Mag-Tek Keyboard Swipe");
  testbed.add_evdev(6, 0x046d, 0xc31c, "Logitech Keyboard");
  testbed.add_tty("ttyACM0", 0x0c2e, 0x0b6a);

  const auto found = enumerate_readers(wedge_listed());
  REQUIRE(found.ok());
  std::vector<std::string> described = describe_all(*found);
  std::sort(described.begin(), described.end());
  CHECK(described == std::vector<std::string>{
                         "evdev:/dev/input/event4 scanner evdev 05e0:1200 Symbol Bar Code Scanner",
                         "evdev:/dev/input/event5 msr evdev 0801:0002 Mag-Tek Keyboard Swipe",
                         "hidraw:/dev/hidraw0 msr hidraw 0801:0011 Mag-Tek USB Swipe Reader",
                         "hidraw:/dev/hidraw1 scanner hidraw 0c2e:0b61 Honeywell Scanner",
                         "serial:/dev/ttyACM0 scanner serial 0c2e:0b6a Serial_Scanner",
                     });
}

TEST_CASE("device classification without the allow list and with serial ports unlisted") {
  DeviceCandidate keyboard;
  keyboard.transport = Transport::evdev;
  keyboard.node = "/dev/input/event3";
  keyboard.vendor_id = 0x05e0;
  keyboard.product_id = 0x1200;
  CHECK_FALSE(classify_device(keyboard, {}));
  CHECK(classify_device(keyboard, wedge_listed())->kind == DeviceKind::scanner);

  DeviceCandidate serial;
  serial.transport = Transport::serial;
  serial.node = "/dev/ttyUSB0";
  DeviceMonitorOptions strict;
  strict.serial_unlisted_are_scanners = false;
  CHECK(classify_device(serial, {})->id == "serial:/dev/ttyUSB0");
  CHECK_FALSE(classify_device(serial, strict));

  DeviceCandidate unreadable;  // a hidraw node whose descriptor could not be read
  unreadable.transport = Transport::hidraw;
  unreadable.node = "/dev/hidraw9";
  unreadable.vendor_id = 0x0801;
  CHECK_FALSE(classify_device(unreadable, {}));
  unreadable.report_descriptor = {0x05, 0x8C, 0xA1};  // truncated: not parsed, not a reader
  CHECK_FALSE(classify_device(unreadable, {}));
}

TEST_CASE("device monitor sees a reader added and removed at runtime once each") {
  LogCapture log;
  Testbed testbed;
  boost::asio::io_context io;
  DeviceMonitor monitor(io);
  std::vector<std::string> added;
  std::vector<std::string> removed;
  monitor.on_added([&](const DeviceInfo& info) { added.push_back(describe(info)); });
  monitor.on_removed([&](const DeviceInfo& info) { removed.push_back(describe(info)); });
  REQUIRE(monitor.start().ok());
  CHECK_FALSE(monitor.rescanning());
  CHECK(added.empty());

  const std::string syspath = testbed.add_hidraw(0, 0x0c2e, 0x0b61, "Honeywell Scanner",
                                                 drivers_test::kHoneywellDescriptor);
  testbed.uevent(syspath, "add");
  testbed.uevent(syspath, "add");  // udev may repeat an add: reported once
  run_until(io, [&] { return added.size() == 1; });
  CHECK(added[0] == "hidraw:/dev/hidraw0 scanner hidraw 0c2e:0b61 Honeywell Scanner");
  REQUIRE(monitor.devices().size() == 1);

  testbed.uevent(syspath, "remove");
  testbed.remove(syspath);
  run_until(io, [&] { return removed.size() == 1; });
  CHECK(removed[0] == "hidraw:/dev/hidraw0 scanner hidraw 0c2e:0b61 Honeywell Scanner");
  CHECK(added.size() == 1);
  CHECK(monitor.devices().empty());
}

TEST_CASE("device monitor reports readers present at start and ignores other devices") {
  LogCapture log;
  Testbed testbed;
  testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
  boost::asio::io_context io;
  DeviceMonitor monitor(io);
  std::vector<std::string> added;
  monitor.on_added([&](const DeviceInfo& info) { added.push_back(describe(info)); });
  REQUIRE(monitor.start().ok());
  CHECK(added == std::vector<std::string>{
                     "hidraw:/dev/hidraw0 msr hidraw 0801:0011 Mag-Tek USB Swipe Reader"});
  // A keyboard plugged in later is no reader.
  const std::string keyboard = testbed.add_hidraw(1, 0x046d, 0xc31c, "Logitech Keyboard",
                                                  drivers_test::kBootKeyboardDescriptor);
  testbed.uevent(keyboard, "add");
  const std::string scanner = testbed.add_hidraw(2, 0x0c2e, 0x0b61, "Honeywell Scanner",
                                                 drivers_test::kHoneywellDescriptor);
  testbed.uevent(scanner, "add");
  run_until(io, [&] { return added.size() == 2; });
  CHECK(added[1] == "hidraw:/dev/hidraw2 scanner hidraw 0c2e:0b61 Honeywell Scanner");
}

TEST_CASE("device monitor falls back to rescanning without a udev monitor") {
  LogCapture log;
  Testbed testbed;
  boost::asio::io_context io;
  DeviceMonitorOptions options;
  options.use_udev_monitor = false;
  options.rescan_interval_ms = 20;
  DeviceMonitor monitor(io, options);
  std::vector<std::string> added;
  std::vector<std::string> removed;
  monitor.on_added([&](const DeviceInfo& info) { added.push_back(info.id); });
  monitor.on_removed([&](const DeviceInfo& info) { removed.push_back(info.id); });
  REQUIRE(monitor.start().ok());
  CHECK(monitor.rescanning());
  // No uevent at all: only a rescan can see these.
  const std::string syspath =
      testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
  run_until(io, [&] { return added.size() == 1; });
  CHECK(added[0] == "hidraw:/dev/hidraw0");
  testbed.remove(syspath);
  run_until(io, [&] { return removed.size() == 1; });
  CHECK(removed[0] == "hidraw:/dev/hidraw0");
  CHECK(added.size() == 1);
}

TEST_CASE("hidraw swipe reader removed mid-swipe while the monitor watches") {
  LogCapture log;
  Testbed testbed;
  boost::asio::io_context io;
  DeviceMonitor monitor(io);
  std::vector<DeviceInfo> added;
  std::vector<std::string> removed;
  monitor.on_added([&](const DeviceInfo& info) { added.push_back(info); });
  monitor.on_removed([&](const DeviceInfo& info) { removed.push_back(info.id); });
  REQUIRE(monitor.start().ok());
  const std::string syspath =
      testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
  testbed.uevent(syspath, "add");
  run_until(io, [&] { return added.size() == 1; });

  HidrawSwipeReader reader(io, added[0]);
  Events events;
  events.attach(reader);
  REQUIRE(reader.open().ok());
  REQUIRE(reader.claim().ok());
  REQUIRE(reader.set_enabled(true).ok());
  // The reader is pulled out while the card is in the slot: part of the report, then nothing.
  testbed.send("/dev/hidraw0", Bytes(40, 0x25));
  run_until(io, [&] { return events.count() == 1; });  // a short report: a bad swipe
  testbed.uevent(syspath, "remove");
  testbed.hang_up("/dev/hidraw0");
  testbed.remove(syspath);
  run_until(io, [&] { return events.count() == 2 && removed.size() == 1; });
  REQUIRE(events.errors.size() == 2);
  CHECK(events.errors[0].result() == UposResult::failure);
  CHECK(events.errors[1].result() == UposResult::no_hardware);
  CHECK(events.errors[1].device_id() == "hidraw:/dev/hidraw0");
  CHECK(removed == std::vector<std::string>{"hidraw:/dev/hidraw0"});
  reader.close();
}
