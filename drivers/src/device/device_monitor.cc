// udev enumeration and hotplug (device_monitor.h).
#include "loyalty/drivers/device_monitor.h"

#include <libudev.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>

#include "loyalty/drivers/hid/hidraw_devices.h"
#include "loyalty/drivers/log.h"

namespace loyalty::drivers {

namespace {

struct UdevDeviceRef {
  udev_device* device = nullptr;
  explicit UdevDeviceRef(udev_device* d) : device(d) {}
  ~UdevDeviceRef() {
    if (device != nullptr) udev_device_unref(device);
  }
  UdevDeviceRef(const UdevDeviceRef&) = delete;
  UdevDeviceRef& operator=(const UdevDeviceRef&) = delete;
};

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

bool starts_with(const char* text, std::string_view prefix) {
  return text != nullptr && std::string_view(text).starts_with(prefix);
}

// A sysfs or udev id ("0c2e\n"); 0 when it is not one.
std::uint16_t parse_hex16(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return parse_usb_id_hex(text).value_or(0);
}

// HID_ID=0003:00000801:00000011 (bus:vendor:product).
void parse_hid_id(std::string_view hid_id, DeviceCandidate& candidate) {
  const auto first = hid_id.find(':');
  const auto second = hid_id.find(':', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return;
  const auto vendor = hid_id.substr(first + 1, second - first - 1);
  const auto product = hid_id.substr(second + 1);
  // 8 hex digits each; the ids are the low 16 bits.
  candidate.vendor_id = parse_hex16(vendor.size() > 4 ? vendor.substr(vendor.size() - 4) : vendor);
  candidate.product_id =
      parse_hex16(product.size() > 4 ? product.substr(product.size() - 4) : product);
}

void fill_hidraw(udev_device* device, DeviceCandidate& candidate) {
  candidate.transport = Transport::hidraw;
  udev_device* hid = udev_device_get_parent_with_subsystem_devtype(device, "hid", nullptr);
  if (hid != nullptr) {
    parse_hid_id(text_or_empty(udev_device_get_property_value(hid, "HID_ID")), candidate);
    candidate.name = text_or_empty(udev_device_get_property_value(hid, "HID_NAME"));
  }
  auto descriptor = read_hid_report_descriptor(candidate.node);
  if (descriptor.ok()) {
    candidate.report_descriptor = std::move(*descriptor);
  } else {
    log(LogLevel::warning, candidate.node + ": " + descriptor.error().message +
                               "; only the allow list can classify it");
  }
}

void fill_evdev(udev_device* device, DeviceCandidate& candidate) {
  candidate.transport = Transport::evdev;
  udev_device* input = udev_device_get_parent_with_subsystem_devtype(device, "input", nullptr);
  if (input == nullptr) return;
  candidate.vendor_id =
      parse_hex16(text_or_empty(udev_device_get_sysattr_value(input, "id/vendor")));
  candidate.product_id =
      parse_hex16(text_or_empty(udev_device_get_sysattr_value(input, "id/product")));
  candidate.name = text_or_empty(udev_device_get_sysattr_value(input, "name"));
}

void fill_serial(udev_device* device, DeviceCandidate& candidate) {
  candidate.transport = Transport::serial;
  candidate.vendor_id =
      parse_hex16(text_or_empty(udev_device_get_property_value(device, "ID_VENDOR_ID")));
  candidate.product_id =
      parse_hex16(text_or_empty(udev_device_get_property_value(device, "ID_MODEL_ID")));
  candidate.name = text_or_empty(udev_device_get_property_value(device, "ID_MODEL"));
  udev_device* usb = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device");
  if (usb == nullptr) return;
  if (candidate.vendor_id == 0) {
    candidate.vendor_id =
        parse_hex16(text_or_empty(udev_device_get_sysattr_value(usb, "idVendor")));
    candidate.product_id =
        parse_hex16(text_or_empty(udev_device_get_sysattr_value(usb, "idProduct")));
  }
  if (candidate.name.empty()) {
    candidate.name = text_or_empty(udev_device_get_sysattr_value(usb, "product"));
  }
}

// What udev says about a node that could be a reader; nullopt for any other device.
std::optional<DeviceCandidate> candidate_from(udev_device* device) {
  const char* subsystem = udev_device_get_subsystem(device);
  const char* sysname = udev_device_get_sysname(device);
  const char* node = udev_device_get_devnode(device);
  if (subsystem == nullptr || sysname == nullptr || node == nullptr) return std::nullopt;
  DeviceCandidate candidate;
  candidate.node = node;
  candidate.syspath = text_or_empty(udev_device_get_syspath(device));
  const std::string_view subsystem_view(subsystem);
  if (subsystem_view == "hidraw") {
    fill_hidraw(device, candidate);
  } else if (subsystem_view == "input" && starts_with(sysname, "event")) {
    fill_evdev(device, candidate);
  } else if (subsystem_view == "tty" &&
             (starts_with(sysname, "ttyACM") || starts_with(sysname, "ttyUSB"))) {
    fill_serial(device, candidate);
  } else {
    return std::nullopt;
  }
  return candidate;
}

struct Found {
  DeviceInfo info;
  std::string syspath;
};

Result<std::vector<Found>> enumerate_found(udev* context, const DeviceMonitorOptions& options) {
  udev_enumerate* enumerate = udev_enumerate_new(context);
  if (enumerate == nullptr) {
    return make_error(ErrorCode::io_error, "udev: cannot enumerate devices (out of memory)");
  }
  for (const char* subsystem : {"hidraw", "input", "tty"}) {
    udev_enumerate_add_match_subsystem(enumerate, subsystem);
  }
  std::vector<Found> found;
  if (udev_enumerate_scan_devices(enumerate) < 0) {
    udev_enumerate_unref(enumerate);
    return make_error(ErrorCode::io_error, "udev: scanning /sys failed; is sysfs mounted?");
  }
  udev_list_entry* entry = nullptr;
  udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerate)) {
    UdevDeviceRef device(udev_device_new_from_syspath(context, udev_list_entry_get_name(entry)));
    if (device.device == nullptr) continue;  // gone between the scan and now
    auto candidate = candidate_from(device.device);
    if (!candidate) continue;
    if (auto info = classify_device(*candidate, options)) {
      found.push_back(Found{std::move(*info), candidate->syspath});
    }
  }
  udev_enumerate_unref(enumerate);
  return found;
}

}  // namespace

