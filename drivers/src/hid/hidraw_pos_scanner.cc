// The HID POS barcode scanner over hidraw (hidraw_devices.h).
#include <fcntl.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <span>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "loyalty/drivers/log.h"
#include "device/transport_io.h"

namespace loyalty::drivers {

HidPosScanner::HidPosScanner(boost::asio::io_context& io, DeviceInfo info,
                             HidPosScannerOptions options)
    : Device(std::move(info)),
      options_(std::move(options)),
      io_(std::make_unique<transport::NodeIo>(io)) {}

HidPosScanner::~HidPosScanner() = default;

Status HidPosScanner::do_open() {
  const int fd = TRY(transport::open_node(info().node, O_RDWR));
  auto fail = [&](Error error) -> Status {
    ::close(fd);
    return error;
  };
  auto bytes = read_hid_report_descriptor(info().node, fd);
  if (!bytes.ok()) return fail(bytes.error());
  auto descriptor = parse_hid_report_descriptor(*bytes);
  if (!descriptor.ok()) {
    return fail(make_error(descriptor.error().code,
                           info().id + ": bad report descriptor: " + descriptor.error().message));
  }
  auto layout = find_hid_pos_scanner(*descriptor);
  if (!layout.ok()) {
    return fail(make_error(layout.error().code,
                           info().id + ": " + layout.error().message +
                               "; set the scanner to HID POS mode (its manual has the barcode)"));
  }
  // Read whole reports of any ID the device sends: the largest input report sets the size.
  std::size_t read_bytes = layout->report_bytes;
  for (const HidReport& report : descriptor->reports) {
    if (report.type == HidReportType::input) read_bytes = std::max(read_bytes, report.wire_bytes());
  }
  read_bytes = std::min(read_bytes, limits::hid_report_bytes_max);
  io_->fd = transport::UniqueFd(fd);
  if (auto watching = io_->watch.watch(fd, info().id); !watching.ok()) {
    io_->close();
    return watching;
  }
  buffer_.assign(read_bytes, 0);
  descriptor_ = std::move(*descriptor);
  assembler_.emplace(*layout);
  layout_ = std::move(*layout);
  return {};
}

Status HidPosScanner::do_claim() {
  enable_report_sent_ = false;
  if (!hid_pos_wants_enable_report(*descriptor_)) return {};
  std::vector<std::uint8_t> report = honeywell_hid_pos_enable_report(*descriptor_);
  const int result =
      ::ioctl(io_->fd.get(), HIDIOCSFEATURE(static_cast<unsigned>(report.size())), report.data());
  if (result < 0) {
    // Many scanners come up in HID POS mode already; reading may still work.
    log(LogLevel::warning, info().id + ": the HID POS enable feature report (0xFE = 1) failed: " +
                               std::strerror(errno) + "; using the scanner as it is");
    return {};
  }
  enable_report_sent_ = true;
  return {};
}

void HidPosScanner::do_release() {}

Status HidPosScanner::do_enable() {
  transport::drain_stale_input(io_->fd.get(), buffer_.size(), limits::hid_scan_reports_max);
  assembler_->reset();
  start_read();
  return {};
}

void HidPosScanner::do_disable() {
  io_->guard.advance();
  if (assembler_) assembler_->reset();
  io_->watch.cancel();
}

void HidPosScanner::do_clear_input() {
  if (assembler_) assembler_->reset();
}

void HidPosScanner::do_close() {
  io_->close();
  assembler_.reset();
  layout_.reset();
  descriptor_.reset();
}

void HidPosScanner::start_read() {
  auto reads = std::make_shared<transport::ReadCallbacks>();
  reads->data = [this](std::size_t bytes) { on_report(bytes); };
  reads->gone = [this](const std::string& why) {
    assembler_->reset();  // a scan cut by the unplug is dropped
    lost(why);
  };
  reads->failed = [this](const std::string& why) {
    deliver_error(transport::input_error(info(), why));
  };
  reads->keep_reading = [this] { return enabled(); };
  transport::read_loop(*io_, buffer_, info().node, std::move(reads));
}

void HidPosScanner::on_report(std::size_t bytes) {
  auto fed = assembler_->feed(std::span<const std::uint8_t>(buffer_.data(), bytes));
  if (!fed.ok()) {
    deliver_error(transport::input_error(info(), info().id + ": " + fed.error().message));
    return;
  }
  if (!fed->has_value()) return;  // more reports follow
  HidPosScan scan = std::move(**fed);
  auto event = transport::scanner_event(info(), scan.label, std::move(scan.aim_id), scan.type,
                                        std::move(scan.raw), options_.sanitizer);
  if (event) deliver(std::move(*event));
}

}  // namespace loyalty::drivers
