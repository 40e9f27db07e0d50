// Keyboard-wedge key events -> characters (keymap.h), through layouts compiled by libxkbcommon:
// us, de, fr (AZERTY), ch (Swiss German) and gb, with exact strings typed by evdev key codes.
#include "loyalty/drivers/wedge/keymap.h"

#include <linux/input-event-codes.h>
#include <stdlib.h>  // setenv, unsetenv

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "wedge/test_keymaps.h"

using namespace loyalty::drivers;
using drivers_test::test_keymap;

namespace {

const Keymap& us() { return test_keymap("us"); }
const Keymap& de() { return test_keymap("de"); }

using Events = std::vector<KeyEvent>;

KeyEvent down(std::uint16_t code) { return {code, 1}; }
KeyEvent up(std::uint16_t code) { return {code, 0}; }
Events tap(std::uint16_t code) { return {down(code), up(code)}; }
// A key typed with modifiers held (pressed in order, released in reverse).
Events chord(std::vector<std::uint16_t> modifiers, std::uint16_t code) {
  Events events;
  for (const auto m : modifiers) events.push_back(down(m));
  events.push_back(down(code));
  events.push_back(up(code));
  for (auto it = modifiers.rbegin(); it != modifiers.rend(); ++it) events.push_back(up(*it));
  return events;
}
Events operator+(Events a, const Events& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Typed {
  std::string text;
  std::vector<KeyStatus> statuses;
};

Typed run(KeyboardDecoder& decoder, const Events& events) {
  Typed typed;
  for (const KeyEvent& e : events) {
    const KeyResult r = decoder.feed(e.code, e.value);
    CHECK(r.code == e.code);
    if (r.status == KeyStatus::character) typed.text += r.text();
    typed.statuses.push_back(r.status);
  }
  return typed;
}

std::string type(KeyboardDecoder& decoder, const Events& events) {
  return run(decoder, events).text;
}

}  // namespace

TEST_CASE("keymap us letters digits and both shifts") {
  KeyboardDecoder decoder(us());
  const Typed typed = run(decoder, chord({KEY_LEFTSHIFT}, KEY_H) + tap(KEY_E) + tap(KEY_L) +
                                       tap(KEY_L) + tap(KEY_O) + chord({KEY_RIGHTSHIFT}, KEY_1) +
                                       tap(KEY_SPACE) + tap(KEY_4) + chord({KEY_LEFTSHIFT}, KEY_2));
  CHECK(typed.text == "Hello! 4@");
  const std::vector<KeyStatus> first_four = {KeyStatus::modifier, KeyStatus::character,
                                             KeyStatus::released, KeyStatus::modifier};
  CHECK(std::vector<KeyStatus>(typed.statuses.begin(), typed.statuses.begin() + 4) == first_four);
  CHECK(type(decoder, tap(KEY_MINUS) + chord({KEY_LEFTSHIFT}, KEY_MINUS) + tap(KEY_SLASH) +
                          chord({KEY_RIGHTSHIFT}, KEY_SLASH) + tap(KEY_SEMICOLON) +
                          chord({KEY_LEFTSHIFT}, KEY_SEMICOLON)) == "-_/?;:");
  CHECK(decoder.keymap_name() == "us");
}

TEST_CASE("keymap caps lock affects letters only and inverts shift") {
  KeyboardDecoder decoder(us());
  CHECK_FALSE(decoder.caps_lock());
  CHECK(run(decoder, tap(KEY_CAPSLOCK)).statuses ==
        std::vector<KeyStatus>{KeyStatus::modifier, KeyStatus::modifier});
  CHECK(decoder.caps_lock());
  CHECK(type(decoder, tap(KEY_A) + tap(KEY_1) + tap(KEY_MINUS)) == "A1-");
  CHECK(type(decoder, chord({KEY_LEFTSHIFT}, KEY_A) + chord({KEY_LEFTSHIFT}, KEY_1)) == "a!");
  // A repeat of Caps Lock does not toggle it again.
  decoder.feed(KEY_CAPSLOCK, 1);
  decoder.feed(KEY_CAPSLOCK, 2);
  decoder.feed(KEY_CAPSLOCK, 2);
  decoder.feed(KEY_CAPSLOCK, 0);
  CHECK_FALSE(decoder.caps_lock());
  CHECK(type(decoder, tap(KEY_A) + chord({KEY_RIGHTSHIFT}, KEY_A)) == "aA");
}

TEST_CASE("keymap de layout swaps y and z and moves symbols") {
  KeyboardDecoder decoder(de());
  CHECK(decoder.keymap_name() == "de");
  CHECK(type(decoder, tap(KEY_Y) + tap(KEY_Z) + chord({KEY_LEFTSHIFT}, KEY_Y)) == "zyZ");
  CHECK(type(decoder, chord({KEY_LEFTSHIFT}, KEY_7) + chord({KEY_LEFTSHIFT}, KEY_0) +
                          tap(KEY_SLASH) + chord({KEY_LEFTSHIFT}, KEY_SLASH) + tap(KEY_RIGHTBRACE) +
                          chord({KEY_LEFTSHIFT}, KEY_RIGHTBRACE)) == "/=-_+*");
  CHECK(type(decoder, chord({KEY_RIGHTALT}, KEY_Q) + chord({KEY_RIGHTALT}, KEY_8) +
                          chord({KEY_RIGHTALT}, KEY_9) + chord({KEY_RIGHTALT}, KEY_MINUS) +
                          chord({KEY_RIGHTALT}, KEY_102ND) + chord({KEY_RIGHTALT}, KEY_E)) ==
        "@[]\\|\xE2\x82\xAC");
  CHECK(type(decoder, tap(KEY_LEFTBRACE) + tap(KEY_MINUS) + chord({KEY_LEFTSHIFT}, KEY_3)) ==
        "\xC3\xBC\xC3\x9F\xC2\xA7");  // ü ß §
  // Caps Lock makes umlauts capitals too: they are letters.
  CHECK(type(decoder, tap(KEY_CAPSLOCK) + tap(KEY_APOSTROPHE) + tap(KEY_Z) + tap(KEY_CAPSLOCK)) ==
        "\xC3\x84Y");  // Ä Y
  CHECK(type(decoder, tap(KEY_KPDOT)) == ",");
  // XKB's de has a third level on the letters too (AltGr+A is æ); F1 types nothing at any level.
  CHECK(type(decoder, chord({KEY_RIGHTALT}, KEY_A)) == "\xC3\xA6");
  CHECK(run(decoder, chord({KEY_RIGHTALT}, KEY_F1)).statuses[1] == KeyStatus::unmapped);
}

TEST_CASE("keymap us right alt is alt and alt chords are reported") {
  KeyboardDecoder decoder(us());
  const Typed typed = run(decoder, chord({KEY_RIGHTALT}, KEY_Q));
  CHECK(typed.text.empty());
  CHECK(typed.statuses == std::vector<KeyStatus>{KeyStatus::modifier, KeyStatus::unmapped,
                                                 KeyStatus::released, KeyStatus::modifier});
}

TEST_CASE("keymap ctrl gives control characters and FNC1 as GS") {
  KeyboardDecoder on_us(us());
  CHECK(type(on_us, chord({KEY_LEFTCTRL}, KEY_RIGHTBRACE)) == "\x1D");
  CHECK(type(on_us, chord({KEY_RIGHTCTRL}, KEY_M) + tap(KEY_ENTER) + tap(KEY_KPENTER) +
                        chord({KEY_LEFTCTRL}, KEY_ENTER)) == "\r\r\r\r");
  CHECK(type(on_us,
             chord({KEY_LEFTCTRL}, KEY_A) + chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_Z) +
                 chord({KEY_LEFTCTRL}, KEY_LEFTBRACE) + chord({KEY_LEFTCTRL}, KEY_BACKSLASH) +
                 chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_6) +
                 chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_MINUS)) == "\x01\x1A\x1B\x1C\x1E\x1F");
  CHECK(type(on_us, chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_2)) == std::string(1, '\0'));
  CHECK(type(on_us, tap(KEY_TAB)) == "\t");
  CHECK(run(on_us, chord({KEY_LEFTCTRL}, KEY_1)).statuses[1] == KeyStatus::unmapped);

  // "de": GS by US key position (the '+' key) and by character (AltGr+9 is ']').
  KeyboardDecoder on_de(de());
  CHECK(type(on_de, chord({KEY_LEFTCTRL}, KEY_RIGHTBRACE)) == "\x1D");
  CHECK(type(on_de, chord({KEY_LEFTCTRL, KEY_RIGHTALT}, KEY_9)) == "\x1D");
  CHECK(type(on_de, chord({KEY_LEFTCTRL}, KEY_Y)) == "\x1A");  // the key types 'z' on "de"
}

