// The umockdev testbed of the device tests, and helpers to drive an io_context.
//
// umockdev-wrapper preloads a library that diverts /sys and /dev to the testbed's directory, so the
// readers open "/dev/hidraw0" and read "/sys/class/hidraw/hidraw0/device/report_descriptor" with
// their real code. A device node is backed by a pty: the test writes what the device sends on the
// pty's master side (master_fd(), or a umockdev script or evemu replay), and hang_up() closes
// that master, which makes reads on the node end (umockdev reports end of file; a kernel's hidraw
// or evdev node fails with EIO or ENODEV: the readers treat all three as the device going away).
//
// What is exercised for real: opening the nodes, the report descriptor from sysfs, epoll
// readiness, read(2) of reports and input_event records, udev enumeration, the udev netlink
// monitor (umockdev sends the uevents), the serial port's termios, TIOCEXCL, pty hang-ups.
// What umockdev answers instead of a kernel: HIDIOCSFEATURE and EVIOCGRAB (IoctlSpy answers and
// records them; without it umockdev answers ENOTTY and 0 respectively); HIDIOCGRDESC is not
// reached (sysfs answers first). A pty does not keep report boundaries: the readers read one
// report's size at a time, which a kernel's hidraw does by itself. Nor does it keep evdev's
// input_event records whole (a kernel's evdev read returns whole records only): a long write
// reaches the reader in the pty's pieces, which need not end on a record, so the evdev tests write
// a few records at a time and let the reader read them before the next (WedgeRig::send).
#pragma once

#include <glib.h>
#include <umockdev.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "loyalty/drivers/device.h"
#include "loyalty/drivers/log.h"

namespace devices_test {

using Bytes = std::vector<std::uint8_t>;

class Testbed {
 public:
  Testbed();
  ~Testbed();
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  UMockdevTestbed* get() { return testbed_; }
  std::string root() const;

  // A USB HID device (subsystem hid, HID_ID/HID_NAME, report_descriptor) with its hidraw node
  // /dev/hidraw<index>. Returns the hidraw device's syspath.
  std::string add_hidraw(int index, std::uint16_t vendor_id, std::uint16_t product_id,
                         const std::string& name, const Bytes& descriptor);
  // An input device input<index> (id/vendor, id/product, name) with its node
  // /dev/input/event<index>. Returns the event device's syspath.
  std::string add_evdev(int index, std::uint16_t vendor_id, std::uint16_t product_id,
                        const std::string& name);
  // A USB serial port /dev/tty<prefix><index> (ttyACM, ttyUSB) with ID_VENDOR_ID/ID_MODEL_ID.
  std::string add_tty(const std::string& name, std::uint16_t vendor_id, std::uint16_t product_id);

  // The pty master behind a node (owned by the testbed).
  int master_fd(const std::string& node);
  // Writes bytes on the master side in one write: the node reads them.
  void send(const std::string& node, const Bytes& bytes);
  // Closes the master side (dup2 of /dev/null onto it, so the testbed's own close later is
  // harmless): reads on the node fail with EIO, like a hidraw or tty device that was unplugged.
  void hang_up(const std::string& node);
  // Replays a umockdev script (docs/script-format.txt) on the node.
  void load_script(const std::string& node, const std::string& script);
  // Replays evemu events ("E: <sec>.<usec> <type> <code> <value>" lines) on an evdev node.
  void load_evemu(const std::string& node, const std::string& events);

  void uevent(const std::string& syspath, const char* action);
  void remove(const std::string& syspath);

  // Blocks until the node has bytes queued for reading (checked on a second descriptor of the
  // same pty), or fails the test after a generous hang guard.
  void wait_readable(const std::string& node);
  // Whether the node has bytes queued for reading now (the same check, without waiting). The pty
  // flushes what was written but not yet queued first, so false means the reader has read all.
  bool has_input(const std::string& node);

 private:
  std::string temp_file(const std::string& contents);
  bool poll_readable(const std::string& node, int timeout_ms);

  UMockdevTestbed* testbed_ = nullptr;
  std::vector<std::string> temp_files_;
};

// Answers the ioctls a kernel driver would and umockdev does not (HIDIOCSFEATURE, EVIOCGRAB) on
// one node, and records them. umockdev runs the handler on its own thread: reads lock.
class IoctlSpy {
 public:
  struct Call {
    unsigned long request = 0;
    Bytes data;               // HIDIOCSFEATURE: the report sent
    unsigned long value = 0;  // EVIOCGRAB: 1 grab, 0 release
  };

  IoctlSpy(Testbed& testbed, const std::string& node, int feature_result_errno = 0);
  ~IoctlSpy();
  IoctlSpy(const IoctlSpy&) = delete;
  IoctlSpy& operator=(const IoctlSpy&) = delete;

  std::vector<Call> calls() const;

 private:
  static int on_ioctl(void* handler, void* client, void* self);

  Testbed& testbed_;
  std::string node_;
  UMockdevIoctlBase* handler_ = nullptr;
  int feature_errno_ = 0;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

// Captures the drivers' log for the lifetime of the object (and keeps test output quiet).
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::vector<std::string> lines() const;  // "warning: <message>"

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  loyalty::drivers::LogSink previous_;
};

// One script line "r 0 <bytes>" (umockdev's escaping: bytes below 32 and '^' as ^X).
std::string script_read(const Bytes& bytes);

// Runs the loop until done() holds; fails the test after a hang guard of 5 s of wall time (a
// guard against a broken reader, not a timing expectation).
template <class Predicate>
void run_until(boost::asio::io_context& io, Predicate done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < limit);
    io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
}

// Runs whatever is ready now, without waiting.
inline void run_ready(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

// Collects what a device delivers, re-arming DataEventEnabled after each event when `rearm`.
struct Events {
  std::vector<loyalty::drivers::ScanEvent> scans;
  std::vector<loyalty::drivers::ErrorEvent> errors;
  bool rearm = true;

  void attach(loyalty::drivers::Device& device);
  std::size_t count() const { return scans.size() + errors.size(); }
};

// A hex string ("0a1b") as bytes.
Bytes from_hex(const std::string& hex);

}  // namespace devices_test
