// Vendor-class USB scanners: device lifecycle and asynchronous IN transfers (usb_scanner.h).
#include "loyalty/drivers/usb/usb_scanner.h"

#include <libusb.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/scan/aim.h"
#include "loyalty/drivers/log.h"

namespace loyalty::drivers {

// One IN transfer and its buffer. A slot outlives every callback of its transfer: slots are
// freed only after a drain saw every transfer back (or leaked when a drain never finished).
struct UsbScanner::Slot {
  UsbScanner* owner = nullptr;  // null once leaked: a late callback then does nothing
  libusb_transfer* transfer = nullptr;
  std::vector<unsigned char> buffer;
  bool in_flight = false;
};

struct UsbScannerAccess {
  static void LIBUSB_CALL transfer_done(libusb_transfer* transfer) {
    auto* slot = static_cast<UsbScanner::Slot*>(transfer->user_data);
    slot->in_flight = false;
    if (slot->owner != nullptr) slot->owner->completed(*slot);
  }
};

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string device_id(const UsbScannerConfig& config) {
  std::string id = "usb:" + usb_id_hex(config.vendor_id) + ":" + usb_id_hex(config.product_id);
  if (config.bus || config.address) {
    id += "@" + (config.bus ? std::to_string(*config.bus) : std::string("*")) + "." +
          (config.address ? std::to_string(*config.address) : std::string("*"));
  }
  return id;
}

Error usb_error(ErrorCode code, const std::string& id, const std::string& what, int r) {
  return make_error(code, id + ": " + what + " (" + libusb_error_name(r) + ")");
}

Status check_config(const UsbScannerConfig& config) {
  auto bad = [](const std::string& what) {
    return make_error(ErrorCode::invalid_argument, "USB scanner configuration: " + what);
  };
  if (config.vendor_id == 0 || config.product_id == 0) {
    return bad("vendor_id and product_id are required (lsusb shows them as VVVV:PPPP)");
  }
  if ((config.endpoint & LIBUSB_ENDPOINT_IN) == 0) {
    return bad("endpoint must be an IN endpoint (0x81..0x8f), not 0x" +
               usb_id_hex(config.endpoint));
  }
  if (config.transfer_bytes == 0 || config.transfer_bytes > limits::usb_transfer_bytes_max) {
    return bad("transfer_bytes must be 1.." + std::to_string(limits::usb_transfer_bytes_max));
  }
  if (config.transfers_in_flight == 0 ||
      config.transfers_in_flight > limits::usb_transfers_in_flight_max) {
    return bad("transfers_in_flight must be 1.." +
               std::to_string(limits::usb_transfers_in_flight_max));
  }
  if (auto framing = validate_scan_framer_options(config.framing); !framing) {
    return bad(framing.error().message);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<UsbScanner>> UsbScanner::create(UsbContext& context,
                                                       UsbScannerConfig config) {
  TRY(check_config(config));
  DeviceInfo info;
  info.id = device_id(config);
  info.kind = DeviceKind::scanner;
  info.transport = Transport::usb;
  info.vendor_id = config.vendor_id;
  info.product_id = config.product_id;
  return std::unique_ptr<UsbScanner>(new UsbScanner(context, std::move(config), std::move(info)));
}

UsbScanner::UsbScanner(UsbContext& context, UsbScannerConfig config, DeviceInfo info)
    : Device(std::move(info)),
      context_(context),
      config_(std::move(config)),
      framer_(config_.framing),
      idle_timer_(context.io()) {}

UsbScanner::~UsbScanner() {
  close();
  alive_.reset();
}

std::size_t UsbScanner::transfers_in_flight() const {
  std::size_t count = 0;
  for (const auto& slot : slots_) count += slot->in_flight ? 1 : 0;
  return count;
}

Status UsbScanner::do_open() {
  LOYALTY_ASSERT(handle_ == nullptr);
  cancelled_ = 0;
  gone_why_.reset();
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context_.native(), &list);
  if (count < 0) {
    return usb_error(ErrorCode::io_error, info().id, "cannot list USB devices",
                     static_cast<int>(count));
  }
  libusb_device* match = nullptr;
  std::size_t matches = 0;
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(list[i], &descriptor) != 0) continue;
    if (descriptor.idVendor != config_.vendor_id || descriptor.idProduct != config_.product_id) {
      continue;
    }
    if (config_.bus && libusb_get_bus_number(list[i]) != *config_.bus) continue;
    if (config_.address && libusb_get_device_address(list[i]) != *config_.address) continue;
    if (match == nullptr) match = list[i];
    ++matches;
  }
  int r = LIBUSB_ERROR_NOT_FOUND;
  if (match != nullptr && matches == 1) r = libusb_open(match, &handle_);
  libusb_free_device_list(list, 1);
  if (matches == 0) {
    return make_error(ErrorCode::not_found,
                      info().id +
                          ": no such USB device; check the cable and the configured "
                          "vendor/product id (lsusb)");
  }
  if (matches > 1) {
    return make_error(ErrorCode::invalid_argument,
                      info().id + ": " + std::to_string(matches) +
                          " matching USB devices; configure bus and address to pick one");
  }
  if (r == LIBUSB_ERROR_ACCESS) {
    return usb_error(ErrorCode::io_error, info().id,
                     "permission denied opening the USB device; add a udev rule giving the "
                     "loyalty service access to it",
                     r);
  }
  if (r != 0) return usb_error(ErrorCode::io_error, info().id, "cannot open the USB device", r);
  return {};
}

