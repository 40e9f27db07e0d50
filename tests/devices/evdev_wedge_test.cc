// Keyboard-wedge readers over a umockdev-replayed /dev/input/event4: key events (evemu replay and
// raw input_event records) through the keymap and the framer, the grab, the idle timeout, the
// wedge MSR's tracks, and an unplug in the middle of a scan.
#include <linux/input.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "loyalty/drivers/readers.h"
#include "loyalty/drivers/wedge/evdev_devices.h"
#include "loyalty/drivers/wedge/keymap.h"
#include "testbed.h"

using namespace loyalty::drivers;
using namespace devices_test;

namespace {

const std::string kNode = "/dev/input/event4";

DeviceInfo wedge_info(DeviceKind kind) {
  DeviceInfo info;
  info.id = "evdev:" + kNode;
  info.node = kNode;
  info.kind = kind;
  info.transport = Transport::evdev;
  return info;
}

// evemu lines for key events, each followed by a SYN_REPORT, all at the same time stamp (no
// replay delay).
std::string evemu(const std::vector<KeyEvent>& keys) {
  std::string out;
  char line[64];
  for (const KeyEvent& key : keys) {
    std::snprintf(line, sizeof line, "E: 1.000000 0001 %04x %d\n", key.code, key.value);
    out += line;
    out += "E: 1.000000 0000 0000 0\n";
  }
  return out;
}

// The same as raw input_event records.
Bytes records(const std::vector<KeyEvent>& keys) {
  Bytes out;
  auto put = [&](std::uint16_t type, std::uint16_t code, std::int32_t value) {
    input_event event{};
    event.type = type;
    event.code = code;
    event.value = value;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&event);
    out.insert(out.end(), bytes, bytes + sizeof event);
  };
  for (const KeyEvent& key : keys) {
    put(EV_KEY, key.code, key.value);
    put(EV_SYN, SYN_REPORT, 0);
  }
  return out;
}

// Each layout compiled once per test program (libxkbcommon takes a few milliseconds).
const Keymap& layout(const std::string& name) {
  static std::map<std::string, Keymap> loaded;
  if (const auto it = loaded.find(name); it != loaded.end()) return it->second;
  auto keymap = Keymap::load(name);
  REQUIRE(keymap.ok());
  return loaded.emplace(name, std::move(keymap).value()).first->second;
}

std::vector<KeyEvent> typing(const std::string& text, const std::string& keymap = "us") {
  auto keys = key_events_for_text(layout(keymap), text);
  REQUIRE(keys.ok());
  return *keys;
}

struct WedgeRig {
  LogCapture log;
  Testbed testbed;
  boost::asio::io_context io;
  EvdevWedgeReader reader;
  Events events;

  explicit WedgeRig(DeviceKind kind, EvdevWedgeOptions options = {})
      : reader((testbed.add_evdev(4, 0x05e0, 0x1200, "Symbol Bar Code Scanner"), io),
               wedge_info(kind), options) {
    events.attach(reader);
  }
  void open_and_enable() {
    REQUIRE(reader.open().ok());
    REQUIRE(reader.claim().ok());
    REQUIRE(reader.set_enabled(true).ok());
  }
  // Sends input_event records as a kernel's evdev node hands them out: whole. The node is a pty,
  // which keeps no record boundaries: one long write reaches the reader in the pty's own pieces
  // (seen: 2048 bytes, then the rest), a read can end inside a record, and the reader, which relies
  // on evdev's whole records, then reads every later record shifted. So the records go out at most
  // `records_per_write` at a time, each write small enough to be queued at once, and the loop
  // runs until the reader has read them before the next write.
  void send(const Bytes& bytes, std::size_t records_per_write = 64) {
    REQUIRE(bytes.size() % sizeof(input_event) == 0);
    REQUIRE(records_per_write >= 1);
    REQUIRE(records_per_write <= 64);  // 1536 bytes: one read of the reader, one piece of a pty
    const std::size_t chunk = records_per_write * sizeof(input_event);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      const auto end =
          bytes.begin() + static_cast<std::ptrdiff_t>(std::min(bytes.size(), at + chunk));
      testbed.send(kNode, Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(at), end));
      run_until(io, [&] { return !testbed.has_input(kNode); });
    }
  }
};

}  // namespace

