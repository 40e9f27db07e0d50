#include "output/swipe_json.h"

#include <cstdint>

namespace loyalty::cli {

void write_tracks_json(json::Writer& out, const drivers::Swipe& swipe) {
  out.begin_array();
  for (const drivers::TrackResult& track : swipe.tracks) {
    out.begin_object();
    out.key("track");
    out.value(static_cast<std::int64_t>(track.number));
    out.key("status");
    out.value(drivers::track_status_name(track.status));
    out.key("upos_extended_code");
    out.value(static_cast<std::int64_t>(drivers::upos_extended_code(track.status)));
    out.key("message");
    out.value(track.message);
    out.key("raw");
    out.value(track.raw);
    out.key("reversed");
    out.value(track.reversed);
    out.key("lrc");
    out.value(drivers::lrc_check_name(track.lrc));
    out.end_object();
  }
  out.end_array();
}

}  // namespace loyalty::cli