Status UsbScanner::do_claim() {
  LOYALTY_ASSERT(handle_ != nullptr && !claimed_interface_);
  libusb_config_descriptor* configuration = nullptr;
  int r = libusb_get_active_config_descriptor(libusb_get_device(handle_), &configuration);
  if (r != 0) {
    return usb_error(ErrorCode::io_error, info().id, "cannot read the active configuration", r);
  }
  int type = -1;
  for (int i = 0; i < configuration->bNumInterfaces; ++i) {
    const libusb_interface& interface = configuration->interface[i];
    if (interface.num_altsetting < 1) continue;
    const libusb_interface_descriptor& setting = interface.altsetting[0];
    if (setting.bInterfaceNumber != config_.interface_number) continue;
    for (int e = 0; e < setting.bNumEndpoints; ++e) {
      if (setting.endpoint[e].bEndpointAddress == config_.endpoint) {
        type = setting.endpoint[e].bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
      }
    }
  }
  libusb_free_config_descriptor(configuration);
  if (type != LIBUSB_ENDPOINT_TRANSFER_TYPE_INTERRUPT &&
      type != LIBUSB_ENDPOINT_TRANSFER_TYPE_BULK) {
    return make_error(ErrorCode::invalid_argument,
                      info().id + ": interface " + std::to_string(config_.interface_number) +
                          " has no interrupt or bulk endpoint 0x" + usb_id_hex(config_.endpoint) +
                          "; check the scanner's USB mode and the configured endpoint (lsusb -v)");
  }
  transfer_type_ = type == LIBUSB_ENDPOINT_TRANSFER_TYPE_INTERRUPT ? LIBUSB_TRANSFER_TYPE_INTERRUPT
                                                                   : LIBUSB_TRANSFER_TYPE_BULK;
  if (config_.kernel_driver == UsbKernelDriver::detach) {
    r = libusb_set_auto_detach_kernel_driver(handle_, 1);
    if (r != 0 && r != LIBUSB_ERROR_NOT_SUPPORTED) {
      return usb_error(ErrorCode::io_error, info().id, "cannot enable kernel driver auto-detach",
                       r);
    }
  }
  r = libusb_claim_interface(handle_, config_.interface_number);
  if (r == LIBUSB_ERROR_BUSY) {
    return usb_error(ErrorCode::io_error, info().id,
                     "the interface is held by another program or a kernel driver; stop it, or "
                     "let the scanner detach the kernel driver",
                     r);
  }
  if (r != 0) return usb_error(ErrorCode::io_error, info().id, "cannot claim the interface", r);
  claimed_interface_ = true;
  return {};
}

