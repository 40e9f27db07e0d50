// Vendor-class USB scanners through the real code path: UsbScanner and UsbContext on a Boost.Asio
// io_context, libusb 1.0 (Debian 1.0.26) underneath, umockdev (Debian 0.17.16) standing in for the
// kernel's sysfs and usbdevfs (usb_testbed.h). Two ways to serve the usbdevfs node:
//
//  - replay: the case writes a usbmon capture (the pcap tcpdump and Wireshark save from usbmon)
//    and umockdev's pcap replayer (umockdev_testbed_load_pcap) plays it in order: a URB libusb
//    submits is matched to the next recorded submission ('S') and reaped when the recording
//    completes it ('C'), with the recorded data and status. That replayer answers ENOTTY to
//    USBDEVFS_DISCONNECT_CLAIM, USBDEVFS_GETDRIVER and USBDEVFS_IOCTL, so libusb's kernel-driver
//    auto-detach cannot claim under it (LIBUSB_ERROR_OTHER, "detach failed, errno=25"): replayed
//    cases use UsbKernelDriver::leave_bound.
//  - FakeUsbdevfs: an umockdev ioctl handler answering the ioctls libusb sends, with scripted
//    reports; it proves the auto-detach claim and the kernel driver's return on release, and an
//    unplug at a moment the case chooses.
//
// Under umockdev the usbdevfs node is a regular file, which epoll refuses and which never raises
// POLLERR: UsbContext polls it on a timer (UsbWatchedFd::pollable false), and an unplug reaches
// libusb as URBs completing with -ESHUTDOWN (as the kernel completes them, and usbmon shows) rather
// than through POLLERR on the handle.
#include <poll.h>

#include <algorithm>
#include <string>
#include <vector>

#include "usb_testbed.h"

using namespace loyalty_usb_test;  // NOLINT: the rig of this one test file

TEST_CASE("usb scanner frames labels from a replayed vendor-class scanner") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  capture.complete_and_resubmit("]E0400638");  // one label split across two transfers
  capture.complete_and_resubmit("1333931\r");
  capture.complete_and_resubmit("]C0ABC-123\r");
  capture.complete_and_resubmit("]C0BAD\x01\r");  // a control character: refused, reading goes on
  capture.complete_and_resubmit("]Q1https://example.test/c/42\r]Q1SECOND\r");  // two in one
  UsbTestbed device;
  device.replay(capture);
  auto config = replay_config();
  config.framing.aim_id = true;
  Rig rig(config);
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 4; }));
  CHECK(rig.received.labels() == std::vector<std::string>{"4006381333931", "ABC-123",
                                                          "https://example.test/c/42", "SECOND"});
  const auto& scans = rig.received.scans;
  CHECK(scans[0].aim_id() == "]E0");
  CHECK(scans[0].type() == ScanDataType::ean13);
  CHECK(text(scans[0].raw()) == "]E04006381333931\r");
  CHECK(scans[0].device_id() == "usb:1209:0001");
  CHECK(scans[1].aim_id() == "]C0");
  CHECK(scans[1].type() == ScanDataType::code128);
  CHECK(scans[2].aim_id() == "]Q1");
  CHECK(scans[2].type() == ScanDataType::qrcode);
  CHECK(text(scans[3].raw()) == "]Q1SECOND\r");
  REQUIRE(rig.received.errors.size() == 1);
  CHECK(rig.received.errors[0].result() == UposResult::failure);
  CHECK(rig.received.errors[0].locus() == loyalty::drivers::ErrorLocus::input);
  CHECK(rig.received.errors[0].message() ==
        "scan: control character 0x01 at position 3 is not allowed (only GS 0x1D, and RS/EOT "
        "inside an ISO/IEC 15434 envelope, are kept); check the scanner's prefix, suffix and "
        "control-character settings");

  // Every completion was resubmitted: the replay holds the four URBs of the last submissions.
  CHECK(rig.scanner->transfers_in_flight() == scanner_transfers);
  rig.scanner->close();
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(rig.scanner->transfers_cancelled() == scanner_transfers);
}

