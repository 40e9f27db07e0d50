// The built-in keymaps ("us", "de") and the keymap check. Codes are the evdev KEY_* numbers of
// linux/input-event-codes.h; characters are Unicode (U+00xx for the Latin-1 letters of "de").
#include <linux/input-event-codes.h>

#include <array>
#include <string>

#include "loyalty/drivers/wedge/keymap.h"

namespace loyalty::drivers {

namespace {

constexpr KeyKind S = KeyKind::symbol;
constexpr KeyKind L = KeyKind::letter;
constexpr KeyKind K = KeyKind::keypad;

// US (xkb "us", pc105: the extra key left of Z types < and >).
constexpr KeymapEntry us_entries[] = {
    // Control keys and the keypad.
    {KEY_ESC, S, 0x1B, 0x1B, 0},
    {KEY_BACKSPACE, S, 0x08, 0x08, 0},
    {KEY_TAB, S, '\t', '\t', 0},
    {KEY_ENTER, S, '\r', '\r', 0},
    {KEY_SPACE, S, ' ', ' ', 0},
    {KEY_KPASTERISK, S, '*', '*', 0},
    {KEY_KPMINUS, S, '-', '-', 0},
    {KEY_KPPLUS, S, '+', '+', 0},
    {KEY_KPSLASH, S, '/', '/', 0},
    {KEY_KPENTER, S, '\r', '\r', 0},
    {KEY_KP0, K, '0', '0', 0},
    {KEY_KP1, K, '1', '1', 0},
    {KEY_KP2, K, '2', '2', 0},
    {KEY_KP3, K, '3', '3', 0},
    {KEY_KP4, K, '4', '4', 0},
    {KEY_KP5, K, '5', '5', 0},
    {KEY_KP6, K, '6', '6', 0},
    {KEY_KP7, K, '7', '7', 0},
    {KEY_KP8, K, '8', '8', 0},
    {KEY_KP9, K, '9', '9', 0},
    {KEY_KPDOT, K, '.', '.', 0},
    // The main block.
    {KEY_GRAVE, S, '`', '~', 0},
    {KEY_1, S, '1', '!', 0},
    {KEY_2, S, '2', '@', 0},
    {KEY_3, S, '3', '#', 0},
    {KEY_4, S, '4', '$', 0},
    {KEY_5, S, '5', '%', 0},
    {KEY_6, S, '6', '^', 0},
    {KEY_7, S, '7', '&', 0},
    {KEY_8, S, '8', '*', 0},
    {KEY_9, S, '9', '(', 0},
    {KEY_0, S, '0', ')', 0},
    {KEY_MINUS, S, '-', '_', 0},
    {KEY_EQUAL, S, '=', '+', 0},
    {KEY_Q, L, 'q', 'Q', 0},
    {KEY_W, L, 'w', 'W', 0},
    {KEY_E, L, 'e', 'E', 0},
    {KEY_R, L, 'r', 'R', 0},
    {KEY_T, L, 't', 'T', 0},
    {KEY_Y, L, 'y', 'Y', 0},
    {KEY_U, L, 'u', 'U', 0},
    {KEY_I, L, 'i', 'I', 0},
    {KEY_O, L, 'o', 'O', 0},
    {KEY_P, L, 'p', 'P', 0},
    {KEY_LEFTBRACE, S, '[', '{', 0},
    {KEY_RIGHTBRACE, S, ']', '}', 0},
    {KEY_A, L, 'a', 'A', 0},
    {KEY_S, L, 's', 'S', 0},
    {KEY_D, L, 'd', 'D', 0},
    {KEY_F, L, 'f', 'F', 0},
    {KEY_G, L, 'g', 'G', 0},
    {KEY_H, L, 'h', 'H', 0},
    {KEY_J, L, 'j', 'J', 0},
    {KEY_K, L, 'k', 'K', 0},
    {KEY_L, L, 'l', 'L', 0},
    {KEY_SEMICOLON, S, ';', ':', 0},
    {KEY_APOSTROPHE, S, '\'', '"', 0},
    {KEY_BACKSLASH, S, '\\', '|', 0},
    {KEY_Z, L, 'z', 'Z', 0},
    {KEY_X, L, 'x', 'X', 0},
    {KEY_C, L, 'c', 'C', 0},
    {KEY_V, L, 'v', 'V', 0},
    {KEY_B, L, 'b', 'B', 0},
    {KEY_N, L, 'n', 'N', 0},
    {KEY_M, L, 'm', 'M', 0},
    {KEY_COMMA, S, ',', '<', 0},
    {KEY_DOT, S, '.', '>', 0},
    {KEY_SLASH, S, '/', '?', 0},
    {KEY_102ND, S, '<', '>', 0},
};

// German QWERTZ (xkb "de(nodeadkeys)"): Y and Z swapped, umlauts, symbols moved, AltGr level.
constexpr KeymapEntry de_entries[] = {
    // Control keys and the keypad.
    {KEY_ESC, S, 0x1B, 0x1B, 0},
    {KEY_BACKSPACE, S, 0x08, 0x08, 0},
    {KEY_TAB, S, '\t', '\t', 0},
    {KEY_ENTER, S, '\r', '\r', 0},
    {KEY_SPACE, S, ' ', ' ', 0},
    {KEY_KPASTERISK, S, '*', '*', 0},
    {KEY_KPMINUS, S, '-', '-', 0},
    {KEY_KPPLUS, S, '+', '+', 0},
    {KEY_KPSLASH, S, '/', '/', 0},
    {KEY_KPENTER, S, '\r', '\r', 0},
    {KEY_KP0, K, '0', '0', 0},
    {KEY_KP1, K, '1', '1', 0},
    {KEY_KP2, K, '2', '2', 0},
    {KEY_KP3, K, '3', '3', 0},
    {KEY_KP4, K, '4', '4', 0},
    {KEY_KP5, K, '5', '5', 0},
    {KEY_KP6, K, '6', '6', 0},
    {KEY_KP7, K, '7', '7', 0},
    {KEY_KP8, K, '8', '8', 0},
    {KEY_KP9, K, '9', '9', 0},
    {KEY_KPDOT, K, ',', ',', 0},  // the German decimal separator
    // The main block.
    {KEY_GRAVE, S, '^', U'\u00B0', 0},  // ^ °
    {KEY_1, S, '1', '!', 0},
    {KEY_2, S, '2', '"', U'\u00B2'},        // ²
    {KEY_3, S, '3', U'\u00A7', U'\u00B3'},  // § ³
    {KEY_4, S, '4', '$', 0},
    {KEY_5, S, '5', '%', 0},
    {KEY_6, S, '6', '&', 0},
    {KEY_7, S, '7', '/', '{'},
    {KEY_8, S, '8', '(', '['},
    {KEY_9, S, '9', ')', ']'},
    {KEY_0, S, '0', '=', '}'},
    {KEY_MINUS, S, U'\u00DF', '?', '\\'},  // ß
    {KEY_EQUAL, S, U'\u00B4', '`', 0},     // ´
    {KEY_Q, L, 'q', 'Q', '@'},
    {KEY_W, L, 'w', 'W', 0},
    {KEY_E, L, 'e', 'E', U'\u20AC'},  // €
    {KEY_R, L, 'r', 'R', 0},
    {KEY_T, L, 't', 'T', 0},
    {KEY_Y, L, 'z', 'Z', 0},
    {KEY_U, L, 'u', 'U', 0},
    {KEY_I, L, 'i', 'I', 0},
    {KEY_O, L, 'o', 'O', 0},
    {KEY_P, L, 'p', 'P', 0},
    {KEY_LEFTBRACE, L, U'\u00FC', U'\u00DC', 0},  // ü Ü
    {KEY_RIGHTBRACE, S, '+', '*', '~'},
    {KEY_A, L, 'a', 'A', 0},
    {KEY_S, L, 's', 'S', 0},
    {KEY_D, L, 'd', 'D', 0},
    {KEY_F, L, 'f', 'F', 0},
    {KEY_G, L, 'g', 'G', 0},
    {KEY_H, L, 'h', 'H', 0},
    {KEY_J, L, 'j', 'J', 0},
    {KEY_K, L, 'k', 'K', 0},
    {KEY_L, L, 'l', 'L', 0},
    {KEY_SEMICOLON, L, U'\u00F6', U'\u00D6', 0},   // ö Ö
    {KEY_APOSTROPHE, L, U'\u00E4', U'\u00C4', 0},  // ä Ä
    {KEY_BACKSLASH, S, '#', '\'', 0},
    {KEY_Z, L, 'y', 'Y', 0},
    {KEY_X, L, 'x', 'X', 0},
    {KEY_C, L, 'c', 'C', 0},
    {KEY_V, L, 'v', 'V', 0},
    {KEY_B, L, 'b', 'B', 0},
    {KEY_N, L, 'n', 'N', 0},
    {KEY_M, L, 'm', 'M', U'\u00B5'},  // µ
    {KEY_COMMA, S, ',', ';', 0},
    {KEY_DOT, S, '.', ':', 0},
    {KEY_SLASH, S, '-', '_', 0},
    {KEY_102ND, S, '<', '>', '|'},
};

constexpr Keymap us_keymap{"us", us_entries, false};
constexpr Keymap de_keymap{"de", de_entries, true};

// Keys the decoder handles itself: a keymap must leave them unmapped.
constexpr std::array<std::uint16_t, 10> state_keys = {
    KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTCTRL,  KEY_RIGHTCTRL, KEY_LEFTALT,
    KEY_RIGHTALT,  KEY_LEFTMETA,   KEY_RIGHTMETA, KEY_CAPSLOCK,  KEY_NUMLOCK};

constexpr std::array<std::uint16_t, 11> keypad_keys = {KEY_KP0, KEY_KP1, KEY_KP2,  KEY_KP3,
                                                       KEY_KP4, KEY_KP5, KEY_KP6,  KEY_KP7,
                                                       KEY_KP8, KEY_KP9, KEY_KPDOT};

bool is_scalar_value(char32_t c) { return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF); }

template <std::size_t N>
bool contains(const std::array<std::uint16_t, N>& keys, std::uint16_t code) {
  for (const std::uint16_t k : keys) {
    if (k == code) return true;
  }
  return false;
}

Error entry_error(const Keymap& keymap, std::size_t index, const std::string& what) {
  return make_error(ErrorCode::invalid_argument,
                    "keymap '" + std::string(keymap.name) + "': entry " + std::to_string(index) +
                        " (key code " + std::to_string(keymap.entries[index].code) + ") " + what);
}

}  // namespace

