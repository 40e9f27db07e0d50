// The compiled form of a keyboard layout (keymap.h): what each evdev key code types in each of
// the 16 states of Shift, Caps Lock, AltGr and Num Lock, and which keys are modifiers. Built once
// by Keymap::load() (keymap_xkb.cc) from libxkbcommon; read by KeyboardDecoder (keymap.cc) and
// key_events_for_text() (keymap_typing.cc). Immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "loyalty/drivers/wedge/keymap.h"

namespace loyalty::drivers::wedge_detail {

// What a key does when it is not a character key. Indexes KeyboardDecoder::held_count_.
enum class KeyRole : std::uint8_t {
  character,  // types what `typed` says (possibly nothing)
  shift,
  ctrl,
  alt,
  altgr,  // ISO_Level3_Shift
  caps_lock,
  num_lock,
  other_modifier,  // Super, Hyper, group switches...: tracked by nobody, types nothing
};
inline constexpr std::size_t key_roles = 8;

// State bits, the index into KeySlot::typed.
inline constexpr unsigned state_shift = 1;
inline constexpr unsigned state_caps_lock = 2;
inline constexpr unsigned state_altgr = 4;
inline constexpr unsigned state_num_lock = 8;
inline constexpr unsigned states = 16;

struct KeySlot {
  KeyRole role = KeyRole::character;
  // The Unicode character typed in each state; 0 for none.
  std::array<char32_t, states> typed{};
  // Bit s set: typed[s] is the spacing character of a dead key.
  std::uint16_t dead = 0;
  // 0-9 for a keypad digit key (its Num Lock character), -1 otherwise: Alt codes.
  std::int8_t keypad_digit = -1;
  bool keypad = false;  // a keypad key (KP_* keysyms): never used for typing text
  // The key's characters on "us", plain and shifted: Ctrl by US key position.
  char32_t us_plain = 0;
  char32_t us_shifted = 0;
};

struct KeymapTable {
  std::string name;  // "layout" or "layout:variant"
  std::array<KeySlot, keymap_code_max + 1> keys{};
  // A key of each role, for typing text (0 if the layout has none).
  std::uint16_t shift_code = 0;
  std::uint16_t ctrl_code = 0;
  std::uint16_t altgr_code = 0;
};

}  // namespace loyalty::drivers::wedge_detail
