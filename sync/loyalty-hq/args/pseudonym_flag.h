// The customer a command is about: --pseudonym P as given, or --card C turned into the chain's
// pseudonym with HQ's pseudonym key (storage/pseudonyms.h), exactly one of the two.
//
// Thread-safety: reads the key file; otherwise pure.
#pragma once

#include <string>
#include <string_view>

#include "args/hq_args.h"
#include "loyalty/core/result.h"
#include "state/hq_dir.h"

namespace loyalty::hq {

Result<std::string> pseudonym_flag(std::string_view command, const ParsedArgs& parsed,
                                   const HqDir& dir);

}  // namespace loyalty::hq
