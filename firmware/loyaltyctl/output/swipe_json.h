// The JSON of a decoded swipe's tracks, shared by `swipe` and `listen`:
// [{"track","status","upos_extended_code","message","raw","reversed","lrc"}, ...]. A payment
// card's tracks come withheld from the decoder (raw "").
#pragma once

#include "loyalty/core/json.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::cli {

// Writes the array of the three tracks as the next value of `out`.
void write_tracks_json(json::Writer& out, const drivers::Swipe& swipe);

}  // namespace loyalty::cli
