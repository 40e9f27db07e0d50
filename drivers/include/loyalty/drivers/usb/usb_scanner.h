// A barcode scanner in vendor-class USB mode (interface class 0xFF), read with libusb's
// asynchronous API inside the Boost.Asio loop (usb_context.h). The scanner sends its labels as
// bytes on an interrupt or bulk IN endpoint, framed by a ScanFramer (scan_framer.h: prefix, AIM
// id, suffix CR by default, idle timeout) and checked by sanitize_scan() (scan_sanitizer.h).
//
//   open     finds the device by vendor/product id (and bus/address when several match), opens it
//   claim    auto-detaches a kernel driver (it comes back on release), claims the interface and
//            checks the endpoint in the active configuration
//   enable   submits transfers_in_flight IN transfers; each completion is framed into labels and
//            the transfer resubmitted at once, so no input is lost between transfers
//   disable  cancels every transfer and drains (handles libusb events until every cancelled
//            transfer has called back) before anything is released or freed
//
// A transfer that ends with LIBUSB_TRANSFER_NO_DEVICE (unplugged, even mid-scan) makes the device
// lost(): an ErrorEvent no_hardware; so do limits::usb_transfer_errors_in_a_row_max failed
// transfers in a row (each failure before that is an ErrorEvent failure, and is resubmitted). A
// frame the framer or the sanitiser refuses (a runaway label, a missing AIM id, a control
// character) becomes an ErrorEvent (failure) naming why; a configuration barcode is ignored
// (logged, not delivered).
//
// Transfer callbacks run inside libusb's event handling; they only record what arrived. Scans,
// errors and lost() are delivered from a handler posted to the io_context, so application
// handlers may close the device. Thread-safety: the io_context's thread only (device.h).
// Ownership: borrows the UsbContext, which must outlive the scanner; the destructor closes.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/scan/scan_framer.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"
#include "loyalty/drivers/usb/usb_context.h"

struct libusb_device_handle;
struct libusb_transfer;

namespace loyalty::drivers {

// What claim does about a kernel driver bound to the interface.
enum class UsbKernelDriver {
  detach,      // libusb auto-detach: detached on claim, attached again on release
  leave_bound  // claim as is; fails (busy) when a kernel driver holds the interface
};

struct UsbScannerConfig {
  std::uint16_t vendor_id = 0;   // required
  std::uint16_t product_id = 0;  // required
  // Pick one of several identical scanners; nullopt matches any.
  std::optional<std::uint8_t> bus;
  std::optional<std::uint8_t> address;
  std::uint8_t interface_number = 0;
  std::uint8_t endpoint = 0x81;         // an IN endpoint of that interface, interrupt or bulk
  std::size_t transfer_bytes = 64;      // 1..limits::usb_transfer_bytes_max
  std::size_t transfers_in_flight = 4;  // 1..limits::usb_transfers_in_flight_max
  // How labels are framed in the byte stream (prefix, AIM id, suffix: scan_framer.h) and what
  // a label must be to become a scan (scan_sanitizer.h).
  ScanFramerOptions framing;
  ScanSanitizerOptions sanitizer;
  UsbKernelDriver kernel_driver = UsbKernelDriver::detach;
};

class UsbScanner final : public Device {
 public:
  // Checks the configuration (invalid_argument naming the bad field). The device id is
  // "usb:VVVV:PPPP", with "@bus.address" when those are configured.
  static Result<std::unique_ptr<UsbScanner>> create(UsbContext& context, UsbScannerConfig config);
  ~UsbScanner() override;

  // Transfers submitted and not yet called back.
  std::size_t transfers_in_flight() const;
  // Transfers that called back as cancelled since open (disable and close drain them).
  std::size_t transfers_cancelled() const { return cancelled_; }

 protected:
  Status do_open() override;
  Status do_claim() override;
  void do_release() override;
  Status do_enable() override;
  void do_disable() override;
  void do_close() override;
  void do_clear_input() override;

 private:
  struct Slot;
  friend struct UsbScannerAccess;

  UsbScanner(UsbContext& context, UsbScannerConfig config, DeviceInfo info);
  void completed(Slot& slot);
  void schedule_flush();
  void flush();
  void deliver(Result<ScanFrame> frame);
  void arm_idle_timer();
  void cancel_and_drain();
  Status submit(Slot& slot);

  UsbContext& context_;
  UsbScannerConfig config_;
  libusb_device_handle* handle_ = nullptr;
  bool claimed_interface_ = false;
  unsigned char transfer_type_ = 0;  // LIBUSB_TRANSFER_TYPE_INTERRUPT or _BULK
  std::vector<std::unique_ptr<Slot>> slots_;
  bool reading_ = false;  // transfers are resubmitted on completion
  bool leaked_ = false;   // a drain never finished: the handle is leaked, not closed
  std::size_t cancelled_ = 0;
  std::size_t errors_in_a_row_ = 0;
  // Framing, and what the callbacks found for flush() to deliver.
  ScanFramer framer_;
  boost::asio::steady_timer idle_timer_;
  std::vector<Result<ScanFrame>> found_;
  bool flush_posted_ = false;
  std::optional<std::string> gone_why_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace loyalty::drivers
