// Readers on a serial port (serial_device.h).
#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "loyalty/drivers/log.h"
#include "loyalty/drivers/serial/serial_device.h"
#include "device/transport_io.h"

namespace loyalty::drivers {

namespace {

constexpr std::size_t kReadBytes = 512;

Error serial_error(const std::string& id, const std::string& what,
                   const boost::system::error_code& error) {
  return make_error(ErrorCode::io_error, id + ": " + what + ": " + error.message());
}

}  // namespace

Status validate_serial_options(const SerialOptions& options) {
  if (options.baud_rate == 0) {
    return make_error(ErrorCode::invalid_argument, "serial baud_rate must be above 0");
  }
  if (options.character_size < 5 || options.character_size > 8) {
    return make_error(ErrorCode::invalid_argument, "serial character_size must be 5 to 8, not " +
                                                       std::to_string(options.character_size));
  }
  if (options.reconnect_delay_ms_min < 1 ||
      options.reconnect_delay_ms_max < options.reconnect_delay_ms_min ||
      options.reconnect_delay_ms_max > limits::serial_reconnect_delay_ms_max) {
    return make_error(ErrorCode::invalid_argument,
                      "serial reconnect delays must satisfy 1 <= min <= max <= " +
                          std::to_string(limits::serial_reconnect_delay_ms_max) + " ms; got " +
                          std::to_string(options.reconnect_delay_ms_min) + " and " +
                          std::to_string(options.reconnect_delay_ms_max));
  }
  return validate_scan_framer_options(options.framer);
}

std::int64_t serial_reconnect_delay_ms(std::size_t attempt, std::int64_t delay_ms_min,
                                       std::int64_t delay_ms_max) {
  LOYALTY_ASSERT(delay_ms_min >= 1 && delay_ms_max >= delay_ms_min);
  std::int64_t delay = delay_ms_min;
  // Bounded: at most 63 doublings, and it stops at the cap.
  for (std::size_t i = 0; i < attempt && i < 63 && delay < delay_ms_max; ++i) delay *= 2;
  return std::min(delay, delay_ms_max);
}

struct SerialReader::Io {
  Io(boost::asio::io_context& io, const ScanFramerOptions& framer,
     transport::FramedInput::Sink sink)
      : port(io), timer(io), input(io, framer, std::move(sink)) {}

