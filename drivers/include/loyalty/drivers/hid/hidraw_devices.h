// Readers on /dev/hidrawN (the raw HID interface): USB HID magstripe readers (MagTek, ID TECH in
// HID mode, one 337-byte input report per swipe) and HID POS barcode scanners (usage page 0x8C,
// which the kernel does not turn into key events, so hidraw is the only way in).
//
// How a reader works:
//   open     opens the node, reads the report descriptor (sysfs first, HIDIOCGRDESC otherwise) and
//            works out the report layout from it;
//   claim    hidraw has no exclusive mode (no grab): nothing else reads these devices, since they
//            are not keyboards. A scanner that needs it is switched to HID POS mode here with
//            the Honeywell feature report (0xFE = 1); a failure is logged as a warning and the
//            scanner used as it is (many come up in that mode already);
//   enable   drops what the kernel queued while disabled (UPOS), then reads, one report per read:
//            the kernel hands out exactly one report per read(), and the read buffer is the size
//            of the largest input report, so a stream that merges reports (a pty standing in for
//            the node in tests) is cut at the same boundaries;
//   disable  cancels the pending read.
// A read error that means the device went away (EIO, ENODEV, end of file) calls lost(): one
// ErrorEvent with result no_hardware, whatever was half-assembled is dropped.
//
// Thread-safety: as Device. The io_context must outlive the reader; destroying the reader with a
// read pending is safe (the handler sees it gone and returns).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/hid/hid_descriptor.h"
#include "loyalty/drivers/hid/hid_pos_scanner.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"

namespace loyalty::drivers {

namespace transport {
struct NodeIo;
}

// The report descriptor of a hidraw node ("/dev/hidraw0"): the sysfs attribute
// /sys/class/hidraw/hidraw0/device/report_descriptor, or, when that cannot be read and fd is an
// open descriptor of the node, the HIDIOCGRDESC ioctl. At most
// limits::hid_report_descriptor_bytes_max bytes; an empty descriptor is an error.
Result<std::vector<std::uint8_t>> read_hid_report_descriptor(const std::string& node, int fd = -1);

struct HidrawSwipeOptions {
  // Derives a token from a payment card's PAN (card-linked loyalty); not owned, may be null.
  const CardTokenizer* tokenizer = nullptr;
  // The chain's own card ranges, which the bank-card rule lets through (bank_card.h); a view:
  // the ranges must outlive the reader. Empty: every financial-layout track is withheld.
  std::span<const CardRange> own_card_ranges;
};

// A HID magstripe reader: each 337-byte input report is one swipe (hid_swipe.h), delivered as a
// ScanEvent (kind msr) or, for a bad swipe, an ErrorEvent with the UPOS MSR extended code.
class HidrawSwipeReader final : public Device {
 public:
  // info.node is the hidraw node; info.id names the device in events. `io` must outlive this.
  HidrawSwipeReader(boost::asio::io_context& io, DeviceInfo info, HidrawSwipeOptions options = {});
  ~HidrawSwipeReader() override;

 protected:
  Status do_open() override;
  Status do_claim() override;
  void do_release() override;
  Status do_enable() override;
  void do_disable() override;
  void do_close() override;

 private:
  void start_read();
  void on_report(std::size_t bytes);

  HidrawSwipeOptions options_;
  std::unique_ptr<transport::NodeIo> io_;
  bool numbered_ = false;  // reports start with a report ID byte
  std::vector<std::uint8_t> buffer_;
};

struct HidPosScannerOptions {
  ScanSanitizerOptions sanitizer;
};

// A HID POS barcode scanner (hid_pos_scanner.h): the layout comes from the report descriptor
// (open fails when the device has no HID POS input report: a scanner still in keyboard mode),
// reports are joined by a HidPosAssembler, and each scan, after the untrusted-data policy
// (scan_sanitizer.h), is a ScanEvent with label, AIM id and type. A scan cut by disable, clearInput
// or an unplug is dropped.
class HidPosScanner final : public Device {
 public:
  HidPosScanner(boost::asio::io_context& io, DeviceInfo info, HidPosScannerOptions options = {});
  ~HidPosScanner() override;

  // After open(): the layout found in the descriptor.
  const std::optional<HidPosScannerLayout>& layout() const { return layout_; }
  // Whether the last claim() sent the HID POS enable feature report and the device took it.
  bool enable_report_sent() const { return enable_report_sent_; }
  // Whether reports of a scan that is not complete yet have been read (a multi-report scan).
  bool scan_in_progress() const { return assembler_ && assembler_->in_progress(); }

 protected:
  Status do_open() override;
  Status do_claim() override;
  void do_release() override;
  Status do_enable() override;
  void do_disable() override;
  void do_close() override;
  void do_clear_input() override;

 private:
  void start_read();
  void on_report(std::size_t bytes);

  HidPosScannerOptions options_;
  std::unique_ptr<transport::NodeIo> io_;
  std::optional<HidReportDescriptor> descriptor_;
  std::optional<HidPosScannerLayout> layout_;
  std::optional<HidPosAssembler> assembler_;
  bool enable_report_sent_ = false;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace loyalty::drivers
