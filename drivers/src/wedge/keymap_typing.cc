// key_events_for_text(): the key events a wedge set to a layout sends for a text (keymap.h).
#include <linux/input-event-codes.h>

#include <cstdio>
#include <optional>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/core/utf8.h"
#include "loyalty/drivers/wedge/keymap.h"

namespace loyalty::drivers {

namespace {

enum class Level { plain, shifted, altgr };

struct KeyStroke {
  std::uint16_t code = 0;
  Level level = Level::plain;
};

bool is_keypad_code(std::uint16_t code) {
  switch (code) {
    case KEY_KP0:
    case KEY_KP1:
    case KEY_KP2:
    case KEY_KP3:
    case KEY_KP4:
    case KEY_KP5:
    case KEY_KP6:
    case KEY_KP7:
    case KEY_KP8:
    case KEY_KP9:
    case KEY_KPDOT:
    case KEY_KPASTERISK:
    case KEY_KPMINUS:
    case KEY_KPPLUS:
    case KEY_KPSLASH:
    case KEY_KPENTER:
      return true;
    default:
      return false;
  }
}

// The main-block key and level typing c (plain first, then Shift, then AltGr).
std::optional<KeyStroke> find_stroke(const Keymap& keymap, char32_t c) {
  if (c == 0) return std::nullopt;
  for (const Level level : {Level::plain, Level::shifted, Level::altgr}) {
    if (level == Level::altgr && !keymap.right_alt_is_altgr) break;
    for (const KeymapEntry& e : keymap.entries) {
      if (is_keypad_code(e.code)) continue;
      const char32_t typed =
          level == Level::plain ? e.plain : (level == Level::shifted ? e.shifted : e.altgr);
      if (typed == c) return KeyStroke{e.code, level};
    }
  }
  return std::nullopt;
}

void stroke_events(const KeyStroke& stroke, bool ctrl, std::vector<KeyEvent>& out) {
  const auto v = [](KeyValue value) { return static_cast<std::int32_t>(value); };
  const std::uint16_t modifier = stroke.level == Level::shifted ? KEY_LEFTSHIFT
                                 : stroke.level == Level::altgr ? KEY_RIGHTALT
                                                                : 0;
  if (ctrl) out.push_back({KEY_LEFTCTRL, v(KeyValue::press)});
  if (modifier != 0) out.push_back({modifier, v(KeyValue::press)});
  out.push_back({stroke.code, v(KeyValue::press)});
  out.push_back({stroke.code, v(KeyValue::release)});
  if (modifier != 0) out.push_back({modifier, v(KeyValue::release)});
  if (ctrl) out.push_back({KEY_LEFTCTRL, v(KeyValue::release)});
}

Error typing_error(const Keymap& keymap, std::size_t pos, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "typing on keymap '" + std::string(keymap.name) +
                                                     "': " + what + " at position " +
                                                     std::to_string(pos));
}

}  // namespace

Result<std::vector<KeyEvent>> key_events_for_text(const Keymap& keymap, std::string_view text) {
  if (text.size() > limits::scan_label_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "typing: the text has " + std::to_string(text.size()) +
                          " bytes; limits::scan_label_bytes_max is " +
                          std::to_string(limits::scan_label_bytes_max));
  }
  std::vector<KeyEvent> events;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const std::optional<Utf8Char> decoded = decode_utf8(text, pos);
    if (!decoded) return typing_error(keymap, start, "invalid UTF-8");
    pos += decoded->size;
    const std::optional<char32_t> c = decoded->value;
    if (std::optional<KeyStroke> stroke = find_stroke(keymap, *c)) {
      stroke_events(*stroke, false, events);
      continue;
    }
    // A control character is Ctrl + the key of its letter or of '@'..'_'.
    std::optional<KeyStroke> stroke;
    if (*c >= 1 && *c <= 26) stroke = find_stroke(keymap, *c + 0x60);
    if (!stroke && *c < 0x20) stroke = find_stroke(keymap, *c | 0x40);
    if (!stroke) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(*c));
      return typing_error(keymap, start, std::string("character ") + name + " has no key");
    }
    stroke_events(*stroke, true, events);
  }
  return events;
}

}  // namespace loyalty::drivers
