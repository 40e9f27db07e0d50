// The HID POS scanner over a umockdev-replayed /dev/hidraw0: single and multi-report scans, the
// Honeywell enable feature report, the UPOS delivery rules seen through the real device, and an
// unplug in the middle of a multi-report scan.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "../drivers/hid/hid_pos_fixtures.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "loyalty/drivers/log.h"
#include "testbed.h"

using namespace loyalty::drivers;
using namespace devices_test;
using drivers_test::honeywell_report;

namespace {

DeviceInfo scanner_info() {
  DeviceInfo info;
  info.id = "hidraw:/dev/hidraw0";
  info.node = "/dev/hidraw0";
  info.kind = DeviceKind::scanner;
  info.transport = Transport::hidraw;
  return info;
}

struct ScannerRig {
  LogCapture log;  // umockdev answers HIDIOCSFEATURE with ENOTTY: the claim logs a warning
  Testbed testbed;
  boost::asio::io_context io;
  HidPosScanner scanner{io, scanner_info()};
  Events events;

  explicit ScannerRig(const Bytes& descriptor = drivers_test::kHoneywellDescriptor) {
    testbed.add_hidraw(0, 0x0c2e, 0x0b61, "Honeywell Scanner", descriptor);
  }
  void open_and_enable() {
    events.attach(scanner);
    REQUIRE(scanner.open().ok());
    REQUIRE(scanner.claim().ok());
    REQUIRE(scanner.set_enabled(true).ok());
  }
};

// 150 bytes: three reports of 56, 56 and 38.
const std::string kLongQr =
    "https://loyalty.example/c/9f2d41c7a0b3e58d6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70"
    "8192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80-0123456789";

}  // namespace

TEST_CASE("hidraw pos scanner delivers a replayed single-report scan with label aim id and type") {
  ScannerRig rig;
  rig.open_and_enable();
  REQUIRE(rig.scanner.layout());
  CHECK(rig.scanner.layout()->report_bytes == 64);
  const Bytes report = honeywell_report("4006381333931", "]E0", false);
  rig.testbed.load_script("/dev/hidraw0", script_read(report));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  CHECK(scan.device_id() == "hidraw:/dev/hidraw0");
  CHECK(scan.kind() == DeviceKind::scanner);
  CHECK(scan.label() == "4006381333931");
  CHECK(scan.aim_id() == "]E0");
  CHECK(scan.type() == ScanDataType::ean13);
  CHECK(scan.raw() == report);
  CHECK_FALSE(scan.swipe());
}

TEST_CASE("hidraw pos scanner joins a replayed multi-report scan") {
  REQUIRE(kLongQr.size() == 150);
  ScannerRig rig;
  rig.open_and_enable();
  const Bytes r1 = honeywell_report(kLongQr.substr(0, 56), "]Q1", true);
  const Bytes r2 = honeywell_report(kLongQr.substr(56, 56), "]Q1", true);
  const Bytes r3 = honeywell_report(kLongQr.substr(112), "]Q1", false);
  // The script writes the three reports back to back: the pty may merge them, and the reader
  // still cuts them at 64 bytes, as the kernel hands them out one per read.
  rig.testbed.load_script("/dev/hidraw0", script_read(r1) + script_read(r2) + script_read(r3));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  CHECK(scan.label() == kLongQr);
  CHECK(scan.aim_id() == "]Q1");
  CHECK(scan.type() == ScanDataType::qrcode);
  Bytes raw = r1;
  raw.insert(raw.end(), r2.begin(), r2.end());
  raw.insert(raw.end(), r3.begin(), r3.end());
  CHECK(scan.raw() == raw);
  CHECK_FALSE(rig.scanner.scan_in_progress());
}

TEST_CASE("hidraw pos scanner sends the Honeywell enable feature report on claim") {
  ScannerRig rig;
  IoctlSpy spy(rig.testbed, "/dev/hidraw0");
  REQUIRE(rig.scanner.open().ok());
  CHECK(spy.calls().empty());
  REQUIRE(rig.scanner.claim().ok());
  CHECK(rig.scanner.enable_report_sent());
  const auto calls = spy.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].data == Bytes{0xFE, 0x01});
  // Reading still works with the ioctl handler in place.
  rig.events.attach(rig.scanner);
  REQUIRE(rig.scanner.set_enabled(true).ok());
  rig.testbed.send("/dev/hidraw0", honeywell_report("96385074", "]E4", false));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "96385074");
  CHECK(rig.events.scans[0].type() == ScanDataType::ean8);
}

TEST_CASE("hidraw pos scanner claims with a warning when the feature report fails") {
  ScannerRig rig;
  IoctlSpy spy(rig.testbed, "/dev/hidraw0", EPIPE);  // a device that stalls the request
  REQUIRE(rig.scanner.open().ok());
  CHECK(rig.scanner.claim().ok());
  CHECK_FALSE(rig.scanner.enable_report_sent());
  CHECK(spy.calls().size() == 1);
  CHECK(rig.log.lines() ==
        std::vector<std::string>{"warning: hidraw:/dev/hidraw0: the HID POS enable feature report "
                                 "(0xFE = 1) failed: Broken pipe; using the scanner as it is"});
}

