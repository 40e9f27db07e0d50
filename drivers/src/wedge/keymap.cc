// KeyboardDecoder: evdev EV_KEY events -> characters through an explicit keymap (keymap.h).
#include "loyalty/drivers/wedge/keymap.h"

#include <linux/input-event-codes.h>

#include <optional>

namespace loyalty::drivers {

namespace {

// Decimal digits of an Alt code ("Alt+0029"); more is a mistake, reported on Alt release.
constexpr std::size_t alt_code_digits_max = 4;
// Alt codes typed as characters: ASCII without NUL. Above 127 the code page is ambiguous
// (Windows OEM vs ANSI), so those are reported rather than guessed.
constexpr std::uint32_t alt_code_max = 127;

KeyResult result(KeyStatus status, std::uint16_t code) {
  KeyResult r;
  r.status = status;
  r.code = code;
  return r;
}

KeyResult character(std::uint16_t code, char32_t c) {
  KeyResult r = result(KeyStatus::character, code);
  auto put = [&r](unsigned value) { r.bytes[r.size++] = static_cast<char>(value); };
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
  return r;
}

// Ctrl + a key typing c: '@'..'_' and 'a'..'z' give c & 0x1F (Ctrl+@ is NUL); a control
// character stays as it is (Ctrl+Enter is still CR); nullopt for anything else.
std::optional<char32_t> control_of(char32_t c) {
  if (c > 0 && c < 0x20) return c;
  if ((c >= 0x40 && c <= 0x5F) || (c >= 'a' && c <= 'z')) return c & 0x1F;
  return std::nullopt;
}

constexpr std::uint16_t keypad_digit_codes[10] = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                                  KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};

// 0-9 for a keypad digit key, -1 for any other key.
int keypad_digit(std::uint16_t code) {
  for (int digit = 0; digit < 10; ++digit) {
    if (keypad_digit_codes[digit] == code) return digit;
  }
  return -1;
}

}  // namespace

const char* key_status_name(KeyStatus status) {
  switch (status) {
    case KeyStatus::character:
      return "character";
    case KeyStatus::modifier:
      return "modifier";
    case KeyStatus::released:
      return "released";
    case KeyStatus::repeat_ignored:
      return "repeat_ignored";
    case KeyStatus::alt_code_digit:
      return "alt_code_digit";
    case KeyStatus::unmapped:
      return "unmapped";
    case KeyStatus::alt_code_invalid:
      return "alt_code_invalid";
    case KeyStatus::invalid_value:
      return "invalid_value";
  }
  return "unknown";
}

KeyboardDecoder::KeyboardDecoder(const Keymap& keymap, KeyboardOptions options)
    : keymap_name_(keymap.name),
      right_alt_is_altgr_(keymap.right_alt_is_altgr),
      options_(options),
      num_lock_(options.num_lock_on) {
  LOYALTY_ASSERT(validate_keymap(keymap).ok());
  for (const KeymapEntry& e : keymap.entries) table_[e.code] = {true, e};
  for (const KeymapEntry& e : keymap_us().entries) {
    table_[e.code].us_plain = e.plain;
    table_[e.code].us_shifted = e.shifted;
  }
}

void KeyboardDecoder::reset() {
  left_shift_ = right_shift_ = false;
  left_ctrl_ = right_ctrl_ = false;
  left_alt_ = right_alt_ = false;
  caps_lock_ = false;
  num_lock_ = options_.num_lock_on;
  alt_code_ = 0;
  alt_code_digits_ = 0;
}

bool KeyboardDecoder::alt_down() const { return left_alt_ || (right_alt_ && !right_alt_is_altgr_); }

bool KeyboardDecoder::altgr_down() const { return right_alt_ && right_alt_is_altgr_; }

KeyResult KeyboardDecoder::feed(std::uint16_t code, std::int32_t value) {
  if (value < 0 || value > 2) return result(KeyStatus::invalid_value, code);
  const auto key_value = static_cast<KeyValue>(value);
  const bool down = key_value != KeyValue::release;

  switch (code) {
    case KEY_LEFTSHIFT:
      left_shift_ = down;
      return result(KeyStatus::modifier, code);
    case KEY_RIGHTSHIFT:
      right_shift_ = down;
      return result(KeyStatus::modifier, code);
    case KEY_LEFTCTRL:
      left_ctrl_ = down;
      return result(KeyStatus::modifier, code);
    case KEY_RIGHTCTRL:
      right_ctrl_ = down;
      return result(KeyStatus::modifier, code);
    case KEY_LEFTMETA:
    case KEY_RIGHTMETA:
      return result(KeyStatus::modifier, code);
    case KEY_LEFTALT:
    case KEY_RIGHTALT: {
      const bool was_alt = alt_down();
      (code == KEY_LEFTALT ? left_alt_ : right_alt_) = down;
      if (was_alt && !alt_down()) return release_alt(code);
      return result(KeyStatus::modifier, code);
    }
    case KEY_CAPSLOCK:
      if (key_value == KeyValue::press) caps_lock_ = !caps_lock_;
      return result(KeyStatus::modifier, code);
    case KEY_NUMLOCK:
      if (key_value == KeyValue::press) num_lock_ = !num_lock_;
      return result(KeyStatus::modifier, code);
    default:
      break;
  }
  if (key_value == KeyValue::release) return result(KeyStatus::released, code);
  if (key_value == KeyValue::repeat && options_.repeat == RepeatPolicy::ignore) {
    return result(KeyStatus::repeat_ignored, code);
  }
  return press(code);
}

KeyResult KeyboardDecoder::release_alt(std::uint16_t code) {
  const std::size_t digits = alt_code_digits_;
  const std::uint32_t value = alt_code_;
  alt_code_ = 0;
  alt_code_digits_ = 0;
  if (digits == 0) return result(KeyStatus::modifier, code);
  if (digits > alt_code_digits_max || value == 0 || value > alt_code_max) {
    return result(KeyStatus::alt_code_invalid, code);
  }
  return character(code, value);
}

KeyResult KeyboardDecoder::press(std::uint16_t code) {
  if (alt_down()) {
    const int digit = keypad_digit(code);
    if (digit < 0) return result(KeyStatus::unmapped, code);  // Alt chords type nothing
    // Digits past the maximum only mark the code invalid (the count stops one past it).
    if (alt_code_digits_ < alt_code_digits_max) alt_code_ = alt_code_ * 10 + digit;
    if (alt_code_digits_ <= alt_code_digits_max) ++alt_code_digits_;
    return result(KeyStatus::alt_code_digit, code);
  }
  if (code > keymap_code_max || !table_[code].mapped) return result(KeyStatus::unmapped, code);
  const KeymapEntry& e = table_[code].entry;
  if (e.kind == KeyKind::keypad && !num_lock_) return result(KeyStatus::unmapped, code);

  const bool shift = left_shift_ || right_shift_;
  const bool level2 = shift != (caps_lock_ && e.kind == KeyKind::letter);
  const bool altgr = altgr_down();
  const char32_t c = altgr ? e.altgr : (level2 ? e.shifted : e.plain);
  if (!left_ctrl_ && !right_ctrl_) {
    if (c == 0) return result(KeyStatus::unmapped, code);
    return character(code, c);
  }
  std::optional<char32_t> control = control_of(c);
  if (!control && !altgr) {
    // Scanners send control characters by US key position (Ctrl + the key of ']' for GS).
    control = control_of(shift ? table_[code].us_shifted : table_[code].us_plain);
  }
  if (!control) return result(KeyStatus::unmapped, code);
  return character(code, *control);
}

}  // namespace loyalty::drivers
