// One door to every reader the device monitor can find: builds the Device for a DeviceInfo, by
// transport and kind, with the options each transport takes.
//
//   hidraw  msr -> HidrawSwipeReader (337-byte MagTek / ID TECH report)
//           scanner -> HidPosScanner (usage page 0x8C, descriptor-driven)
//   evdev   msr or scanner -> EvdevWedgeReader (EVIOCGRAB, XKB layout, framing)
//   serial  msr or scanner -> SerialReader (Boost.Asio serial_port, TIOCEXCL, reconnect)
//
// Vendor-class USB scanners are not found by enumeration (they are configured by vendor and
// product id, usb_scanner.h), and cameras and image files are frame sources, not UPOS devices
// (image_decoder.h): both are refused here with a message saying where to go.
//
// Thread-safety: as Device; the reader runs on `io`, which must outlive it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "loyalty/core/result.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/wedge/evdev_devices.h"
#include "loyalty/drivers/hid/hidraw_devices.h"
#include "loyalty/drivers/serial/serial_device.h"

namespace loyalty::drivers {

struct ReaderOptions {
  // Card-linked loyalty: derives a keyed token from a payment card's PAN; not owned, may be null,
  // and must outlive the reader. Overrides the tokenizer of the per-transport options.
  const CardTokenizer* tokenizer = nullptr;
  // The chain's own card ranges (the bundle's identification.card_ranges), which the bank-card
  // rule lets through; a view, not owned: must outlive the reader. Overrides those of the
  // per-transport options when not empty.
  std::span<const CardRange> own_card_ranges;
  HidPosScannerOptions hid_pos;
  EvdevWedgeOptions evdev;
  SerialOptions serial;
};

Result<std::unique_ptr<Device>> make_reader(boost::asio::io_context& io, const DeviceInfo& info,
                                            const ReaderOptions& options = {});

}  // namespace loyalty::drivers
