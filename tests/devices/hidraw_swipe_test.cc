// The HID magstripe reader over a umockdev-replayed /dev/hidraw0: tracks, payment cards, bad
// swipes, input while disabled, and an unplug with the reader enabled.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "../drivers/magstripe/payment_fixtures.h"
#include "loyalty/drivers/magstripe/hid_swipe.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "testbed.h"

using namespace loyalty::drivers;
using namespace devices_test;

namespace {

// A MagTek-style descriptor: vendor page 0xFF00, one unnumbered 337-byte input report.
Bytes swipe_descriptor() {
  return from_hex(
      "0600FF0901A10115002600FF7508965101092081"
      "02C0");
}

Bytes swipe_report(const std::string& t1, const std::string& t2, const std::string& t3) {
  Bytes report(hid_swipe_report_bytes, 0);
  const std::string* tracks[3] = {&t1, &t2, &t3};
  for (std::size_t i = 0; i < 3; ++i) {
    report[3 + i] = static_cast<std::uint8_t>(tracks[i]->size());
    for (std::size_t j = 0; j < tracks[i]->size(); ++j) {
      report[7 + 110 * i + j] = static_cast<std::uint8_t>((*tracks[i])[j]);
    }
  }
  return report;
}

DeviceInfo swipe_info() {
  DeviceInfo info;
  info.id = "hidraw:/dev/hidraw0";
  info.node = "/dev/hidraw0";
  info.kind = DeviceKind::msr;
  info.transport = Transport::hidraw;
  return info;
}

struct SwipeRig {
  Testbed testbed;
  boost::asio::io_context io;
  HidrawSwipeReader reader{io, swipe_info()};
  Events events;

  SwipeRig() {
    testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
    events.attach(reader);
    REQUIRE(reader.open().ok());
    REQUIRE(reader.claim().ok());
  }
  void enable() { REQUIRE(reader.set_enabled(true).ok()); }
};

}  // namespace

TEST_CASE("hidraw swipe reader delivers a replayed loyalty card swipe with its exact tracks") {
  SwipeRig rig;
  rig.enable();
  const Bytes report = swipe_report("%LCLUB^42?", ";6280012345678=49121?", "");
  rig.testbed.load_script("/dev/hidraw0", script_read(report));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  CHECK(scan.device_id() == "hidraw:/dev/hidraw0");
  CHECK(scan.kind() == DeviceKind::msr);
  CHECK(scan.label().empty());
  CHECK(scan.raw() == report);
  REQUIRE(scan.swipe());
  CHECK_FALSE(scan.swipe()->payment_card);
  CHECK(scan.swipe()->track(1).raw == "%LCLUB^42?");
  CHECK(scan.swipe()->track(2).raw == ";6280012345678=49121?");
  CHECK(scan.swipe()->track(3).status == TrackStatus::absent);
  CHECK(rig.reader.data_count() == 0);
}

TEST_CASE("hidraw swipe reader withholds a replayed payment card swipe") {
  SwipeRig rig;
  rig.enable();
  rig.testbed.send("/dev/hidraw0",
                   swipe_report(drivers_test::visa_track1, drivers_test::visa_track2, ""));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  REQUIRE(scan.swipe());
  CHECK(scan.swipe()->payment_card);
  CHECK(scan.raw().empty());
  CHECK(scan.label().empty());
  CHECK(scan.swipe()->track(1).status == TrackStatus::ok);
  CHECK(scan.swipe()->track(2).status == TrackStatus::ok);
  drivers_test::check_swipe_has_no_pan(*scan.swipe(), drivers_test::visa_pan);
  drivers_test::check_no_pan(scan.device_id(), drivers_test::visa_pan);
}