TEST_CASE("usb scanner close drains every transfer in flight before freeing it") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();
  REQUIRE(rig.scanner->transfers_in_flight() == scanner_transfers);

  // Straight from enable to close, with no event handled in between: close cancels the four
  // URBs and handles libusb events until each one has called back as cancelled.
  rig.scanner->close();
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(rig.scanner->transfers_cancelled() == scanner_transfers);
  CHECK(rig.scanner->state() == loyalty::drivers::DeviceState::closed);
  CHECK(rig.received.scans.empty());
  CHECK(rig.received.errors.empty());
  // Nothing is left for the loop: no handler touches the freed transfers.
  rig.io.restart();
  rig.io.poll();
  CHECK(rig.received.scans.empty());
}

TEST_CASE("usb scanner disable drains and a second enable reads again") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  capture.complete_and_resubmit("FIRST\r");
  // The disable discards the four URBs in flight (umockdev reaps them as -ENOENT without
  // consulting the capture); the second enable submits four new ones.
  capture.forget_pending();
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  capture.complete_and_resubmit("SECOND\r");
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 1; }));
  REQUIRE(rig.scanner->set_enabled(false).ok());
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(rig.scanner->transfers_cancelled() == scanner_transfers);

  REQUIRE(rig.scanner->set_enabled(true).ok());
  CHECK(rig.scanner->transfers_in_flight() == scanner_transfers);
  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 2; }));
  CHECK(rig.received.labels() == std::vector<std::string>{"FIRST", "SECOND"});
  rig.scanner->close();
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(rig.scanner->transfers_cancelled() == 2 * scanner_transfers);
}

TEST_CASE("usb scanner reports no_hardware when unplugged mid-transfer") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  capture.complete_and_resubmit("BEFORE\r");
  capture.complete_and_resubmit("PART");  // a scan cut short by the unplug
  // usbmon on an unplug: every URB in flight completes with -ESHUTDOWN and no data.
  while (capture.pending() > 0) capture.complete_oldest("", -108);
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return !rig.received.scans.empty(); }));
  device.unplug();
  REQUIRE(run_until(rig.io, [&] { return !rig.received.errors.empty(); }));

  CHECK(rig.received.labels() == std::vector<std::string>{"BEFORE"});
  REQUIRE(rig.received.errors.size() == 1);
  CHECK(rig.received.errors[0].result() == UposResult::no_hardware);
  CHECK(rig.received.errors[0].device_id() == "usb:1209:0001");
  CHECK(rig.received.errors[0].message().find("went away") != std::string::npos);
  CHECK(rig.scanner->gone());
  CHECK(rig.scanner->transfers_in_flight() == 0);
  auto again = rig.scanner->set_enabled(true);
  REQUIRE(!again.ok());
  CHECK(again.error().message.find("no_hardware") != std::string::npos);
  rig.scanner->close();
  CHECK(rig.scanner->state() == loyalty::drivers::DeviceState::closed);
}

TEST_CASE("usb scanner drops a runaway scan without its suffix and reads the next one") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  // 65 full transfers (4160 bytes) without CR: more than a label, its AIM id and CR may take.
  const std::string chunk(scanner_transfer_bytes, 'X');
  for (int i = 0; i < 65; ++i) capture.complete_and_resubmit(chunk);
  capture.complete_and_resubmit("\rGOOD\r");  // the runaway's end, then a good label
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 1; }));
  REQUIRE(rig.received.errors.size() == 1);
  CHECK(rig.received.errors[0].result() == UposResult::failure);
  CHECK(rig.received.errors[0].locus() == loyalty::drivers::ErrorLocus::input);
  CHECK(rig.received.errors[0].message() ==
        "scan longer than 4096 bytes (limits::scan_label_bytes_max or the scanner's setting): "
        "dropped up to its suffix (cr)");
  CHECK(rig.received.labels() == std::vector<std::string>{"GOOD"});
  rig.scanner->close();
  CHECK(rig.scanner->transfers_in_flight() == 0);
}

