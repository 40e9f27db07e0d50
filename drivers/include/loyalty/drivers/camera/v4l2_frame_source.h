// A camera on a V4L2 capture node (/dev/videoN: a USB UVC camera, a CSI camera with a V4L2
// driver) as a FrameSource, through plain V4L2 ioctls (linux/videodev2.h) and memory-mapped
// streaming I/O.
//
// start() opens the node (O_RDWR | O_NONBLOCK), then:
//   1. VIDIOC_QUERYCAP: the node must capture video (V4L2_CAP_VIDEO_CAPTURE; single-planar) and
//      stream (V4L2_CAP_STREAMING); a UVC camera's second node (metadata) is refused, by name.
//   2. VIDIOC_S_FMT at the configured size, asking for GREY, then YUYV, then NV12, then YU12
//      (YUV420): the first the driver keeps is used (a driver answers an unsupported format with
//      one of its own, which is then not taken; MJPEG-only cameras are refused). The driver may
//      change the size (to its nearest); frames have the size it settled on, at most
//      limits::image_side_pixels_max a side and limits::image_pixels_max in all. The grey frame
//      is the Y plane: GREY, NV12 and YU12 are delivered in place (the buffer's own stride, the
//      chroma planes ignored); YUYV's luma is copied out into a scratch buffer of width * height
//      bytes, allocated once at start().
//   3. VIDIOC_S_PARM at the configured frame rate, when the driver has V4L2_CAP_TIMEPERFRAME (a
//      refusal is a logged warning: the camera runs at its own rate).
//   4. VIDIOC_REQBUFS (V4L2_MEMORY_MMAP) for `buffers` buffers (the driver may grant fewer, or
//      more up to limits::camera_v4l2_buffers_max), VIDIOC_QUERYBUF and mmap of each, VIDIOC_QBUF
//      of all, VIDIOC_STREAMON.
// Then every time the node is readable (an Asio wait, never a blocking call) it dequeues every
// buffer that is ready (VIDIOC_DQBUF until EAGAIN), queues back at once all but the newest good
// one, delivers that one, and queues it back when the handler returns.
//
// Drop policy: the latest frame matters, so nothing waits in a queue of ours. While the handler
// runs, the driver fills the other queued buffers; when all are full it drops new frames (most
// drivers; some overwrite the oldest), until a buffer is queued back. Of the frames ready at the
// next wake-up only the newest is delivered (the others count as dropped_stale), so a slow handler
// sees frames at most one wake-up old, never a backlog.
//
// Frames skipped: a buffer flagged V4L2_BUF_FLAG_ERROR (counted, error_flagged) and one whose
// bytesused is short of the format's (counted, short_frames, with a logged warning for the first
// and every 100th) are queued back without delivery. The timestamp is the driver's when it is
// CLOCK_MONOTONIC (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC, the same clock as steady_clock), otherwise
// the time of the dequeue; the sequence number is the driver's, made increasing.
//
// Errors while streaming: ENODEV or ENXIO from any call is the camera going away (unplugged):
// an ErrorEvent no_hardware ("... is gone"), status gone. Any other failure of VIDIOC_DQBUF or
// VIDIOC_QBUF, or limits::camera_empty_wakes_in_a_row_max wake-ups in a row without a frame: an
// ErrorEvent failure naming the call, status offline. Either way the stream is torn down as by
// stop(): VIDIOC_STREAMOFF, munmap of every buffer, close.
//
// Ownership: the source owns its V4l2Io, the descriptor and the mappings; `io_context` must
// outlive it. Thread-safety: as FrameSource.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/frame_source.h"
#include "loyalty/drivers/camera/v4l2_io.h"

struct v4l2_buffer;  // linux/videodev2.h, kept out of this header

namespace loyalty::drivers {

struct V4l2Options {
  std::string node = "/dev/video0";
  int width = 640;  // asked for; the driver may settle on another size
  int height = 480;
  int frames_per_second = 15;  // 1..limits::camera_frames_per_second_max
  std::size_t buffers = limits::camera_v4l2_buffers_default;  // 2..camera_v4l2_buffers_max
};

// Refuses an empty node, a size outside 1..limits::image_side_pixels_max (or over
// limits::image_pixels_max in all), a frame rate or a buffer count outside its bounds; the
// message names the option and the bound.
Status validate_v4l2_options(const V4l2Options& options);

// What start() negotiated (all zero before the first successful start()).
struct V4l2StreamFormat {
  std::uint32_t pixel_format = 0;  // V4L2_PIX_FMT_GREY, _YUYV, _NV12 or _YUV420
  int width = 0;
  int height = 0;
  int bytes_per_line = 0;   // of the buffer (YUYV: 2 bytes a pixel)
  std::size_t buffers = 0;  // granted by VIDIOC_REQBUFS and mapped
  // From VIDIOC_S_PARM's answer (0 when the driver does not set the frame rate).
  int frames_per_second = 0;
};

// "GREY", "YUYV", "MJPG": a V4L2 pixel format's four characters (unprintable ones as '?').
std::string fourcc_text(std::uint32_t pixel_format);

class V4l2FrameSource final : public FrameSource {
 public:
  // `options` must pass validate_v4l2_options(); `io` is system_v4l2_io() outside tests. The
  // device id is camera_device_id(options.node).
  V4l2FrameSource(boost::asio::io_context& io_context, V4l2Options options,
                  std::unique_ptr<V4l2Io> io);
  ~V4l2FrameSource() override;

  Status start() override;
  void stop() override;

  const V4l2Options& options() const { return options_; }
  const V4l2StreamFormat& format() const { return format_; }

 private:
  struct Stream;
  struct Ready;  // a dequeued buffer about to be delivered

  Status open_stream();
  void wait_for_frame();
  void on_readable();
  // A buffer VIDIOC_DQBUF gave: skipped and queued back (error-flagged, short), or the newest
  // good one so far (the one it replaces queued back). False when the stream was torn down.
  bool take_dequeued(const v4l2_buffer& buffer, std::optional<Ready>& newest);
  bool deliver_buffer(const Ready& ready);
  bool queue_back(std::uint32_t index);
  // Tear the stream down, then report: a call that answered -errno `result`, or another break.
  void fail(int result, const std::string& call);
  void broken(std::string message);

  boost::asio::io_context& io_context_;
  V4l2Options options_;
  std::unique_ptr<V4l2Io> io_;
  V4l2StreamFormat format_;
  std::unique_ptr<Stream> stream_;  // while streaming
  bool delivering_ = false;         // inside the frame handler
  bool stop_requested_ = false;     // stop() called from inside the frame handler
  std::uint64_t next_sequence_min_ = 0;
};

}  // namespace loyalty::drivers