TEST_CASE("hidraw swipe reader turns a swipe without a good track into an MSR extended error") {
  SwipeRig rig;
  rig.enable();
  // Track 2 without its end sentinel, track 1 with a wrong LRC after its end sentinel.
  rig.testbed.load_script("/dev/hidraw0",
                          script_read(swipe_report("%LCLUB^42?7", ";6280012345678=49121", "")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.errors.size() == 1);
  const ErrorEvent& error = rig.events.errors[0];
  CHECK(error.device_id() == "hidraw:/dev/hidraw0");
  CHECK(error.kind() == DeviceKind::msr);
  CHECK(error.result() == UposResult::extended);
  CHECK(error.extended() == 204);  // the first failed track with a UPOS code
  CHECK(error.locus() == ErrorLocus::input);
  CHECK(error.message() ==
        "bad swipe (track 1: lrc (204); track 2: end_sentinel (202); track 3: absent); "
        "swipe the card again");
  REQUIRE(error.swipe());
  CHECK(error.swipe()->track(1).raw.empty());  // an error carries statuses, not data
  CHECK(error.swipe()->track(2).status == TrackStatus::end_sentinel);
}

TEST_CASE("hidraw swipe reader keeps the good tracks of a swipe with a bad one") {
  SwipeRig rig;
  rig.enable();
  // Track 2 without its end sentinel, and an AAMVA-style track 3: track 1 still arrives, as data.
  rig.testbed.load_script(
      "/dev/hidraw0", script_read(swipe_report("%LCLUB^42?", ";6280012345678=49121", "#DL 42?")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  REQUIRE(scan.swipe());
  CHECK(scan.swipe()->track(1).raw == "%LCLUB^42?");
  CHECK(scan.swipe()->track(2).status == TrackStatus::end_sentinel);
  CHECK(upos_extended_code(scan.swipe()->track(2).status) == 202);
  CHECK(scan.swipe()->track(2).raw.empty());
  CHECK(scan.swipe()->track(3).status == TrackStatus::other_format);
  CHECK_FALSE(scan.swipe()->payment_card);
}

TEST_CASE("hidraw swipe reader reports a report of the wrong size") {
  SwipeRig rig;
  rig.enable();
  rig.testbed.send("/dev/hidraw0", Bytes(100, 0x30));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::failure);
  CHECK(rig.events.errors[0].message() ==
        "hidraw:/dev/hidraw0: a HID swipe report is 337 bytes; this one has 100; swipe the card "
        "again");
}

TEST_CASE("hidraw swipe reader drops a swipe made while disabled") {
  SwipeRig rig;
  rig.testbed.send("/dev/hidraw0", swipe_report("%STALE^1?", "", ""));
  rig.testbed.wait_readable("/dev/hidraw0");  // queued in the node before enabling
  rig.enable();
  rig.testbed.send("/dev/hidraw0", swipe_report("%FRESH^2?", "", ""));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].swipe()->track(1).raw == "%FRESH^2?");
}

TEST_CASE("hidraw swipe reader unplugged while enabled reports no_hardware once") {
  SwipeRig rig;
  rig.enable();
  rig.testbed.hang_up("/dev/hidraw0");
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::no_hardware);
  CHECK(rig.events.errors[0].message() ==
        "reader disconnected: /dev/hidraw0: End of file");  // umockdev: EOF; a kernel: EIO
  CHECK(rig.reader.gone());
  CHECK_FALSE(rig.reader.enabled());
  const auto again = rig.reader.set_enabled(true);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message ==
        "no_hardware: hidraw:/dev/hidraw0: the reader is gone; close it and open it again when "
        "it is back");
  run_ready(rig.io);
  CHECK(rig.events.count() == 1);  // no storm
  rig.reader.close();
  CHECK(rig.reader.state() == DeviceState::closed);
}

TEST_CASE("hidraw swipe reader cannot open a node that does not exist") {
  Testbed testbed;
  boost::asio::io_context io;
  HidrawSwipeReader reader(io, swipe_info());
  const auto opened = reader.open();
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message ==
        "cannot open /dev/hidraw0: No such file or directory; the reader is not plugged in (or "
        "was renamed)");
  CHECK(reader.state() == DeviceState::closed);
}

TEST_CASE("hidraw swipe reader destroyed with a read pending and data waiting is safe") {
  Testbed testbed;
  testbed.add_hidraw(0, 0x0801, 0x0011, "Mag-Tek USB Swipe Reader", swipe_descriptor());
  boost::asio::io_context io;
  auto reader = std::make_unique<HidrawSwipeReader>(io, swipe_info());
  Events events;
  events.attach(*reader);
  REQUIRE(reader->open().ok());
  REQUIRE(reader->claim().ok());
  REQUIRE(reader->set_enabled(true).ok());
  run_ready(io);  // the wait is armed
  testbed.send("/dev/hidraw0", swipe_report("%LCLUB^42?", "", ""));
  testbed.wait_readable("/dev/hidraw0");
  reader.reset();
  run_ready(io);  // the aborted wait runs its handler: it must not touch the reader
  CHECK(events.count() == 0);
}
