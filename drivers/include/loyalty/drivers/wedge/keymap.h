// Keyboard-wedge readers (barcode scanners and magstripe readers that pretend to be a keyboard):
// Linux evdev key events -> characters, with an explicit keymap instead of the console's.
//
// A wedge scanner types its data as key presses for the layout it was configured for. The device
// is grabbed (EVIOCGRAB), so the console keymap never sees it; this decoder applies the layout the
// scanner was set to, independently of the terminal's. Keymaps are data (a table of evdev KEY_*
// codes and the characters of each level): "us" (the default) and "de" are built in, and a caller
// may supply its own table.
//
// Decoding rules (KeyboardDecoder::feed):
//   - Shift (left or right) selects the shifted level; Caps Lock (toggled on press) inverts Shift
//     for letters only; AltGr (right Alt, for keymaps that have it) selects the third level.
//   - Ctrl + a key whose character is '@'..'_' or a letter types the control character
//     (char & 0x1F): Ctrl+M -> CR, Ctrl+] -> GS 0x1D (how wedge scanners send GS1 FNC1). When the
//     layout's character is not such a character, the key's US character decides (scanners send
//     control characters by US key position): on "de", Ctrl + the '+' key is GS too.
//   - Enter and keypad Enter type CR; Tab types TAB.
//   - Alt (not AltGr) held + keypad digits, then Alt released: the character with that decimal
//     code (Alt+0029 -> GS). Codes 1-127 only; others are reported as alt_code_invalid.
//   - Keypad digits and '.' type only while Num Lock is on (the default; Num Lock toggles it).
//   - Auto-repeat events (value 2) are ignored by default: a wedge never holds a key, so a repeat
//     is the kernel's soft repeat on a slow release and would duplicate a character. With
//     RepeatPolicy::type they type again, as on a console.
//   - A press that types nothing in this keymap is reported (KeyStatus::unmapped), never dropped
//     silently: the caller counts and logs it (it usually means the layout is wrong).
//
// The "de" keymap has no dead keys (like xkb's de(nodeadkeys)): '^', '´' and '`' type directly.
// Thread-safety: a KeyboardDecoder is a plain value with no locks; use one per device, from one
// thread. Keymap tables are immutable and may be shared.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::drivers {

// What a key types, by level. Letters are affected by Caps Lock, keypad keys by Num Lock.
enum class KeyKind : std::uint8_t { symbol, letter, keypad };

// One key of a layout: the evdev code (linux/input-event-codes.h KEY_*) and the Unicode character
// of each level, 0 for none.
struct KeymapEntry {
  std::uint16_t code = 0;
  KeyKind kind = KeyKind::symbol;
  char32_t plain = 0;
  char32_t shifted = 0;
  char32_t altgr = 0;
};

// A layout. `entries` is not owned: the built-in keymaps point to static tables; a caller's table
// must outlive the Keymap (a KeyboardDecoder copies what it needs, so not the decoder).
struct Keymap {
  std::string_view name;
  std::span<const KeymapEntry> entries;
  // Right Alt is AltGr (third level) rather than Alt.
  bool right_alt_is_altgr = false;
};

// Highest evdev key code a keymap may map (the keyboard keys; KEY_MAX is larger but holds buttons).
inline constexpr std::uint16_t keymap_code_max = 255;

const Keymap& keymap_us();
const Keymap& keymap_de();
// "us" or "de"; nullptr for any other name.
const Keymap* find_keymap(std::string_view name);

// Checks a caller's keymap: a name, codes 1..keymap_code_max with no duplicate, characters that
// are Unicode scalar values, modifier and lock keys left unmapped, keypad entries only on keypad
// keys. invalid_argument naming the entry otherwise.
Status validate_keymap(const Keymap& keymap);

// evdev input_event.value for EV_KEY.
enum class KeyValue : std::int32_t { release = 0, press = 1, repeat = 2 };

enum class RepeatPolicy { ignore, type };

struct KeyboardOptions {
  RepeatPolicy repeat = RepeatPolicy::ignore;
  bool num_lock_on = true;  // the state after construction and reset()
};

enum class KeyStatus {
  character,         // text() holds the character typed (UTF-8)
  modifier,          // a modifier or lock key changed state
  released,          // a key release: types nothing
  repeat_ignored,    // an auto-repeat event, ignored by RepeatPolicy::ignore
  alt_code_digit,    // a keypad digit of an Alt code; the character comes when Alt is released
  unmapped,          // a press that types nothing in this keymap and state: count and log it
  alt_code_invalid,  // Alt released after an Alt code outside 1..127 or of too many digits
  invalid_value,     // value is not 0, 1 or 2
};

// "character", "modifier", ...
const char* key_status_name(KeyStatus status);

struct KeyResult {
  KeyStatus status = KeyStatus::released;
  std::uint16_t code = 0;  // the key fed
  // The character as UTF-8 when status is character (1 to 4 bytes).
  std::array<char, 4> bytes{};
  std::uint8_t size = 0;

  std::string_view text() const { return {bytes.data(), size}; }
};

// Turns one device's EV_KEY events into characters, tracking its modifier and lock state. Owns a
// copy of the keymap's table (the Keymap need not outlive it). Not thread-safe: one per device,
// fed from that device's event loop.
class KeyboardDecoder {
 public:
  // The keymap must pass validate_keymap() (a bug otherwise: check a caller's table first).
  explicit KeyboardDecoder(const Keymap& keymap = keymap_us(), KeyboardOptions options = {});

  // One EV_KEY event (input_event.code, input_event.value).
  KeyResult feed(std::uint16_t code, std::int32_t value);

  // Forgets every held key, Caps Lock and a pending Alt code; Num Lock back to the option. Call it
  // after SYN_DROPPED (events were lost) and when the device is reopened.
  void reset();

  bool caps_lock() const { return caps_lock_; }
  bool num_lock() const { return num_lock_; }
  std::string_view keymap_name() const { return keymap_name_; }

 private:
  struct Slot {
    bool mapped = false;
    KeymapEntry entry;
    char32_t us_plain = 0;  // the key's characters on "us", for Ctrl by key position
    char32_t us_shifted = 0;
  };

  KeyResult press(std::uint16_t code);
  KeyResult release_alt(std::uint16_t code);
  bool alt_down() const;
  bool altgr_down() const;

  std::array<Slot, keymap_code_max + 1> table_{};
  std::string_view keymap_name_;
  bool right_alt_is_altgr_ = false;
  KeyboardOptions options_;
  bool left_shift_ = false, right_shift_ = false;
  bool left_ctrl_ = false, right_ctrl_ = false;
  bool left_alt_ = false, right_alt_ = false;
  bool caps_lock_ = false;
  bool num_lock_ = true;
  std::uint32_t alt_code_ = 0;
  std::size_t alt_code_digits_ = 0;
};

// An EV_KEY event, as a wedge sends it.
struct KeyEvent {
  std::uint16_t code = 0;
  std::int32_t value = 0;
  friend bool operator==(const KeyEvent&, const KeyEvent&) = default;
};

// The key events that type `text` (UTF-8) on `keymap`, as a wedge set to that layout sends them:
// press and release per character, Shift or AltGr around it, Ctrl+key for control characters
// 0x00-0x1F (CR as Enter, TAB as Tab). Caps Lock is assumed off. For tests, replays and the
// fuzzer. invalid_argument naming the position when a character has no key, text is not UTF-8,
// or it is longer than limits::scan_label_bytes_max.
Result<std::vector<KeyEvent>> key_events_for_text(const Keymap& keymap, std::string_view text);

}  // namespace loyalty::drivers