TEST_CASE("keymap repeats are ignored by default or typed on request") {
  KeyboardDecoder decoder(us());
  const Typed typed = run(decoder, Events{down(KEY_A), {KEY_A, 2}, {KEY_A, 2}, up(KEY_A)});
  CHECK(typed.text == "a");
  CHECK(typed.statuses == std::vector<KeyStatus>{KeyStatus::character, KeyStatus::repeat_ignored,
                                                 KeyStatus::repeat_ignored, KeyStatus::released});
  KeyboardDecoder console(us(), {.repeat = RepeatPolicy::type});
  CHECK(type(console, Events{down(KEY_A), {KEY_A, 2}, {KEY_A, 2}, up(KEY_A)}) == "aaa");
}

TEST_CASE("keymap unmapped keys and bad values are reported") {
  KeyboardDecoder decoder(us());
  const Typed f1 = run(decoder, tap(KEY_F1));
  CHECK(f1.statuses == std::vector<KeyStatus>{KeyStatus::unmapped, KeyStatus::released});
  const KeyResult far = decoder.feed(300, 1);
  CHECK(far.status == KeyStatus::unmapped);
  CHECK(far.code == 300);
  CHECK(decoder.feed(KEY_A, 3).status == KeyStatus::invalid_value);
  CHECK(decoder.feed(KEY_A, -1).status == KeyStatus::invalid_value);
  CHECK(std::string(key_status_name(KeyStatus::unmapped)) == "unmapped");
  CHECK(std::string(key_status_name(KeyStatus::alt_code_invalid)) == "alt_code_invalid");
}

