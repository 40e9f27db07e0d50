// The store's environment for the commands that quote (quote, checkout, open, commit, refund):
// the store's time zone (--time-zone Area/City, else $LOYALTY_TIME_ZONE) and the program's
// instant-win draw key (--draw-key-file, hex). loyaltyd reads both from its configuration
// (terminal.time_zone, program.draw_key_file).
#pragma once

#include <optional>

#include "args/cli_args.h"
#include "loyalty/core/result.h"
#include "loyalty/environment/hmac_draw_keyer.h"
#include "loyalty/environment/tzdb_zone.h"
#include "loyalty/storage/checkout.h"

namespace loyalty::cli {

// The zone named by --time-zone, else by $LOYALTY_TIME_ZONE; nullopt when neither is set. An
// unknown name is an error that names where it came from.
Result<std::optional<environment::TzdbZone>> store_zone(const ParsedArgs& parsed);

// The draw key in the --draw-key-file file; nullopt without the flag.
Result<std::optional<environment::HmacDrawKeyer>> store_draw_keyer(const ParsedArgs& parsed);

// Both, for a storage::Till. Owns what the TillEnvironment points to: keep it alive as long as
// the Till.
struct StoreEnvironment {
  std::optional<environment::TzdbZone> zone;
  std::optional<environment::HmacDrawKeyer> draw_keyer;

  static Result<StoreEnvironment> from_flags(const ParsedArgs& parsed);
  storage::TillEnvironment till() const;
};

}  // namespace loyalty::cli
