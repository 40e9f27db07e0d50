// Framing of wedge and serial scanner streams (scan_framer.h), and the keyboard-wedge magstripe
// path: key events -> KeyboardDecoder -> ScanFramer -> parse_wedge_swipe.
#include "loyalty/drivers/scan/scan_framer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loyalty/drivers/magstripe/wedge_swipe.h"
#include "loyalty/drivers/scan_event.h"
#include "loyalty/drivers/wedge/keymap.h"
#include "magstripe/payment_fixtures.h"
#include "wedge/test_keymaps.h"

using namespace loyalty::drivers;
using namespace drivers_test;
using loyalty::ErrorCode;

namespace {

std::string text(const std::vector<std::uint8_t>& raw) {
  return std::string(raw.begin(), raw.end());
}

// The frames of one feed, each checked to be a frame (not an error).
std::vector<ScanFrame> frames(std::vector<loyalty::Result<ScanFrame>> results) {
  std::vector<ScanFrame> out;
  for (auto& r : results) {
    REQUIRE(r.ok());
    out.push_back(std::move(r).value());
  }
  return out;
}

ScanFramerOptions with_suffix(ScanSuffix suffix) {
  ScanFramerOptions options;
  options.suffix = suffix;
  return options;
}

}  // namespace

TEST_CASE("framer default suffix CR gives exact frames") {
  ScanFramer framer;
  const auto one = frames(framer.feed("4006381333931\r", 0));
  REQUIRE(one.size() == 1);
  CHECK(one[0].label == "4006381333931");
  CHECK(text(one[0].raw) == "4006381333931\r");
  CHECK(one[0].end == FrameEnd::suffix);
  CHECK_FALSE(one[0].aim.has_value());
  CHECK(one[0].aim_id().empty());
  const auto two = frames(framer.feed("ab\rcd\rxy", 5));
  REQUIRE(two.size() == 2);
  CHECK(two[0].label == "ab");
  CHECK(two[1].label == "cd");
  CHECK(framer.deadline_ms() == 105);  // "xy" pending
  CHECK(framer.counters().frames == 3);
}

TEST_CASE("framer suffix variants") {
  SECTION("CR LF") {
    ScanFramer framer(with_suffix(ScanSuffix::crlf));
    const auto f = frames(framer.feed("ab\r\na\rb\r\n", 0));
    REQUIRE(f.size() == 2);
    CHECK(f[0].label == "ab");
    CHECK(text(f[0].raw) == "ab\r\n");
    CHECK(f[1].label == "a\rb");  // a lone CR is data (the sanitiser rejects it)
  }
  SECTION("LF") {
    ScanFramer framer(with_suffix(ScanSuffix::lf));
    const auto f = frames(framer.feed("12\n34\n", 0));
    REQUIRE(f.size() == 2);
    CHECK(f[1].label == "34");
  }
  SECTION("TAB") {
    ScanFramer framer(with_suffix(ScanSuffix::tab));
    const auto f = frames(framer.feed("12\t34\r\t", 0));
    REQUIRE(f.size() == 2);
    CHECK(f[1].label == "34\r");
  }
  SECTION("none ends by the idle timeout only") {
    ScanFramer framer(with_suffix(ScanSuffix::none));
    CHECK(framer.feed("12\r34", 0).empty());
    const auto f = framer.poll(100);
    REQUIRE(f.has_value());
    REQUIRE(f->ok());
    CHECK((*f)->label == "12\r34");
    CHECK((*f)->end == FrameEnd::idle);
    CHECK(text((*f)->raw) == "12\r34");
  }
  CHECK(std::string(scan_suffix_name(ScanSuffix::crlf)) == "crlf");
  CHECK(scan_suffix_bytes(ScanSuffix::tab) == "\t");
  CHECK(std::string(frame_end_name(FrameEnd::idle)) == "idle");
}

