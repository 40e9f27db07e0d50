// make_reader: the Device for a DeviceInfo (readers.h).
#include "loyalty/drivers/readers.h"

#include <string>
#include <utility>

namespace loyalty::drivers {

Result<std::unique_ptr<Device>> make_reader(boost::asio::io_context& io, const DeviceInfo& info,
                                            const ReaderOptions& options) {
  switch (info.transport) {
    case Transport::hidraw:
      if (info.kind == DeviceKind::msr) {
        HidrawSwipeOptions swipe;
        swipe.tokenizer = options.tokenizer;
        swipe.own_card_ranges = options.own_card_ranges;
        return std::unique_ptr<Device>(std::make_unique<HidrawSwipeReader>(io, info, swipe));
      }
      return std::unique_ptr<Device>(std::make_unique<HidPosScanner>(io, info, options.hid_pos));
    case Transport::evdev: {
      EvdevWedgeOptions evdev = options.evdev;
      if (options.tokenizer != nullptr) evdev.tokenizer = options.tokenizer;
      if (!options.own_card_ranges.empty()) evdev.own_card_ranges = options.own_card_ranges;
      TRY(validate_scan_framer_options(evdev.framer));
      auto reader = std::make_unique<EvdevWedgeReader>(io, info, evdev);
      // An XKB layout that cannot be built is refused here already, not only at open().
      if (!reader->keymap().ok()) {
        return make_error(reader->keymap().error().code,
                          info.id + ": " + reader->keymap().error().message);
      }
      return std::unique_ptr<Device>(std::move(reader));
    }
    case Transport::serial: {
      SerialOptions serial = options.serial;
      if (options.tokenizer != nullptr) serial.tokenizer = options.tokenizer;
      if (!options.own_card_ranges.empty()) serial.own_card_ranges = options.own_card_ranges;
      TRY(validate_serial_options(serial));
      return std::unique_ptr<Device>(std::make_unique<SerialReader>(io, info, serial));
    }
    case Transport::usb:
      return make_error(ErrorCode::invalid_argument,
                        info.id +
                            ": vendor-class USB scanners are configured by vendor and product id "
                            "(UsbScanner), not opened from enumeration");
    case Transport::camera:
    case Transport::image:
      return make_error(ErrorCode::invalid_argument,
                        info.id +
                            ": cameras and image files are decoded with image_decoder.h; "
                            "they are not UPOS readers");
  }
  return make_error(ErrorCode::internal, info.id + ": unknown transport");
}

}  // namespace loyalty::drivers
