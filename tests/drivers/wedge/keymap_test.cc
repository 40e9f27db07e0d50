// Keyboard-wedge key events -> characters (keymap.h).
#include "loyalty/drivers/wedge/keymap.h"

#include <linux/input-event-codes.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace loyalty::drivers;

namespace {

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
  KeyboardDecoder decoder;
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
  KeyboardDecoder decoder;
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
  KeyboardDecoder decoder(keymap_de());
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
  // AltGr on a key without a third level types nothing, and says so.
  CHECK(run(decoder, chord({KEY_RIGHTALT}, KEY_A)).statuses[1] == KeyStatus::unmapped);
}

TEST_CASE("keymap us right alt is alt and alt chords are reported") {
  KeyboardDecoder decoder;
  const Typed typed = run(decoder, chord({KEY_RIGHTALT}, KEY_Q));
  CHECK(typed.text.empty());
  CHECK(typed.statuses == std::vector<KeyStatus>{KeyStatus::modifier, KeyStatus::unmapped,
                                                 KeyStatus::released, KeyStatus::modifier});
}

TEST_CASE("keymap ctrl gives control characters and FNC1 as GS") {
  KeyboardDecoder us;
  CHECK(type(us, chord({KEY_LEFTCTRL}, KEY_RIGHTBRACE)) == "\x1D");
  CHECK(type(us, chord({KEY_RIGHTCTRL}, KEY_M) + tap(KEY_ENTER) + tap(KEY_KPENTER) +
                     chord({KEY_LEFTCTRL}, KEY_ENTER)) == "\r\r\r\r");
  CHECK(type(us, chord({KEY_LEFTCTRL}, KEY_A) + chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_Z) +
                     chord({KEY_LEFTCTRL}, KEY_LEFTBRACE) + chord({KEY_LEFTCTRL}, KEY_BACKSLASH) +
                     chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_6) +
                     chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_MINUS)) ==
        "\x01\x1A\x1B\x1C\x1E\x1F");
  CHECK(type(us, chord({KEY_LEFTCTRL, KEY_LEFTSHIFT}, KEY_2)) == std::string(1, '\0'));
  CHECK(type(us, tap(KEY_TAB)) == "\t");
  CHECK(run(us, chord({KEY_LEFTCTRL}, KEY_1)).statuses[1] == KeyStatus::unmapped);

  // "de": GS by US key position (the '+' key) and by character (AltGr+9 is ']').
  KeyboardDecoder de(keymap_de());
  CHECK(type(de, chord({KEY_LEFTCTRL}, KEY_RIGHTBRACE)) == "\x1D");
  CHECK(type(de, chord({KEY_LEFTCTRL, KEY_RIGHTALT}, KEY_9)) == "\x1D");
  CHECK(type(de, chord({KEY_LEFTCTRL}, KEY_Y)) == "\x1A");  // the key types 'z' on "de"
}

TEST_CASE("keymap repeats are ignored by default or typed on request") {
  KeyboardDecoder decoder;
  const Typed typed = run(decoder, Events{down(KEY_A), {KEY_A, 2}, {KEY_A, 2}, up(KEY_A)});
  CHECK(typed.text == "a");
  CHECK(typed.statuses == std::vector<KeyStatus>{KeyStatus::character, KeyStatus::repeat_ignored,
                                                 KeyStatus::repeat_ignored, KeyStatus::released});
  KeyboardDecoder console(keymap_us(), {.repeat = RepeatPolicy::type});
  CHECK(type(console, Events{down(KEY_A), {KEY_A, 2}, {KEY_A, 2}, up(KEY_A)}) == "aaa");
}

TEST_CASE("keymap unmapped keys and bad values are reported") {
  KeyboardDecoder decoder;
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
  KeyboardDecoder decoder;
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
  KeyboardDecoder decoder;
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
  KeyboardDecoder starts_off(keymap_us(), {.num_lock_on = false});
  CHECK(starts_off.feed(KEY_KP1, 1).status == KeyStatus::unmapped);
}

TEST_CASE("keymap reset forgets held keys and caps lock") {
  KeyboardDecoder decoder;
  decoder.feed(KEY_LEFTSHIFT, 1);
  decoder.feed(KEY_CAPSLOCK, 1);
  decoder.feed(KEY_LEFTCTRL, 1);
  decoder.reset();
  CHECK_FALSE(decoder.caps_lock());
  CHECK(type(decoder, tap(KEY_A)) == "a");
}

TEST_CASE("keymap lookup by name") {
  CHECK(find_keymap("us") == &keymap_us());
  CHECK(find_keymap("de") == &keymap_de());
  CHECK(find_keymap("fr") == nullptr);
  CHECK(validate_keymap(keymap_us()).ok());
  CHECK(validate_keymap(keymap_de()).ok());
}

