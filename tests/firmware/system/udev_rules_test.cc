// firmware/udev/70-loyalty-readers.rules, read with the checker and run over described devices
// with the evaluator of udev_rules.h (systemd 252 has no `udevadm verify`).
#include "system/udev_rules.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace loyalty::daemon::test {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

UdevRulesFile readers_rules() {
  return parse_udev_rules(read_text(LOYALTY_SOURCE_DIR "/firmware/udev/70-loyalty-readers.rules"),
                          "70-loyalty-readers.rules");
}

// The lines of Debian 12's /usr/lib/udev/rules.d/50-udev-default.rules that give these nodes
// their groups and modes before the readers' rules run.
constexpr std::string_view kDebianDefaults = R"(
KERNEL=="tty[A-Z]*[0-9]|ttymxc[0-9]*|pppox[0-9]*|ircomm[0-9]*|noz[0-9]*|rfcomm[0-9]*", GROUP="dialout"
SUBSYSTEM=="input", GROUP="input"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", MODE="0664"
)";

UdevOutcome run(const UdevDevice& device, std::string_view local_rules = {}) {
  std::vector<UdevRulesFile> files;
  files.push_back(parse_udev_rules(kDebianDefaults, "50-udev-default.rules"));
  if (!local_rules.empty()) {
    files.push_back(parse_udev_rules(local_rules, "69-loyalty-readers-local.rules"));
  }
  files.push_back(readers_rules());
  for (const UdevRulesFile& file : files) REQUIRE(file.errors.empty());
  UdevOutcome outcome = evaluate_udev_rules(files, device);
  REQUIRE(outcome.errors.empty());
  return outcome;
}

// A device node of a USB device: the node, the interface, then the USB device's attributes.
UdevDevice usb_node(std::string subsystem, std::string kernel, std::string devname,
                    std::string vendor, std::string product) {
  UdevDevice device;
  device.subsystem = std::move(subsystem);
  device.kernel = std::move(kernel);
  device.env["DEVNAME"] = std::move(devname);
  device.parents = {{{"country", "00"}},  // hid or input device
                    {{"bInterfaceNumber", "00"}},
                    {{"idVendor", std::move(vendor)}, {"idProduct", std::move(product)}}};
  return device;
}

UdevDevice usb_device(std::string vendor, std::string product) {
  UdevDevice device;
  device.subsystem = "usb";
  device.kernel = "1-2";
  device.env = {{"DEVNAME", "/dev/bus/usb/001/004"}, {"DEVTYPE", "usb_device"}};
  device.attrs = {{"idVendor", std::move(vendor)}, {"idProduct", std::move(product)}};
  return device;
}

std::string reader_kind(const UdevOutcome& outcome) {
  const auto found = outcome.env.find("LOYALTY_READER");
  return found == outcome.env.end() ? "" : found->second;
}

TEST_CASE("the readers' udev rules read as systemd 252 reads them") {
  const UdevRulesFile rules = readers_rules();
  CHECK(rules.errors.empty());
  CHECK(rules.rules.size() == 12);
}

TEST_CASE("the udev rules checker names each fault of a bad rules file") {
  const UdevRulesFile bad = parse_udev_rules(
      read_text(LOYALTY_SOURCE_DIR "/tests/firmware/system/fixtures/bad.rules"), "bad.rules");
  CHECK(bad.errors == std::vector<std::string>{
                          "bad.rules:2: unknown key \"GRUOP\"",
                          "bad.rules:3: a comma is needed before \"MODE=\"0660\"\"",
                          "bad.rules:4: SUBSYSTEM is matched, not assigned (=)",
                          "bad.rules:5: ATTRS: the value must be in double quotes",
                          "bad.rules:6: ENV needs {attribute}",
                          "bad.rules:7: GROUP takes = or := (+=)",
                          "bad.rules:9: ACTION: the value has no closing quote",
                          "bad.rules:8: GOTO \"nowhere\" has no LABEL after it",
                      });
}

TEST_CASE("a MagTek or ID TECH swipe reader's hidraw node goes to loyalty-readers as an msr") {
  for (const std::string vendor : {"0801", "0acd"}) {
    const UdevOutcome outcome = run(usb_node("hidraw", "hidraw0", "/dev/hidraw0", vendor, "0011"));
    CHECK(outcome.group == "loyalty-readers");
    CHECK(outcome.mode == "0660");
    CHECK(reader_kind(outcome) == "msr");
  }
}

TEST_CASE("a keyboard-emulation swipe reader's event node is readable by loyalty-readers") {
  const UdevOutcome outcome = run(usb_node("input", "event4", "/dev/input/event4", "0801", "0001"));
  CHECK(outcome.group == "loyalty-readers");
  CHECK(outcome.mode == "0640");
  CHECK(reader_kind(outcome) == "msr");
}