const Keymap& keymap_us() { return us_keymap; }
const Keymap& keymap_de() { return de_keymap; }

const Keymap* find_keymap(std::string_view name) {
  if (name == us_keymap.name) return &us_keymap;
  if (name == de_keymap.name) return &de_keymap;
  return nullptr;
}

Status validate_keymap(const Keymap& keymap) {
  if (keymap.name.empty()) {
    return make_error(ErrorCode::invalid_argument, "keymap: the keymap has no name; give it one");
  }
  std::array<bool, keymap_code_max + 1> seen{};
  for (std::size_t i = 0; i < keymap.entries.size(); ++i) {
    const KeymapEntry& e = keymap.entries[i];
    if (e.code == 0 || e.code > keymap_code_max) {
      return entry_error(keymap, i, "is outside 1.." + std::to_string(keymap_code_max));
    }
    if (seen[e.code]) return entry_error(keymap, i, "maps a key already mapped");
    seen[e.code] = true;
    if (contains(state_keys, e.code)) {
      return entry_error(keymap, i, "maps a modifier or lock key, which the decoder handles");
    }
    if ((e.kind == KeyKind::keypad) != contains(keypad_keys, e.code)) {
      return entry_error(keymap, i,
                         "has kind keypad on a non-keypad key, or a keypad digit without it");
    }
    if (!is_scalar_value(e.plain) || !is_scalar_value(e.shifted) || !is_scalar_value(e.altgr)) {
      return entry_error(keymap, i, "has a character that is not a Unicode scalar value");
    }
  }
  return {};
}

}  // namespace loyalty::drivers