TEST_CASE("keymap validation names the bad entry") {
  const auto message = [](std::initializer_list<KeymapEntry> entries, std::string_view name) {
    const std::vector<KeymapEntry> table(entries);
    const Keymap keymap{name, table, false};
    const auto status = validate_keymap(keymap);
    REQUIRE_FALSE(status.ok());
    return status.error().message;
  };
  CHECK(message({{KEY_A, KeyKind::letter, 'a', 'A', 0}, {KEY_A, KeyKind::letter, 'b', 'B', 0}},
                "x") == "keymap 'x': entry 1 (key code 30) maps a key already mapped");
  CHECK(message({{KEY_LEFTSHIFT, KeyKind::symbol, 'a', 'A', 0}}, "x") ==
        "keymap 'x': entry 0 (key code 42) maps a modifier or lock key, which the decoder "
        "handles");
  CHECK(message({{0, KeyKind::symbol, 'a', 'A', 0}}, "x") ==
        "keymap 'x': entry 0 (key code 0) is outside 1..255");
  CHECK(message({{256, KeyKind::symbol, 'a', 'A', 0}}, "x") ==
        "keymap 'x': entry 0 (key code 256) is outside 1..255");
  CHECK(message({{KEY_A, KeyKind::letter, 0xD800, 'A', 0}}, "x") ==
        "keymap 'x': entry 0 (key code 30) has a character that is not a Unicode scalar value");
  CHECK(message({{KEY_KP1, KeyKind::symbol, '1', '1', 0}}, "x") ==
        "keymap 'x': entry 0 (key code 79) has kind keypad on a non-keypad key, or a keypad "
        "digit without it");
  CHECK(message({}, "") == "keymap: the keymap has no name; give it one");
}

TEST_CASE("keymap a caller's table is data") {
  // A two-key layout: the decoder knows nothing but the table.
  const KeymapEntry entries[] = {{KEY_A, KeyKind::letter, 'q', 'Q', 0},
                                 {KEY_Q, KeyKind::letter, 'a', 'A', 0}};
  const Keymap azerty_part{"azerty-part", entries, false};
  REQUIRE(validate_keymap(azerty_part).ok());
  KeyboardDecoder decoder(azerty_part);
  CHECK(type(decoder, tap(KEY_A) + chord({KEY_LEFTSHIFT}, KEY_Q)) == "qA");
  CHECK(run(decoder, tap(KEY_B)).statuses.front() == KeyStatus::unmapped);
}

TEST_CASE("keymap typing text gives exact key events") {
  const auto a = key_events_for_text(keymap_us(), "A");
  REQUIRE(a.ok());
  CHECK(*a == Events{down(KEY_LEFTSHIFT), down(KEY_A), up(KEY_A), up(KEY_LEFTSHIFT)});
  const auto gs = key_events_for_text(keymap_us(), "\x1D\r");
  REQUIRE(gs.ok());
  CHECK(*gs == Events{down(KEY_LEFTCTRL), down(KEY_RIGHTBRACE), up(KEY_RIGHTBRACE),
                      up(KEY_LEFTCTRL), down(KEY_ENTER), up(KEY_ENTER)});
  const auto at = key_events_for_text(keymap_de(), "@");
  REQUIRE(at.ok());
  CHECK(*at == Events{down(KEY_RIGHTALT), down(KEY_Q), up(KEY_Q), up(KEY_RIGHTALT)});
}

TEST_CASE("keymap typing round trips through the decoder") {
  const std::string us_text = "Hello, World! 0123456789 ~`[]{}\\|;:'\",.<>/?\x1D\x01\t\r";
  const std::string de_text =
      "Gr\xC3\xBC\xC3\x9F"
      "e @ zY [x]{}~|\\ \xE2\x82\xAC 10\xC2\xB0\x1D\r";
  for (const auto& [keymap, text] : {std::pair{&keymap_us(), us_text}, {&keymap_de(), de_text}}) {
    const auto events = key_events_for_text(*keymap, text);
    REQUIRE(events.ok());
    KeyboardDecoder decoder(*keymap);
    const Typed typed = run(decoder, *events);
    CHECK(typed.text == text);
    for (const KeyStatus s : typed.statuses) CHECK(s != KeyStatus::unmapped);
  }
}

TEST_CASE("keymap typing refuses characters without a key") {
  const auto e_acute = key_events_for_text(keymap_us(), "ab\xC3\xA9");
  REQUIRE_FALSE(e_acute.ok());
  CHECK(e_acute.error().message ==
        "typing on keymap 'us': character U+00E9 has no key at position 2");
  CHECK(key_events_for_text(keymap_us(), "\x7F").error().message ==
        "typing on keymap 'us': character U+007F has no key at position 0");
  CHECK(key_events_for_text(keymap_us(), "a\xC3").error().message ==
        "typing on keymap 'us': invalid UTF-8 at position 1");
  CHECK(key_events_for_text(keymap_us(), std::string(4097, 'a')).error().message ==
        "typing: the text has 4097 bytes; limits::scan_label_bytes_max is 4096");
}