void UsbScanner::do_release() {
  if (!claimed_interface_) return;
  claimed_interface_ = false;
  // With auto-detach, libusb attaches the kernel driver again here.
  const int r = libusb_release_interface(handle_, config_.interface_number);
  if (r != 0 && r != LIBUSB_ERROR_NO_DEVICE) {
    log(LogLevel::warning, info().id + ": releasing the interface failed: " + libusb_error_name(r));
  }
}

Status UsbScanner::do_enable() {
  LOYALTY_ASSERT(handle_ != nullptr && transfers_in_flight() == 0);
  while (slots_.size() < config_.transfers_in_flight) {
    auto slot = std::make_unique<Slot>();
    slot->owner = this;
    slot->buffer.resize(config_.transfer_bytes);
    slot->transfer = libusb_alloc_transfer(0);
    if (slot->transfer == nullptr) {
      return make_error(ErrorCode::io_error, info().id + ": out of memory for USB transfers");
    }
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) {
    // Filled at every enable: the handle differs after a close and an open.
    libusb_fill_bulk_transfer(slot->transfer, handle_, config_.endpoint, slot->buffer.data(),
                              static_cast<int>(slot->buffer.size()),
                              &UsbScannerAccess::transfer_done, slot.get(), 0);
    slot->transfer->type = transfer_type_;
  }
  errors_in_a_row_ = 0;
  reading_ = true;
  for (auto& slot : slots_) {
    Status submitted = submit(*slot);
    if (!submitted) {
      cancel_and_drain();
      return submitted;
    }
  }
  return {};
}

Status UsbScanner::submit(Slot& slot) {
  const int r = libusb_submit_transfer(slot.transfer);
  if (r == 0) {
    slot.in_flight = true;
    return {};
  }
  if (r == LIBUSB_ERROR_NO_DEVICE) {
    return usb_error(ErrorCode::io_error, info().id, "the scanner is gone", r);
  }
  return usb_error(ErrorCode::io_error, info().id, "cannot start reading the scanner", r);
}

void UsbScanner::do_disable() { cancel_and_drain(); }

void UsbScanner::cancel_and_drain() {
  reading_ = false;
  for (auto& slot : slots_) {
    if (slot->in_flight) libusb_cancel_transfer(slot->transfer);  // NOT_FOUND: already back
  }
  const bool drained =
      context_.drain([this] { return transfers_in_flight() == 0; }, limits::usb_drain_passes_max);
  if (!drained) {
    leaked_ = true;
    log(LogLevel::error, info().id + ": " + std::to_string(transfers_in_flight()) +
                             " cancelled USB transfers never came back; the device handle is "
                             "leaked rather than freed under them");
  }
  framer_.reset();  // a scan cut by the disable is not reported
  idle_timer_.cancel();
  found_.clear();
}

void UsbScanner::do_clear_input() { framer_.reset(); }

void UsbScanner::do_close() {
  LOYALTY_ASSERT(!reading_);
  if (leaked_) {
    for (auto& slot : slots_) {
      slot->owner = nullptr;
      if (!slot->in_flight) libusb_free_transfer(slot->transfer);
      slot.release();  // NOLINT: deliberately leaked, libusb may still call back into it
    }
  } else {
    for (auto& slot : slots_) libusb_free_transfer(slot->transfer);
    if (handle_ != nullptr) libusb_close(handle_);
  }
  slots_.clear();
  handle_ = nullptr;
  leaked_ = false;
  claimed_interface_ = false;
  gone_why_.reset();
}

