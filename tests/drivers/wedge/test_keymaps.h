// The keymaps of the drivers tests, compiled once per test program: each Keymap::load() runs
// libxkbcommon over the XKB data files (a few milliseconds), and a test uses the same few layouts
// many times. Fails the test (REQUIRE) when a layout cannot be built.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <string_view>

#include "loyalty/drivers/wedge/keymap.h"

namespace drivers_test {

inline const loyalty::drivers::Keymap& test_keymap(std::string_view name) {
  static std::map<std::string, loyalty::drivers::Keymap, std::less<>> loaded;
  if (const auto it = loaded.find(name); it != loaded.end()) return it->second;
  auto keymap = loyalty::drivers::Keymap::load(name);
  INFO("keymap " << name << ": " << (keymap.ok() ? "" : keymap.error().message));
  REQUIRE(keymap.ok());
  return loaded.emplace(std::string(name), std::move(keymap).value()).first->second;
}

}  // namespace drivers_test
