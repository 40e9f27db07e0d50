// key_events_for_text(): the key events a wedge set to a layout sends for a text (keymap.h).
#include <cstdio>
#include <optional>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/core/utf8.h"
#include "loyalty/drivers/wedge/keymap.h"
#include "wedge/keymap_table.h"

namespace loyalty::drivers {

namespace {

using wedge_detail::KeymapTable;
using wedge_detail::KeyRole;

struct KeyStroke {
  std::uint16_t code = 0;
  unsigned level = 0;  // wedge_detail::state_shift and/or state_altgr
  bool dead = false;   // a dead key: a space follows it
};

// The main-block key and level typing c: plain first, then Shift, AltGr, Shift+AltGr, and a dead
// key's spacing character only when no key types c directly. Caps Lock off, Num Lock on.
std::optional<KeyStroke> find_stroke(const KeymapTable& table, char32_t c) {
  if (c == 0) return std::nullopt;
  constexpr unsigned shift = wedge_detail::state_shift;
  constexpr unsigned altgr = wedge_detail::state_altgr;
  for (const bool dead : {false, true}) {
    for (const unsigned level : {0u, shift, altgr, shift | altgr}) {
      if ((level & shift) != 0 && table.shift_code == 0) continue;
      if ((level & altgr) != 0 && table.altgr_code == 0) continue;
      const unsigned state = level | wedge_detail::state_num_lock;
      for (std::uint16_t code = 1; code <= keymap_code_max; ++code) {
        const wedge_detail::KeySlot& slot = table.keys[code];
        if (slot.role != KeyRole::character || slot.keypad) continue;
        if (slot.typed[state] == c && ((slot.dead >> state) & 1u) == (dead ? 1u : 0u)) {
          return KeyStroke{code, level, dead};
        }
      }
    }
  }
  return std::nullopt;
}

void tap(std::uint16_t code, std::vector<KeyEvent>& out) {
  out.push_back({code, static_cast<std::int32_t>(KeyValue::press)});
  out.push_back({code, static_cast<std::int32_t>(KeyValue::release)});
}

void stroke_events(const KeymapTable& table, const KeyStroke& stroke, bool ctrl,
                   std::vector<KeyEvent>& out) {
  const auto v = [](KeyValue value) { return static_cast<std::int32_t>(value); };
  std::vector<std::uint16_t> held;
  if (ctrl) held.push_back(table.ctrl_code);
  if ((stroke.level & wedge_detail::state_shift) != 0) held.push_back(table.shift_code);
  if ((stroke.level & wedge_detail::state_altgr) != 0) held.push_back(table.altgr_code);
  for (const std::uint16_t m : held) out.push_back({m, v(KeyValue::press)});
  tap(stroke.code, out);
  for (auto it = held.rbegin(); it != held.rend(); ++it) out.push_back({*it, v(KeyValue::release)});
  // A dead key typed its character; the space after it is what a PC needs, and is swallowed.
  // (With Ctrl the dead key gives a control character and waits for nothing.)
  if (stroke.dead && !ctrl) {
    const std::optional<KeyStroke> space = find_stroke(table, ' ');
    LOYALTY_ASSERT(space.has_value() && space->level == 0);
    tap(space->code, out);
  }
}

Error typing_error(const KeymapTable& table, std::size_t pos, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "typing on keymap '" + table.name + "': " + what +
                                                     " at position " + std::to_string(pos));
}

}  // namespace

Result<std::vector<KeyEvent>> key_events_for_text(const Keymap& keymap, std::string_view text) {
  const KeymapTable& table = keymap.table();
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
    if (!decoded) return typing_error(table, start, "invalid UTF-8");
    pos += decoded->size;
    const std::optional<char32_t> c = decoded->value;
    if (std::optional<KeyStroke> stroke = find_stroke(table, *c)) {
      stroke_events(table, *stroke, false, events);
      continue;
    }
    // A control character is Ctrl + the key of its letter or of '@'..'_'.
    std::optional<KeyStroke> stroke;
    if (table.ctrl_code != 0 && *c >= 1 && *c <= 26) stroke = find_stroke(table, *c + 0x60);
    if (table.ctrl_code != 0 && !stroke && *c < 0x20) stroke = find_stroke(table, *c | 0x40);
    if (!stroke) {
      char name[16];
      std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(*c));
      return typing_error(table, start, std::string("character ") + name + " has no key");
    }
    stroke_events(table, *stroke, true, events);
  }
  return events;
}

}  // namespace loyalty::drivers
