// Test rig for vendor-class USB scanners under umockdev (usb_scanner_test.cc): the scanner's
// sysfs description, a usbmon capture writer for umockdev's pcap replayer, an emulated usbdevfs
// (FakeUsbdevfs) for what the replayer cannot do, and an io_context with a UsbScanner on it.
//
// Must run under umockdev-wrapper (LD_PRELOAD of libumockdev-preload).
#pragma once

#include <libusb.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/usb/usb_context.h"
#include "loyalty/drivers/usb/usb_scanner.h"

namespace loyalty_usb_test {

using loyalty::drivers::ErrorEvent;
using loyalty::drivers::ScanDataType;
using loyalty::drivers::ScanEvent;
using loyalty::drivers::UposResult;
using loyalty::drivers::UsbContext;
using loyalty::drivers::UsbKernelDriver;
using loyalty::drivers::UsbScanner;
using loyalty::drivers::UsbScannerConfig;
using loyalty::drivers::UsbWatchedFd;

constexpr const char* scanner_syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
constexpr std::uint8_t scanner_endpoint = 0x81;
constexpr std::uint32_t scanner_transfer_bytes = 64;
constexpr std::size_t scanner_transfers = 4;
// Event loop handlers a case may run before it gives up waiting (a liveness bound, not a timing
// assertion: a replay that stalls fails the case instead of hanging it).
constexpr int loop_handlers_max = 20'000;

inline std::filesystem::path fixture(const char* name) {
  return std::filesystem::path(LOYALTY_SOURCE_DIR) / "tests" / "devices" / "fixtures" / "usb" / name;
}

// A usbmon capture of one interrupt IN endpoint, written as classic pcap with
// DLT_USB_LINUX_MMAPPED (220) and the 64-byte usbmon header of each event.
class UsbmonCapture {
 public:
  // Records the submission of a new IN URB; returns its id.
  std::uint64_t submit() {
    const std::uint64_t id = next_id_++;
    add(id, 'S', -115 /* -EINPROGRESS */, scanner_transfer_bytes, {});
    pending_.push_back(id);
    return id;
  }
  // Records the oldest pending URB completing with data (status 0) and, as the scanner resubmits
  // at once, the submission that replaces it.
  void complete_and_resubmit(std::string_view data) {
    complete_oldest(data, 0);
    submit();
  }
  void complete_oldest(std::string_view data, int status) {
    REQUIRE(!pending_.empty());
    const std::uint64_t id = pending_.front();
    pending_.pop_front();
    add(id, 'C', status, static_cast<std::uint32_t>(data.size()), data);
  }
  std::size_t pending() const { return pending_.size(); }
  // The URBs in flight were cancelled. Not recorded: umockdev reaps a discarded URB as -ENOENT
  // by itself, and a recorded -ENOENT completion would be replayed before the cancel.
  void forget_pending() { pending_.clear(); }

  void write(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary);
    put32(out, 0xa1b2c3d4);  // pcap magic, microsecond timestamps
    put16(out, 2);
    put16(out, 4);
    put32(out, 0);      // thiszone
    put32(out, 0);      // sigfigs
    put32(out, 65535);  // snaplen
    put32(out, 220);    // DLT_USB_LINUX_MMAPPED
    out.write(reinterpret_cast<const char*>(records_.data()),
              static_cast<std::streamsize>(records_.size()));
    REQUIRE(out.good());
  }

 private:
  void add(std::uint64_t id, char event, int status, std::uint32_t urb_length,
           std::string_view data) {
    ++seconds_;
    std::string header;
    auto raw = [&header](const void* bytes, std::size_t size) {
      header.append(static_cast<const char*>(bytes), size);
    };
    const std::uint8_t type = 1;  // interrupt
    const std::uint8_t device = 2;
    const std::uint16_t bus = 1;
    const char setup_flag = '-';
    const char data_flag = data.empty() ? '<' : '\0';
    const std::int64_t ts_sec = seconds_;
    const std::int32_t ts_usec = 0;
    const auto data_length = static_cast<std::uint32_t>(data.size());
    const std::uint8_t setup[8] = {};
    const std::int32_t interval = 1;
    const std::int32_t start_frame = 0;
    const std::uint32_t flags = 0;
    const std::uint32_t descriptors = 0;
    raw(&id, 8);
    raw(&event, 1);
    raw(&type, 1);
    raw(&scanner_endpoint, 1);
    raw(&device, 1);
    raw(&bus, 2);
    raw(&setup_flag, 1);
    raw(&data_flag, 1);
    raw(&ts_sec, 8);
    raw(&ts_usec, 4);
    raw(&status, 4);
    raw(&urb_length, 4);
    raw(&data_length, 4);
    raw(setup, 8);
    raw(&interval, 4);
    raw(&start_frame, 4);
    raw(&flags, 4);
    raw(&descriptors, 4);
    REQUIRE(header.size() == 64);
    header.append(data);
    std::string record;
    append32(record, seconds_);
    append32(record, 0);
    append32(record, static_cast<std::uint32_t>(header.size()));
    append32(record, static_cast<std::uint32_t>(header.size()));
    record += header;
    records_.insert(records_.end(), record.begin(), record.end());
  }
  static void append32(std::string& out, std::uint32_t value) {
    out.append(reinterpret_cast<const char*>(&value), 4);
  }
  static void put32(std::ofstream& out, std::uint32_t value) {
    out.write(reinterpret_cast<const char*>(&value), 4);
  }
  static void put16(std::ofstream& out, std::uint16_t value) {
    out.write(reinterpret_cast<const char*>(&value), 2);
  }

