// `loyaltyctl devices [--format json|table]`: the readers udev knows now (hidraw, input event
// nodes, USB serial ports), classified by the drivers' device monitor rules: HID POS scanners by
// their report descriptor, MagTek / ID TECH swipe readers by vendor and report size, serial ports
// as scanners. Keyboard-wedge readers look like keyboards and are listed only when named with
// --wedge VID:PID[:msr].
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/device_monitor.h"

namespace loyalty::cli {

namespace {

// "0c2e:0b61" or "0c2e:0b61:msr".
Result<drivers::ListedReader> parse_wedge(std::string_view text) {
  drivers::ListedReader reader;
  reader.transport = drivers::Transport::evdev;
  if (text.size() == 13 && text.substr(9) == ":msr") {
    reader.kind = drivers::DeviceKind::msr;
    text = text.substr(0, 9);
  }
  if (text.size() != 9 || text[4] != ':') {
    return usage_error("devices", "--wedge wants VID:PID or VID:PID:msr, e.g. 0801:0001:msr");
  }
  const std::optional<std::uint16_t> vendor = drivers::parse_usb_id_hex(text.substr(0, 4));
  const std::optional<std::uint16_t> product = drivers::parse_usb_id_hex(text.substr(5));
  if (!vendor || !product) {
    return usage_error("devices", "--wedge wants VID:PID in 4 hex digits each");
  }
  reader.vendor_id = *vendor;
  reader.product_id = *product;
  return reader;
}

std::string devices_json(const std::vector<drivers::DeviceInfo>& devices) {
  json::Writer out;
  out.begin_object();
  out.key("devices");
  out.begin_array();
  for (const drivers::DeviceInfo& device : devices) {
    out.begin_object();
    out.key("id");
    out.value(device.id);
    out.key("node");
    out.value(device.node);
    out.key("kind");
    out.value(drivers::device_kind_name(device.kind));
    out.key("transport");
    out.value(drivers::transport_name(device.transport));
    out.key("vendor_id");
    out.value(drivers::usb_id_hex(device.vendor_id));
    out.key("product_id");
    out.value(drivers::usb_id_hex(device.product_id));
    out.key("name");
    out.value(device.name);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take() + "\n";
}

std::string devices_table(const std::vector<drivers::DeviceInfo>& devices) {
  if (devices.empty()) return "no readers found\n";
  std::string text;
  for (const drivers::DeviceInfo& device : devices) {
    text += device.node + "  " + drivers::device_kind_name(device.kind) + "  " +
            drivers::transport_name(device.transport) + "  " +
            drivers::usb_id_hex(device.vendor_id) + ":" + drivers::usb_id_hex(device.product_id) +
            "  " + device.name + "\n";
  }
  return text;
}

}  // namespace

Status run_devices(std::span<const std::string_view> args, std::ostream& out,
                   bool out_is_terminal) {
  static constexpr FlagSpec flags[] = {{"format"}, {"wedge"}};
  const ParsedArgs parsed = TRY(parse_args("devices", args, flags, {}));
  drivers::DeviceMonitorOptions options;
  if (const std::string* wedge = parsed.flag("wedge")) {
    options.readers.push_back(TRY(parse_wedge(*wedge)));
  }
  bool table = out_is_terminal;
  if (const std::string* format = parsed.flag("format")) {
    if (*format != "json" && *format != "table") {
      return usage_error("devices", "--format must be json or table");
    }
    table = *format == "table";
  }
  const std::vector<drivers::DeviceInfo> devices = TRY(drivers::enumerate_readers(options));
  return write_output(out, table ? devices_table(devices) : devices_json(devices));
}

}  // namespace loyalty::cli