TEST_CASE("keymap alt plus keypad digits types a character code") {
  KeyboardDecoder decoder(us());
  const Typed gs = run(decoder, Events{down(KEY_LEFTALT)} + tap(KEY_KP0) + tap(KEY_KP0) +
                                    tap(KEY_KP2) + tap(KEY_KP9) + Events{up(KEY_LEFTALT)});
  CHECK(gs.text == "\x1D");
  CHECK(gs.statuses.front() == KeyStatus::modifier);
  CHECK(gs.statuses[1] == KeyStatus::alt_code_digit);
  CHECK(gs.statuses.back() == KeyStatus::character);
  CHECK(type(decoder, Events{down(KEY_LEFTALT)} + tap(KEY_KP6) + tap(KEY_KP5) +
                          Events{up(KEY_LEFTALT)}) == "A");
  // Above 127, zero, and five digits are refused.
  for (const Events& digits :
       {tap(KEY_KP2) + tap(KEY_KP5) + tap(KEY_KP6), tap(KEY_KP0),
        tap(KEY_KP0) + tap(KEY_KP0) + tap(KEY_KP0) + tap(KEY_KP6) + tap(KEY_KP5)}) {
    const Typed bad = run(decoder, Events{down(KEY_LEFTALT)} + digits + Events{up(KEY_LEFTALT)});
    CHECK(bad.text.empty());
    CHECK(bad.statuses.back() == KeyStatus::alt_code_invalid);
  }
  // Alt alone types nothing; the next Alt code starts afresh.
  CHECK(run(decoder, tap(KEY_LEFTALT)).statuses.back() == KeyStatus::modifier);
  CHECK(type(decoder, Events{down(KEY_LEFTALT)} + tap(KEY_KP4) + tap(KEY_KP8) +
                          Events{up(KEY_LEFTALT)}) == "0");
}

TEST_CASE("keymap num lock gates the keypad digits") {
  KeyboardDecoder decoder(us());
  CHECK(decoder.num_lock());
  CHECK(type(decoder, tap(KEY_KP1) + tap(KEY_KPDOT) + tap(KEY_KPPLUS)) == "1.+");
  decoder.feed(KEY_NUMLOCK, 1);
  decoder.feed(KEY_NUMLOCK, 0);
  CHECK_FALSE(decoder.num_lock());
  const Typed off = run(decoder, tap(KEY_KP1) + tap(KEY_KPENTER));
  CHECK(off.text == "\r");
  CHECK(off.statuses.front() == KeyStatus::unmapped);
  decoder.reset();
  CHECK(decoder.num_lock());
  KeyboardDecoder starts_off(us(), {.num_lock_on = false});
  CHECK(starts_off.feed(KEY_KP1, 1).status == KeyStatus::unmapped);
}

