// Keymap::load(): an XKB layout compiled with libxkbcommon into the table the decoder reads
// (keymap_table.h), and parse_keymap_spec().
#include <linux/input-event-codes.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/utf8.h"
#include "loyalty/drivers/wedge/keymap.h"
#include "wedge/keymap_table.h"

namespace loyalty::drivers {

namespace {

using wedge_detail::KeymapTable;
using wedge_detail::KeyRole;
using wedge_detail::KeySlot;

// evdev key codes are XKB key codes minus 8 (the X11 offset), in the "evdev" rules.
constexpr xkb_keycode_t xkb_keycode_offset = 8;
// libxkbcommon's error lines kept for the message (its first ones say what was wrong).
constexpr std::size_t xkb_log_lines_max = 4;
// The Compose table that gives a dead key its spacing character (libX11's, Debian libx11-data).
constexpr const char* compose_locale = "en_US.UTF-8";

template <class T, void (*Free)(T*)>
struct Unref {
  void operator()(T* handle) const { Free(handle); }
};
using Context = std::unique_ptr<xkb_context, Unref<xkb_context, xkb_context_unref>>;
using XkbKeymap = std::unique_ptr<xkb_keymap, Unref<xkb_keymap, xkb_keymap_unref>>;
using State = std::unique_ptr<xkb_state, Unref<xkb_state, xkb_state_unref>>;
using ComposeTable =
    std::unique_ptr<xkb_compose_table, Unref<xkb_compose_table, xkb_compose_table_unref>>;
using ComposeState =
    std::unique_ptr<xkb_compose_state, Unref<xkb_compose_state, xkb_compose_state_unref>>;

// libxkbcommon logs to stderr by default; its errors go into the message instead.
struct XkbLog {
  std::vector<std::string> lines;
};

__attribute__((format(printf, 3, 0))) void collect_log(xkb_context* context,
                                                       enum xkb_log_level level, const char* format,
                                                       va_list args) {
  auto* log = static_cast<XkbLog*>(xkb_context_get_user_data(context));
  if (log == nullptr || level > XKB_LOG_LEVEL_ERROR || log->lines.size() >= xkb_log_lines_max) {
    return;
  }
  char line[256];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text = line;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  log->lines.push_back(std::move(text));
}

bool is_name_char(char c, bool option) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || (option && (c == ':' || c == ','));
}

bool is_name(std::string_view text, bool option) {
  for (const char c : text) {
    if (!is_name_char(c, option)) return false;
  }
  return true;
}

std::string spec_name(const KeymapSpec& spec) {
  return spec.variant.empty() ? spec.layout : spec.layout + ":" + spec.variant;
}

Error keymap_error(ErrorCode code, const KeymapSpec& spec, const std::string& what) {
  return make_error(code, "keymap '" + spec_name(spec) + "': " + what);
}

Status check_spec(const KeymapSpec& spec) {
  if (spec.layout.empty()) {
    return keymap_error(
        ErrorCode::invalid_argument, spec,
        "no layout given: name the XKB layout the reader is set to (us, de, fr...)");
  }
  if (!is_name(spec.layout, false) || !is_name(spec.variant, false)) {
    return keymap_error(ErrorCode::invalid_argument, spec,
                        "a layout or variant name has only letters, digits, '_' and '-'");
  }
  if (!is_name(spec.options, true)) {
    return keymap_error(
        ErrorCode::invalid_argument, spec,
        "XKB options \"" + spec.options + "\" have only letters, digits, '_', '-', ':' and ','");
  }
  return {};
}

std::string include_paths(xkb_context* context) {
  std::string paths;
  for (unsigned i = 0; i < xkb_context_num_include_paths(context); ++i) {
    if (!paths.empty()) paths += ", ";
    paths += xkb_context_include_path_get(context, i);
  }
  return paths;
}

Result<Context> make_context(const KeymapSpec& spec, XkbLog& log) {
  // The environment (XKB_DEFAULT_LAYOUT...) must not change what a configured reader types.
  int flags = XKB_CONTEXT_NO_ENVIRONMENT_NAMES;
  if (!spec.xkb_data_dir.empty()) flags |= XKB_CONTEXT_NO_DEFAULT_INCLUDES;
  Context context(xkb_context_new(static_cast<xkb_context_flags>(flags)));
  if (!context) {
    return keymap_error(ErrorCode::internal, spec, "libxkbcommon cannot create a context");
  }
  xkb_context_set_user_data(context.get(), &log);
  xkb_context_set_log_fn(context.get(), collect_log);
  xkb_context_set_log_level(context.get(), XKB_LOG_LEVEL_ERROR);
  if (!spec.xkb_data_dir.empty()) {
    xkb_context_include_path_append(context.get(), spec.xkb_data_dir.c_str());
  }
  if (xkb_context_num_include_paths(context.get()) == 0) {
    const std::string where =
        spec.xkb_data_dir.empty() ? "in libxkbcommon's default places" : "at " + spec.xkb_data_dir;
    return keymap_error(ErrorCode::not_found, spec,
                        "no XKB data " + where + ": install the Debian package xkb-data");
  }
  return context;
}

Result<XkbKeymap> compile(xkb_context* context, const KeymapSpec& spec, XkbLog& log) {
  log.lines.clear();
  const xkb_rule_names names{"evdev", "pc105", spec.layout.c_str(), spec.variant.c_str(),
                             spec.options.c_str()};
  XkbKeymap keymap(xkb_keymap_new_from_names(context, &names, XKB_KEYMAP_COMPILE_NO_FLAGS));
  if (keymap) return keymap;
  const std::string why = log.lines.empty() ? "no reason given" : log.lines.front();
  const std::string data = " (XKB data searched: " + include_paths(context) + ")";
  if (why.find("\"symbols/" + spec.layout + "\"") != std::string::npos) {
    return keymap_error(ErrorCode::invalid_argument, spec,
                        "XKB has no layout '" + spec.layout + "'" + data +
                            "; name one of its layouts, e.g. us, de, fr, gb or ch");
  }
  if (!spec.variant.empty() &&
      why.find("'" + spec.layout + "(" + spec.variant + ")'") != std::string::npos) {
    return keymap_error(
        ErrorCode::invalid_argument, spec,
        "XKB layout '" + spec.layout + "' has no variant '" + spec.variant + "'" + data);
  }
  return keymap_error(ErrorCode::invalid_argument, spec,
                      "libxkbcommon cannot build it: " + why + data +
                          "; check the names, and that the Debian package xkb-data is installed");
}

bool is_dead(xkb_keysym_t sym) {
  return sym >= XKB_KEY_dead_grave && sym <= XKB_KEY_dead_longsolidusoverlay;
}

KeyRole role_of(xkb_keysym_t sym) {
  switch (sym) {
    case XKB_KEY_Shift_L:
    case XKB_KEY_Shift_R:
      return KeyRole::shift;
    case XKB_KEY_Control_L:
    case XKB_KEY_Control_R:
      return KeyRole::ctrl;
    case XKB_KEY_Alt_L:
    case XKB_KEY_Alt_R:
    case XKB_KEY_Meta_L:
    case XKB_KEY_Meta_R:
      return KeyRole::alt;
    case XKB_KEY_ISO_Level3_Shift:
      return KeyRole::altgr;
    case XKB_KEY_Caps_Lock:
      return KeyRole::caps_lock;
    case XKB_KEY_Num_Lock:
      return KeyRole::num_lock;
    default:
      break;
  }
  // The other modifier and group keysyms: Shift_Lock, Super, Hyper (0xFFE6..0xFFEE), the ISO
  // latches, locks and group keys (0xFE01..0xFE13), Mode_switch.
  if ((sym >= XKB_KEY_Shift_L && sym <= XKB_KEY_Hyper_R) ||
      (sym >= XKB_KEY_ISO_Lock && sym <= XKB_KEY_ISO_Level5_Lock) || sym == XKB_KEY_Mode_switch) {
    return KeyRole::other_modifier;
  }
  return KeyRole::character;
}

// The keysym each key gives in one state of the modifiers, and the evdev code of one key per role.
struct Roles {
  std::array<std::uint16_t, wedge_detail::key_roles> code{};
};

Roles find_roles(xkb_keymap* keymap, KeymapTable& table) {
  Roles roles;
  const State state(xkb_state_new(keymap));
  for (std::uint16_t code = 1; code <= keymap_code_max; ++code) {
    const xkb_keysym_t sym = xkb_state_key_get_one_sym(state.get(), code + xkb_keycode_offset);
    const KeyRole role = role_of(sym);
    table.keys[code].role = role;
    auto& first = roles.code[static_cast<std::size_t>(role)];
    if (role != KeyRole::character && first == 0) first = code;
  }
  // Where a PC keyboard has the key, that one (XKB also gives ISO_Level3_Shift to code 84, which
  // no keyboard sends): it is the key key_events_for_text() presses.
  for (const std::uint16_t code :
       {KEY_LEFTSHIFT, KEY_LEFTCTRL, KEY_LEFTALT, KEY_RIGHTALT, KEY_CAPSLOCK, KEY_NUMLOCK}) {
    const KeyRole role = table.keys[code].role;
    if (role != KeyRole::character) roles.code[static_cast<std::size_t>(role)] = code;
  }
  return roles;
}

// A fresh state with the modifiers of `index` (wedge_detail::state_* bits) pressed or locked.
State make_state(xkb_keymap* keymap, const Roles& roles, unsigned index) {
  State state(xkb_state_new(keymap));
  const auto press = [&](KeyRole role) {
    const std::uint16_t code = roles.code[static_cast<std::size_t>(role)];
    if (code != 0) xkb_state_update_key(state.get(), code + xkb_keycode_offset, XKB_KEY_DOWN);
  };
  const auto lock = [&](KeyRole role) {
    const std::uint16_t code = roles.code[static_cast<std::size_t>(role)];
    if (code == 0) return;
    xkb_state_update_key(state.get(), code + xkb_keycode_offset, XKB_KEY_DOWN);
    xkb_state_update_key(state.get(), code + xkb_keycode_offset, XKB_KEY_UP);
  };
  if (index & wedge_detail::state_shift) press(KeyRole::shift);
  if (index & wedge_detail::state_altgr) press(KeyRole::altgr);
  if (index & wedge_detail::state_caps_lock) lock(KeyRole::caps_lock);
  if (index & wedge_detail::state_num_lock) lock(KeyRole::num_lock);
  return state;
}

// The dead keysym of every (key, state) that has one, to be resolved through the Compose table.
struct DeadKey {
  std::uint16_t code = 0;
  unsigned state = 0;
  xkb_keysym_t sym = 0;
};

std::vector<DeadKey> fill_characters(xkb_keymap* keymap, const Roles& roles, KeymapTable& table) {
  std::vector<DeadKey> dead;
  for (unsigned index = 0; index < wedge_detail::states; ++index) {
    const State state = make_state(keymap, roles, index);
    for (std::uint16_t code = 1; code <= keymap_code_max; ++code) {
      KeySlot& slot = table.keys[code];
      if (slot.role != KeyRole::character) continue;
      const xkb_keycode_t key = code + xkb_keycode_offset;
      const xkb_keysym_t sym = xkb_state_key_get_one_sym(state.get(), key);
      if (is_dead(sym)) {
        dead.push_back({code, index, sym});
        continue;
      }
      slot.typed[index] = xkb_state_key_get_utf32(state.get(), key);
      if (index == wedge_detail::state_num_lock && sym >= XKB_KEY_KP_Space &&
          sym <= XKB_KEY_KP_Equal) {
        slot.keypad = true;
        if (sym >= XKB_KEY_KP_0 && sym <= XKB_KEY_KP_9) {
          slot.keypad_digit = static_cast<std::int8_t>(sym - XKB_KEY_KP_0);
        }
      }
    }
  }
  return dead;
}

void fill_us_characters(xkb_keymap* us, KeymapTable& table) {
  const State plain(xkb_state_new(us));
  State shifted(xkb_state_new(us));
  xkb_state_update_key(shifted.get(), KEY_LEFTSHIFT + xkb_keycode_offset, XKB_KEY_DOWN);
  for (std::uint16_t code = 1; code <= keymap_code_max; ++code) {
    table.keys[code].us_plain = xkb_state_key_get_utf32(plain.get(), code + xkb_keycode_offset);
    table.keys[code].us_shifted = xkb_state_key_get_utf32(shifted.get(), code + xkb_keycode_offset);
  }
}

// The dead key's spacing character: what the Compose table gives for it pressed twice (dead
// acute twice is U+00B4; dead acute + space is an apostrophe there), else for it + space.
char32_t spacing_character(xkb_compose_table* table, xkb_keysym_t dead) {
  for (const xkb_keysym_t second : {dead, static_cast<xkb_keysym_t>(XKB_KEY_space)}) {
    const ComposeState state(xkb_compose_state_new(table, XKB_COMPOSE_STATE_NO_FLAGS));
    if (!state) return 0;
    xkb_compose_state_feed(state.get(), dead);
    xkb_compose_state_feed(state.get(), second);
    if (xkb_compose_state_get_status(state.get()) != XKB_COMPOSE_COMPOSED) continue;
    char utf8[16];
    const int size = xkb_compose_state_get_utf8(state.get(), utf8, sizeof utf8);
    const std::string_view text(utf8, size > 0 ? static_cast<std::size_t>(size) : 0);
    const std::optional<Utf8Char> c = decode_utf8(text, 0);
    if (c && c->size == text.size()) return c->value;  // one character, not a sequence
  }
  return 0;
}

Status resolve_dead_keys(xkb_context* context, const KeymapSpec& spec,
                         const std::vector<DeadKey>& dead, KeymapTable& table) {
  if (dead.empty()) return {};
  const ComposeTable compose(
      xkb_compose_table_new_from_locale(context, compose_locale, XKB_COMPOSE_COMPILE_NO_FLAGS));
  if (!compose) {
    return keymap_error(ErrorCode::not_found, spec,
                        "the layout has dead keys, and libX11's Compose table for " +
                            std::string(compose_locale) +
                            " that gives their characters cannot be loaded: install the Debian "
                            "package libx11-data");
  }
  for (const DeadKey& d : dead) {
    const char32_t c = spacing_character(compose.get(), d.sym);
    if (c == 0) continue;  // a dead key with no spacing form types nothing (reported unmapped)
    table.keys[d.code].typed[d.state] = c;
    table.keys[d.code].dead = static_cast<std::uint16_t>(table.keys[d.code].dead | (1u << d.state));
  }
  return {};
}

}  // namespace

