// The rule bundle's `identification` section (docs/rules.md, docs/identification.md): card
// ranges, coupon patterns, phone rules, app-token rules and keys. Part of the loader
// (program_loader.h); errors follow json/fields.h and program/loader_internal.h, and add:
//
//   must be 1 to 18 digits, or LOW..HIGH ..., got "..."      a card prefix
//   overlaps card_ranges[0].prefixes[0] (29): ...            prefixes of two ranges, a GS1 coupon
//                                                            prefix or a phone prefix
//   duplicate card range name "x" | duplicate key id "x"
//   must be base64url (...) of 16 to 1024 bytes; ...         an app-token key: never quoted
//
// App-token keys are secrets: no error names their value, only their field.
#pragma once

#include <optional>
#include <string>

#include "loyalty/core/identification.h"
#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "program/loader_internal.h"

namespace loyalty::loader {

// Reads the section at `path` ("identification") into *out (set only when the whole section is
// valid).
Status read_identification(const Context& ctx, const json::Value& value, const std::string& path,
                           std::optional<IdentificationConfig>* out);

}  // namespace loyalty::loader