TEST_CASE("keymap reset forgets held keys and caps lock") {
  KeyboardDecoder decoder(us());
  decoder.feed(KEY_LEFTSHIFT, 1);
  decoder.feed(KEY_CAPSLOCK, 1);
  decoder.feed(KEY_LEFTCTRL, 1);
  decoder.reset();
  CHECK_FALSE(decoder.caps_lock());
  CHECK(type(decoder, tap(KEY_A)) == "a");
}

TEST_CASE("keymap fr azerty types digits with shift and moves letters") {
  KeyboardDecoder decoder(test_keymap("fr"));
  CHECK(decoder.keymap_name() == "fr");
  // The digit row: symbols plain, digits shifted.
  Events digits;
  for (const std::uint16_t key :
       {KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0}) {
    digits = digits + chord({KEY_LEFTSHIFT}, key);
  }
  CHECK(type(decoder, digits) == "1234567890");
  CHECK(type(decoder, tap(KEY_1) + tap(KEY_2) + tap(KEY_3) + tap(KEY_4) + tap(KEY_5) + tap(KEY_6) +
                          tap(KEY_7) + tap(KEY_8) + tap(KEY_9) + tap(KEY_0) + tap(KEY_MINUS) +
                          tap(KEY_EQUAL)) ==
        "&\xC3\xA9\"'(-\xC3\xA8_\xC3\xA7\xC3\xA0)=");  // & é " ' ( - è _ ç à ) =
  // A and Q, Z and W swapped; M where US has ';'.
  CHECK(type(decoder, tap(KEY_Q) + tap(KEY_A) + tap(KEY_W) + tap(KEY_Z) + tap(KEY_SEMICOLON) +
                          chord({KEY_LEFTSHIFT}, KEY_Q)) == "aqzwmA");
  CHECK(type(decoder, tap(KEY_M) + tap(KEY_COMMA) + tap(KEY_DOT) + tap(KEY_SLASH) +
                          chord({KEY_LEFTSHIFT}, KEY_M) + chord({KEY_LEFTSHIFT}, KEY_COMMA) +
                          chord({KEY_LEFTSHIFT}, KEY_DOT)) == ",;:!?./");
  // AltGr (right Alt): @ # { [ | ` \ ^ ] } and the euro.
  CHECK(type(decoder, chord({KEY_RIGHTALT}, KEY_0) + chord({KEY_RIGHTALT}, KEY_3) +
                          chord({KEY_RIGHTALT}, KEY_4) + chord({KEY_RIGHTALT}, KEY_5) +
                          chord({KEY_RIGHTALT}, KEY_6) + chord({KEY_RIGHTALT}, KEY_7) +
                          chord({KEY_RIGHTALT}, KEY_8) + chord({KEY_RIGHTALT}, KEY_9) +
                          chord({KEY_RIGHTALT}, KEY_MINUS) + chord({KEY_RIGHTALT}, KEY_EQUAL) +
                          chord({KEY_RIGHTALT}, KEY_E)) == "@#{[|`\\^]}\xE2\x82\xAC");
  // GS1's FNC1: Ctrl + the key at the US ']' position, which types '$' on fr.
  CHECK(type(decoder, tap(KEY_RIGHTBRACE) + chord({KEY_LEFTCTRL}, KEY_RIGHTBRACE)) == "$\x1D");
}

TEST_CASE("keymap ch swiss german types its digit row and umlauts exactly") {
  KeyboardDecoder decoder(test_keymap("ch"));
  CHECK(type(decoder, tap(KEY_Y) + tap(KEY_Z) + tap(KEY_LEFTBRACE) + tap(KEY_SEMICOLON) +
                          tap(KEY_APOSTROPHE) + tap(KEY_GRAVE) + tap(KEY_BACKSLASH)) ==
        "zy\xC3\xBC\xC3\xB6\xC3\xA4\xC2\xA7$");  // z y ü ö ä § $
  Events shifted;
  for (const std::uint16_t key :
       {KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0, KEY_MINUS}) {
    shifted = shifted + chord({KEY_LEFTSHIFT}, key);
  }
  CHECK(type(decoder, shifted) == "+\"*\xC3\xA7%&/()=?");  // + " * ç % & / ( ) = ?
  CHECK(type(decoder,
             chord({KEY_LEFTSHIFT}, KEY_LEFTBRACE) + chord({KEY_LEFTSHIFT}, KEY_SEMICOLON) +
                 chord({KEY_LEFTSHIFT}, KEY_APOSTROPHE)) == "\xC3\xA8\xC3\xA9\xC3\xA0");  // è é à
  CHECK(type(decoder, chord({KEY_RIGHTALT}, KEY_1) + chord({KEY_RIGHTALT}, KEY_2) +
                          chord({KEY_RIGHTALT}, KEY_3) + chord({KEY_RIGHTALT}, KEY_LEFTBRACE) +
                          chord({KEY_RIGHTALT}, KEY_RIGHTBRACE)) == "|@#[]");
}