TEST_CASE("evdev wedge scanner types a replayed label with Shift exactly") {
  WedgeRig rig(DeviceKind::scanner);
  rig.open_and_enable();
  rig.testbed.load_evemu(kNode, evemu(typing("LOY-AbC!42_x\r")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  CHECK(scan.device_id() == "evdev:/dev/input/event4");
  CHECK(scan.kind() == DeviceKind::scanner);
  CHECK(scan.label() == "LOY-AbC!42_x");
  CHECK(scan.aim_id().empty());
  CHECK(scan.type() == ScanDataType::unknown);
  CHECK(scan.raw() == Bytes{'L', 'O', 'Y', '-', 'A', 'b', 'C', '!', '4', '2', '_', 'x', '\r'});
}

TEST_CASE("evdev wedge scanner splits the AIM id of a replayed scan") {
  EvdevWedgeOptions options;
  options.framer.aim_id = true;
  WedgeRig rig(DeviceKind::scanner, options);
  rig.open_and_enable();
  rig.send(records(typing("]E04006381333931\r")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "4006381333931");
  CHECK(rig.events.scans[0].aim_id() == "]E0");
  CHECK(rig.events.scans[0].type() == ScanDataType::ean13);
  CHECK(rig.events.scans[0].raw().size() == 17);
}

TEST_CASE("evdev wedge scanner applies Caps Lock to letters only") {
  WedgeRig rig(DeviceKind::scanner);
  rig.open_and_enable();
  // Caps Lock on: a plain 'a' types 'A', Shift+'b' types 'b', digits and '-' are unaffected.
  std::vector<KeyEvent> keys = {
      {KEY_CAPSLOCK, 1}, {KEY_CAPSLOCK, 0}, {KEY_A, 1},         {KEY_A, 0}, {KEY_LEFTSHIFT, 1},
      {KEY_B, 1},        {KEY_B, 0},        {KEY_LEFTSHIFT, 0}, {KEY_C, 1}, {KEY_C, 0}};
  for (const KeyEvent& key : typing("-42\r")) keys.push_back(key);
  rig.testbed.load_evemu(kNode, evemu(keys));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "AbC-42");
  // The Caps Lock state lasts until the next enable resets the decoder: Shift+'x' types 'x'.
  rig.send(records(typing("X\r")));
  run_until(rig.io, [&] { return rig.events.count() == 2; });
  REQUIRE(rig.events.scans.size() == 2);
  CHECK(rig.events.scans[1].label() == "x");
}

TEST_CASE("evdev wedge msr gives the exact tracks of a replayed swipe") {
  WedgeRig rig(DeviceKind::msr);
  rig.open_and_enable();
  rig.testbed.load_evemu(kNode, evemu(typing("%LCLUB^42?;6280012345678=49121?\r")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  CHECK(scan.kind() == DeviceKind::msr);
  REQUIRE(scan.swipe());
  CHECK(scan.swipe()->track(1).raw == "%LCLUB^42?");
  CHECK(scan.swipe()->track(2).raw == ";6280012345678=49121?");
  CHECK(scan.swipe()->track(3).status == TrackStatus::absent);
  CHECK_FALSE(scan.swipe()->payment_card);
}

TEST_CASE("evdev wedge msr reports a failed track with its extended code") {
  WedgeRig rig(DeviceKind::msr);
  rig.open_and_enable();
  // Track 1 failed (E), track 2 without its end sentinel: no good track.
  rig.send(records(typing("%E?;6280012345678=49121\r")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::extended);
  CHECK(rig.events.errors[0].extended() == 202);
}

TEST_CASE("evdev wedge msr keeps the good track of a swipe with a bad one and an LRC") {
  WedgeRig rig(DeviceKind::msr);
  rig.open_and_enable();
  // Track 1 with its LRC ('6'), track 2 without its end sentinel.
  rig.testbed.send(kNode, records(typing("%LCLUB^42?6;6280012345678=49121\r")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  const ScanEvent& scan = rig.events.scans[0];
  REQUIRE(scan.swipe());
  CHECK(scan.swipe()->track(1).raw == "%LCLUB^42?");
  CHECK(scan.swipe()->track(1).lrc == LrcCheck::verified);
  CHECK(scan.swipe()->track(2).status == TrackStatus::end_sentinel);
}

TEST_CASE("evdev wedge takes the grab on claim and gives it back on release") {
  WedgeRig rig(DeviceKind::scanner);
  IoctlSpy spy(rig.testbed, kNode);
  REQUIRE(rig.reader.open().ok());
  CHECK(spy.calls().empty());
  REQUIRE(rig.reader.claim().ok());
  CHECK(rig.reader.grabbed());
  auto calls = spy.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].request == EVIOCGRAB);
  CHECK(calls[0].value == 1);
  rig.reader.release();
  CHECK_FALSE(rig.reader.grabbed());
  calls = spy.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].request == EVIOCGRAB);
  CHECK(calls[1].value == 0);
}

TEST_CASE("evdev wedge scanner without a suffix ends a scan on the idle timeout") {
  EvdevWedgeOptions options;
  options.framer.suffix = ScanSuffix::none;
  options.framer.idle_timeout_ms = 30;
  WedgeRig rig(DeviceKind::scanner, options);
  rig.open_and_enable();
  rig.send(records(typing("ABC-123")));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "ABC-123");
}

TEST_CASE("evdev wedge scanner unplugged mid-scan drops the scan and reports no_hardware") {
  WedgeRig rig(DeviceKind::scanner);
  rig.open_and_enable();
  rig.send(records(typing("40063813")));  // no Enter yet
  rig.testbed.hang_up(kNode);
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  CHECK(rig.events.scans.empty());
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::no_hardware);
  CHECK(rig.reader.gone());
  rig.reader.close();
}

TEST_CASE("evdev wedge logs a key the keymap cannot type by its code only") {
  WedgeRig rig(DeviceKind::scanner);
  rig.open_and_enable();
  std::vector<KeyEvent> keys = {{KEY_F1, 1}, {KEY_F1, 0}};
  for (const KeyEvent& key : typing("12\r")) keys.push_back(key);
  rig.send(records(keys));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  CHECK(rig.events.scans[0].label() == "12");
  CHECK(rig.reader.unmapped_keys() == 1);
  CHECK(rig.log.lines() ==
        std::vector<std::string>{"warning: evdev:/dev/input/event4: key code 59 (unmapped) types "
                                 "nothing in keymap \"us\"; is the wedge set to another layout?"});
}

TEST_CASE("evdev wedge scanner set to an azerty layout types the label exactly") {
  EvdevWedgeOptions options;
  options.keymap = parse_keymap_spec("fr").value();
  // The CR suffix ends the scan. The rig sends the records in pieces and waits for the reader
  // after each: a long idle timeout keeps a test descheduled between two pieces on a busy machine
  // from ending the scan there (the idle timeout has its own test above). It stays below
  // run_until's hang guard, so a key lost in the reader shows as the label the timeout ended.
  options.framer.idle_timeout_ms = 2000;
  WedgeRig rig(DeviceKind::scanner, options);
  rig.open_and_enable();
  // On fr the digits are shifted and GS1's FNC1 is Ctrl + AltGr + the key typing ']' there.
  const std::vector<KeyEvent> keys = typing(
      "0104006381333931\x1D"
      "10Lot-A\r",
      "fr");
  CHECK(keys.front() == KeyEvent{KEY_LEFTSHIFT, 1});
  // 94 key events and their SYN_REPORTs: longer than one piece of the pty and than one read of
  // the reader (64 records), so the label crosses reads.
  CHECK(keys.size() == 94);
  rig.send(records(keys));
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() ==
        "0104006381333931\x1D"
        "10Lot-A");
  CHECK(rig.reader.unmapped_keys() == 0);
  // The same key events read as "us" are not that label: the layout matters (and Ctrl+AltGr
  // of the GS is an Alt chord there, which types nothing).
  KeyboardDecoder us(layout("us"));
  std::string as_us;
  for (const KeyEvent& key : keys) as_us += us.feed(key.code, key.value).text();
  CHECK(as_us == ")!)$))^#*!###(#!!)Lot6Q\r");
}