  transport::HandlerGuard guard;            // reads: disable and close invalidate them
  transport::HandlerGuard reconnect_guard;  // the reconnect timer: close invalidates it
  boost::asio::serial_port port;
  boost::asio::steady_timer timer;  // reconnect
  transport::FramedInput input;
  std::array<std::uint8_t, kReadBytes> buffer{};
};

SerialReader::SerialReader(boost::asio::io_context& io, DeviceInfo info, SerialOptions options)
    : Device(std::move(info)), options_(std::move(options)) {
  LOYALTY_ASSERT(validate_serial_options(options_).ok());
  io_ = std::make_unique<Io>(io, options_.framer,
                             [this](Result<ScanFrame> frame) { on_frame(std::move(frame)); });
}

SerialReader::~SerialReader() {
  boost::system::error_code ignored;
  io_->timer.cancel();
  io_->port.close(ignored);
}

bool SerialReader::connected() const { return io_->port.is_open(); }

std::int64_t SerialReader::next_reconnect_delay_ms() const {
  return serial_reconnect_delay_ms(failed_reconnects_, options_.reconnect_delay_ms_min,
                                   options_.reconnect_delay_ms_max);
}

Status SerialReader::open_port() {
  using boost::asio::serial_port_base;
  auto& port = io_->port;
  boost::system::error_code error;
  port.open(info().node, error);  // raw mode: Asio clears echo, canonical mode and translation
  if (error) return serial_error(info().id, "cannot open the port", error);
  const auto parity = options_.parity == SerialParity::odd    ? serial_port_base::parity::odd
                      : options_.parity == SerialParity::even ? serial_port_base::parity::even
                                                              : serial_port_base::parity::none;
  const auto stop = options_.stop_bits == SerialStopBits::two ? serial_port_base::stop_bits::two
                                                              : serial_port_base::stop_bits::one;
  const auto flow = options_.flow_control == SerialFlowControl::hardware
                        ? serial_port_base::flow_control::hardware
                    : options_.flow_control == SerialFlowControl::software
                        ? serial_port_base::flow_control::software
                        : serial_port_base::flow_control::none;
  port.set_option(serial_port_base::baud_rate(options_.baud_rate), error);
  if (!error) port.set_option(serial_port_base::character_size(options_.character_size), error);
  if (!error) port.set_option(serial_port_base::parity(parity), error);
  if (!error) port.set_option(serial_port_base::stop_bits(stop), error);
  if (!error) port.set_option(serial_port_base::flow_control(flow), error);
  if (error) {
    boost::system::error_code ignored;
    port.close(ignored);
    return serial_error(info().id, "cannot configure the port", error);
  }
  if (exclusive_ && ::ioctl(port.native_handle(), TIOCEXCL) < 0) {
    const std::string why = std::strerror(errno);
    boost::system::error_code ignored;
    port.close(ignored);
    return make_error(ErrorCode::io_error, info().id + ": TIOCEXCL failed: " + why);
  }
  return {};
}

Status SerialReader::do_open() {
  failed_reconnects_ = 0;
  return open_port();
}

Status SerialReader::do_claim() {
  if (connected() && ::ioctl(io_->port.native_handle(), TIOCEXCL) < 0) {
    return make_error(
        ErrorCode::io_error,
        info().id + ": cannot take the port exclusively (TIOCEXCL: " + std::strerror(errno) + ")");
  }
  exclusive_ = true;
  return {};
}

void SerialReader::do_release() {
  if (connected() && ::ioctl(io_->port.native_handle(), TIOCNXCL) < 0) {
    log(LogLevel::warning, info().id + ": TIOCNXCL failed: " + std::strerror(errno));
  }
  exclusive_ = false;
}

Status SerialReader::do_enable() {
  io_->input.reset();
  if (connected()) {
    ::tcflush(io_->port.native_handle(), TCIFLUSH);  // input queued while disabled (UPOS drops it)
    start_read();
  }
  return {};  // while reconnecting, reading starts when the port is back
}

void SerialReader::do_disable() {
  io_->guard.advance();
  boost::system::error_code ignored;
  io_->port.cancel(ignored);
  io_->input.reset();
}

void SerialReader::do_clear_input() {
  if (io_) io_->input.reset();
}

void SerialReader::do_close() {
  io_->guard.advance();
  io_->reconnect_guard.advance();
  io_->timer.cancel();
  io_->input.reset();
  boost::system::error_code ignored;
  io_->port.close(ignored);
  failed_reconnects_ = 0;
}

void SerialReader::start_read() {
  io_->port.async_read_some(
      boost::asio::buffer(io_->buffer),
      [this, token = io_->guard.token()](const boost::system::error_code& error,
                                         std::size_t bytes) {
        if (!transport::alive(token) || !io_->guard.current(token)) return;
        if (error == boost::asio::error::operation_aborted) return;
        if (error) {
          link_down(error.message());
          return;
        }
        io_->input.feed(std::string_view(reinterpret_cast<const char*>(io_->buffer.data()), bytes));
        if (!transport::alive(token)) return;
        std::fill(io_->buffer.begin(), io_->buffer.end(), 0);
        if (!io_->guard.current(token) || !enabled()) return;
        start_read();
      });
}

void SerialReader::link_down(const std::string& why) {
  io_->guard.advance();
  io_->input.reset();  // a scan cut by the failure is dropped
  boost::system::error_code ignored;
  io_->port.close(ignored);
  failed_reconnects_ = 0;
  log(LogLevel::warning, info().id + ": the port failed (" + why + "); reconnecting");
  deliver_error(transport::input_error(
      info(), info().id + ": the port failed (" + why + "); reconnecting", UposResult::offline));
  schedule_reconnect();
}

void SerialReader::schedule_reconnect() {
  io_->timer.expires_after(std::chrono::milliseconds(next_reconnect_delay_ms()));
  io_->timer.async_wait(
      [this, token = io_->reconnect_guard.token()](const boost::system::error_code& error) {
        if (!transport::alive(token) || !io_->reconnect_guard.current(token) || error) return;
        if (auto opened = open_port(); !opened.ok()) {
          ++failed_reconnects_;
          log(LogLevel::debug, opened.error().message + "; next attempt in " +
                                   std::to_string(next_reconnect_delay_ms()) + " ms");
          schedule_reconnect();
          return;
        }
        failed_reconnects_ = 0;
        ++reconnects_;
        log(LogLevel::info, info().id + ": the port is back");
        if (enabled()) start_read();
      });
}

void SerialReader::on_frame(Result<ScanFrame> frame) {
  auto event = transport::frame_event(info(), std::move(frame), options_.sanitizer,
                                      {options_.own_card_ranges, options_.tokenizer});
  if (event) deliver(std::move(*event));
}

}  // namespace loyalty::drivers
