// The UPOS device model (device.h) through a fake transport: states, refusals, DataEventEnabled,
// AutoDisable, DataCount, clearInput, the queue bound, and a reader lost mid-scan.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/device.h"
#include "magstripe/payment_fixtures.h"

namespace loyalty::drivers {
namespace {

// Records the hook calls; can be told to fail open or claim.
class FakeReader : public Device {
 public:
  FakeReader()
      : Device(DeviceInfo{"fake:/dev/fake0", "/dev/fake0", DeviceKind::scanner, Transport::hidraw,
                          "Fake", 0x1234, 0x5678}) {}

  std::vector<std::string> calls;
  bool fail_open = false;
  bool fail_claim = false;

  void scan(const std::string& label) {
    ScanEventFields fields;
    fields.device_id = info().id;
    fields.label = label;
    fields.type = ScanDataType::ean13;
    fields.raw.assign(label.begin(), label.end());
    deliver_scan(ScanEvent(std::move(fields)));
  }
  void bad_read(const std::string& message) {
    ErrorEventFields fields;
    fields.device_id = info().id;
    fields.message = message;
    deliver_error(ErrorEvent(std::move(fields)));
  }
  void unplug() { lost("read failed: No such device"); }

 protected:
  Status do_open() override {
    calls.push_back("open");
    if (fail_open) return make_error(ErrorCode::io_error, "cannot open /dev/fake0");
    return {};
  }
  Status do_claim() override {
    calls.push_back("claim");
    if (fail_claim) return make_error(ErrorCode::io_error, "busy");
    return {};
  }
  void do_release() override { calls.push_back("release"); }
  Status do_enable() override {
    calls.push_back("enable");
    return {};
  }
  void do_disable() override { calls.push_back("disable"); }
  void do_close() override { calls.push_back("close"); }
};

struct Sink {
  std::vector<std::string> seen;  // "data:<label>" or "error:<result>:<locus>:<message>"
  void attach(Device& device, bool rearm) {
    device.on_data([this, &device, rearm](const ScanEvent& event) {
      seen.push_back("data:" + event.label());
      if (rearm) device.set_data_event_enabled(true);
    });
    device.on_error([this, &device, rearm](const ErrorEvent& event) {
      seen.push_back(std::string("error:") + upos_result_name(event.result()) + ":" +
                     std::to_string(static_cast<int>(event.locus())) + ":" + event.message());
      if (rearm) device.set_data_event_enabled(true);
    });
  }
};

void ready(FakeReader& reader) {
  REQUIRE(reader.open().ok());
  REQUIRE(reader.claim().ok());
  REQUIRE(reader.set_enabled(true).ok());
}

TEST_CASE("device model follows open claim enable and refuses out of order calls") {
  FakeReader reader;
  CHECK(reader.state() == DeviceState::closed);
  auto claim = reader.claim();
  REQUIRE_FALSE(claim.ok());
  CHECK(claim.error().message == "closed: fake:/dev/fake0: open the device before claiming it");
  REQUIRE(reader.open().ok());
  CHECK(reader.state() == DeviceState::idle);
  auto enable = reader.set_enabled(true);
  REQUIRE_FALSE(enable.ok());
  CHECK(enable.error().message ==
        "not_claimed: fake:/dev/fake0: claim the device before enabling it");
  auto again = reader.open();
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message == "illegal: fake:/dev/fake0: already open");
  REQUIRE(reader.claim().ok());
  REQUIRE(reader.set_enabled(true).ok());
  CHECK(reader.enabled());
  reader.close();
  CHECK(reader.state() == DeviceState::closed);
  CHECK(reader.calls ==
        std::vector<std::string>{"open", "claim", "enable", "disable", "release", "close"});
}

TEST_CASE("device model keeps the device closed when the transport cannot open it") {
  FakeReader reader;
  reader.fail_open = true;
  auto opened = reader.open();
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message == "cannot open /dev/fake0");
  CHECK(reader.state() == DeviceState::closed);
  reader.fail_open = false;
  reader.fail_claim = true;
  REQUIRE(reader.open().ok());
  REQUIRE_FALSE(reader.claim().ok());
  CHECK_FALSE(reader.claimed());
}

TEST_CASE("device model queues scans until DataEventEnabled and delivers one per arming") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, false);
  ready(reader);
  reader.scan("4006381333931");
  reader.scan("5901234123457");
  CHECK(reader.data_count() == 2);
  CHECK(sink.seen.empty());
  reader.set_data_event_enabled(true);
  CHECK(sink.seen == std::vector<std::string>{"data:4006381333931"});
  CHECK_FALSE(reader.data_event_enabled());
  CHECK(reader.data_count() == 1);
  reader.set_data_event_enabled(true);
  CHECK(sink.seen == std::vector<std::string>{"data:4006381333931", "data:5901234123457"});
  CHECK(reader.data_count() == 0);
}

TEST_CASE("device model drops input while disabled") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, true);
  REQUIRE(reader.open().ok());
  REQUIRE(reader.claim().ok());
  reader.set_data_event_enabled(true);
  reader.scan("4006381333931");
  reader.bad_read("ignored");
  CHECK(reader.data_count() == 0);
  CHECK(sink.seen.empty());
}

