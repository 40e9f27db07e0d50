// libusb inside the Boost.Asio loop: pollfd bookkeeping, event handling, timeouts, hotplug
// (usb_context.h).
#include "loyalty/drivers/usb/usb_context.h"

#include <libusb.h>
#include <poll.h>
#include <sys/stat.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/log.h"

namespace loyalty::drivers {

// One descriptor libusb asked us to watch. Handlers of its waits hold it by shared_ptr, so a
// descriptor libusb drops while one of its handlers runs stays valid until that handler returns.
struct UsbContext::Watch {
  Watch(boost::asio::io_context& io, int fd_in, short events_in)
      : fd(fd_in), events(events_in), descriptor(io), fallback(io) {}
  ~Watch() { stop(); }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // libusb owns the fd: release() it (which cancels the waits), never close() it.
  void stop() {
    removed = true;
    if (descriptor.is_open()) descriptor.release();
    fallback.cancel();
  }

  int fd;
  short events;
  bool pollable = true;
  bool removed = false;
  bool fallback_armed = false;
  boost::asio::posix::stream_descriptor descriptor;
  boost::asio::steady_timer fallback;
};

struct UsbContext::HotplugRegistration {
  UsbContext* owner = nullptr;
  HotplugHandler handler;
  libusb_hotplug_callback_handle handle = 0;
};

// The C callbacks libusb calls; they reach the private members through this friend.
struct UsbContextAccess {
  static void LIBUSB_CALL fd_added(int fd, short events, void* user) {
    static_cast<UsbContext*>(user)->add_fd(fd, events);
  }
  static void LIBUSB_CALL fd_removed(int fd, void* user) {
    static_cast<UsbContext*>(user)->remove_fd(fd);
  }
  static int LIBUSB_CALL hotplug(libusb_context*, libusb_device* device, libusb_hotplug_event event,
                                 void* user) {
    const auto* registration = static_cast<const UsbContext::HotplugRegistration*>(user);
    libusb_device_descriptor descriptor{};
    UsbHotplugNotice notice;
    notice.event = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? UsbHotplugEvent::arrived
                                                                : UsbHotplugEvent::left;
    if (libusb_get_device_descriptor(device, &descriptor) == 0) {
      notice.vendor_id = descriptor.idVendor;
      notice.product_id = descriptor.idProduct;
    }
    notice.bus = libusb_get_bus_number(device);
    notice.address = libusb_get_device_address(device);
    registration->owner->post_hotplug(*registration, notice);
    return 0;  // stay registered
  }
};

Result<std::unique_ptr<UsbContext>> UsbContext::create(boost::asio::io_context& io) {
  libusb_context* context = nullptr;
  const int r = libusb_init(&context);
  if (r != 0) {
    return make_error(ErrorCode::io_error, std::string("libusb could not initialise (") +
                                               libusb_error_name(r) +
                                               "): check that /dev/bus/usb exists and is readable");
  }
  std::unique_ptr<UsbContext> usb(new UsbContext(io, context));
  // Notifiers first, then the descriptors libusb already has: add_fd() ignores a repeat.
  libusb_set_pollfd_notifiers(context, &UsbContextAccess::fd_added, &UsbContextAccess::fd_removed,
                              usb.get());
  const libusb_pollfd** fds = libusb_get_pollfds(context);
  if (fds != nullptr) {
    for (std::size_t i = 0; fds[i] != nullptr; ++i) usb->add_fd(fds[i]->fd, fds[i]->events);
    libusb_free_pollfds(fds);
  }
  usb->timeouts_by_fd_ = libusb_pollfds_handle_timeouts(context) != 0;
  usb->arm_timeout();
  return usb;
}

UsbContext::UsbContext(boost::asio::io_context& io, libusb_context* context)
    : io_(io), context_(context), timeout_timer_(io) {}

UsbContext::~UsbContext() {
  LOYALTY_ASSERT(!handling_events_);
  alive_.reset();
  libusb_set_pollfd_notifiers(context_, nullptr, nullptr, nullptr);
  for (auto& [fd, watch] : watches_) watch->stop();
  watches_.clear();
  timeout_timer_.cancel();
  for (const auto& registration : hotplug_) {
    libusb_hotplug_deregister_callback(context_, registration->handle);
  }
  hotplug_.clear();
  libusb_exit(context_);
}

std::vector<UsbWatchedFd> UsbContext::watched_fds() const {
  std::vector<UsbWatchedFd> fds;
  fds.reserve(watches_.size());
  for (const auto& [fd, watch] : watches_) fds.push_back({fd, watch->events, watch->pollable});
  return fds;
}

void UsbContext::add_fd(int fd, short events) {
  LOYALTY_ASSERT(fd >= 0);
  if (auto found = watches_.find(fd); found != watches_.end()) {
    if (found->second->events == events) return;  // already watched as asked
    remove_fd(fd);                                // libusb changed what it waits for
  }
  auto watch = std::make_shared<Watch>(io_, fd, events);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) watch->pollable = false;
  if (watch->pollable) {
    boost::system::error_code ec;
    watch->descriptor.assign(fd, ec);
    if (ec) watch->pollable = false;
  }
  watches_.emplace(fd, watch);
  if (!watch->pollable) {
    arm_fallback(watch);
    return;
  }
  if ((events & POLLIN) != 0) arm(watch, false);
  if ((events & POLLOUT) != 0) arm(watch, true);
}

