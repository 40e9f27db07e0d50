// Loads a rule bundle (docs/rules.md) into a Program. The bundle is untrusted: every field is
// checked, and a bad bundle gets one precise error naming the field path and the reason, e.g.
// `rules[3].percent_bp: must be between 1 and 10000, got 12000`. A bundle never half-loads: the
// Program is returned only when the whole bundle is valid.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "loyalty/core/json.h"
#include "loyalty/core/program.h"
#include "loyalty/core/result.h"

namespace loyalty {

// The bundle format this build reads.
inline constexpr std::string_view program_format = "loyalty-program/1";

Result<Program> load_program(std::string_view bundle_json);
Result<Program> load_program(const json::Value& bundle);

}  // namespace loyalty
