// Plumbing shared by the hidraw, evdev and serial transports (device/transport_io.h).
#include "device/transport_io.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "loyalty/drivers/scan/aim.h"
#include "loyalty/drivers/log.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"

namespace loyalty::drivers::transport {

namespace {

// Overwrites text that held track data before it is freed.
void detail_wipe(std::string& text) {
  volatile char* bytes = text.data();
  for (std::size_t i = 0; i < text.size(); ++i) bytes[i] = 0;
  text.clear();
}

}  // namespace

Result<int> open_node(const std::string& node, int flags) {
  const int fd = ::open(node.c_str(), flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    std::string what = "cannot open " + node + ": " + std::strerror(err);
    if (err == EACCES) what += "; the udev rule must give this user access to the node";
    if (err == ENOENT) what += "; the reader is not plugged in (or was renamed)";
    return make_error(ErrorCode::io_error, std::move(what));
  }
  return fd;
}

Status ReadWatch::watch(int fd, const std::string& what) {
  close();
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    return make_error(ErrorCode::io_error,
                      what + ": epoll_create1 failed: " + std::strerror(errno));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0) {
    const int err = errno;
    ::close(epoll_fd);
    return make_error(ErrorCode::io_error,
                      what + ": cannot watch the node (epoll_ctl: " + std::strerror(err) + ")");
  }
  boost::system::error_code error;
  epoll_.assign(epoll_fd, error);
  if (error) {
    ::close(epoll_fd);
    return make_error(ErrorCode::io_error, what + ": " + error.message());
  }
  fd_ = fd;
  return {};
}

void ReadWatch::cancel() {
  boost::system::error_code ignored;
  epoll_.cancel(ignored);
}

void ReadWatch::close() {
  boost::system::error_code ignored;
  epoll_.close(ignored);
  fd_ = -1;
}

void read_loop(NodeIo& io, std::span<std::uint8_t> buffer, std::string node,
               std::shared_ptr<const ReadCallbacks> callbacks) {
  async_read_once(
      io.watch, buffer,
      [&io, buffer, node = std::move(node), callbacks = std::move(callbacks),
       token = io.guard.token()](const boost::system::error_code& error, std::size_t bytes) {
        // Before anything else: the reader (and `io`) may be gone, or disabled since.
        const auto current = [&] { return alive(token) && io.guard.current(token); };
        if (!current() || error == boost::asio::error::operation_aborted) return;
        if (error && is_gone(error)) {
          callbacks->gone(node + ": " + error.message());
          return;
        }
        if (error) {
          callbacks->failed(node + ": read failed: " + error.message());
        } else {
          callbacks->data(bytes);
        }
        if (current() && callbacks->keep_reading()) read_loop(io, buffer, node, callbacks);
      });
}

bool is_gone(const boost::system::error_code& error) {
  if (error == boost::asio::error::eof) return true;
  if (error.category() != boost::system::system_category()) return false;
  switch (error.value()) {
    case EIO:
    case ENODEV:
    case ENXIO:
    case EPIPE:
    case EBADF:
      return true;
    default:
      return false;
  }
}

void drain_stale_input(int fd, std::size_t buffer_bytes, std::size_t reads_max) {
  std::vector<std::uint8_t> buffer(buffer_bytes);
  for (std::size_t i = 0; i < reads_max; ++i) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0) return;  // EAGAIN (nothing queued), or an error the next async read reports
  }
}

std::optional<std::variant<ScanEvent, ErrorEvent>> scanner_event(
    const DeviceInfo& info, std::string_view label, std::string aim_id, ScanDataType type,
    std::vector<std::uint8_t> raw, const ScanSanitizerOptions& sanitizer) {
  auto sanitized = sanitize_scan(label, sanitizer);
  if (!sanitized.ok()) {
    return input_error(info, info.id + ": scan rejected: " + sanitized.error().message);
  }
  if (sanitized->verdict == ScanVerdict::ignored_configuration_barcode) {
    const std::string rule =
        sanitized->rule != nullptr
            ? std::string(sanitized->rule->vendor) + " " + std::string(sanitized->rule->what)
            : std::string("configuration barcode");
    log(LogLevel::info, info.id + ": ignored a configuration barcode (" + rule + ")");
    return std::nullopt;
  }
  ScanEventFields fields;
  fields.device_id = info.id;
  fields.kind = DeviceKind::scanner;
  fields.label = std::move(sanitized->label);
  fields.aim_id = std::move(aim_id);
  fields.type = type;
  fields.raw = std::move(raw);
  return ScanEvent(std::move(fields));
}

