// Keyboard-wedge swipe readers: the characters one swipe types, `%T1?;T2?+T3?` then CR or LF.
// A failed track is sent as `E`, framed (`%E?`, `;E?`) or bare in place of the track. Track 3
// may start with '+' (the wedge marker) or ';' (ISO); its raw text is given in ISO form (';').
// Characters only: turning key events into characters is the evdev slice's job.
#pragma once

#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

// One line, terminator included. Errors for the whole line (invalid_argument, limit_exceeded):
// no CR/LF terminator, longer than limits::wedge_line_bytes_max, no track at all, a character
// between tracks that starts none, tracks out of order or more than three. Per-track failures are
// TrackResult statuses. Applies the bank-card rule.
Result<Swipe> parse_wedge_swipe(std::string_view line, const CardTokenizer* tokenizer = nullptr);

}  // namespace loyalty::drivers
