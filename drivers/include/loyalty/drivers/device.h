// The UPOS device model every reader follows (UnifiedPOS 1.16, "Device Behavior Models"):
//
//   open -> claim -> set_enabled(true) -> DataEvents / ErrorEvents -> set_enabled(false) ->
//   release -> close
//
// Input read while the device is enabled is queued; data_count() counts the queued ScanEvents.
// Queued events are delivered, oldest first, while data_event_enabled() is true, and delivering
// one sets it back to false: the application re-arms it when it is ready for the next scan (UPOS
// DataEventEnabled). auto_disable() disables the device after each scan (UPOS AutoDisable), so a
// second swipe cannot slip into the same receipt. clear_input() drops everything queued.
//
// An input error (a bad swipe, a runaway scan) is queued like data, with locus input_data when
// scans are queued before it and input otherwise. A reader that disappears (unplugged, even
// mid-swipe) queues an ErrorEvent with result no_hardware and leaves the device enabled-but-gone:
// enabling it again fails with no_hardware until it is closed and opened on the new node.
//
// Device is the transport-independent half, pure logic with no I/O: a concrete reader (hidraw,
// evdev, serial, libusb, camera) implements the protected hooks and calls deliver_scan() /
// deliver_error() / lost() from its event loop. Every call must come from that one thread (the
// Boost.Asio io_context that runs the reader); handlers run on it too, and may call back into the
// device (re-arm data_event_enabled, disable, clear_input).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "loyalty/core/result.h"
#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

// UPOS State.
enum class DeviceState : int { closed = 1, idle = 2, busy = 3, error = 4 };
const char* device_state_name(DeviceState state);

// What a device is, as enumeration and loyaltyctl devices show it.
struct DeviceInfo {
  std::string id;    // "hidraw:/dev/hidraw0"
  std::string node;  // "/dev/hidraw0"; empty for a camera frame source
  DeviceKind kind = DeviceKind::scanner;
  Transport transport = Transport::hidraw;
  std::string name;  // the product name the device reports, when it reports one
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
};

// A USB vendor or product id as 4 lowercase hex digits ("0c2e"), as udev, lsusb and loyaltyctl
// write it; and back from 1 to 4 hex digits (either case), nullopt for anything else.
std::string usb_id_hex(std::uint16_t id);
std::optional<std::uint16_t> parse_usb_id_hex(std::string_view text);

class Device {
 public:
  using DataHandler = std::function<void(const ScanEvent&)>;
  using ErrorHandler = std::function<void(const ErrorEvent&)>;

  virtual ~Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const DeviceInfo& info() const { return info_; }
  DeviceState state() const;
  bool claimed() const { return claimed_; }
  bool enabled() const { return enabled_; }
  // The hardware went away (lost()); only close() is useful then.
  bool gone() const { return gone_; }

  // closed -> idle. Fails (closed state kept) when the transport cannot open the node.
  Status open();
  // Exclusive access: EVIOCGRAB, TIOCEXCL, libusb interface claim. Requires open.
  Status claim();
  // Gives exclusive access back; disables first. A no-op when not claimed.
  void release();
  // Starts (true) or stops (false) reading. Requires claimed; fails with no_hardware when gone.
  Status set_enabled(bool enabled);
  // Releases and closes; drops queued events. A no-op when closed.
  void close();

  void set_data_event_enabled(bool enabled);
  bool data_event_enabled() const { return data_event_enabled_; }
  void set_auto_disable(bool auto_disable) { auto_disable_ = auto_disable; }
  bool auto_disable() const { return auto_disable_; }
  // Drops every queued data and error event (UPOS clearInput).
  void clear_input();
  // Queued ScanEvents (UPOS DataCount).
  std::size_t data_count() const;

  void on_data(DataHandler handler) { on_data_ = std::move(handler); }
  void on_error(ErrorHandler handler) { on_error_ = std::move(handler); }

 protected:
  explicit Device(DeviceInfo info);

  // Transport hooks. do_open opens the node, do_claim takes exclusive access, do_enable starts
  // reading (asynchronously), do_disable stops it (pending reads cancelled), do_release and
  // do_close undo. They are called only in the order the public functions allow.
  virtual Status do_open() = 0;
  virtual Status do_claim() = 0;
  virtual void do_release() = 0;
  virtual Status do_enable() = 0;
  virtual void do_disable() = 0;
  virtual void do_close() = 0;
  // clearInput: drops what the transport holds of a scan not finished yet (a multi-report HID
  // scan, a half-typed wedge label). Queued events are the base class's.
  virtual void do_clear_input() {}

  // From the transport's event loop. Input while disabled is dropped (UPOS). A full queue
  // (limits::device_event_queue_max) drops the scan and queues one ErrorEvent saying so.
  void deliver_scan(ScanEvent event);
  void deliver_error(ErrorEvent event);
  // Either of the two, as the decoders return them.
  void deliver(std::variant<ScanEvent, ErrorEvent> event);
  // The hardware is gone: stop reading, queue a no_hardware ErrorEvent naming `why`.
  void lost(const std::string& why);

 private:
  void pump();
  void disable_without_refusal();

  DeviceInfo info_;
  bool opened_ = false;
  bool claimed_ = false;
  bool enabled_ = false;
  bool gone_ = false;
  bool data_event_enabled_ = false;
  bool auto_disable_ = false;
  bool pumping_ = false;
  bool overflow_reported_ = false;
  std::deque<std::variant<ScanEvent, ErrorEvent>> queue_;
  DataHandler on_data_;
  ErrorHandler on_error_;
};

}  // namespace loyalty::drivers
