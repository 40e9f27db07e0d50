// Where the grey frame lies in a V4L2 capture buffer (private to drivers/src): the Y plane of
// GREY, NV12 and YU12 in place, and YUYV's luma copied out into a scratch buffer.
//
// Thread-safety: functions without state; the buffers are the caller's, borrowed for the call
// (the GreyFrame returned views `buffer` or `out` and lives no longer than they do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/v4l2_frame_source.h"

namespace loyalty::drivers::v4l2 {

// Bytes a buffer of `format` must hold for its luma: bytes_per_line * (height - 1) plus the last
// row's luma (width bytes; YUYV: 2 * width).
std::size_t luma_bytes_needed(const V4l2StreamFormat& format);

// The Y plane of a GREY, NV12 or YU12 buffer, in place (the buffer's stride).
GreyFrame y_plane_in_place(std::span<const std::uint8_t> buffer, const V4l2StreamFormat& format);

// The luma of a YUYV buffer (Y0 U Y1 V ...) copied into `out` (width * height bytes), packed.
GreyFrame yuyv_luma(std::span<const std::uint8_t> buffer, const V4l2StreamFormat& format,
                    std::span<std::uint8_t> out);

}  // namespace loyalty::drivers::v4l2
