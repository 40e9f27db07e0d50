// Capabilities, pixel format and frame rate of a V4L2 capture node
// (camera/v4l2/v4l2_negotiate.h).
#include "camera/v4l2/v4l2_negotiate.h"

#include <linux/videodev2.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "camera/v4l2/v4l2_buffers.h"
#include "loyalty/core/limits.h"
#include "loyalty/drivers/log.h"

namespace loyalty::drivers::v4l2 {

namespace {

constexpr std::array<std::uint32_t, 4> kWantedFormats = {V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV,
                                                         V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420};

// The driver's name of the card, printable ASCII only (it comes from the device).
std::string card_name(const v4l2_capability& capability) {
  const auto* card = reinterpret_cast<const char*>(capability.card);
  std::string name(card, strnlen(card, sizeof(capability.card)));
  for (char& c : name) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return name.empty() ? std::string("unnamed camera") : name;
}

std::string wanted_formats_text() {
  std::string text;
  for (const std::uint32_t format : kWantedFormats) {
    if (!text.empty()) text += ", ";
    text += fourcc_text(format);
  }
  return text;
}

// The size and stride the driver settled on, checked against the limits.
Result<V4l2StreamFormat> settled_format(const v4l2_pix_format& pix, const std::string& prefix) {
  const std::string size = std::to_string(pix.width) + "x" + std::to_string(pix.height);
  if (pix.width < 1 || pix.height < 1 || pix.width > limits::image_side_pixels_max ||
      pix.height > limits::image_side_pixels_max ||
      std::size_t{pix.width} * pix.height > limits::image_pixels_max) {
    return make_error(ErrorCode::limit_exceeded,
                      prefix + ": the driver settled on " + size + " frames, outside the limits (" +
                          std::to_string(limits::image_side_pixels_max) + " a side, " +
                          std::to_string(limits::image_pixels_max) + " pixels)");
  }
  const std::uint32_t row_min = pix.pixelformat == V4L2_PIX_FMT_YUYV ? 2 * pix.width : pix.width;
  const std::uint32_t bytes_per_line = pix.bytesperline == 0 ? row_min : pix.bytesperline;
  if (bytes_per_line < row_min) {
    return make_error(ErrorCode::io_error,
                      prefix + ": the driver gives " + std::to_string(bytes_per_line) +
                          " bytes a row for " + size + " " + fourcc_text(pix.pixelformat) +
                          " frames, less than a row needs (" + std::to_string(row_min) + ")");
  }
  V4l2StreamFormat format;
  format.pixel_format = pix.pixelformat;
  format.width = static_cast<int>(pix.width);
  format.height = static_cast<int>(pix.height);
  format.bytes_per_line = static_cast<int>(bytes_per_line);
  return format;
}

}  // namespace

std::span<const std::uint32_t> wanted_pixel_formats() { return kWantedFormats; }

Result<std::string> check_capture_node(V4l2Io& io, int fd, const std::string& prefix,
                                       const std::string& node) {
  v4l2_capability capability{};
  const int queried = io.ioctl(fd, VIDIOC_QUERYCAP, &capability);
  if (queried == -ENOTTY || queried == -EINVAL) {
    return make_error(ErrorCode::invalid_argument, prefix + ": " + node +
                                                       " is not a V4L2 device (VIDIOC_QUERYCAP: " +
                                                       std::strerror(-queried) + ")");
  }
  if (queried < 0) return v4l2_call_error(prefix, "VIDIOC_QUERYCAP", queried);
  const std::uint32_t caps = (capability.capabilities & V4L2_CAP_DEVICE_CAPS) != 0
                                 ? capability.device_caps
                                 : capability.capabilities;
  const std::string what = prefix + ": " + node + " (" + card_name(capability) + ")";
  if ((caps & V4L2_CAP_VIDEO_CAPTURE) == 0) {
    if ((caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) != 0) {
      return make_error(ErrorCode::invalid_argument,
                        what +
                            " captures only through the multi-planar API "
                            "(V4L2_CAP_VIDEO_CAPTURE_MPLANE), which this source does not use");
    }
    if ((caps & V4L2_CAP_META_CAPTURE) != 0) {
      return make_error(ErrorCode::invalid_argument,
                        what +
                            " is a metadata node, not video capture (no V4L2_CAP_VIDEO_CAPTURE); "
                            "a USB camera's video is on its other node, usually the one "
                            "numbered one lower");
    }
    return make_error(ErrorCode::invalid_argument,
                      what + " does not capture video (no V4L2_CAP_VIDEO_CAPTURE)");
  }
  if ((caps & V4L2_CAP_STREAMING) == 0) {
    return make_error(ErrorCode::invalid_argument,
                      what +
                          " has no streaming I/O (no V4L2_CAP_STREAMING); only cameras that "
                          "stream through memory-mapped buffers are supported");
  }
  return card_name(capability);
}

Result<V4l2StreamFormat> negotiate_format(V4l2Io& io, int fd, const V4l2Options& options,
                                          const std::string& prefix, const std::string& card) {
  std::vector<std::string> answers;  // what the driver gave instead, once each
  std::string refused;               // the errno text of a refusal, when every format was refused
  for (const std::uint32_t wanted : kWantedFormats) {
    v4l2_format format{};
    format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    format.fmt.pix.width = static_cast<std::uint32_t>(options.width);
    format.fmt.pix.height = static_cast<std::uint32_t>(options.height);
    format.fmt.pix.pixelformat = wanted;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    const int set = io.ioctl(fd, VIDIOC_S_FMT, &format);
    if (set == -EBUSY) {
      return make_error(ErrorCode::io_error,
                        prefix + ": another program is streaming from " + card +
                            " (VIDIOC_S_FMT: Device or resource busy); stop it and start again");
    }
    if (v4l2_device_gone(set)) return v4l2_call_error(prefix, "VIDIOC_S_FMT", set);
    if (set < 0) {  // EINVAL: some drivers refuse a format instead of answering with their own
      refused = std::strerror(-set);
      continue;
    }
    if (format.fmt.pix.pixelformat == wanted) return settled_format(format.fmt.pix, prefix);
    const std::string answer = fourcc_text(format.fmt.pix.pixelformat);
    if (std::find(answers.begin(), answers.end(), answer) == answers.end())
      answers.push_back(answer);
  }
  std::string answered;
  for (const std::string& answer : answers) answered += (answered.empty() ? "" : ", ") + answer;
  const std::string how = answered.empty() ? "VIDIOC_S_FMT refused each: " + refused
                                           : "VIDIOC_S_FMT answered " + answered;
  return make_error(ErrorCode::invalid_argument,
                    prefix + ": " + card + " offers none of " + wanted_formats_text() + " at " +
                        std::to_string(options.width) + "x" + std::to_string(options.height) +
                        " (" + how + "); use a camera with an uncompressed format");
}

Result<int> set_frame_rate(V4l2Io& io, int fd, int frames_per_second, const std::string& prefix) {
  LOYALTY_ASSERT(frames_per_second >= 1 &&
                 frames_per_second <= limits::camera_frames_per_second_max);
  v4l2_streamparm parm{};
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  const int got = io.ioctl(fd, VIDIOC_G_PARM, &parm);
  if (v4l2_device_gone(got)) return v4l2_call_error(prefix, "VIDIOC_G_PARM", got);
  if (got < 0 || (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) == 0) {
    log(LogLevel::info, prefix + ": the driver sets no frame rate; the camera runs at its own");
    return 0;
  }
  parm.parm.capture.timeperframe.numerator = 1;
  parm.parm.capture.timeperframe.denominator = static_cast<std::uint32_t>(frames_per_second);
  const int set = io.ioctl(fd, VIDIOC_S_PARM, &parm);
  if (v4l2_device_gone(set)) return v4l2_call_error(prefix, "VIDIOC_S_PARM", set);
  if (set < 0) {
    log(LogLevel::warning, prefix + ": VIDIOC_S_PARM at " + std::to_string(frames_per_second) +
                               " frames a second failed: " + std::strerror(-set) +
                               "; the camera runs at its own rate");
    return 0;
  }
  const v4l2_fract settled = parm.parm.capture.timeperframe;
  if (settled.numerator == 0) return 0;
  return static_cast<int>((settled.denominator + settled.numerator / 2) / settled.numerator);
}

}  // namespace loyalty::drivers::v4l2