TEST_CASE("device model AutoDisable turns the device off after one scan") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, true);
  reader.set_auto_disable(true);
  ready(reader);
  reader.set_data_event_enabled(true);
  reader.scan("4006381333931");
  reader.scan("5901234123457");  // the second swipe of the same customer is not taken
  CHECK(sink.seen == std::vector<std::string>{"data:4006381333931"});
  CHECK_FALSE(reader.enabled());
  REQUIRE(reader.set_enabled(true).ok());
  reader.scan("5901234123457");
  CHECK(sink.seen == std::vector<std::string>{"data:4006381333931", "data:5901234123457"});
}

TEST_CASE("device model clearInput drops queued scans and errors") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, false);
  ready(reader);
  reader.scan("4006381333931");
  reader.bad_read("track 2: LRC");
  CHECK(reader.state() == DeviceState::error);
  CHECK(reader.data_count() == 1);
  reader.clear_input();
  CHECK(reader.data_count() == 0);
  CHECK(reader.state() == DeviceState::idle);
  reader.set_data_event_enabled(true);
  CHECK(sink.seen.empty());
  CHECK(reader.data_event_enabled());
}

TEST_CASE("device model gives an input error behind queued data the input_data locus") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, true);
  ready(reader);
  reader.bad_read("first");
  reader.scan("4006381333931");
  reader.bad_read("second");
  reader.set_data_event_enabled(true);
  CHECK(sink.seen == std::vector<std::string>{"error:failure:2:first", "data:4006381333931",
                                              "error:failure:3:second"});
}

TEST_CASE("device model bounds its queue and reports the overflow once") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, true);
  ready(reader);
  for (std::size_t i = 0; i < limits::device_event_queue_max + 5; ++i) {
    reader.scan(std::to_string(i));
  }
  CHECK(reader.data_count() == limits::device_event_queue_max);
  reader.set_data_event_enabled(true);
  REQUIRE(sink.seen.size() == limits::device_event_queue_max + 1);
  CHECK(sink.seen.front() == "data:0");
  CHECK(sink.seen[limits::device_event_queue_max - 1] ==
        "data:" + std::to_string(limits::device_event_queue_max - 1));
  CHECK(sink.seen.back() ==
        "error:failure:3:input queue full (64 events): scan dropped; the application is not "
        "taking events");
}

TEST_CASE("device model reports a reader lost while enabled and refuses to enable it again") {
  FakeReader reader;
  Sink sink;
  sink.attach(reader, true);
  ready(reader);
  reader.set_data_event_enabled(true);
  reader.unplug();
  CHECK(sink.seen ==
        std::vector<std::string>{"error:no_hardware:2:reader disconnected: read failed: No such "
                                 "device"});
  CHECK(reader.gone());
  CHECK_FALSE(reader.enabled());
  auto enable = reader.set_enabled(true);
  REQUIRE_FALSE(enable.ok());
  CHECK(enable.error().code == ErrorCode::io_error);
  reader.unplug();  // a second report of the same loss changes nothing
  CHECK(sink.seen.size() == 1);
  reader.close();
  REQUIRE(reader.open().ok());
  CHECK_FALSE(reader.gone());
}

TEST_CASE("scan event withholds a payment card whatever the builder left in it") {
  ScanEventFields fields;
  fields.device_id = "fake:/dev/fake0";
  fields.kind = DeviceKind::msr;
  Swipe swipe;
  swipe.track(1) = check_track_chars(1, drivers_test::visa_track1);
  swipe.track(2) = check_track_chars(2, drivers_test::visa_track2);
  fields.swipe = swipe;
  const std::string wedge =
      std::string(drivers_test::visa_track1) + drivers_test::visa_track2 + "\r";
  fields.raw.assign(wedge.begin(), wedge.end());
  fields.label = "not a label";
  const ScanEvent event(std::move(fields));
  REQUIRE(event.swipe().has_value());
  CHECK(event.swipe()->payment_card);
  for (const TrackResult& track : event.swipe()->tracks) CHECK(track.raw.empty());
  CHECK(event.raw().empty());
  CHECK(event.label().empty());
}

TEST_CASE("error event carries track statuses without track data") {
  ErrorEventFields fields;
  fields.kind = DeviceKind::msr;
  Swipe swipe;
  swipe.track(2) = check_track_chars(2, ";0000001234567890=2512?");
  fields.swipe = swipe;
  fields.result = UposResult::extended;
  fields.extended = 204;
  const ErrorEvent event(std::move(fields));
  CHECK(event.swipe()->track(2).status == TrackStatus::ok);
  CHECK(event.swipe()->track(2).raw.empty());
  CHECK(event.extended() == 204);
}

}  // namespace
}  // namespace loyalty::drivers

namespace loyalty::drivers {
namespace {

TEST_CASE("usb ids are written as 4 hex digits and read back strictly") {
  CHECK(usb_id_hex(0x0c2e) == "0c2e");
  CHECK(usb_id_hex(0) == "0000");
  CHECK(usb_id_hex(0xFFFF) == "ffff");
  CHECK(parse_usb_id_hex("0C2E") == std::optional<std::uint16_t>(0x0c2e));
  CHECK(parse_usb_id_hex("801") == std::optional<std::uint16_t>(0x0801));
  CHECK_FALSE(parse_usb_id_hex(""));
  CHECK_FALSE(parse_usb_id_hex("10000"));  // five digits
  CHECK_FALSE(parse_usb_id_hex("0x0c"));
  CHECK_FALSE(parse_usb_id_hex("0c2e\n"));
  CHECK_FALSE(parse_usb_id_hex("-001"));
}

}  // namespace
}  // namespace loyalty::drivers
