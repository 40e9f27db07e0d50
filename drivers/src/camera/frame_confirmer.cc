// FrameConfirmer (frame_confirmer.h): sightings by type and label, counted in frames and time.
#include "loyalty/drivers/camera/frame_confirmer.h"

#include <algorithm>

#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

std::int64_t ms_between(FrameConfirmer::Clock::time_point from,
                        FrameConfirmer::Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

FrameConfirmer::Tracked* FrameConfirmer::find(const DecodedSymbol& symbol) {
  for (Tracked& t : tracked_) {
    if (t.type == symbol.type && t.label == symbol.label) return &t;
  }
  return nullptr;
}

// A pending sighting too old to be confirmed, and a released symbol out of sight long enough,
// are forgotten.
void FrameConfirmer::forget_stale(Clock::time_point at) {
  std::erase_if(tracked_, [&](const Tracked& t) {
    if (t.released) {
      return frame_ - t.last_frame > limits::camera_gone_frames_min &&
             ms_between(t.last_at, at) > limits::camera_gone_ms;
    }
    return frame_ - t.first_frame > limits::camera_confirm_frames_max ||
           ms_between(t.first_at, at) > limits::camera_confirm_window_ms;
  });
}

void FrameConfirmer::remember(const DecodedSymbol& symbol, Clock::time_point at) {
  if (tracked_.size() >= limits::camera_tracked_symbols_max) {
    const auto stalest = std::min_element(
        tracked_.begin(), tracked_.end(),
        [](const Tracked& a, const Tracked& b) { return a.last_frame < b.last_frame; });
    tracked_.erase(stalest);
  }
  tracked_.push_back(Tracked{symbol.type, symbol.label, frame_, at, frame_, at, false});
}

std::vector<DecodedSymbol> FrameConfirmer::feed(const FrameScan& scan, Clock::time_point at) {
  LOYALTY_ASSERT(frame_ == 0 || at >= last_at_);  // frames come in order
  ++frame_;
  last_at_ = at;
  forget_stale(at);
  std::vector<DecodedSymbol> confirmed;
  for (const DecodedSymbol& symbol : scan.symbols) {
    Tracked* t = find(symbol);
    if (t == nullptr) {
      remember(symbol, at);
      continue;
    }
    if (t->last_frame == frame_) continue;  // twice in one frame is one sighting
    t->last_frame = frame_;
    t->last_at = at;
    if (!t->released) {
      t->released = true;
      confirmed.push_back(symbol);
    }
  }
  LOYALTY_ASSERT(tracked_.size() <= limits::camera_tracked_symbols_max);
  return confirmed;
}

}  // namespace loyalty::drivers
