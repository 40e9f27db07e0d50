// What a camera stream releases for identification: only symbols that two frames agree on.
//
// A blurred frame can misread one symbol as another that is just as valid (a UPC-A decoding to a
// different EAN-13 whose check digit happens to match), and a camera that released every frame's
// symbols would then name the wrong customer. A FrameConfirmer is fed each frame's FrameScan, in
// order, and releases a symbol when:
//   - a second frame decoded the same type and label within limits::camera_confirm_frames_max
//     frames and limits::camera_confirm_window_ms of the first (one frame's misread is never
//     released; frames that disagree release nothing);
//   - it is not being held in view already: once released, a symbol is not released again while it
//     keeps being seen, and only after it has been out of sight for more than
//     limits::camera_gone_frames_min frames and limits::camera_gone_ms does a new appearance
//     count (and need confirming again).
// Every frame counts, empty ones too: feed the scans of frames without a symbol as well. At most
// limits::camera_tracked_symbols_max symbols are remembered; the one seen longest ago is
// forgotten first. Rejected symbols (FrameScan::rejected) are ignored.
//
// An image file is one picture, decoded once: it needs no confirmer (decode_image_file()).
//
// Thread-safety: none; one FrameConfirmer per camera stream, fed from one thread. It owns copies
// of what it remembers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::drivers {

class FrameConfirmer {
 public:
  using Clock = std::chrono::steady_clock;

  // The symbols of `scan` (taken at `at`, not before the previous frame's time) that this frame
  // confirms, in the scan's order; usually none.
  std::vector<DecodedSymbol> feed(const FrameScan& scan, Clock::time_point at);

  // Symbols remembered now (pending a second sighting, or released and still in view).
  std::size_t tracked() const { return tracked_.size(); }

 private:
  struct Tracked {
    ScanDataType type = ScanDataType::unknown;
    std::string label;
    std::uint64_t first_frame = 0;  // of the current appearance
    Clock::time_point first_at;
    std::uint64_t last_frame = 0;  // seen last
    Clock::time_point last_at;
    bool released = false;
  };

  Tracked* find(const DecodedSymbol& symbol);
  void forget_stale(Clock::time_point at);
  void remember(const DecodedSymbol& symbol, Clock::time_point at);

  std::vector<Tracked> tracked_;
  std::uint64_t frame_ = 0;  // frames fed so far
  Clock::time_point last_at_{};
};

}  // namespace loyalty::drivers
