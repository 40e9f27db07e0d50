// Readers on a serial port: USB CDC-ACM "COM port" scanners (/dev/ttyACM*), USB-serial adapters
// (/dev/ttyUSB*) and RS-232 ports, through boost::asio::serial_port.
//
//   open     opens the port in raw mode (no echo, no line editing, no CR/LF translation) and sets
//            baud rate, character size, parity, stop bits and flow control;
//   claim    TIOCEXCL: further opens of the port fail with EBUSY (for processes without
//            CAP_SYS_ADMIN), so a second program cannot steal scans; release clears it (TIOCNXCL);
//   enable   flushes input queued while disabled (tcflush), then reads; bytes go through a
//            ScanFramer (prefix, AIM id, suffix, idle timeout) and each scan through the
//            untrusted-data policy (scanners) or parse_wedge_swipe() (MSRs), as on a wedge.
//
// The link: when a read fails or the port disappears (unplugged, EOF, EIO), the reader queues ONE
// ErrorEvent with result offline, closes the port and tries to open it again after
// reconnect_delay_ms_min, doubling the delay after each failed attempt up to
// reconnect_delay_ms_max; failed attempts are not events (no storm). Once the port is back, the
// options and the exclusive claim are applied again and reading resumes if the device is
// enabled. The device stays open, claimed and enabled meanwhile (UPOS: the service hides the
// reconnect), unlike hidraw and evdev, whose node goes away for good on an unplug.
//
// Thread-safety: as Device. The io_context must outlive the reader.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/scan/scan_framer.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"

namespace loyalty::drivers {

enum class SerialParity { none, odd, even };
enum class SerialStopBits { one, two };
enum class SerialFlowControl { none, hardware, software };

struct SerialOptions {
  unsigned baud_rate = 9600;
  unsigned character_size = 8;  // 5..8
  SerialParity parity = SerialParity::none;
  SerialStopBits stop_bits = SerialStopBits::one;
  SerialFlowControl flow_control = SerialFlowControl::none;
  ScanFramerOptions framer;                  // CR suffix by default
  ScanSanitizerOptions sanitizer;            // scanners
  const CardTokenizer* tokenizer = nullptr;  // MSRs; not owned, may be null
  // MSRs: the chain's own card ranges, the bank-card rule's allow-list (a view, not owned).
  std::span<const CardRange> own_card_ranges;
  // 1 <= min <= max <= limits::serial_reconnect_delay_ms_max.
  std::int64_t reconnect_delay_ms_min = limits::serial_reconnect_delay_ms_min;
  std::int64_t reconnect_delay_ms_max = limits::serial_reconnect_delay_ms_max;
};

// invalid_argument naming the option: a baud rate of 0, a character size outside 5..8, reconnect
// delays out of order or above the limit, framer options validate_scan_framer_options() refuses.
Status validate_serial_options(const SerialOptions& options);

// The delay before reconnect attempt `attempt` (0 for the first): min * 2^attempt, at most max.
std::int64_t serial_reconnect_delay_ms(std::size_t attempt, std::int64_t delay_ms_min,
                                       std::int64_t delay_ms_max);

class SerialReader final : public Device {
 public:
  // info.node is the port ("/dev/ttyACM0"); info.kind scanner or msr. The options must pass
  // validate_serial_options() (a bug otherwise).
  SerialReader(boost::asio::io_context& io, DeviceInfo info, SerialOptions options = {});
  ~SerialReader() override;

  // The port is open (false while reconnecting).
  bool connected() const;
  // Reconnect attempts that failed since the link went down (0 when connected).
  std::size_t failed_reconnects() const { return failed_reconnects_; }
  // The delay before the next reconnect attempt, while reconnecting.
  std::int64_t next_reconnect_delay_ms() const;
  // Times the link came back.
  std::size_t reconnects() const { return reconnects_; }

 protected:
  Status do_open() override;
  Status do_claim() override;
  void do_release() override;
  Status do_enable() override;
  void do_disable() override;
  void do_close() override;
  void do_clear_input() override;

 private:
  struct Io;

  Status open_port();
  void start_read();
  void link_down(const std::string& why);
  void schedule_reconnect();
  void on_frame(Result<ScanFrame> frame);

  SerialOptions options_;
  std::unique_ptr<Io> io_;
  bool exclusive_ = false;  // claimed: TIOCEXCL is (re)applied on every open
  std::size_t failed_reconnects_ = 0;
  std::size_t reconnects_ = 0;
};

}  // namespace loyalty::drivers