std::optional<std::variant<ScanEvent, ErrorEvent>> frame_event(
    const DeviceInfo& info, Result<ScanFrame> frame, const ScanSanitizerOptions& sanitizer,
    const BankCardRule& bank_card) {
  if (!frame.ok()) return input_error(info, info.id + ": " + frame.error().message);
  ScanFrame& scan = *frame;
  if (info.kind == DeviceKind::msr) {
    auto swipe = parse_wedge_swipe(scan.label + "\r", bank_card);
    detail_wipe(scan.label);
    if (!swipe.ok()) {
      return input_error(
          info, info.id + ": bad swipe: " + swipe.error().message + "; swipe the card again");
    }
    return swipe_event(info, std::move(*swipe), std::move(scan.raw));
  }
  std::string aim = scan.aim_id();
  const ScanDataType type =
      aim.empty() ? ScanDataType::unknown : scan_data_type_from_aim(aim, scan.label);
  return scanner_event(info, scan.label, std::move(aim), type, std::move(scan.raw), sanitizer);
}

FramedInput::FramedInput(boost::asio::io_context& io, const ScanFramerOptions& options, Sink sink)
    : framer_(options), timer_(io), sink_(std::move(sink)) {}

FramedInput::~FramedInput() { timer_.cancel(); }

void FramedInput::feed(std::string_view bytes) {
  auto results = framer_.feed(bytes, steady_now_ms());
  const std::weak_ptr<const int> alive = alive_;
  for (auto& result : results) {
    sink_(std::move(result));
    if (alive.expired()) return;  // the sink destroyed the owner
  }
  arm();
}

void FramedInput::reset() {
  framer_.reset();
  timer_.cancel();
}

void FramedInput::arm() {
  const auto deadline = framer_.deadline_ms();
  if (!deadline) {
    timer_.cancel();
    return;
  }
  const std::int64_t wait_ms = std::max<std::int64_t>(0, *deadline - steady_now_ms());
  timer_.expires_after(std::chrono::milliseconds(wait_ms));
  timer_.async_wait(
      [this, alive = std::weak_ptr<const int>(alive_)](const boost::system::error_code& error) {
        if (alive.expired() || error) return;
        auto frame = framer_.poll(steady_now_ms());
        if (frame) {
          sink_(std::move(*frame));
          if (alive.expired()) return;
        }
        arm();
      });
}

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ErrorEvent input_error(const DeviceInfo& info, std::string message, UposResult result) {
  ErrorEventFields fields;
  fields.device_id = info.id;
  fields.kind = info.kind;
  fields.result = result;
  fields.locus = ErrorLocus::input;
  fields.message = std::move(message);
  return ErrorEvent(std::move(fields));
}

std::variant<ScanEvent, ErrorEvent> swipe_event(const DeviceInfo& info, Swipe swipe,
                                                std::vector<std::uint8_t> raw) {
  const TrackResult* failed = nullptr;
  bool any_ok = false;
  for (const TrackResult& track : swipe.tracks) {
    if (track.ok()) any_ok = true;
    if (track.status == TrackStatus::ok || track.status == TrackStatus::absent) continue;
    // The first failed track with a UPOS code decides; else the first failed track.
    if (failed == nullptr ||
        (upos_extended_code(failed->status) == 0 && upos_extended_code(track.status) != 0)) {
      failed = &track;
    }
  }
  // Track-level error reporting: one good track makes the swipe a DataEvent, whose failed tracks
  // carry their own status; only a swipe without a good track is an ErrorEvent.
  if (!any_ok) {
    ErrorEventFields fields;
    fields.device_id = info.id;
    fields.kind = DeviceKind::msr;
    fields.locus = ErrorLocus::input;
    if (failed == nullptr) {
      fields.result = UposResult::failure;
      fields.message = "the swipe carried no track data; swipe the card again";
    } else {
      const int code = upos_extended_code(failed->status);
      fields.result = code != 0 ? UposResult::extended : UposResult::failure;
      fields.extended = code;
      fields.message = "bad swipe (" + describe_swipe(swipe) + "); swipe the card again";
    }
    fields.swipe = std::move(swipe);
    return ErrorEvent(std::move(fields));
  }
  ScanEventFields fields;
  fields.device_id = info.id;
  fields.kind = DeviceKind::msr;
  fields.raw = std::move(raw);
  fields.swipe = std::move(swipe);
  return ScanEvent(std::move(fields));
}

}  // namespace loyalty::drivers::transport