void UsbScanner::completed(Slot& slot) {
  const libusb_transfer& transfer = *slot.transfer;
  switch (transfer.status) {
    case LIBUSB_TRANSFER_COMPLETED:
      errors_in_a_row_ = 0;
      if (reading_) {
        const std::string_view bytes(reinterpret_cast<const char*>(transfer.buffer),
                                     static_cast<std::size_t>(transfer.actual_length));
        for (auto& frame : framer_.feed(bytes, now_ms())) found_.push_back(std::move(frame));
      }
      break;
    case LIBUSB_TRANSFER_CANCELLED:
      ++cancelled_;
      return;
    case LIBUSB_TRANSFER_NO_DEVICE:
      reading_ = false;
      if (!gone_why_) gone_why_ = "the USB device went away (" + info().id + ")";
      schedule_flush();
      return;
    default:  // TIMED_OUT (no timeout is set), STALL, ERROR, OVERFLOW
      if (!reading_) return;
      if (++errors_in_a_row_ >= limits::usb_transfer_errors_in_a_row_max) {
        // Treated as gone: the application's reconnect path (close, open) is the way out.
        reading_ = false;
        if (!gone_why_) {
          gone_why_ = std::to_string(errors_in_a_row_) +
                      " USB transfers failed in a row; unplug and replug the scanner";
        }
        schedule_flush();
        return;
      }
      found_.push_back(
          make_error(ErrorCode::io_error, std::string("USB transfer failed (") +
                                              libusb_error_name(static_cast<int>(transfer.status)) +
                                              "): a scan may be lost; scan again"));
      break;
  }
  if (reading_) {
    Status submitted = submit(slot);
    if (!submitted) {
      reading_ = false;
      if (!gone_why_) gone_why_ = submitted.error().message;
    }
  }
  schedule_flush();
}

void UsbScanner::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(context_.io(), [this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) flush();
  });
}

void UsbScanner::flush() {
  flush_posted_ = false;
  std::vector<Result<ScanFrame>> found = std::move(found_);
  found_.clear();
  for (auto& frame : found) {
    if (handle_ == nullptr || !enabled()) break;  // a handler closed or disabled the device
    deliver(std::move(frame));
  }
  if (gone_why_ && handle_ != nullptr && !gone()) {
    const std::string why = *gone_why_;
    lost(why);
    return;
  }
  arm_idle_timer();
}

void UsbScanner::deliver(Result<ScanFrame> frame) {
  auto error = [this](const std::string& message) {
    ErrorEventFields fields;
    fields.device_id = info().id;
    fields.result = UposResult::failure;
    fields.message = message;
    deliver_error(ErrorEvent(std::move(fields)));
  };
  if (!frame) return error(frame.error().message);
  auto sanitized = sanitize_scan(frame->label, config_.sanitizer);
  if (!sanitized) return error(sanitized.error().message);
  if (sanitized->verdict == ScanVerdict::ignored_configuration_barcode) {
    log(LogLevel::info, info().id + ": configuration barcode ignored (" +
                            std::string(sanitized->rule->vendor) + ", " +
                            std::string(sanitized->rule->what) + ")");
    return;
  }
  ScanEventFields scan;
  scan.device_id = info().id;
  scan.aim_id = frame->aim_id();
  scan.label = std::move(sanitized->label);
  if (!scan.aim_id.empty()) scan.type = scan_data_type_from_aim(scan.aim_id, scan.label);
  scan.raw = std::move(frame->raw);
  deliver_scan(ScanEvent(std::move(scan)));
}

// A scan whose suffix has not come ends after the framer's idle timeout (scan_framer.h).
void UsbScanner::arm_idle_timer() {
  const auto deadline = framer_.deadline_ms();
  if (!deadline || !reading_) return;
  idle_timer_.expires_after(
      std::chrono::milliseconds(std::max<std::int64_t>(0, *deadline - now_ms())));
  idle_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec || !reading_) return;
    if (auto frame = framer_.poll(now_ms())) {
      found_.push_back(std::move(*frame));
      flush();
    } else {
      arm_idle_timer();
    }
  });
}

}  // namespace loyalty::drivers