  std::uint64_t next_id_ = 0xffff8880'00001000;
  std::uint32_t seconds_ = 1'700'000'000;
  std::deque<std::uint64_t> pending_;
  std::vector<std::uint8_t> records_;
};

// An umockdev testbed holding the scanner of fixtures/usb/scanner.umockdev. Its usbdevfs node
// is served either by umockdev's pcap replayer (replay()) or by a FakeUsbdevfs.
class UsbTestbed {
 public:
  UsbTestbed() : testbed_(umockdev_testbed_new()) {
    INFO("run this test under umockdev-wrapper");
    REQUIRE(umockdev_in_mock_environment());
    GError* error = nullptr;
    const bool added =
        umockdev_testbed_add_from_file(testbed_, fixture("scanner.umockdev").c_str(), &error);
    INFO((error != nullptr ? error->message : ""));
    REQUIRE(added);
  }
  ~UsbTestbed() { g_object_unref(testbed_); }
  UsbTestbed(const UsbTestbed&) = delete;
  UsbTestbed& operator=(const UsbTestbed&) = delete;

  UMockdevTestbed* get() const { return testbed_; }

  // umockdev replays capture, in order, for the scanner's usbdevfs node.
  void replay(const UsbmonCapture& capture) {
    gchar* root = umockdev_testbed_get_root_dir(testbed_);
    const auto pcap = std::filesystem::path(root) / "scanner.pcap";
    g_free(root);
    capture.write(pcap);
    REQUIRE(umockdev_testbed_load_pcap(testbed_, scanner_syspath, pcap.c_str(), nullptr));
  }

  // The unplug as udev sees it: the kernel's remove uevent, then the device leaves sysfs and /dev.
  void unplug() {
    umockdev_testbed_uevent(testbed_, scanner_syspath, "remove");
    umockdev_testbed_remove_device(testbed_, scanner_syspath);
  }

 private:
  UMockdevTestbed* testbed_;
};