TEST_CASE("framer idle timeout flushes exactly at the boundary") {
  ScanFramer framer;  // suffix CR, idle 100 ms
  CHECK_FALSE(framer.deadline_ms().has_value());
  CHECK(framer.feed("123", 1000).empty());
  CHECK(framer.deadline_ms() == 1100);
  CHECK_FALSE(framer.poll(1099).has_value());
  const auto f = framer.poll(1100);
  REQUIRE(f.has_value());
  REQUIRE(f->ok());
  CHECK((*f)->label == "123");
  CHECK((*f)->end == FrameEnd::idle);
  CHECK_FALSE(framer.deadline_ms().has_value());
  CHECK_FALSE(framer.poll(5000).has_value());

  // A byte 99 ms later continues the scan; 100 ms later it starts a new one.
  CHECK(framer.feed("12", 0).empty());
  CHECK(framer.feed("34", 99).empty());
  const auto later = frames(framer.feed("56\r", 199));
  REQUIRE(later.size() == 2);
  CHECK(later[0].label == "1234");
  CHECK(later[0].end == FrameEnd::idle);
  CHECK(later[1].label == "56");
  CHECK(later[1].end == FrameEnd::suffix);
  CHECK(framer.options().idle_timeout_ms == loyalty::limits::scan_idle_timeout_ms_default);
}

TEST_CASE("framer idle ends a CR LF scan without its LF") {
  ScanFramer framer(with_suffix(ScanSuffix::crlf));
  CHECK(framer.feed("12\r", 0).empty());
  const auto f = framer.poll(100);
  REQUIRE(f.has_value());
  REQUIRE(f->ok());
  CHECK((*f)->label == "12");
  CHECK(text((*f)->raw) == "12\r");
}

TEST_CASE("framer prefix discards and counts garbage before it") {
  ScanFramerOptions options;
  options.prefix = "\x02";
  ScanFramer framer(options);
  const auto f =
      frames(framer.feed("xy\rz\x02"
                         "123\r",
                         0));
  REQUIRE(f.size() == 1);
  CHECK(f[0].label == "123");
  CHECK(text(f[0].raw) ==
        "\x02"
        "123\r");
  CHECK(framer.counters().bytes_before_prefix == 4);
  // Without a prefix, bytes are garbage until one comes.
  CHECK(framer.feed("456\r", 10).empty());
  CHECK(framer.counters().bytes_before_prefix == 8);
  CHECK_FALSE(framer.deadline_ms().has_value());
}

TEST_CASE("framer multi byte prefix with an overlapping false start") {
  ScanFramerOptions options;
  options.prefix = "AB";
  ScanFramer framer(options);
  const auto f = frames(framer.feed("AAB12\r", 0));
  REQUIRE(f.size() == 1);
  CHECK(f[0].label == "12");
  CHECK(framer.counters().bytes_before_prefix == 1);
  // A partial prefix followed by a pause is garbage too.
  CHECK(framer.feed("A", 50).empty());
  CHECK(framer.deadline_ms() == 150);
  CHECK_FALSE(framer.poll(150).has_value());
  CHECK(framer.counters().bytes_before_prefix == 2);
  // A prefix followed by a pause is an empty scan.
  CHECK(framer.feed("AB", 200).empty());
  CHECK_FALSE(framer.poll(300).has_value());
  CHECK(framer.counters().empty_frames == 1);
}

TEST_CASE("framer overflow is an error and skips to the next suffix") {
  ScanFramerOptions options;
  options.label_bytes_max = 5;
  ScanFramer framer(options);
  auto results = framer.feed("123456789\rabc\r12345\r", 0);
  REQUIRE(results.size() == 3);
  REQUIRE_FALSE(results[0].ok());
  CHECK(results[0].error().code == ErrorCode::limit_exceeded);
  CHECK(results[0].error().message ==
        "scan longer than 5 bytes (limits::scan_label_bytes_max or the scanner's setting): "
        "dropped up to its suffix (cr)");
  REQUIRE(results[1].ok());
  CHECK(results[1]->label == "abc");
  REQUIRE(results[2].ok());
  CHECK(results[2]->label == "12345");  // exactly the maximum
  CHECK(framer.counters().overflows == 1);
  CHECK(framer.counters().bytes_skipped == 10);
}

