// Plumbing shared by the hidraw, evdev and serial transports (private to drivers/src): opening a
// node, telling "the reader is gone" from other read errors, dropping input that queued up while
// a device was disabled, and turning one swipe into the UPOS event it stands for.
//
// Lifetime of asynchronous handlers: every transport owns a `HandlerGuard`; handlers capture its
// weak token and return at once when the transport was destroyed, and compare the generation
// they were started in with the current one, so a read that completes after disable() (or after
// disable() + enable()) is dropped instead of being taken for a new one.
#pragma once

#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/scan_event.h"
#include "loyalty/drivers/scan/scan_framer.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"

namespace loyalty::drivers::transport {

class HandlerGuard {
 public:
  struct Token {
    std::weak_ptr<const int> alive;
    std::uint64_t generation = 0;
  };

  // A token for a handler started now.
  Token token() const { return Token{alive_, generation_}; }
  // True when the handler's transport still exists and nothing was restarted since.
  bool current(const Token& token) const {
    return !token.alive.expired() && token.generation == generation_;
  }
  // Invalidates every handler started before (disable, close).
  void advance() { ++generation_; }

 private:
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
  std::uint64_t generation_ = 0;
};

// Whether the transport that issued `token` still exists (checked before touching it).
inline bool alive(const HandlerGuard::Token& token) { return !token.alive.expired(); }

// One owned file descriptor (closed on destruction; moves leave the source empty).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Readiness of a device descriptor for the io_context, through a private epoll instance that
// watches it (level-triggered, EPOLLIN; a hang-up or error makes it ready too).
//
// Why not hand the device descriptor to Asio directly: Asio switches every descriptor it waits on
// to non-blocking with ioctl(FIONBIO), even for async_wait, and umockdev's emulated nodes refuse
// that ioctl (ENOTTY), so every wait would fail in tests only. The epoll descriptor takes FIONBIO
// anywhere, and the device node is opened O_NONBLOCK already. One code path for kernels and tests.
class ReadWatch {
 public:
  explicit ReadWatch(boost::asio::io_context& io) : epoll_(io) {}
  ~ReadWatch() { close(); }
  ReadWatch(const ReadWatch&) = delete;
  ReadWatch& operator=(const ReadWatch&) = delete;

  // Starts watching `fd` (not owned; it must stay open until close()).
  Status watch(int fd, const std::string& what);
  int fd() const { return fd_; }
  // Cancels a pending wait (its handler gets operation_aborted).
  void cancel();
  // Stops watching; closes the epoll instance, not the watched descriptor.
  void close();

  boost::asio::posix::stream_descriptor& epoll() { return epoll_; }
  // Expires when the ReadWatch is destroyed: a wait that completed just before must not use it.
  std::weak_ptr<const int> alive() const { return alive_; }

 private:
  boost::asio::posix::stream_descriptor epoll_;
  int fd_ = -1;
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

// What a node-based reader (hidraw, evdev) owns for its I/O: the node's descriptor, its watch and
// the guard of its handlers. Destroyed before the descriptor closes: the watch goes first.
struct NodeIo {
  explicit NodeIo(boost::asio::io_context& io) : watch(io) {}
  ~NodeIo() { close(); }
  void close() {
    guard.advance();
    watch.close();
    fd.reset();
  }

