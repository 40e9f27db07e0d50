// A recognised token as the till's JSON shows it (loyaltyctl listen and swipe, loyaltyd's identify
// replies and events): "kind", "form", "value", then "card_range", "card_kind", "expires_at" and
// "key_id" where the token has them.
//
// Thread-safety: a pure function over values.
#pragma once

#include "loyalty/core/identification.h"
#include "loyalty/core/json.h"

namespace loyalty {

// Writes the members into the object `out` has open.
void write_token_members(json::Writer& out, const CustomerToken& token);

}  // namespace loyalty
