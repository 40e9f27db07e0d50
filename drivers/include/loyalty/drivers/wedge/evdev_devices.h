// Keyboard-wedge readers on /dev/input/eventN: barcode scanners and magstripe readers that type
// their data as key presses. The reader grabs the device (EVIOCGRAB) on claim, so the keystrokes
// reach this reader only and never the console or the POS application's focused window, and lets
// it go on release.
//
// Reading: struct input_event records, EV_KEY through a KeyboardDecoder (keymap.h: the XKB layout
// the wedge was set to, Shift, Caps Lock, AltGr, Ctrl, Alt codes, dead keys) into characters,
// characters through a ScanFramer (scan_framer.h: prefix, AIM id, suffix, idle timeout on a
// steady_timer) into scans. A scanner's scan goes through the untrusted-data policy
// (scan_sanitizer.h) and becomes a ScanEvent; an MSR's line goes to parse_wedge_swipe()
// (wedge_swipe.h) and becomes a ScanEvent with the swipe, or an ErrorEvent for a bad one.
// SYN_DROPPED (the kernel's buffer overflowed) drops the scan in progress with an ErrorEvent:
// characters were lost. A key the keymap does not map is logged by its code (never the text) and
// typed as nothing.
//
// Which one is which: DeviceInfo::kind (msr or scanner), as the allow list of device_monitor.h
// says; a wedge cannot be told from a keyboard otherwise.
//
// Thread-safety: as Device. The io_context must outlive the reader.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "loyalty/drivers/device.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/scan/scan_framer.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"
#include "loyalty/drivers/wedge/keymap.h"

namespace loyalty::drivers {

namespace transport {
struct NodeIo;
class FramedInput;
}  // namespace transport

struct EvdevWedgeOptions {
  // The XKB layout the wedge is set to (keymap.h), e.g. parse_keymap_spec("fr") or "ch:fr". The
  // reader compiles it when it is constructed; a layout that cannot be built (unknown, or no XKB
  // data) makes open() fail with the reason.
  KeymapSpec keymap;
  KeyboardOptions keyboard;
  // Framing: CR suffix by default, as wedges and wedge MSRs send. Must pass
  // validate_scan_framer_options().
  ScanFramerOptions framer;
  ScanSanitizerOptions sanitizer;            // scanners
  const CardTokenizer* tokenizer = nullptr;  // MSRs; not owned, may be null
  // MSRs: the chain's own card ranges, the bank-card rule's allow-list (a view, not owned).
  std::span<const CardRange> own_card_ranges;
};

class EvdevWedgeReader final : public Device {
 public:
  // info.node is the event node; info.kind says scanner or msr.
  EvdevWedgeReader(boost::asio::io_context& io, DeviceInfo info, EvdevWedgeOptions options = {});
  ~EvdevWedgeReader() override;

  // Whether claim() holds the grab.
  bool grabbed() const { return grabbed_; }
  // Key presses the keymap could not type (since open).
  std::uint64_t unmapped_keys() const { return unmapped_keys_; }
  // The compiled layout, or why it could not be built (then open() fails with that error).
  const Result<Keymap>& keymap() const { return keymap_; }

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
  void on_events(std::size_t bytes);
  void on_frame(Result<ScanFrame> frame);

  EvdevWedgeOptions options_;
  std::unique_ptr<transport::NodeIo> io_;
  std::unique_ptr<transport::FramedInput> input_;
  Result<Keymap> keymap_;
  std::optional<KeyboardDecoder> decoder_;  // when keymap_ is ok
  bool grabbed_ = false;
  std::uint64_t unmapped_keys_ = 0;
  std::vector<std::uint8_t> buffer_;
};

}  // namespace loyalty::drivers