Result<std::vector<DeviceInfo>> enumerate_readers(const DeviceMonitorOptions& options) {
  udev* context = udev_new();
  if (context == nullptr) return make_error(ErrorCode::io_error, "udev: cannot create a context");
  auto found = enumerate_found(context, options);
  udev_unref(context);
  if (!found.ok()) return found.error();
  std::vector<DeviceInfo> out;
  for (Found& f : *found) out.push_back(std::move(f.info));
  return out;
}

struct DeviceMonitor::Udev {
  explicit Udev(boost::asio::io_context& io) : descriptor(io), timer(io) {}
  ~Udev() {
    boost::system::error_code ignored;
    descriptor.cancel(ignored);
    if (descriptor.is_open()) descriptor.release();  // udev_monitor_unref closes the fd
    timer.cancel();
    if (monitor != nullptr) udev_monitor_unref(monitor);
    if (context != nullptr) udev_unref(context);
  }

  udev* context = nullptr;
  udev_monitor* monitor = nullptr;
  boost::asio::posix::stream_descriptor descriptor;
  boost::asio::steady_timer timer;
  std::vector<std::string> syspaths;  // parallel to devices_
};

DeviceMonitor::DeviceMonitor(boost::asio::io_context& io, DeviceMonitorOptions options)
    : io_(io), options_(std::move(options)) {
  LOYALTY_ASSERT(options_.rescan_interval_ms > 0);
}

DeviceMonitor::~DeviceMonitor() { stop(); }

Status DeviceMonitor::start() {
  if (running_) return {};
  udev_ = std::make_unique<Udev>(io_);
  udev_->context = udev_new();
  if (udev_->context == nullptr) {
    udev_.reset();
    return make_error(ErrorCode::io_error, "udev: cannot create a context");
  }
  rescanning_ = !options_.use_udev_monitor;
  if (options_.use_udev_monitor) {
    udev_monitor* monitor = udev_monitor_new_from_netlink(udev_->context, "udev");
    bool ok = monitor != nullptr;
    for (const char* subsystem : {"hidraw", "input", "tty"}) {
      ok = ok && udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nullptr) >= 0;
    }
    ok = ok && udev_monitor_enable_receiving(monitor) >= 0;
    if (ok) {
      udev_->monitor = monitor;
      boost::system::error_code error;
      udev_->descriptor.assign(udev_monitor_get_fd(monitor), error);
      ok = !error;
    } else if (monitor != nullptr) {
      udev_monitor_unref(monitor);
    }
    if (!ok) {
      log(LogLevel::warning,
          "udev: no hotplug monitor (no netlink socket here?); rescanning every " +
              std::to_string(options_.rescan_interval_ms) + " ms instead");
      rescanning_ = true;
    }
  }
  running_ = true;
  // Watch first, then enumerate: a device plugged in between is seen twice and reported once.
  if (rescanning_) {
    schedule_rescan();
  } else {
    watch();
  }
  auto found = enumerate_found(udev_->context, options_);
  if (!found.ok()) {
    stop();
    return found.error();
  }
  auto alive = std::weak_ptr<const int>(alive_);
  for (Found& f : *found) {
    const bool known = std::any_of(devices_.begin(), devices_.end(),
                                   [&](const DeviceInfo& d) { return d.node == f.info.node; });
    if (known) continue;
    add(std::move(f.info), std::move(f.syspath));
    if (alive.expired() || !running_) return {};  // a handler stopped the monitor
  }
  return {};
}

