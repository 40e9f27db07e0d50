// A libusb context whose events are handled by a Boost.Asio io_context, so vendor-class USB
// readers share the one event loop with every other transport (no libusb thread of our own).
//
// How: libusb's pollfds are watched through its notifiers (libusb_set_pollfd_notifiers, plus
// libusb_get_pollfds at start). Each descriptor is wrapped in a posix::stream_descriptor that
// waits for what libusb asks (POLLIN for its internal event and timer descriptors, POLLOUT for a
// device handle: usbdevfs signals a reapable URB as writable); when one is ready, libusb handles
// its events with a zero timeout. The descriptors belong to libusb: they are release()d, never
// closed. When libusb cannot signal its own timeouts through a descriptor
// (libusb_pollfds_handle_timeouts() is 0), a timer follows libusb_get_next_timeout(). A descriptor
// epoll refuses (a regular file, which is always ready: umockdev's stand-in for usbdevfs) is
// polled every limits::usb_unpollable_fd_poll_ms instead.
//
// Transfer and hotplug callbacks run inside libusb's event handling, on the io_context's thread.
// They must not call back into libusb's event handling: no drain(), no closing a reader there;
// post that work to io() instead (UsbScanner does). Hotplug notices are posted for that reason.
//
// Thread-safety: one thread, the one running io(); construct, use and destroy the context there.
// Ownership: the UsbContext owns the libusb context; io() must outlive it, and every device
// handle opened on it (UsbScanner) must be closed before it is destroyed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "loyalty/core/result.h"

struct libusb_context;

namespace loyalty::drivers {

// A descriptor libusb asked the context to watch, as watched_fds() reports it.
struct UsbWatchedFd {
  int fd = -1;
  short events = 0;      // POLLIN / POLLOUT as libusb asked
  bool pollable = true;  // false: epoll refused it, polled on a timer instead
  friend bool operator==(const UsbWatchedFd&, const UsbWatchedFd&) = default;
};

enum class UsbHotplugEvent { arrived, left };

struct UsbHotplugNotice {
  UsbHotplugEvent event = UsbHotplugEvent::arrived;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
};

class UsbContext {
 public:
  using HotplugHandler = std::function<void(const UsbHotplugNotice&)>;

  // Initialises libusb and starts watching its descriptors on io. Fails (io_error) when libusb
  // cannot initialise (no usbfs: a container without /dev/bus/usb).
  static Result<std::unique_ptr<UsbContext>> create(boost::asio::io_context& io);
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  boost::asio::io_context& io() const { return io_; }
  // Borrowed; valid for the context's lifetime.
  libusb_context* native() const { return context_; }

  // The descriptors watched now, ordered by fd: the bookkeeping of libusb's notifiers.
  std::vector<UsbWatchedFd> watched_fds() const;
  // True while libusb runs callbacks (inside libusb_handle_events).
  bool handling_events() const { return handling_events_; }

  // Handles libusb events synchronously until done() holds, waiting up to
  // limits::usb_drain_pass_ms per pass, at most passes_max passes. Returns done(). For draining
  // cancelled transfers before a handle is closed. Never from inside a libusb callback (asserted).
  bool drain(const std::function<bool()>& done, std::size_t passes_max);

  // Whether this libusb can report hotplug (LIBUSB_CAP_HAS_HOTPLUG).
  bool hotplug_available() const;
  // Calls handler (posted to io(), outside libusb's event handling) for each arrival and
  // departure of a device matching vendor_id/product_id (0 matches any). Devices already present
  // are not reported. libusb may report one device twice; handlers must tolerate it. Fails
  // (io_error) when hotplug is not available: rescan instead.
  Status watch_hotplug(std::uint16_t vendor_id, std::uint16_t product_id, HotplugHandler handler);

 private:
  friend struct UsbContextAccess;  // the C callbacks libusb calls
  struct Watch;
  struct HotplugRegistration;

  UsbContext(boost::asio::io_context& io, libusb_context* context);
  void add_fd(int fd, short events);
  void remove_fd(int fd);
  void arm(const std::shared_ptr<Watch>& watch, bool for_write);
  void arm_fallback(const std::shared_ptr<Watch>& watch);
  void handle_events();
  void arm_timeout();
  void post_hotplug(const HotplugRegistration& registration, const UsbHotplugNotice& notice);

  boost::asio::io_context& io_;
  libusb_context* context_ = nullptr;
  bool handling_events_ = false;
  bool timeouts_by_fd_ = true;
  std::map<int, std::shared_ptr<Watch>> watches_;
  boost::asio::steady_timer timeout_timer_;
  std::vector<std::unique_ptr<HotplugRegistration>> hotplug_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted handlers check it
};

}  // namespace loyalty::drivers