TEST_CASE("usb context watches exactly the descriptors libusb asks for") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  auto libusb_fds = [&rig] {
    std::vector<std::pair<int, short>> out;
    const libusb_pollfd** fds = libusb_get_pollfds(rig.usb->native());
    REQUIRE(fds != nullptr);
    for (std::size_t i = 0; fds[i] != nullptr; ++i) out.emplace_back(fds[i]->fd, fds[i]->events);
    libusb_free_pollfds(fds);
    std::sort(out.begin(), out.end());
    return out;
  };
  auto watched = [&rig] {
    std::vector<std::pair<int, short>> out;
    for (const auto& fd : rig.usb->watched_fds()) out.emplace_back(fd.fd, fd.events);
    return out;
  };

  // libusb's own descriptors (its event fd, and its timerfd): read readiness, epoll-watchable.
  const auto initial = rig.usb->watched_fds();
  REQUIRE(!initial.empty());
  CHECK(watched() == libusb_fds());
  for (const auto& fd : initial) {
    CHECK(fd.events == POLLIN);
    CHECK(fd.pollable);
  }

  // Opening adds the device handle's descriptor, which libusb polls for POLLOUT. Under umockdev
  // it is a regular file: not epoll-watchable, so polled on a timer.
  REQUIRE(rig.scanner->open().ok());
  CHECK(watched() == libusb_fds());
  const auto opened = rig.usb->watched_fds();
  REQUIRE(opened.size() == initial.size() + 1);
  std::vector<UsbWatchedFd> added;
  for (const auto& fd : opened) {
    if (std::find(initial.begin(), initial.end(), fd) == initial.end()) added.push_back(fd);
  }
  REQUIRE(added.size() == 1);
  CHECK(added[0].events == POLLOUT);
  CHECK_FALSE(added[0].pollable);

  // Closing removes it again through the removed-notifier.
  rig.scanner->close();
  CHECK(rig.usb->watched_fds() == initial);
  CHECK(watched() == libusb_fds());
}

TEST_CASE("usb scanner refuses a configuration it cannot use, naming the field") {
  UsbTestbed device;
  device.replay(UsbmonCapture{});
  boost::asio::io_context io;
  auto usb = UsbContext::create(io);
  REQUIRE(usb.ok());
  auto refused = [&usb](UsbScannerConfig config) {
    auto created = UsbScanner::create(**usb, std::move(config));
    REQUIRE_FALSE(created.ok());
    CHECK(created.error().code == loyalty::ErrorCode::invalid_argument);
    return created.error().message;
  };
  auto config = replay_config();
  config.vendor_id = 0;
  CHECK(refused(config) ==
        "USB scanner configuration: vendor_id and product_id are required (lsusb shows them as "
        "VVVV:PPPP)");
  config = replay_config();
  config.endpoint = 0x01;
  CHECK(refused(config) ==
        "USB scanner configuration: endpoint must be an IN endpoint (0x81..0x8f), not 0x0001");
  config = replay_config();
  config.transfers_in_flight = 0;
  CHECK(refused(config) == "USB scanner configuration: transfers_in_flight must be 1..16");
  config.transfers_in_flight = 17;
  CHECK(refused(config) == "USB scanner configuration: transfers_in_flight must be 1..16");
  config = replay_config();
  config.transfer_bytes = 4097;
  CHECK(refused(config) == "USB scanner configuration: transfer_bytes must be 1..4096");
  config = replay_config();
  config.framing.prefix = std::string(17, 'P');
  CHECK(refused(config) ==
        "USB scanner configuration: scan framer options: the prefix has 17 bytes; "
        "limits::scan_prefix_bytes_max is 16");
}