Result<KeymapSpec> parse_keymap_spec(std::string_view name) {
  KeymapSpec spec;
  const std::size_t colon = name.find(':');
  spec.layout = std::string(name.substr(0, colon));
  if (colon != std::string_view::npos) spec.variant = std::string(name.substr(colon + 1));
  if (colon != std::string_view::npos && spec.variant.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "keymap '" + std::string(name) +
                          "': nothing after ':'; write layout or layout:variant (e.g. ch:fr)");
  }
  TRY(check_spec(spec));
  return spec;
}

Keymap::Keymap(std::shared_ptr<const wedge_detail::KeymapTable> table) : table_(std::move(table)) {
  LOYALTY_ASSERT(table_ != nullptr);
}

const std::string& Keymap::name() const { return table_->name; }

Result<Keymap> Keymap::load(std::string_view name) { return load(TRY(parse_keymap_spec(name))); }

Result<Keymap> Keymap::load(const KeymapSpec& spec) {
  TRY(check_spec(spec));
  XkbLog log;
  const Context context = TRY(make_context(spec, log));
  const XkbKeymap keymap = TRY(compile(context.get(), spec, log));
  const bool is_us = spec.layout == "us" && spec.variant.empty() && spec.options.empty();
  XkbKeymap us_keymap;
  if (!is_us) us_keymap = TRY(compile(context.get(), KeymapSpec{"us", "", "", ""}, log));

  auto table = std::make_shared<KeymapTable>();
  table->name = spec_name(spec);
  const Roles roles = find_roles(keymap.get(), *table);
  table->shift_code = roles.code[static_cast<std::size_t>(KeyRole::shift)];
  table->ctrl_code = roles.code[static_cast<std::size_t>(KeyRole::ctrl)];
  table->altgr_code = roles.code[static_cast<std::size_t>(KeyRole::altgr)];
  const std::vector<DeadKey> dead = fill_characters(keymap.get(), roles, *table);
  fill_us_characters(is_us ? keymap.get() : us_keymap.get(), *table);
  TRY(resolve_dead_keys(context.get(), spec, dead, *table));
  return Keymap(std::move(table));
}

}  // namespace loyalty::drivers