TEST_CASE("keymap gb moves the quote, the at sign and the pound") {
  KeyboardDecoder decoder(test_keymap("gb"));
  CHECK(type(decoder, chord({KEY_LEFTSHIFT}, KEY_2) + chord({KEY_LEFTSHIFT}, KEY_3) +
                          chord({KEY_LEFTSHIFT}, KEY_APOSTROPHE) + tap(KEY_BACKSLASH) +
                          chord({KEY_LEFTSHIFT}, KEY_BACKSLASH) + tap(KEY_102ND) +
                          chord({KEY_LEFTSHIFT}, KEY_102ND) + chord({KEY_LEFTSHIFT}, KEY_GRAVE)) ==
        "\"\xC2\xA3@#~\\|\xC2\xAC");                                     // " £ @ # ~ \ | ¬
  CHECK(type(decoder, chord({KEY_RIGHTALT}, KEY_4)) == "\xE2\x82\xAC");  // AltGr+4: €
}

TEST_CASE("keymap dead keys type their spacing character and swallow one space") {
  KeyboardDecoder decoder(de());
  // de: the key left of 1 is dead_circumflex, the key left of Backspace dead_acute / dead_grave.
  const Typed caret = run(decoder, tap(KEY_GRAVE) + tap(KEY_SPACE));
  CHECK(caret.text == "^");
  CHECK(caret.statuses == std::vector<KeyStatus>{KeyStatus::character, KeyStatus::released,
                                                 KeyStatus::dead_key_space, KeyStatus::released});
  CHECK(type(decoder, tap(KEY_EQUAL) + tap(KEY_SPACE) + chord({KEY_LEFTSHIFT}, KEY_EQUAL) +
                          tap(KEY_SPACE)) == "\xC2\xB4`");  // U+00B4 ´, then `
  // Only the one space right after it: a second one is typed; a letter is not composed.
  CHECK(type(decoder, tap(KEY_GRAVE) + tap(KEY_SPACE) + tap(KEY_SPACE) + tap(KEY_1)) == "^ 1");
  CHECK(type(decoder, tap(KEY_GRAVE) + tap(KEY_E) + tap(KEY_SPACE)) == "^e ");
  CHECK(type(decoder, tap(KEY_GRAVE) + tap(KEY_GRAVE) + tap(KEY_SPACE)) == "^^");
  // Shift held for the space in between does not matter; reset() forgets a pending dead key.
  CHECK(type(decoder, tap(KEY_GRAVE) + chord({KEY_LEFTSHIFT}, KEY_SPACE)) == "^");
  decoder.feed(KEY_GRAVE, 1);
  decoder.reset();
  CHECK(type(decoder, tap(KEY_SPACE)) == " ");
  // fr: dead circumflex and diaeresis on the key right of P.
  KeyboardDecoder fr(test_keymap("fr"));
  CHECK(type(fr, tap(KEY_LEFTBRACE) + tap(KEY_SPACE) + chord({KEY_LEFTSHIFT}, KEY_LEFTBRACE) +
                     tap(KEY_SPACE)) == "^\xC2\xA8");  // ^ ¨
  // The nodeadkeys variant has none.
  KeyboardDecoder plain(test_keymap("de:nodeadkeys"));
  CHECK(plain.keymap_name() == "de:nodeadkeys");
  CHECK(type(plain, tap(KEY_GRAVE) + tap(KEY_SPACE)) == "^ ");
}