TEST_CASE("framer overflow without a suffix skips to the next pause") {
  ScanFramerOptions options;
  options.label_bytes_max = 3;
  options.suffix = ScanSuffix::none;
  ScanFramer framer(options);
  auto results = framer.feed("12345", 0);
  REQUIRE(results.size() == 1);
  CHECK(results[0].error().message ==
        "scan longer than 3 bytes (limits::scan_label_bytes_max or the scanner's setting): "
        "dropped up to the next pause");
  CHECK(framer.feed("67", 50).empty());
  CHECK_FALSE(framer.poll(150).has_value());
  const auto next = frames(framer.feed("abc", 150));
  CHECK(next.empty());
  const auto f = framer.poll(250);
  REQUIRE(f.has_value());
  CHECK((*f)->label == "abc");
}

TEST_CASE("framer AIM id is split off and reported") {
  ScanFramerOptions options;
  options.aim_id = true;
  options.prefix = "\x02";
  options.label_bytes_max = 13;  // the AIM id does not count
  ScanFramer framer(options);
  auto results = framer.feed(
      "\x02]E04006381333931\r\x02]C1"
      "0104006381333931\r",
      0);
  REQUIRE(results.size() == 2);
  REQUIRE(results[0].ok());
  const ScanFrame& f = *results[0];
  CHECK(f.label == "4006381333931");
  REQUIRE(f.aim.has_value());
  CHECK(f.aim_id() == "]E0");
  CHECK(text(f.raw) == "\x02]E04006381333931\r");
  CHECK(results[1].error().code == ErrorCode::limit_exceeded);  // the 16-byte GS1 label
  CHECK(framer.counters().overflows == 1);
}

TEST_CASE("framer missing AIM id is an error and an AIM id alone is empty") {
  ScanFramerOptions options;
  options.aim_id = true;
  ScanFramer framer(options);
  auto results = framer.feed("4006381333931\r]E0\r]Q1https://x\r", 0);
  REQUIRE(results.size() == 2);
  REQUIRE_FALSE(results[0].ok());
  CHECK(results[0].error().code == ErrorCode::invalid_argument);
  CHECK(results[0].error().message ==
        "scan without the AIM id the framer expects (\"]\" + symbology + modifier): dropped; set "
        "the scanner to transmit AIM ids, or turn the framer's aim_id option off");
  REQUIRE(results[1].ok());
  CHECK(results[1]->aim_id() == "]Q1");
  CHECK(results[1]->label == "https://x");
  CHECK(framer.counters().missing_aim == 1);
  CHECK(framer.counters().empty_frames == 1);
}

TEST_CASE("framer empty scans are dropped and counted") {
  ScanFramer framer;
  CHECK(framer.feed("\r\r", 0).empty());
  CHECK(framer.counters().empty_frames == 2);
  CHECK(framer.counters().frames == 0);
}

TEST_CASE("framer flush and reset") {
  ScanFramer framer;
  CHECK_FALSE(framer.flush().has_value());
  CHECK(framer.feed("12", 0).empty());
  const auto f = framer.flush();
  REQUIRE(f.has_value());
  CHECK((*f)->label == "12");
  CHECK((*f)->end == FrameEnd::flush);
  CHECK(framer.feed("34", 1).empty());
  framer.reset();
  CHECK_FALSE(framer.deadline_ms().has_value());
  CHECK(frames(framer.feed("5\r", 2))[0].label == "5");
}

TEST_CASE("framer options are checked") {
  const auto message = [](ScanFramerOptions options) {
    const auto status = validate_scan_framer_options(options);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::invalid_argument);
    return status.error().message;
  };
  CHECK(validate_scan_framer_options({}).ok());
  ScanFramerOptions long_prefix;
  long_prefix.prefix = std::string(17, 'P');
  CHECK(message(long_prefix) ==
        "scan framer options: the prefix has 17 bytes; limits::scan_prefix_bytes_max is 16");
  ScanFramerOptions cr_prefix;
  cr_prefix.prefix = "A\r";
  CHECK(message(cr_prefix) ==
        "scan framer options: the prefix contains a byte of the suffix (cr): scans could not be "
        "told apart; choose another prefix or suffix");
  cr_prefix.suffix = ScanSuffix::lf;
  CHECK(validate_scan_framer_options(cr_prefix).ok());
  ScanFramerOptions idle;
  idle.idle_timeout_ms = 0;
  CHECK(message(idle) ==
        "scan framer options: idle_timeout_ms is 0; it must be positive (default 100)");
  ScanFramerOptions size;
  size.label_bytes_max = 0;
  CHECK(message(size) == "scan framer options: label_bytes_max is 0; it must be 1..4096");
  size.label_bytes_max = 4097;
  CHECK(message(size) == "scan framer options: label_bytes_max is 4097; it must be 1..4096");
}

