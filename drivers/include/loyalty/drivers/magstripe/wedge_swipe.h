// Keyboard-wedge swipe readers: the characters one swipe types, `%T1?;T2?+T3?` then CR or LF.
// A failed track is sent as `E`, framed (`%E?`, `;E?`) or bare in place of the track. Track 3
// may start with '+' (the wedge marker) or ';' (ISO); its raw text is given in ISO form (';').
// An AAMVA driving licence's track 3 starts with '#' (or '%' after tracks 1 and 2) and is
// reported as other_format. Some readers send each track's LRC character after its end sentinel
// (`…?9`): it is verified, and a wrong one marks that track (status lrc), not the line.
// Characters only: turning key events into characters is the evdev slice's job.
#pragma once

#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

// One line, terminator included. Errors for the whole line (invalid_argument, limit_exceeded):
// no CR/LF terminator, longer than limits::wedge_line_bytes_max, no track at all, a byte between
// tracks that starts none and is no LRC (a control character between tracks included), tracks
// out of order or more than three. Per-track failures are TrackResult statuses.
//
// The byte after an end sentinel is taken as that track's LRC when it is a character of the
// track's set that starts no segment (not % ; + # E); a byte that could start a segment is taken
// as the LRC only when it is the track's LRC and the line ends or a segment starts right after
// it. Applies the bank-card rule `rule`.
Result<Swipe> parse_wedge_swipe(std::string_view line, const BankCardRule& rule = {});

}  // namespace loyalty::drivers