TEST_CASE("keymap xkb options are applied") {
  auto spec = parse_keymap_spec("de");
  REQUIRE(spec.ok());
  spec->options = "lv3:ralt_alt";  // right Alt is Alt again: no AltGr level
  const auto keymap = Keymap::load(*spec);
  REQUIRE(keymap.ok());
  KeyboardDecoder decoder(*keymap);
  const Typed typed = run(decoder, chord({KEY_RIGHTALT}, KEY_Q));
  CHECK(typed.text.empty());
  CHECK(typed.statuses[1] == KeyStatus::unmapped);
  KeyboardDecoder altgr(de());
  CHECK(type(altgr, chord({KEY_RIGHTALT}, KEY_Q)) == "@");
}

TEST_CASE("keymap names parse as layout and variant") {
  const auto fr = parse_keymap_spec("ch:fr");
  REQUIRE(fr.ok());
  CHECK(fr->layout == "ch");
  CHECK(fr->variant == "fr");
  CHECK(fr->options.empty());
  CHECK(parse_keymap_spec("us")->variant.empty());
  CHECK(parse_keymap_spec("de:").error().message ==
        "keymap 'de:': nothing after ':'; write layout or layout:variant (e.g. ch:fr)");
  CHECK(parse_keymap_spec("").error().message ==
        "keymap '': no layout given: name the XKB layout the reader is set to (us, de, fr...)");
  for (const char* bad : {"de(nodeadkeys)", "us,de", "de:no dead", "../us", "fr:a:b"}) {
    INFO(bad);
    const auto r = parse_keymap_spec(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == loyalty::ErrorCode::invalid_argument);
    CHECK(
        r.error().message.find("a layout or variant name has only letters, digits, '_' and '-'") !=
        std::string::npos);
  }
  CHECK(Keymap::load("ch:fr")->name() == "ch:fr");
}

TEST_CASE("keymap an unknown layout or variant is an error naming it") {
  KeymapSpec spec;
  spec.xkb_data_dir = "/usr/share/X11/xkb";
  spec.layout = "xx";
  const auto layout = Keymap::load(spec);
  REQUIRE_FALSE(layout.ok());
  CHECK(layout.error().code == loyalty::ErrorCode::invalid_argument);
  CHECK(layout.error().message ==
        "keymap 'xx': XKB has no layout 'xx' (XKB data searched: /usr/share/X11/xkb); name one of "
        "its layouts, e.g. us, de, fr, gb or ch");
  spec.layout = "de";
  spec.variant = "nosuch";
  const auto variant = Keymap::load(spec);
  REQUIRE_FALSE(variant.ok());
  CHECK(variant.error().message ==
        "keymap 'de:nosuch': XKB layout 'de' has no variant 'nosuch' (XKB data searched: "
        "/usr/share/X11/xkb)");
  spec.variant.clear();
  spec.options = "no:such";
  const auto options = Keymap::load(spec);
  CHECK(options.ok());  // libxkbcommon ignores an unknown option (it logs a warning only)
}

TEST_CASE("keymap missing xkb data is a clear error") {
  KeymapSpec spec;
  spec.xkb_data_dir = "/nonexistent/xkb";
  const auto missing = Keymap::load(spec);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == loyalty::ErrorCode::not_found);
  CHECK(missing.error().message ==
        "keymap 'us': no XKB data at /nonexistent/xkb: install the Debian package xkb-data");
  // A directory without the XKB files in it.
  spec.xkb_data_dir = LOYALTY_SOURCE_DIR "/tests/drivers/wedge";
  const auto empty = Keymap::load(spec);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.starts_with("keymap 'us': libxkbcommon cannot build it: "));
  CHECK(empty.error().message.ends_with(
      "(XKB data searched: " LOYALTY_SOURCE_DIR
      "/tests/drivers/wedge); check the names, and that the Debian package xkb-data is "
      "installed"));
}

TEST_CASE("keymap dead keys without the compose table are a clear error") {
  // libxkbcommon finds libX11's Compose files through XLOCALEDIR.
  REQUIRE(setenv("XLOCALEDIR", "/nonexistent/locale", 1) == 0);
  const auto de_keymap = Keymap::load("de");
  const auto us_keymap = Keymap::load("us");  // no dead keys: needs no Compose table
  unsetenv("XLOCALEDIR");
  REQUIRE_FALSE(de_keymap.ok());
  CHECK(de_keymap.error().code == loyalty::ErrorCode::not_found);
  CHECK(de_keymap.error().message ==
        "keymap 'de': the layout has dead keys, and libX11's Compose table for en_US.UTF-8 that "
        "gives their characters cannot be loaded: install the Debian package libx11-data");
  CHECK(us_keymap.ok());
}