// --- The keyboard-wedge paths: key events -> KeyboardDecoder -> ScanFramer ---

namespace {

// Types text as a wedge set to `keymap` would, one event per millisecond from `start_ms`, and
// returns what the framer produced.
std::vector<ScanFrame> type_through_framer(const Keymap& keymap, const std::string& typed,
                                           ScanFramer& framer, std::int64_t start_ms = 0) {
  const auto events = key_events_for_text(keymap, typed);
  REQUIRE(events.ok());
  KeyboardDecoder decoder(keymap);
  std::vector<ScanFrame> out;
  std::int64_t now_ms = start_ms;
  for (const KeyEvent& e : *events) {
    const KeyResult key = decoder.feed(e.code, e.value);
    REQUIRE(key.status != KeyStatus::unmapped);
    for (auto& r : framer.feed(key.text(), now_ms++)) {
      REQUIRE(r.ok());
      out.push_back(std::move(r).value());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("wedge scanner GS1 label with FNC1 typed as Ctrl and right bracket on de") {
  ScanFramer framer;
  const auto f = type_through_framer(drivers_test::test_keymap("de"),
                                     "0104006381333931\x1D"
                                     "10ABC-z\r",
                                     framer);
  REQUIRE(f.size() == 1);
  CHECK(f[0].label ==
        "0104006381333931\x1D"
        "10ABC-z");
}

TEST_CASE("wedge magstripe payment card is withheld through keymap and framer") {
  ScanFramer framer;  // suffix CR
  const auto f = type_through_framer(drivers_test::test_keymap("us"),
                                     visa_track1 + visa_track2 + "\r", framer);
  REQUIRE(f.size() == 1);
  const auto swipe = parse_wedge_swipe(text(f[0].raw));
  REQUIRE(swipe.ok());
  CHECK(swipe->payment_card);
  CHECK(swipe->track(1).ok());
  CHECK(swipe->track(2).ok());
  check_swipe_has_no_pan(*swipe, visa_pan);
  // The event built from the frame carries neither the raw bytes nor the tracks.
  ScanEventFields fields;
  fields.device_id = "evdev:/dev/input/event7";
  fields.kind = DeviceKind::msr;
  fields.raw = f[0].raw;
  fields.swipe = *swipe;
  const ScanEvent event(std::move(fields));
  CHECK(event.raw().empty());
  REQUIRE(event.swipe().has_value());
  check_swipe_has_no_pan(*event.swipe(), visa_pan);
}

TEST_CASE("wedge magstripe loyalty track 2 gives exact tracks") {
  ScanFramer framer;
  const auto f =
      type_through_framer(drivers_test::test_keymap("us"), ";6280012345678=49121?\r", framer);
  REQUIRE(f.size() == 1);
  CHECK(f[0].label == ";6280012345678=49121?");
  const auto swipe = parse_wedge_swipe(text(f[0].raw));
  REQUIRE(swipe.ok());
  CHECK_FALSE(swipe->payment_card);
  CHECK(swipe->track(1).status == TrackStatus::absent);
  CHECK(swipe->track(2).ok());
  CHECK(swipe->track(2).raw == ";6280012345678=49121?");
  CHECK(swipe->track(3).status == TrackStatus::absent);
  // The same swipe on a German-layout reader: '=' and '?' are shifted digits/ß there.
  ScanFramer de_framer;
  const auto de = type_through_framer(drivers_test::test_keymap("de"),
                                      "%LCLUB^42?;6280012345678=49121?\r", de_framer);
  REQUIRE(de.size() == 1);
  const auto de_swipe = parse_wedge_swipe(text(de[0].raw));
  REQUIRE(de_swipe.ok());
  CHECK(de_swipe->track(1).raw == "%LCLUB^42?");
  CHECK(de_swipe->track(2).raw == ";6280012345678=49121?");
}
