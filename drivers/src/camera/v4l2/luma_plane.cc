// The grey frame inside a V4L2 capture buffer (camera/v4l2/luma_plane.h).
#include "camera/v4l2/luma_plane.h"

#include <linux/videodev2.h>

namespace loyalty::drivers::v4l2 {

namespace {

std::size_t luma_step(std::uint32_t pixel_format) {
  return pixel_format == V4L2_PIX_FMT_YUYV ? 2 : 1;
}

}  // namespace

std::size_t luma_bytes_needed(const V4l2StreamFormat& format) {
  LOYALTY_ASSERT(format.width > 0 && format.height > 0);
  return static_cast<std::size_t>(format.bytes_per_line) *
             static_cast<std::size_t>(format.height - 1) +
         static_cast<std::size_t>(format.width) * luma_step(format.pixel_format);
}

GreyFrame y_plane_in_place(std::span<const std::uint8_t> buffer, const V4l2StreamFormat& format) {
  LOYALTY_ASSERT(format.pixel_format != V4L2_PIX_FMT_YUYV);
  const std::size_t needed = luma_bytes_needed(format);
  LOYALTY_ASSERT(buffer.size() >= needed);
  return GreyFrame{buffer.first(needed), format.width, format.height, format.bytes_per_line};
}

GreyFrame yuyv_luma(std::span<const std::uint8_t> buffer, const V4l2StreamFormat& format,
                    std::span<std::uint8_t> out) {
  LOYALTY_ASSERT(format.pixel_format == V4L2_PIX_FMT_YUYV);
  LOYALTY_ASSERT(buffer.size() >= luma_bytes_needed(format));
  const auto width = static_cast<std::size_t>(format.width);
  const auto height = static_cast<std::size_t>(format.height);
  const auto stride = static_cast<std::size_t>(format.bytes_per_line);
  LOYALTY_ASSERT(out.size() == width * height);
  // Y0 U0 Y1 V0: every even byte of a row is a luma sample. Bounded by the frame's size, which
  // negotiate_format() held to limits::image_pixels_max.
  for (std::size_t row = 0; row < height; ++row) {
    const std::uint8_t* in = buffer.data() + row * stride;
    std::uint8_t* luma = out.data() + row * width;
    for (std::size_t x = 0; x < width; ++x) luma[x] = in[2 * x];
  }
  return GreyFrame{out, format.width, format.height, format.width};
}

}  // namespace loyalty::drivers::v4l2