  HandlerGuard guard;
  UniqueFd fd;
  ReadWatch watch;
};

// Waits until the watched descriptor is readable, then read(2)s once into `buffer` and calls
// handler(error, bytes): bytes > 0, or eof, or the errno of the read, or the wait's error
// (operation_aborted after cancel). EAGAIN (woken for nothing) waits again. A wait pending when the
// ReadWatch is destroyed completes with operation_aborted and never touches it.
template <class Handler>
void async_read_once(ReadWatch& watch, std::span<std::uint8_t> buffer, Handler handler) {
  watch.epoll().async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [&watch, buffer,
       handler = std::move(handler)](const boost::system::error_code& error) mutable {
        if (error) {
          handler(error, 0);
          return;
        }
        for (int attempt = 0; attempt < 8; ++attempt) {  // bounded EINTR retries
          const ssize_t n = ::read(watch.fd(), buffer.data(), buffer.size());
          if (n > 0) {
            handler(boost::system::error_code(), static_cast<std::size_t>(n));
            return;
          }
          if (n == 0) {
            handler(boost::asio::error::eof, 0);
            return;
          }
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          handler(boost::system::error_code(errno, boost::system::system_category()), 0);
          return;
        }
        async_read_once(watch, buffer, std::move(handler));
      });
}

// Opens a device node non-blocking and close-on-exec; `flags` is O_RDONLY or O_RDWR. The error
// names the node and the errno text, and says what to check (permissions: the udev rule).
Result<int> open_node(const std::string& node, int flags);

// True for the read errors (and end of file) that mean the hardware went away: EIO (hidraw, tty
// hangup), ENODEV (evdev), ENXIO, EPIPE, EBADF after a forced close, and eof.
bool is_gone(const boost::system::error_code& error);

// What a node reader does with the outcome of each read of its loop.
struct ReadCallbacks {
  std::function<void(std::size_t bytes)> data;         // bytes > 0 are in the buffer
  std::function<void(const std::string& why)> gone;    // the device went away (is_gone)
  std::function<void(const std::string& why)> failed;  // any other read error; reading goes on
  std::function<bool()> keep_reading;                  // false once the reader is disabled
};

// The read loop of a hidraw or evdev reader: reads into `buffer` until keep_reading() is false,
// the guard moves on (disable, close) or the reader is destroyed (a callback may do any of these).
// `node` names the node in the messages ("/dev/hidraw0: read failed: ...").
void read_loop(NodeIo& io, std::span<std::uint8_t> buffer, std::string node,
               std::shared_ptr<const ReadCallbacks> callbacks);

// Reads and discards what is already queued on a non-blocking descriptor: input that arrived
// while the device was disabled, which UPOS drops. At most `reads_max` reads.
void drain_stale_input(int fd, std::size_t buffer_bytes, std::size_t reads_max);

// The event one swipe stands for (track-level error reporting). At least one track ok: a ScanEvent
// (kind msr, the swipe with every track's status, the raw bytes; the ScanEvent builder withholds a
// payment card's), so a bad track never costs the good ones. No track ok but one failed: an
// ErrorEvent with result extended and the first failed track's UPOS code (201-204) when it has
// one, else result failure; the message is describe_swipe() (statuses and lengths, never data).
// No track at all: an ErrorEvent failure.
std::variant<ScanEvent, ErrorEvent> swipe_event(const DeviceInfo& info, Swipe swipe,
                                                std::vector<std::uint8_t> raw);

// A scanner's label through the untrusted-data policy (scan_sanitizer.h): a ScanEvent (kind
// scanner), an ErrorEvent naming what was wrong (positions and codes, never the label), or
// nullopt for a configuration barcode (logged as a note, not an error and not a scan).
std::optional<std::variant<ScanEvent, ErrorEvent>> scanner_event(
    const DeviceInfo& info, std::string_view label, std::string aim_id, ScanDataType type,
    std::vector<std::uint8_t> raw, const ScanSanitizerOptions& sanitizer);

// The event one framed scan stands for (keyboard wedge, serial). A scanner's frame goes through
// scanner_event() with the type from its AIM id (unknown without one); an MSR's frame is one wedge
// line, parsed by parse_wedge_swipe() (a terminator is added: the framer removed it) and turned
// into swipe_event(). A framer error (overflow, missing AIM id) is an input ErrorEvent.
std::optional<std::variant<ScanEvent, ErrorEvent>> frame_event(
    const DeviceInfo& info, Result<ScanFrame> frame, const ScanSanitizerOptions& sanitizer,
    const BankCardRule& bank_card);

// A ScanFramer fed from an event loop: feed() with every chunk read, and the idle timer it arms
// ends a scan that has no suffix. Frames go to the sink, on the io_context's thread; the sink may
// reset() or destroy the FramedInput's owner.
class FramedInput {
 public:
  using Sink = std::function<void(Result<ScanFrame>)>;

  // The options must pass validate_scan_framer_options().
  FramedInput(boost::asio::io_context& io, const ScanFramerOptions& options, Sink sink);
  ~FramedInput();
  FramedInput(const FramedInput&) = delete;
  FramedInput& operator=(const FramedInput&) = delete;

  void feed(std::string_view bytes);
  // Drops the pending scan and the timer (disable, clearInput, a lost device).
  void reset();
  bool pending() const { return framer_.deadline_ms().has_value(); }

 private:
  void arm();

  ScanFramer framer_;
  boost::asio::steady_timer timer_;
  Sink sink_;
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

// Monotonic milliseconds for the framers.
std::int64_t steady_now_ms();

// An input ErrorEvent of this device (result failure unless given).
ErrorEvent input_error(const DeviceInfo& info, std::string message,
                       UposResult result = UposResult::failure);

}  // namespace loyalty::drivers::transport
