// The bounds every frame source checks its options against (private to drivers/src): a frame's
// size and a frame rate. `what` names the option's owner in the message ("camera", "raw frame",
// "recorded").
//
// Thread-safety: functions without state.
#pragma once

#include <string>

#include "loyalty/core/result.h"

namespace loyalty::drivers::frames {

// 1 to limits::image_side_pixels_max a side, at most limits::image_pixels_max in all:
// "<what> size 0x480 is outside 1 to 16384 a side", "<what> size 8192x4096 is 33554432 pixels;
// the limit is 16777216".
Status check_frame_size(int width, int height, const std::string& what);

// 1 to limits::camera_frames_per_second_max: "<what> frames_per_second must be 1 to 120, not 0".
Status check_frame_rate(int frames_per_second, const std::string& what);

}  // namespace loyalty::drivers::frames