// An emulated usbdevfs for the scanner of fixtures/usb/scanner.umockdev: an umockdev ioctl
// handler that answers the ioctls libusb 1.0 sends, with scripted reports as the interrupt IN
// data. Unlike the pcap replayer it answers USBDEVFS_DISCONNECT_CLAIM and USBDEVFS_IOCTL, so
// libusb's kernel-driver auto-detach runs, and it can be unplugged at any moment.
class FakeUsbdevfs {
 public:
  explicit FakeUsbdevfs(UMockdevTestbed* testbed) : handler_(umockdev_ioctl_base_new()) {
    g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&FakeUsbdevfs::on_ioctl), this);
    GError* error = nullptr;
    const bool attached =
        umockdev_testbed_attach_ioctl(testbed, "/dev/bus/usb/001/002", handler_, &error);
    INFO((error != nullptr ? error->message : ""));
    REQUIRE(attached);
  }
  ~FakeUsbdevfs() {
    g_signal_handlers_disconnect_by_data(handler_, this);
    g_object_unref(handler_);
    std::lock_guard lock(mutex_);
    for (auto& urb : submitted_) release(urb);
    for (auto& urb : reapable_) release(urb);
  }
  FakeUsbdevfs(const FakeUsbdevfs&) = delete;
  FakeUsbdevfs& operator=(const FakeUsbdevfs&) = delete;

  // Bytes the scanner sends next, one interrupt transfer each, in order.
  void send(std::string report) {
    std::lock_guard lock(mutex_);
    reports_.push_back(std::move(report));
  }
  // The scanner goes away: URBs in flight end with -ESHUTDOWN, then every call fails with ENODEV.
  void unplug() {
    std::lock_guard lock(mutex_);
    unplugged_ = true;
  }
  // The interface calls seen, in order: "disconnect_claim 0", "claim 0", "release 0",
  // "connect 0" (the kernel driver attached again), "getdriver 0".
  std::vector<std::string> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::size_t urbs_submitted() const {
    std::lock_guard lock(mutex_);
    return submitted_.size();
  }

 private:
  struct Urb {
    UMockdevIoctlData* urb = nullptr;
    UMockdevIoctlData* buffer = nullptr;
    int status = 0;
    std::string data;
  };

  static void release(Urb& urb) {
    if (urb.buffer != nullptr) umockdev_ioctl_data_unref(urb.buffer);
    if (urb.urb != nullptr) umockdev_ioctl_data_unref(urb.urb);
    urb = {};
  }

  static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer self) {
    static_cast<FakeUsbdevfs*>(self)->handle(client);
    return TRUE;
  }

  static UMockdevIoctlData* resolve(UMockdevIoctlClient* client, std::size_t size) {
    return umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, size, nullptr);
  }

  void handle(UMockdevIoctlClient* client) {
    const unsigned long request = umockdev_ioctl_client_get_request(client);
    std::lock_guard lock(mutex_);
    if (unplugged_ && request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY &&
        request != USBDEVFS_DISCARDURB) {
      umockdev_ioctl_client_complete(client, -1, ENODEV);
      return;
    }
    switch (request) {
      case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData* data = resolve(client, sizeof(std::uint32_t));
        std::uint32_t caps = USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET |
                             USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
        umockdev_ioctl_data_update(data, 0, reinterpret_cast<guint8*>(&caps), sizeof caps);
        umockdev_ioctl_data_unref(data);
        umockdev_ioctl_client_complete(client, 0, 0);
        return;
      }
      case USBDEVFS_DISCONNECT_CLAIM:
        interface_call(client, "disconnect_claim", sizeof(usbdevfs_disconnect_claim));
        return;
      case USBDEVFS_CLAIMINTERFACE:
        interface_call(client, "claim", sizeof(unsigned int));
        return;
      case USBDEVFS_RELEASEINTERFACE:
        interface_call(client, "release", sizeof(unsigned int));
        return;
      case USBDEVFS_IOCTL: {
        UMockdevIoctlData* data = resolve(client, sizeof(usbdevfs_ioctl));
        usbdevfs_ioctl command{};
        std::memcpy(&command, data->data, sizeof command);
        umockdev_ioctl_data_unref(data);
        calls_.push_back(std::string(command.ioctl_code == static_cast<int>(USBDEVFS_CONNECT)
                                         ? "connect "
                                         : "driver_ioctl ") +
                         std::to_string(command.ifno));
        umockdev_ioctl_client_complete(client, 0, 0);
        return;
      }
      case USBDEVFS_SUBMITURB:
        submit(client);
        return;
      case USBDEVFS_DISCARDURB:
        discard(client);
        return;
      case USBDEVFS_REAPURB:
      case USBDEVFS_REAPURBNDELAY:
        reap(client);
        return;
      default:
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        return;
    }
  }

  void interface_call(UMockdevIoctlClient* client, const char* name, std::size_t size) {
    UMockdevIoctlData* data = resolve(client, size);
    unsigned int interface = 0;
    std::memcpy(&interface, data->data, sizeof interface);
    umockdev_ioctl_data_unref(data);
    calls_.push_back(std::string(name) + " " + std::to_string(interface));
    umockdev_ioctl_client_complete(client, 0, 0);
  }

  void submit(UMockdevIoctlClient* client) {
    Urb urb;
    urb.urb = resolve(client, sizeof(usbdevfs_urb));
    usbdevfs_urb fields{};
    std::memcpy(&fields, urb.urb->data, sizeof fields);
    urb.buffer = umockdev_ioctl_data_resolve(urb.urb, offsetof(usbdevfs_urb, buffer),
                                             static_cast<gsize>(fields.buffer_length), nullptr);
    submitted_.push_back(urb);
    umockdev_ioctl_client_complete(client, 0, 0);
  }

  void discard(UMockdevIoctlClient* client) {
    const gulong address =
        *reinterpret_cast<const gulong*>(umockdev_ioctl_client_get_arg(client)->data);
    for (auto it = submitted_.begin(); it != submitted_.end(); ++it) {
      if (it->urb->client_addr != address) continue;
      it->status = -ENOENT;
      reapable_.push_back(*it);
      submitted_.erase(it);
      umockdev_ioctl_client_complete(client, 0, 0);
      return;
    }
    umockdev_ioctl_client_complete(client, -1, EINVAL);
  }

  void reap(UMockdevIoctlClient* client) {
    // The device side: scripted reports fill the oldest URBs; an unplug kills every URB.
    while (!unplugged_ && !reports_.empty() && !submitted_.empty()) {
      Urb urb = submitted_.front();
      submitted_.pop_front();
      urb.data = std::move(reports_.front());
      reports_.pop_front();
      reapable_.push_back(urb);
    }
    if (unplugged_) {
      for (auto& urb : submitted_) {
        urb.status = -ESHUTDOWN;
        reapable_.push_back(urb);
      }
      submitted_.clear();
    }
    if (reapable_.empty()) {
      umockdev_ioctl_client_complete(client, -1, unplugged_ ? ENODEV : EAGAIN);
      return;
    }
    Urb urb = reapable_.front();
    reapable_.pop_front();
    if (!urb.data.empty()) {
      umockdev_ioctl_data_update(urb.buffer, 0, reinterpret_cast<guint8*>(urb.data.data()),
                                 static_cast<gint>(urb.data.size()));
    }
    const int actual = static_cast<int>(urb.data.size());
    umockdev_ioctl_data_update(urb.urb, offsetof(usbdevfs_urb, status),
                               reinterpret_cast<guint8*>(&urb.status), sizeof urb.status);
    umockdev_ioctl_data_update(urb.urb, offsetof(usbdevfs_urb, actual_length),
                               reinterpret_cast<guint8*>(const_cast<int*>(&actual)), sizeof actual);
    UMockdevIoctlData* pointer = resolve(client, sizeof(void*));
    umockdev_ioctl_data_set_ptr(pointer, 0, urb.urb);
    umockdev_ioctl_data_unref(pointer);
    release(urb);
    umockdev_ioctl_client_complete(client, 0, 0);
  }

  UMockdevIoctlBase* handler_;
  mutable std::mutex mutex_;
  std::deque<std::string> reports_;
  std::deque<Urb> submitted_;
  std::deque<Urb> reapable_;
  std::vector<std::string> calls_;
  bool unplugged_ = false;
};

