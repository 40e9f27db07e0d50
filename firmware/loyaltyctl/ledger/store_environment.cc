#include "ledger/store_environment.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "args/read_file.h"

namespace loyalty::cli {

namespace {

// A draw key file is a few dozen hex digits; anything much larger is the wrong file.
constexpr std::size_t draw_key_file_bytes_max = 4096;

}  // namespace

Result<std::optional<environment::TzdbZone>> store_zone(const ParsedArgs& parsed) {
  std::string name;
  std::string where = "--time-zone";
  if (const std::string* flag = parsed.flag("time-zone")) {
    name = *flag;
  } else if (const char* variable = std::getenv(environment::time_zone_variable.data());
             variable != nullptr && *variable != '\0') {
    name = variable;
    where = std::string(environment::time_zone_variable);
  } else {
    return std::optional<environment::TzdbZone>();
  }
  Result<environment::TzdbZone> zone = environment::TzdbZone::find(name);
  if (!zone.ok()) return make_error(zone.error().code, where + ": " + zone.error().message);
  return std::optional<environment::TzdbZone>(std::move(*zone));
}

Result<std::optional<environment::HmacDrawKeyer>> store_draw_keyer(const ParsedArgs& parsed) {
  const std::string* path = parsed.flag("draw-key-file");
  if (path == nullptr) return std::optional<environment::HmacDrawKeyer>();
  std::string text = TRY(read_file(*path, draw_key_file_bytes_max));
  Result<environment::HmacDrawKeyer> keyer = environment::HmacDrawKeyer::from_hex(text);
  std::fill(text.begin(), text.end(), '\0');  // the key's only other copy
  if (!keyer.ok()) return make_error(keyer.error().code, *path + ": " + keyer.error().message);
  return std::optional<environment::HmacDrawKeyer>(std::move(*keyer));
}

Result<StoreEnvironment> StoreEnvironment::from_flags(const ParsedArgs& parsed) {
  StoreEnvironment store;
  store.zone = TRY(store_zone(parsed));
  store.draw_keyer = TRY(store_draw_keyer(parsed));
  return store;
}

storage::TillEnvironment StoreEnvironment::till() const {
  storage::TillEnvironment till;
  till.zone = zone ? &*zone : nullptr;
  // loyaltyctl handles one program per command: the key file is that program's.
  if (draw_keyer) {
    const DrawKeyer* keyer = &*draw_keyer;
    till.draw_keyer = [keyer](std::string_view) { return keyer; };
  }
  return till;
}

}  // namespace loyalty::cli
