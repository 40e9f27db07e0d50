// Loading a recording of camera frames into memory (private to drivers/src): the image files of
// a directory in name order, or the Y planes of one raw file. RecordedFrameSource replays them.
//
// Thread-safety: functions without state; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers::frames {

// The image files of `directory` (by extension, any case), in the byte order of their names,
// each through load_image_file(). At most limits::camera_recorded_directory_entries_max entries
// are looked at, limits::camera_recorded_frames_max frames and limits::camera_recorded_bytes_max
// bytes of pixels kept.
Result<std::vector<GreyImage>> load_frame_directory(const std::string& directory);

// The width x height frames of the raw file at `path` (8-bit Y planes back to back). The file
// may hold at most limits::camera_recorded_bytes_max bytes and camera_recorded_frames_max frames.
Result<std::vector<GreyImage>> load_raw_frames(const std::string& path, int width, int height);

}  // namespace loyalty::drivers::frames
