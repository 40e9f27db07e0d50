// What V4l2FrameSource settles with a capture node before it maps buffers (private to
// drivers/src): the node's capabilities, the pixel format and size, and the frame rate.
//
// Thread-safety: functions without state; the node is the caller's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/v4l2_frame_source.h"
#include "loyalty/drivers/camera/v4l2_io.h"

namespace loyalty::drivers::v4l2 {

// The formats asked for, in this order: GREY, YUYV, NV12, YU12 (YUV420).
std::span<const std::uint32_t> wanted_pixel_formats();

// VIDIOC_QUERYCAP: the node must be a single-planar video capture node with streaming I/O.
// Returns the card's name (for messages). Errors say what the node is instead.
Result<std::string> check_capture_node(V4l2Io& io, int fd, const std::string& prefix,
                                       const std::string& node);

// VIDIOC_S_FMT with each of wanted_pixel_formats() at options.width x options.height until the
// driver keeps one; the size and stride are the driver's answer, checked against the limits.
// `card` names the camera in messages.
Result<V4l2StreamFormat> negotiate_format(V4l2Io& io, int fd, const V4l2Options& options,
                                          const std::string& prefix, const std::string& card);

// VIDIOC_G_PARM, then VIDIOC_S_PARM at `frames_per_second` when the driver can set it
// (V4L2_CAP_TIMEPERFRAME). Returns the rate the driver settled on, 0 when it has none to set
// (logged). Fails only when the device is gone.
Result<int> set_frame_rate(V4l2Io& io, int fd, int frames_per_second, const std::string& prefix);

}  // namespace loyalty::drivers::v4l2
