// The HID magstripe reader over hidraw (hidraw_devices.h).
#include <fcntl.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <span>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/hid/hid_descriptor.h"
#include "loyalty/drivers/magstripe/hid_swipe.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "loyalty/drivers/log.h"
#include "device/transport_io.h"

namespace loyalty::drivers {

HidrawSwipeReader::HidrawSwipeReader(boost::asio::io_context& io, DeviceInfo info,
                                     HidrawSwipeOptions options)
    : Device(std::move(info)), options_(options), io_(std::make_unique<transport::NodeIo>(io)) {}

HidrawSwipeReader::~HidrawSwipeReader() = default;

Status HidrawSwipeReader::do_open() {
  const int fd = TRY(transport::open_node(info().node, O_RDWR));
  auto descriptor = read_hid_report_descriptor(info().node, fd);
  auto parsed = descriptor.ok() ? parse_hid_report_descriptor(*descriptor)
                                : Result<HidReportDescriptor>(descriptor.error());
  if (parsed.ok()) {
    numbered_ = parsed->numbered();
  } else {
    // The 337-byte report has no ID on the readers this supports; go on without the descriptor.
    numbered_ = false;
    log(LogLevel::warning,
        info().id + ": " + parsed.error().message + "; assuming unnumbered 337-byte swipe reports");
  }
  buffer_.assign(hid_swipe_report_bytes + (numbered_ ? 1 : 0), 0);
  io_->fd = transport::UniqueFd(fd);
  if (auto watching = io_->watch.watch(fd, info().id); !watching.ok()) {
    io_->close();
    return watching;
  }
  return {};
}

Status HidrawSwipeReader::do_claim() { return {}; }  // hidraw has no exclusive mode

void HidrawSwipeReader::do_release() {}

Status HidrawSwipeReader::do_enable() {
  transport::drain_stale_input(io_->fd.get(), buffer_.size(), limits::device_event_queue_max);
  start_read();
  return {};
}

void HidrawSwipeReader::do_disable() {
  io_->guard.advance();
  io_->watch.cancel();
}

void HidrawSwipeReader::do_close() { io_->close(); }

void HidrawSwipeReader::start_read() {
  auto reads = std::make_shared<transport::ReadCallbacks>();
  reads->data = [this](std::size_t bytes) { on_report(bytes); };
  reads->gone = [this](const std::string& why) { lost(why); };
  reads->failed = [this](const std::string& why) {
    deliver_error(transport::input_error(info(), why));
  };
  reads->keep_reading = [this] { return enabled(); };
  transport::read_loop(*io_, buffer_, info().node, std::move(reads));
}

void HidrawSwipeReader::on_report(std::size_t bytes) {
  std::span<const std::uint8_t> report(buffer_.data(), bytes);
  if (numbered_ && !report.empty()) report = report.subspan(1);
  auto parsed = parse_hid_swipe_report(report, {options_.own_card_ranges, options_.tokenizer});
  if (!parsed.ok()) {
    deliver_error(transport::input_error(
        info(), info().id + ": " + parsed.error().message + "; swipe the card again"));
    return;
  }
  auto event = transport::swipe_event(info(), std::move(parsed->swipe),
                                      std::vector<std::uint8_t>(report.begin(), report.end()));
  std::fill(buffer_.begin(), buffer_.end(), 0);  // the report held track data
  deliver(std::move(event));
}

}  // namespace loyalty::drivers