TEST_CASE("usb scanner open and claim fail clearly on the wrong device or endpoint") {
  UsbTestbed device;
  device.replay(UsbmonCapture{});
  SECTION("no device with that product id") {
    auto config = replay_config();
    config.product_id = 0x0002;
    Rig rig(config);
    auto opened = rig.scanner->open();
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == loyalty::ErrorCode::not_found);
    CHECK(opened.error().message ==
          "usb:1209:0002: no such USB device; check the cable and the configured vendor/product "
          "id (lsusb)");
    CHECK(rig.scanner->state() == loyalty::drivers::DeviceState::closed);
  }
  SECTION("an endpoint the interface does not have") {
    auto config = replay_config();
    config.endpoint = 0x82;
    Rig rig(config);
    REQUIRE(rig.scanner->open().ok());
    auto claimed = rig.scanner->claim();
    REQUIRE_FALSE(claimed.ok());
    CHECK(claimed.error().code == loyalty::ErrorCode::invalid_argument);
    CHECK(claimed.error().message ==
          "usb:1209:0001: interface 0 has no interrupt or bulk endpoint 0x0082; check the "
          "scanner's USB mode and the configured endpoint (lsusb -v)");
    CHECK_FALSE(rig.scanner->claimed());
  }
  SECTION("bus and address pick the device and name it") {
    auto config = replay_config();
    config.bus = 1;
    config.address = 3;
    Rig rig(config);
    CHECK(rig.scanner->info().id == "usb:1209:0001@1.3");
    auto opened = rig.scanner->open();
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == loyalty::ErrorCode::not_found);
  }
}

TEST_CASE("usb context reports a replayed scanner leaving through libusb hotplug") {
  UsbmonCapture capture;
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  REQUIRE(rig.usb->hotplug_available());
  std::vector<loyalty::drivers::UsbHotplugNotice> notices;
  REQUIRE(rig.usb
              ->watch_hotplug(0x1209, 0x0001,
                              [&notices](const loyalty::drivers::UsbHotplugNotice& notice) {
                                notices.push_back(notice);
                              })
              .ok());
  device.unplug();
  REQUIRE(run_until(rig.io, [&] { return !notices.empty(); }));
  CHECK(notices[0].event == loyalty::drivers::UsbHotplugEvent::left);
  CHECK(notices[0].vendor_id == 0x1209);
  CHECK(notices[0].product_id == 0x0001);
  CHECK(notices[0].bus == 1);
  CHECK(notices[0].address == 2);
}

TEST_CASE("usb scanner detaches the kernel driver on claim and gives it back on release") {
  UsbTestbed device;
  FakeUsbdevfs usbdevfs(device.get());
  usbdevfs.send("]E04006381333931\r");
  auto config = replay_config();
  config.kernel_driver = UsbKernelDriver::detach;  // the default
  config.framing.aim_id = true;
  Rig rig(config);
  rig.start();
  // libusb's auto-detach claims with USBDEVFS_DISCONNECT_CLAIM: detach and claim in one call.
  CHECK(usbdevfs.calls() == std::vector<std::string>{"disconnect_claim 0"});

  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 1; }));
  CHECK(rig.received.labels() == std::vector<std::string>{"4006381333931"});
  CHECK(rig.received.scans[0].type() == ScanDataType::ean13);
  CHECK(rig.scanner->transfers_in_flight() == scanner_transfers);
  CHECK(usbdevfs.urbs_submitted() == scanner_transfers);

  rig.scanner->close();
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(rig.scanner->transfers_cancelled() == scanner_transfers);
  CHECK(usbdevfs.urbs_submitted() == 0);
  // Released, then the kernel driver attached again (USBDEVFS_IOCTL / USBDEVFS_CONNECT).
  CHECK(usbdevfs.calls() ==
        std::vector<std::string>{"disconnect_claim 0", "release 0", "connect 0"});
}

TEST_CASE("usb scanner leaves a kernel driver bound when told to") {
  UsbTestbed device;
  FakeUsbdevfs usbdevfs(device.get());
  Rig rig;  // UsbKernelDriver::leave_bound
  rig.start();
  rig.scanner->close();
  CHECK(usbdevfs.calls() == std::vector<std::string>{"claim 0", "release 0"});
}

