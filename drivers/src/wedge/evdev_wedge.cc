// Keyboard-wedge readers over evdev (evdev_devices.h).
#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "device/transport_io.h"
#include "loyalty/core/limits.h"
#include "loyalty/drivers/log.h"
#include "loyalty/drivers/wedge/evdev_devices.h"

namespace loyalty::drivers {

namespace {

// input_event records read at once: a scan of a long label is thousands of events, read in
// several passes; the kernel never splits a record.
constexpr std::size_t kEventsPerRead = 64;

}  // namespace

EvdevWedgeReader::EvdevWedgeReader(boost::asio::io_context& io, DeviceInfo info,
                                   EvdevWedgeOptions options)
    : Device(std::move(info)),
      options_(std::move(options)),
      io_(std::make_unique<transport::NodeIo>(io)),
      keymap_(Keymap::load(options_.keymap)),
      buffer_(kEventsPerRead * sizeof(input_event)) {
  LOYALTY_ASSERT(validate_scan_framer_options(options_.framer).ok());
  if (keymap_.ok()) decoder_.emplace(*keymap_, options_.keyboard);
  input_ = std::make_unique<transport::FramedInput>(
      io, options_.framer, [this](Result<ScanFrame> frame) { on_frame(std::move(frame)); });
}

EvdevWedgeReader::~EvdevWedgeReader() {
  input_.reset();
  if (grabbed_ && io_->fd.valid()) ::ioctl(io_->fd.get(), EVIOCGRAB, 0);
}

Status EvdevWedgeReader::do_open() {
  if (!keymap_.ok()) {
    return make_error(keymap_.error().code, info().id + ": " + keymap_.error().message);
  }
  const int fd = TRY(transport::open_node(info().node, O_RDONLY));
  io_->fd = transport::UniqueFd(fd);
  if (auto watching = io_->watch.watch(fd, info().id); !watching.ok()) {
    io_->close();
    return watching;
  }
  unmapped_keys_ = 0;
  return {};
}

Status EvdevWedgeReader::do_claim() {
  if (::ioctl(io_->fd.get(), EVIOCGRAB, 1) < 0) {
    const int err = errno;
    return make_error(
        ErrorCode::io_error,
        info().id + ": cannot grab the device (EVIOCGRAB: " + std::strerror(err) + ")" +
            (err == EBUSY ? "; another program holds it (a second reader instance?)" : ""));
  }
  grabbed_ = true;
  return {};
}

void EvdevWedgeReader::do_release() {
  if (!grabbed_) return;
  if (::ioctl(io_->fd.get(), EVIOCGRAB, 0) < 0) {
    log(LogLevel::warning, info().id + ": releasing the grab failed: " + std::strerror(errno));
  }
  grabbed_ = false;
}

Status EvdevWedgeReader::do_enable() {
  transport::drain_stale_input(io_->fd.get(), buffer_.size(), limits::device_event_queue_max);
  decoder_->reset();
  input_->reset();
  start_read();
  return {};
}

void EvdevWedgeReader::do_disable() {
  io_->guard.advance();
  io_->watch.cancel();
  input_->reset();
}

void EvdevWedgeReader::do_clear_input() { input_->reset(); }

void EvdevWedgeReader::do_close() {
  input_->reset();
  io_->close();
  grabbed_ = false;
}

void EvdevWedgeReader::start_read() {
  auto reads = std::make_shared<transport::ReadCallbacks>();
  reads->data = [this](std::size_t bytes) { on_events(bytes); };
  reads->gone = [this](const std::string& why) {
    input_->reset();  // a scan cut by the unplug is dropped
    grabbed_ = false;
    lost(why);
  };
  reads->failed = [this](const std::string& why) {
    deliver_error(transport::input_error(info(), why));
  };
  reads->keep_reading = [this] { return enabled(); };
  transport::read_loop(*io_, buffer_, info().node, std::move(reads));
}

void EvdevWedgeReader::on_events(std::size_t bytes) {
  const auto token = io_->guard.token();
  const std::size_t count = bytes / sizeof(input_event);
  std::string typed;
  for (std::size_t i = 0; i < count; ++i) {
    input_event event;
    std::memcpy(&event, buffer_.data() + i * sizeof(input_event), sizeof event);
    if (event.type == EV_SYN && event.code == SYN_DROPPED) {
      // The kernel's buffer overflowed: key events were lost, the scan cannot be trusted.
      decoder_->reset();
      input_->reset();
      typed.clear();
      deliver_error(transport::input_error(
          info(), info().id + ": key events were lost (SYN_DROPPED); the scan in progress was "
                              "dropped: scan again"));
      if (!transport::alive(token) || !io_->guard.current(token)) return;
      continue;
    }
    if (event.type != EV_KEY) continue;
    const KeyResult key = decoder_->feed(event.code, event.value);
    if (key.status == KeyStatus::character) {
      typed.append(key.text());
    } else if (key.status == KeyStatus::unmapped || key.status == KeyStatus::alt_code_invalid) {
      ++unmapped_keys_;
      log(LogLevel::warning, info().id + ": key code " + std::to_string(key.code) + " (" +
                                 key_status_name(key.status) + ") types nothing in keymap \"" +
                                 decoder_->keymap_name() +
                                 "\"; is the wedge set to another layout?");
    }
  }
  std::fill(buffer_.begin(), buffer_.end(), 0);
  if (!typed.empty()) input_->feed(typed);
  std::fill(typed.begin(), typed.end(), '\0');
}

void EvdevWedgeReader::on_frame(Result<ScanFrame> frame) {
  auto event = transport::frame_event(info(), std::move(frame), options_.sanitizer,
                                      {options_.own_card_ranges, options_.tokenizer});
  if (event) deliver(std::move(*event));
}

}  // namespace loyalty::drivers
