// KeyboardDecoder: evdev EV_KEY events -> characters through a compiled keymap (keymap.h,
// wedge/keymap_table.h): table lookups only, no libxkbcommon call per key.
#include "loyalty/drivers/wedge/keymap.h"

#include <optional>
#include <utility>

#include "wedge/keymap_table.h"

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

using wedge_detail::KeyRole;

std::size_t role_index(KeyRole role) { return static_cast<std::size_t>(role); }

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
    case KeyStatus::dead_key_space:
      return "dead_key_space";
    case KeyStatus::unmapped:
      return "unmapped";
    case KeyStatus::alt_code_invalid:
      return "alt_code_invalid";
    case KeyStatus::invalid_value:
      return "invalid_value";
  }
  return "unknown";
}

KeyboardDecoder::KeyboardDecoder(Keymap keymap, KeyboardOptions options)
    : keymap_(std::move(keymap)),
      table_(&keymap_.table()),
      options_(options),
      num_lock_(options.num_lock_on) {}

void KeyboardDecoder::reset() {
  held_.fill(false);
  held_count_.fill(0);
  caps_lock_ = false;
  num_lock_ = options_.num_lock_on;
  after_dead_key_ = false;
  alt_code_ = 0;
  alt_code_digits_ = 0;
}

unsigned KeyboardDecoder::state_index() const {
  unsigned index = 0;
  if (held_count_[role_index(KeyRole::shift)] > 0) index |= wedge_detail::state_shift;
  if (caps_lock_) index |= wedge_detail::state_caps_lock;
  if (held_count_[role_index(KeyRole::altgr)] > 0) index |= wedge_detail::state_altgr;
  if (num_lock_) index |= wedge_detail::state_num_lock;
  return index;
}

KeyResult KeyboardDecoder::feed(std::uint16_t code, std::int32_t value) {
  if (value < 0 || value > 2) return result(KeyStatus::invalid_value, code);
  const auto key_value = static_cast<KeyValue>(value);
  if (code <= keymap_code_max && table_->keys[code].role != KeyRole::character) {
    return modifier(code, key_value);
  }
  if (key_value == KeyValue::release) return result(KeyStatus::released, code);
  if (key_value == KeyValue::repeat && options_.repeat == RepeatPolicy::ignore) {
    return result(KeyStatus::repeat_ignored, code);
  }
  return press(code);
}

KeyResult KeyboardDecoder::modifier(std::uint16_t code, KeyValue value) {
  const KeyRole role = table_->keys[code].role;
  const bool down = value != KeyValue::release;
  switch (role) {
    case KeyRole::caps_lock:
      if (value == KeyValue::press) caps_lock_ = !caps_lock_;
      return result(KeyStatus::modifier, code);
    case KeyRole::num_lock:
      if (value == KeyValue::press) num_lock_ = !num_lock_;
      return result(KeyStatus::modifier, code);
    case KeyRole::other_modifier:
    case KeyRole::character:
      return result(KeyStatus::modifier, code);
    case KeyRole::shift:
    case KeyRole::ctrl:
    case KeyRole::alt:
    case KeyRole::altgr:
      break;
  }
  // Counted per key, so that a repeat or a release without a press changes nothing.
  const bool was_alt = held_count_[role_index(KeyRole::alt)] > 0;
  if (down != held_[code]) {
    held_[code] = down;
    if (down) {
      ++held_count_[role_index(role)];
    } else {
      --held_count_[role_index(role)];
    }
  }
  if (was_alt && held_count_[role_index(KeyRole::alt)] == 0) return release_alt(code);
  return result(KeyStatus::modifier, code);
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
  const bool after_dead_key = std::exchange(after_dead_key_, false);
  if (code > keymap_code_max) return result(KeyStatus::unmapped, code);
  const wedge_detail::KeySlot& slot = table_->keys[code];
  if (held_count_[role_index(KeyRole::alt)] > 0) {
    if (slot.keypad_digit < 0) return result(KeyStatus::unmapped, code);  // Alt chords type nothing
    // Digits past the maximum only mark the code invalid (the count stops one past it).
    if (alt_code_digits_ < alt_code_digits_max) {
      alt_code_ = alt_code_ * 10 + static_cast<std::uint32_t>(slot.keypad_digit);
    }
    if (alt_code_digits_ <= alt_code_digits_max) ++alt_code_digits_;
    return result(KeyStatus::alt_code_digit, code);
  }
  const unsigned state = state_index();
  const char32_t c = slot.typed[state];
  const bool dead = (slot.dead >> state) & 1u;
  const bool shift = (state & wedge_detail::state_shift) != 0;
  const bool altgr = (state & wedge_detail::state_altgr) != 0;
  if (held_count_[role_index(KeyRole::ctrl)] == 0) {
    if (c == 0) return result(KeyStatus::unmapped, code);
    // The space a wedge sends after a dead key to get its character on a PC.
    if (after_dead_key && c == ' ' && !dead) return result(KeyStatus::dead_key_space, code);
    after_dead_key_ = dead;
    return character(code, c);
  }
  std::optional<char32_t> control = control_of(c);
  if (!control && !altgr) {
    // Scanners send control characters by US key position (Ctrl + the key of ']' for GS).
    control = control_of(shift ? slot.us_shifted : slot.us_plain);
  }
  if (!control) return result(KeyStatus::unmapped, code);
  return character(code, *control);
}

}  // namespace loyalty::drivers