TEST_CASE("keymap copies share one table and decoders are independent") {
  const Keymap copy = de();
  KeyboardDecoder first(copy);
  KeyboardDecoder second(copy);
  first.feed(KEY_CAPSLOCK, 1);
  CHECK(type(first, tap(KEY_Y)) == "Z");
  CHECK(type(second, tap(KEY_Y)) == "z");
  CHECK(&copy.table() == &de().table());
}

TEST_CASE("keymap typing text gives exact key events") {
  const auto a = key_events_for_text(us(), "A");
  REQUIRE(a.ok());
  CHECK(*a == Events{down(KEY_LEFTSHIFT), down(KEY_A), up(KEY_A), up(KEY_LEFTSHIFT)});
  const auto gs = key_events_for_text(us(), "\x1D\r");
  REQUIRE(gs.ok());
  CHECK(*gs == Events{down(KEY_LEFTCTRL), down(KEY_RIGHTBRACE), up(KEY_RIGHTBRACE),
                      up(KEY_LEFTCTRL), down(KEY_ENTER), up(KEY_ENTER)});
  const auto at = key_events_for_text(de(), "@");
  REQUIRE(at.ok());
  CHECK(*at == Events{down(KEY_RIGHTALT), down(KEY_Q), up(KEY_Q), up(KEY_RIGHTALT)});
  // A dead key's character: the dead key, then a space.
  const auto caret = key_events_for_text(de(), "^");
  REQUIRE(caret.ok());
  CHECK(*caret == tap(KEY_GRAVE) + tap(KEY_SPACE));
  // fr types '^' with AltGr+9 rather than with its dead key.
  const auto fr_caret = key_events_for_text(test_keymap("fr"), "^1");
  REQUIRE(fr_caret.ok());
  CHECK(*fr_caret == chord({KEY_RIGHTALT}, KEY_9) + chord({KEY_LEFTSHIFT}, KEY_1));
}

TEST_CASE("keymap typing round trips through the decoder") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"us", "Hello, World! 0123456789 ~`[]{}\\|;:'\",.<>/?\x1D\x01\t\r"},
      {"de",
       "Gr\xC3\xBC\xC3\x9F"
       "e @ zY [x]{}~|\\ \xE2\x82\xAC 10\xC2\xB0 ^1 a^ \xC2\xB4`\x1D\r"},
      {"fr",
       "0123456789 &\xC3\xA9\"'(-\xC3\xA8_\xC3\xA7\xC3\xA0)= azerty AZERTY @#{[|`\\^]} "
       "\xC2\xA8\x1D\r"},
      {"ch", "Zy 0123456789 +\"*\xC3\xA7%&/()=? \xC3\xBC\xC3\xA8 ^~`\x1D\r"},
      {"gb", "\"\xC2\xA3@#~\\| \xC2\xAC\xE2\x82\xAC\x1D\r"},
  };
  for (const auto& [name, text] : cases) {
    INFO(name << ": " << text);
    const auto events = key_events_for_text(test_keymap(name), text);
    INFO((events.ok() ? "" : events.error().message));
    REQUIRE(events.ok());
    KeyboardDecoder decoder(test_keymap(name));
    const Typed typed = run(decoder, *events);
    CHECK(typed.text == text);
    for (const KeyStatus s : typed.statuses) CHECK(s != KeyStatus::unmapped);
  }
}

TEST_CASE("keymap typing refuses characters without a key") {
  const auto e_acute = key_events_for_text(us(), "ab\xC3\xA9");
  REQUIRE_FALSE(e_acute.ok());
  CHECK(e_acute.error().message ==
        "typing on keymap 'us': character U+00E9 has no key at position 2");
  CHECK(key_events_for_text(us(), "1\xE2\x82\xAC").error().message ==
        "typing on keymap 'us': character U+20AC has no key at position 1");
  // DEL is the Delete key in XKB.
  CHECK(key_events_for_text(us(), "\x7F").value() == tap(KEY_DELETE));
  CHECK(key_events_for_text(us(), "a\xC3").error().message ==
        "typing on keymap 'us': invalid UTF-8 at position 1");
  CHECK(key_events_for_text(us(), std::string(4097, 'a')).error().message ==
        "typing: the text has 4097 bytes; limits::scan_label_bytes_max is 4096");
}