void UsbContext::remove_fd(int fd) {
  auto found = watches_.find(fd);
  if (found == watches_.end()) return;
  found->second->stop();
  watches_.erase(found);
}

void UsbContext::arm(const std::shared_ptr<Watch>& watch, bool for_write) {
  using Descriptor = boost::asio::posix::stream_descriptor;
  watch->descriptor.async_wait(
      for_write ? Descriptor::wait_write : Descriptor::wait_read,
      [this, watch, for_write, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
        if (alive.expired() || watch->removed || ec == boost::asio::error::operation_aborted) {
          return;
        }
        if (ec) {
          // epoll refused the descriptor after all: poll it on a timer like a regular file.
          watch->pollable = false;
          arm_fallback(watch);
          return;
        }
        handle_events();
        if (!watch->removed) arm(watch, for_write);
      });
}

void UsbContext::arm_fallback(const std::shared_ptr<Watch>& watch) {
  if (watch->fallback_armed) return;
  watch->fallback_armed = true;
  watch->fallback.expires_after(std::chrono::milliseconds(limits::usb_unpollable_fd_poll_ms));
  watch->fallback.async_wait(
      [this, watch, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
        watch->fallback_armed = false;
        if (alive.expired() || watch->removed || ec) return;
        handle_events();
        if (!watch->removed) arm_fallback(watch);
      });
}

void UsbContext::handle_events() {
  LOYALTY_ASSERT(!handling_events_);
  timeval zero{0, 0};
  handling_events_ = true;
  const int r = libusb_handle_events_timeout_completed(context_, &zero, nullptr);
  handling_events_ = false;
  if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
    log(LogLevel::warning, std::string("libusb event handling failed: ") + libusb_error_name(r));
  }
  arm_timeout();
}

void UsbContext::arm_timeout() {
  if (timeouts_by_fd_) return;  // libusb's timerfd is one of the watched descriptors
  timeval next{};
  if (libusb_get_next_timeout(context_, &next) != 1) {
    timeout_timer_.cancel();
    return;
  }
  timeout_timer_.expires_after(std::chrono::seconds(next.tv_sec) +
                               std::chrono::microseconds(next.tv_usec));
  timeout_timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
        if (alive.expired() || ec) return;
        handle_events();
      });
}

bool UsbContext::drain(const std::function<bool()>& done, std::size_t passes_max) {
  LOYALTY_ASSERT(!handling_events_);  // a libusb callback must post, not drain
  for (std::size_t pass = 0; pass < passes_max && !done(); ++pass) {
    timeval wait{0, static_cast<suseconds_t>(limits::usb_drain_pass_ms * 1000)};
    handling_events_ = true;
    const int r = libusb_handle_events_timeout_completed(context_, &wait, nullptr);
    handling_events_ = false;
    if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
      log(LogLevel::warning,
          std::string("libusb event handling failed while draining: ") + libusb_error_name(r));
    }
  }
  arm_timeout();
  return done();
}

bool UsbContext::hotplug_available() const {
  return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
}

Status UsbContext::watch_hotplug(std::uint16_t vendor_id, std::uint16_t product_id,
                                 HotplugHandler handler) {
  LOYALTY_ASSERT(handler != nullptr);
  if (!hotplug_available()) {
    return make_error(ErrorCode::io_error,
                      "this libusb cannot report USB hotplug: rescan for scanners instead");
  }
  auto registration = std::make_unique<HotplugRegistration>();
  registration->owner = this;
  registration->handler = std::move(handler);
  const int events = LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT;
  const int r = libusb_hotplug_register_callback(
      context_, events, 0, vendor_id == 0 ? LIBUSB_HOTPLUG_MATCH_ANY : vendor_id,
      product_id == 0 ? LIBUSB_HOTPLUG_MATCH_ANY : product_id, LIBUSB_HOTPLUG_MATCH_ANY,
      &UsbContextAccess::hotplug, registration.get(), &registration->handle);
  if (r != LIBUSB_SUCCESS) {
    return make_error(ErrorCode::io_error, std::string("libusb refused a hotplug callback (") +
                                               libusb_error_name(r) + "): rescan instead");
  }
  hotplug_.push_back(std::move(registration));
  return {};
}

void UsbContext::post_hotplug(const HotplugRegistration& registration,
                              const UsbHotplugNotice& notice) {
  boost::asio::post(io_,
                    [registration = &registration, notice, alive = std::weak_ptr<int>(alive_)] {
                      if (!alive.expired()) registration->handler(notice);
                    });
}

}  // namespace loyalty::drivers
