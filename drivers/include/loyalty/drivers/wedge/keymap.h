// Keyboard-wedge readers (barcode scanners and magstripe readers that pretend to be a keyboard):
// Linux evdev key events -> characters, through the XKB layout the reader is set to.
//
// A wedge scanner types its data as key presses for the layout it was configured for. The device
// is grabbed (EVIOCGRAB), so the console keymap never sees it; this decoder applies the layout the
// scanner was set to, independently of the terminal's. Layouts come from libxkbcommon and the
// XKB data of xkeyboard-config (Debian packages libxkbcommon0 and xkb-data): any XKB layout and
// variant ("us", "de", "fr", "gb", "ch:fr", "de:nodeadkeys", ...). Keymap::load() compiles it
// once into a table of what every key types in every state of Shift, Caps Lock, AltGr and Num
// Lock, so that decoding a key is a table lookup and never calls into libxkbcommon.
//
// Decoding rules (KeyboardDecoder::feed):
//   - Which key is Shift, Ctrl, Alt, AltGr (ISO_Level3_Shift), Caps Lock or Num Lock is the
//     layout's: on "us" right Alt is Alt, on "de" and "fr" it is AltGr. Shift (either), Caps Lock
//     (toggled on press) and AltGr select what the key types as XKB's key types say: Caps Lock
//     capitalises letters only, and Shift with Caps Lock gives the small letter.
//   - Ctrl + a key whose character is '@'..'_' or a letter types the control character
//     (char & 0x1F): Ctrl+M -> CR, Ctrl+] -> GS 0x1D (how wedge scanners send GS1 FNC1). When the
//     layout's character is not such a character, the key's US character decides (scanners send
//     control characters by US key position): on "de", Ctrl + the '+' key is GS too.
//   - Enter and keypad Enter type CR; Tab types TAB (as XKB's keysyms say).
//   - Alt (not AltGr) held + keypad digits, then Alt released: the character with that decimal
//     code (Alt+0029 -> GS). Codes 1-127 only; others are reported as alt_code_invalid.
//   - Keypad keys type their digit or sign only while Num Lock is on (the default; Num Lock
//     toggles it), as XKB's keypad type says.
//   - Dead keys: a scanner never composes. A dead key types its spacing character at once (the
//     character libX11's Compose table gives for the dead key pressed twice, e.g. dead_circumflex
//     -> '^', dead_acute -> U+00B4), and one space right after it is swallowed (status
//     dead_key_space): a wedge set to such a layout sends dead key + space to type the accent on a
//     PC, as a PC consumes that space. Any other key after a dead key types its own character, not
//     a composed one.
//   - Auto-repeat events (value 2) are ignored by default: a wedge never holds a key, so a repeat
//     is the kernel's soft repeat on a slow release and would duplicate a character. With
//     RepeatPolicy::type they type again, as on a console.
//   - A press that types nothing in this keymap is reported (KeyStatus::unmapped), never dropped
//     silently: the caller counts and logs it (it usually means the layout is wrong).
//
// Thread-safety: a Keymap is immutable and may be shared between threads; a KeyboardDecoder is a
// plain value with no locks: use one per device, from one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::drivers {

// Which XKB keymap to build (XKB's RMLVO names; the rules are "evdev", the model "pc105").
struct KeymapSpec {
  std::string layout = "us";  // an XKB layout: /usr/share/X11/xkb/symbols/<layout>
  std::string variant;        // one of the layout's variants; empty: its default
  std::string options;        // XKB options, comma-separated (e.g. "lv3:ralt_alt"); usually empty
  // Where the XKB data is; empty: libxkbcommon's default (/usr/share/X11/xkb, Debian xkb-data).
  std::string xkb_data_dir;
};

// "layout" or "layout:variant" (the way a reader's layout is named in options and on the
// command line) -> KeymapSpec. Names are letters, digits, '_' and '-'. invalid_argument naming
// the text otherwise.
Result<KeymapSpec> parse_keymap_spec(std::string_view name);

namespace wedge_detail {
struct KeymapTable;
}

// A compiled layout: what each evdev key code types in each state, built once by load(). Copies
// share one immutable table (about 20 KiB), so a Keymap is cheap to copy and to keep.
class Keymap {
 public:
  // Compiles the layout with libxkbcommon (a few milliseconds; reads the XKB data files).
  // invalid_argument naming the layout when XKB has no such layout or variant or the name is
  // malformed; not_found when the XKB data or, for a layout with dead keys, libX11's Compose
  // table (Debian libx11-data) cannot be found.
  static Result<Keymap> load(const KeymapSpec& spec);
  static Result<Keymap> load(std::string_view name);  // parse_keymap_spec(name), then load

  // "layout" or "layout:variant", as loaded.
  const std::string& name() const;

  // The compiled table, for the decoder and key_events_for_text() (drivers/src/wedge/).
  const wedge_detail::KeymapTable& table() const { return *table_; }

 private:
  explicit Keymap(std::shared_ptr<const wedge_detail::KeymapTable> table);

  std::shared_ptr<const wedge_detail::KeymapTable> table_;
};

// Highest evdev key code a keymap maps (the keyboard keys; KEY_MAX is larger but holds buttons).
inline constexpr std::uint16_t keymap_code_max = 255;

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
  dead_key_space,    // the space right after a dead key, which typed the dead key's character
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

// Turns one device's EV_KEY events into characters, tracking its modifier and lock state. Shares
// the keymap's table (the Keymap need not outlive it). Not thread-safe: one per device, fed from
// that device's event loop. Each feed() is a few table lookups.
class KeyboardDecoder {
 public:
  explicit KeyboardDecoder(Keymap keymap, KeyboardOptions options = {});

  // One EV_KEY event (input_event.code, input_event.value).
  KeyResult feed(std::uint16_t code, std::int32_t value);

  // Forgets every held key, Caps Lock, a pending Alt code and a pending dead key; Num Lock back
  // to the option. Call it after SYN_DROPPED (events were lost) and when the device is reopened.
  void reset();

  bool caps_lock() const { return caps_lock_; }
  bool num_lock() const { return num_lock_; }
  const std::string& keymap_name() const { return keymap_.name(); }

 private:
  KeyResult modifier(std::uint16_t code, KeyValue value);
  KeyResult press(std::uint16_t code);
  KeyResult release_alt(std::uint16_t code);
  unsigned state_index() const;

  Keymap keymap_;
  const wedge_detail::KeymapTable* table_;  // keymap_'s
  KeyboardOptions options_;
  std::array<bool, keymap_code_max + 1> held_{};  // modifier keys held down
  std::array<std::uint8_t, 8> held_count_{};      // held modifier keys, by role
  bool caps_lock_ = false;
  bool num_lock_ = true;
  bool after_dead_key_ = false;
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
// press and release per character, Shift and/or AltGr around it, a dead key followed by a space
// for its spacing character, Ctrl+key for control characters 0x00-0x1F (CR as Enter, TAB as
// Tab). Caps Lock is assumed off and Num Lock on. For tests, replays and the fuzzer.
// invalid_argument naming the position when a character has no key, text is not UTF-8, or it is
// longer than limits::scan_label_bytes_max.
Result<std::vector<KeyEvent>> key_events_for_text(const Keymap& keymap, std::string_view text);

}  // namespace loyalty::drivers