TEST_CASE("a scanner's hidraw, event, ttyACM and USB device nodes go to loyalty-readers") {
  const UdevOutcome hidraw = run(usb_node("hidraw", "hidraw1", "/dev/hidraw1", "0c2e", "0b87"));
  CHECK(hidraw.group == "loyalty-readers");
  CHECK(hidraw.mode == "0660");
  CHECK(reader_kind(hidraw) == "scanner");
  const UdevOutcome event = run(usb_node("input", "event5", "/dev/input/event5", "05e0", "1200"));
  CHECK(event.group == "loyalty-readers");
  CHECK(event.mode == "0640");
  const UdevOutcome serial = run(usb_node("tty", "ttyACM0", "/dev/ttyACM0", "1eab", "0d06"));
  CHECK(serial.group == "loyalty-readers");
  CHECK(serial.mode == "0660");
  const UdevOutcome usb = run(usb_device("05f9", "4204"));
  CHECK(usb.group == "loyalty-readers");
  CHECK(usb.mode == "0660");
}

TEST_CASE("other devices keep Debian's groups: keyboards, serial ports, an MSR's serial node") {
  const UdevOutcome keyboard =
      run(usb_node("input", "event3", "/dev/input/event3", "046d", "c31c"));
  CHECK(keyboard.group == "input");
  CHECK(keyboard.mode.empty());
  CHECK(reader_kind(keyboard).empty());
  const UdevOutcome adapter = run(usb_node("tty", "ttyUSB0", "/dev/ttyUSB0", "0403", "6001"));
  CHECK(adapter.group == "dialout");
  // loyaltyd reads no MSR over serial, so an ID TECH CDC reader's node stays dialout's.
  const UdevOutcome msr_serial = run(usb_node("tty", "ttyACM1", "/dev/ttyACM1", "0acd", "0630"));
  CHECK(msr_serial.group == "dialout");
  CHECK(reader_kind(msr_serial) == "msr");
  const UdevOutcome webcam = run(usb_device("046d", "0825"));
  CHECK(webcam.group.empty());
  CHECK(webcam.mode == "0664");
}

TEST_CASE("payment devices of the readers' vendors never go to loyalty-readers") {
  for (const std::string product : {"0810", "3710"}) {
    const UdevOutcome outcome = run(usb_node("hidraw", "hidraw2", "/dev/hidraw2", "0acd", product));
    CHECK(outcome.group.empty());
    CHECK(reader_kind(outcome) == "none");
  }
}

TEST_CASE("devices without a node and remove events are left alone") {
  UdevDevice interface = usb_node("usb", "1-2:1.0", "", "0c2e", "0b87");
  interface.env.clear();
  interface.env["DEVTYPE"] = "usb_interface";
  const UdevOutcome no_node = run(interface);
  CHECK(no_node.group.empty());
  CHECK(reader_kind(no_node).empty());
  UdevDevice removed = usb_node("hidraw", "hidraw0", "/dev/hidraw0", "0801", "0011");
  removed.action = "remove";
  CHECK(run(removed).group.empty());
}

TEST_CASE("store IT's local rules add a vendor, a serial adapter, and keep a device out") {
  constexpr std::string_view local = R"(
SUBSYSTEM=="hidraw|input|tty|usb", ATTRS{idVendor}=="1a86", ENV{LOYALTY_READER}="scanner"
SUBSYSTEM=="tty", ATTRS{idVendor}=="0403", ATTRS{serial}=="A10K3XZ", ENV{LOYALTY_READER}="scanner"
ATTRS{idVendor}=="0801", ATTRS{idProduct}=="0002", ENV{LOYALTY_READER}="none"
)";
  const UdevOutcome added =
      run(usb_node("hidraw", "hidraw3", "/dev/hidraw3", "1a86", "e026"), local);
  CHECK(added.group == "loyalty-readers");
  CHECK(reader_kind(added) == "scanner");
  UdevDevice adapter = usb_node("tty", "ttyUSB1", "/dev/ttyUSB1", "0403", "6001");
  adapter.parents.back()["serial"] = "A10K3XZ";
  const UdevOutcome listed = run(adapter, local);
  CHECK(listed.group == "loyalty-readers");
  CHECK(listed.mode == "0660");
  adapter.parents.back()["serial"] = "B77Q2";
  CHECK(run(adapter, local).group == "dialout");
  const UdevOutcome kept_out =
      run(usb_node("hidraw", "hidraw4", "/dev/hidraw4", "0801", "0002"), local);
  CHECK(kept_out.group.empty());
  CHECK(reader_kind(kept_out) == "none");
}

TEST_CASE("the rules grant only loyalty-readers, never world access, and run nothing") {
  std::set<std::string> vendors;
  for (const UdevRule& rule : readers_rules().rules) {
    for (const UdevExpression& e : rule.expressions) {
      CHECK(e.key != "RUN");
      CHECK(e.key != "PROGRAM");
      CHECK(e.key != "OWNER");
      CHECK(e.key != "IMPORT");
      if (e.key == "GROUP") CHECK(e.value == "loyalty-readers");
      if (e.key == "MODE") CHECK((e.value == "0660" || e.value == "0640"));
      if (e.key == "ATTRS" && e.attr == "idVendor") {
        std::istringstream list(e.value);
        for (std::string vendor; std::getline(list, vendor, '|');) vendors.insert(vendor);
      }
    }
  }
  // docs/system-integration.md lists the same vendors.
  CHECK(vendors == std::set<std::string>{"0801", "0acd", "0c2e", "0536", "067e", "05e0", "05f9",
                                         "080c", "1eab", "065a", "27dd"});
}

}  // namespace
}  // namespace loyalty::daemon::test