TEST_CASE("hidraw pos scanner queues scans while DataEventEnabled is off") {
  ScannerRig rig;
  rig.events.rearm = false;
  rig.open_and_enable();
  rig.scanner.set_data_event_enabled(false);
  rig.testbed.send("/dev/hidraw0", honeywell_report("4006381333931", "]E0", false));
  run_until(rig.io, [&] { return rig.scanner.data_count() == 1; });
  rig.testbed.send("/dev/hidraw0", honeywell_report("96385074", "]E4", false));
  run_until(rig.io, [&] { return rig.scanner.data_count() == 2; });
  CHECK(rig.events.count() == 0);
  // Re-arming delivers the oldest scan only: delivery turns DataEventEnabled off again.
  rig.scanner.set_data_event_enabled(true);
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "4006381333931");
  CHECK_FALSE(rig.scanner.data_event_enabled());
  CHECK(rig.scanner.data_count() == 1);
  rig.scanner.clear_input();
  CHECK(rig.scanner.data_count() == 0);
  rig.scanner.set_data_event_enabled(true);
  CHECK(rig.events.scans.size() == 1);
}

TEST_CASE("hidraw pos scanner clearInput drops a half-read multi-report scan") {
  ScannerRig rig;
  rig.open_and_enable();
  rig.testbed.send("/dev/hidraw0", honeywell_report(kLongQr.substr(0, 56), "]Q1", true));
  run_until(rig.io, [&] { return rig.scanner.scan_in_progress(); });
  rig.scanner.clear_input();
  CHECK_FALSE(rig.scanner.scan_in_progress());
  // The rest of the cut scan would otherwise complete it; now it is a scan of its own.
  rig.testbed.send("/dev/hidraw0", honeywell_report("4006381333931", "]E0", false));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "4006381333931");
}

TEST_CASE("hidraw pos scanner with AutoDisable stops reading after one scan") {
  ScannerRig rig;
  rig.open_and_enable();
  rig.scanner.set_auto_disable(true);
  rig.testbed.send("/dev/hidraw0", honeywell_report("4006381333931", "]E0", false));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  CHECK_FALSE(rig.scanner.enabled());
  // A second scan while auto-disabled is not read; enabling drops it as stale.
  rig.testbed.send("/dev/hidraw0", honeywell_report("96385074", "]E4", false));
  rig.testbed.wait_readable("/dev/hidraw0");
  run_ready(rig.io);
  CHECK(rig.events.count() == 1);
  REQUIRE(rig.scanner.set_enabled(true).ok());
  rig.testbed.send("/dev/hidraw0", honeywell_report("5012345678900", "]E0", false));
  run_until(rig.io, [&] { return rig.events.count() == 2; });
  REQUIRE(rig.events.scans.size() == 2);
  CHECK(rig.events.scans[1].label() == "5012345678900");
}

TEST_CASE("hidraw pos scanner unplugged mid multi-report scan reports no_hardware") {
  ScannerRig rig;
  rig.open_and_enable();
  rig.testbed.send("/dev/hidraw0", honeywell_report(kLongQr.substr(0, 56), "]Q1", true));
  run_until(rig.io, [&] { return rig.scanner.scan_in_progress(); });
  rig.testbed.hang_up("/dev/hidraw0");
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  CHECK(rig.events.scans.empty());
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::no_hardware);
  CHECK(rig.events.errors[0].kind() == DeviceKind::scanner);
  CHECK_FALSE(rig.scanner.scan_in_progress());
  CHECK(rig.scanner.gone());
  rig.scanner.close();
  CHECK(rig.scanner.state() == DeviceState::closed);
}

TEST_CASE("hidraw pos scanner refuses a device in keyboard mode") {
  ScannerRig rig(drivers_test::kBootKeyboardDescriptor);
  const auto opened = rig.scanner.open();
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message.find("hidraw:/dev/hidraw0: ") == 0);
  CHECK(opened.error().message.find("; set the scanner to HID POS mode (its manual has the "
                                    "barcode)") != std::string::npos);
  CHECK(rig.scanner.state() == DeviceState::closed);
}

TEST_CASE("hidraw pos scanner reports a scan the sanitiser rejects") {
  ScannerRig rig;
  rig.open_and_enable();
  rig.testbed.send("/dev/hidraw0", honeywell_report(std::string("AB\x07"
                                                                "CD"),
                                                    "]C0", false));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::failure);
  CHECK(rig.events.errors[0].message().find("hidraw:/dev/hidraw0: scan rejected: ") == 0);
  CHECK(rig.events.errors[0].message().find("AB") == std::string::npos);
}