TEST_CASE("evdev wedge keeps Shift, AltGr and Ctrl held across reads and pauses") {
  EvdevWedgeOptions options;
  options.keymap = parse_keymap_spec("fr").value();
  options.framer.idle_timeout_ms = 2000;  // above the pauses below, below run_until's guard
  WedgeRig rig(DeviceKind::scanner, options);
  rig.open_and_enable();
  const std::vector<KeyEvent> keys = typing(
      "0104006381333931\x1D"
      "10Lot-A\r",
      "fr");
  // Every record in a read of its own, an EV_KEY apart from its SYN_REPORT, and a pause after
  // each modifier press (a wedge that types slowly): the modifier is read while the key it
  // changes has not come yet, so the decoder must hold the state across reads.
  int pauses = 0;
  for (const KeyEvent& key : keys) {
    rig.send(records({key}), 1);
    const bool modifier =
        key.code == KEY_LEFTSHIFT || key.code == KEY_LEFTCTRL || key.code == KEY_RIGHTALT;
    if (modifier && key.value == 1) {
      // The pause is the input under test, not a wait for anything.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ++pauses;
    }
  }
  CHECK(pauses == 22);  // Shift for the 18 digits, 'L' and 'A'; Ctrl and AltGr for the GS
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() ==
        "0104006381333931\x1D"
        "10Lot-A");
  CHECK(rig.reader.unmapped_keys() == 0);
}

TEST_CASE("evdev wedge with an unknown layout fails to open and make_reader refuses it") {
  EvdevWedgeOptions options;
  options.keymap.layout = "xx";
  options.keymap.xkb_data_dir = "/usr/share/X11/xkb";
  WedgeRig rig(DeviceKind::scanner, options);
  const auto opened = rig.reader.open();
  REQUIRE_FALSE(opened.ok());
  const std::string why =
      "keymap 'xx': XKB has no layout 'xx' (XKB data searched: /usr/share/X11/xkb); name one of "
      "its layouts, e.g. us, de, fr, gb or ch";
  CHECK(opened.error().message == "evdev:/dev/input/event4: " + why);
  CHECK(opened.error().code == loyalty::ErrorCode::invalid_argument);

  boost::asio::io_context io;
  ReaderOptions reader_options;
  reader_options.evdev = options;
  const auto made = make_reader(io, wedge_info(DeviceKind::scanner), reader_options);
  REQUIRE_FALSE(made.ok());
  CHECK(made.error().message == "evdev:/dev/input/event4: " + why);
  reader_options.evdev.keymap = parse_keymap_spec("ch:fr").value();
  CHECK(make_reader(io, wedge_info(DeviceKind::msr), reader_options).ok());
}
