// Frame size and frame rate bounds (camera/frames/frame_bounds.h).
#include "camera/frames/frame_bounds.h"

#include <cstddef>

#include "loyalty/core/limits.h"

namespace loyalty::drivers::frames {

Status check_frame_size(int width, int height, const std::string& what) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  const auto side_max = static_cast<int>(limits::image_side_pixels_max);
  if (width < 1 || height < 1 || width > side_max || height > side_max) {
    return make_error(ErrorCode::invalid_argument, what + " size " + size + " is outside 1 to " +
                                                       std::to_string(side_max) + " a side");
  }
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (pixels > limits::image_pixels_max) {
    return make_error(ErrorCode::invalid_argument,
                      what + " size " + size + " is " + std::to_string(pixels) +
                          " pixels; the limit is " + std::to_string(limits::image_pixels_max));
  }
  return {};
}

Status check_frame_rate(int frames_per_second, const std::string& what) {
  if (frames_per_second < 1 || frames_per_second > limits::camera_frames_per_second_max) {
    return make_error(ErrorCode::invalid_argument,
                      what + " frames_per_second must be 1 to " +
                          std::to_string(limits::camera_frames_per_second_max) + ", not " +
                          std::to_string(frames_per_second));
  }
  return {};
}

}  // namespace loyalty::drivers::frames
