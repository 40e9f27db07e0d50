// The command line of loyalty-decoder: how DecoderSandbox tells its child which ImageDecoder to
// create. Both sides are here, so the round trip is one tested pair.
//
//   loyalty-decoder --formats=ean13,qrcode --effort=adaptive --symbols-max=1 [--quarter-turns]
//
// Every option is required except --quarter-turns (off unless given); nothing else is taken.
//
// Thread-safety: pure functions over values.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::daemon {

// "fast", "thorough", "adaptive".
const char* decode_effort_name(drivers::DecodeEffort effort);
Result<drivers::DecodeEffort> parse_decode_effort(std::string_view name);

// The arguments (without the program name) that make the child create a decoder with `options`.
std::vector<std::string> decoder_arguments(const drivers::ImageDecodeOptions& options);

// The options the arguments (without the program name) name. Errors (ErrorCode::invalid_argument)
// name the argument at fault: an unknown one, one given twice, a missing one, a bad value.
Result<drivers::ImageDecodeOptions> parse_decoder_arguments(std::span<const std::string_view> args);

}  // namespace loyalty::daemon