void DeviceMonitor::stop() {
  running_ = false;
  udev_.reset();
  devices_.clear();
}

void DeviceMonitor::watch() {
  udev_->descriptor.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, alive = std::weak_ptr<const int>(alive_)](const boost::system::error_code& error) {
        if (alive.expired() || !running_ || error == boost::asio::error::operation_aborted) {
          return;
        }
        if (error) {
          log(LogLevel::warning,
              "udev: the hotplug monitor failed (" + error.message() + "); rescanning instead");
          rescanning_ = true;
          schedule_rescan();
          return;
        }
        on_udev_readable();
        if (!alive.expired() && running_ && !rescanning_) watch();
      });
}

void DeviceMonitor::on_udev_readable() {
  auto alive = std::weak_ptr<const int>(alive_);
  for (std::size_t i = 0; i < limits::device_monitor_events_per_wake_max; ++i) {
    if (alive.expired() || !running_) return;
    UdevDeviceRef device(udev_monitor_receive_device(udev_->monitor));
    if (device.device == nullptr) return;
    const std::string action = text_or_empty(udev_device_get_action(device.device));
    if (action == "remove") {
      const std::string node = text_or_empty(udev_device_get_devnode(device.device));
      const std::string syspath = text_or_empty(udev_device_get_syspath(device.device));
      for (std::size_t k = 0; k < devices_.size(); ++k) {
        if ((!node.empty() && devices_[k].node == node) || udev_->syspaths[k] == syspath) {
          remove_node(devices_[k].node);
          break;
        }
      }
    } else if (action == "add") {
      auto candidate = candidate_from(device.device);
      if (!candidate) continue;
      if (auto info = classify_device(*candidate, options_)) {
        const bool known = std::any_of(devices_.begin(), devices_.end(),
                                       [&](const DeviceInfo& d) { return d.node == info->node; });
        if (known) continue;  // a repeated add
        add(std::move(*info), candidate->syspath);
      }
    }
  }
}

void DeviceMonitor::schedule_rescan() {
  udev_->timer.expires_after(std::chrono::milliseconds(options_.rescan_interval_ms));
  udev_->timer.async_wait(
      [this, alive = std::weak_ptr<const int>(alive_)](const boost::system::error_code& error) {
        if (alive.expired() || !running_ || error) return;
        rescan();
        if (!alive.expired() && running_) schedule_rescan();
      });
}

void DeviceMonitor::rescan() {
  auto found = enumerate_found(udev_->context, options_);
  if (!found.ok()) {
    log(LogLevel::warning, found.error().message);
    return;
  }
  auto alive = std::weak_ptr<const int>(alive_);
  // Removed first: a node that came back as a different reader is reported as removed and added.
  std::vector<std::string> gone;
  for (const DeviceInfo& known : devices_) {
    const bool present = std::any_of(found->begin(), found->end(), [&](const Found& f) {
      return f.info.node == known.node && f.info.kind == known.kind;
    });
    if (!present) gone.push_back(known.node);
  }
  for (const std::string& node : gone) {
    remove_node(node);
    if (alive.expired() || !running_) return;
  }
  for (Found& f : *found) {
    const bool known = std::any_of(devices_.begin(), devices_.end(),
                                   [&](const DeviceInfo& d) { return d.node == f.info.node; });
    if (known) continue;
    add(std::move(f.info), std::move(f.syspath));
    if (alive.expired() || !running_) return;
  }
}

void DeviceMonitor::add(DeviceInfo info, std::string syspath) {
  devices_.push_back(info);
  udev_->syspaths.push_back(std::move(syspath));
  if (on_added_) on_added_(info);  // a copy: the handler may stop the monitor
}

void DeviceMonitor::remove_node(const std::string& node) {
  for (std::size_t k = 0; k < devices_.size(); ++k) {
    if (devices_[k].node != node) continue;
    DeviceInfo info = std::move(devices_[k]);
    devices_.erase(devices_.begin() + static_cast<std::ptrdiff_t>(k));
    udev_->syspaths.erase(udev_->syspaths.begin() + static_cast<std::ptrdiff_t>(k));
    if (on_removed_) on_removed_(info);
    return;
  }
}

}  // namespace loyalty::drivers