inline UsbScannerConfig replay_config() {
  UsbScannerConfig config;
  config.vendor_id = 0x1209;
  config.product_id = 0x0001;
  config.transfers_in_flight = scanner_transfers;
  config.transfer_bytes = scanner_transfer_bytes;
  config.kernel_driver = UsbKernelDriver::leave_bound;  // see the header comment
  return config;
}

// What a scanner delivered, with data events re-armed after each one.
struct Received {
  std::vector<ScanEvent> scans;
  std::vector<ErrorEvent> errors;

  void attach(UsbScanner& scanner) {
    scanner.on_data([this, &scanner](const ScanEvent& scan) {
      scans.push_back(scan);
      scanner.set_data_event_enabled(true);
    });
    scanner.on_error([this, &scanner](const ErrorEvent& error) {
      errors.push_back(error);
      scanner.set_data_event_enabled(true);
    });
    scanner.set_data_event_enabled(true);
  }
  std::vector<std::string> labels() const {
    std::vector<std::string> out;
    for (const auto& scan : scans) out.push_back(scan.label());
    return out;
  }
};

// Runs io until done() or loop_handlers_max handlers ran; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  for (int i = 0; i < loop_handlers_max && !done(); ++i) {
    if (io.run_one() == 0) io.restart();
  }
  return done();
}

struct Rig {
  boost::asio::io_context io;
  std::unique_ptr<UsbContext> usb;
  std::unique_ptr<UsbScanner> scanner;
  Received received;

  explicit Rig(UsbScannerConfig config = replay_config()) {
    auto context = UsbContext::create(io);
    REQUIRE(context.ok());
    usb = std::move(context).value();
    auto created = UsbScanner::create(*usb, std::move(config));
    REQUIRE(created.ok());
    scanner = std::move(created).value();
    received.attach(*scanner);
  }
  void start() {
    auto opened = scanner->open();
    INFO((opened.ok() ? "" : opened.error().message));
    REQUIRE(opened.ok());
    auto claimed = scanner->claim();
    INFO((claimed.ok() ? "" : claimed.error().message));
    REQUIRE(claimed.ok());
    auto enabled = scanner->set_enabled(true);
    INFO((enabled.ok() ? "" : enabled.error().message));
    REQUIRE(enabled.ok());
  }
};

inline std::string text(const std::vector<std::uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

}  // namespace loyalty_usb_test