TEST_CASE("usb scanner unplugged from an emulated usbdevfs mid-scan reports no_hardware") {
  UsbTestbed device;
  FakeUsbdevfs usbdevfs(device.get());
  usbdevfs.send("ONE\r");
  usbdevfs.send("TW");  // the scan the unplug cuts short
  Rig rig;
  rig.start();
  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 1; }));

  // As the kernel does it: every URB in flight dies with -ESHUTDOWN, further calls get ENODEV,
  // and udev reports the removal.
  usbdevfs.unplug();
  device.unplug();
  REQUIRE(run_until(rig.io, [&] { return !rig.received.errors.empty(); }));

  CHECK(rig.received.labels() == std::vector<std::string>{"ONE"});
  REQUIRE(rig.received.errors.size() == 1);
  CHECK(rig.received.errors[0].result() == UposResult::no_hardware);
  CHECK(rig.received.errors[0].locus() == loyalty::drivers::ErrorLocus::input);
  CHECK(rig.received.errors[0].message() ==
        "reader disconnected: the USB device went away (usb:1209:0001)");
  CHECK(rig.scanner->gone());
  CHECK_FALSE(rig.scanner->enabled());
  CHECK(rig.scanner->transfers_in_flight() == 0);
  CHECK(usbdevfs.urbs_submitted() == 0);  // nothing was resubmitted to the dead device
  auto again = rig.scanner->set_enabled(true);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message ==
        "no_hardware: usb:1209:0001: the reader is gone; close it and open it again when it is "
        "back");
  rig.scanner->close();
  CHECK(rig.scanner->state() == loyalty::drivers::DeviceState::closed);
  CHECK(rig.received.errors.size() == 1);
}

TEST_CASE("usb scanner reports a failed transfer and goes on reading") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  capture.complete_oldest("", -32);  // -EPIPE: the endpoint stalled
  capture.submit();                  // resubmitted
  capture.complete_and_resubmit("OK\r");
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return rig.received.scans.size() == 1; }));
  REQUIRE(rig.received.errors.size() == 1);
  CHECK(rig.received.errors[0].result() == UposResult::failure);
  CHECK(rig.received.errors[0].message() ==
        "USB transfer failed (LIBUSB_TRANSFER_STALL): a scan may be lost; scan again");
  CHECK(rig.received.labels() == std::vector<std::string>{"OK"});
  CHECK_FALSE(rig.scanner->gone());
  CHECK(rig.scanner->transfers_in_flight() == scanner_transfers);
}

TEST_CASE("usb scanner gives up as gone after too many failed transfers in a row") {
  UsbmonCapture capture;
  for (std::size_t i = 0; i < scanner_transfers; ++i) capture.submit();
  for (std::size_t i = 0; i + 1 < loyalty::limits::usb_transfer_errors_in_a_row_max; ++i) {
    capture.complete_oldest("", -71);  // -EPROTO: a transfer error
    capture.submit();
  }
  capture.complete_oldest("", -71);  // the last one: not resubmitted
  UsbTestbed device;
  device.replay(capture);
  Rig rig;
  rig.start();

  REQUIRE(run_until(rig.io, [&] { return rig.scanner->gone(); }));
  REQUIRE(run_until(rig.io, [&] {
    return rig.received.errors.size() == loyalty::limits::usb_transfer_errors_in_a_row_max;
  }));
  for (std::size_t i = 0; i + 1 < rig.received.errors.size(); ++i) {
    CHECK(rig.received.errors[i].result() == UposResult::failure);
    CHECK(rig.received.errors[i].message() ==
          "USB transfer failed (LIBUSB_TRANSFER_ERROR): a scan may be lost; scan again");
  }
  CHECK(rig.received.errors.back().result() == UposResult::no_hardware);
  CHECK(rig.received.errors.back().message() ==
        "reader disconnected: 8 USB transfers failed in a row; unplug and replug the scanner");
  CHECK(rig.scanner->transfers_in_flight() == 0);
  rig.scanner->close();
  CHECK(rig.scanner->transfers_cancelled() == scanner_transfers - 1);
}
