// A V4L2 capture device emulated behind the V4l2Io seam, for V4l2FrameSource's tests: no V4L2
// device exists on a build machine, and umockdev cannot replay V4L2's streaming ioctls.
//
// The fake answers the calls the source makes as a single-planar MMAP capture driver does:
// VIDIOC_QUERYCAP with the configured capabilities; VIDIOC_S_FMT keeping a format it accepts and
// answering any other with its first one (or EINVAL, if told), at the asked size unless it forces
// one, with the configured row padding; VIDIOC_G_PARM / S_PARM; VIDIOC_REQBUFS granting the asked
// count (or the configured one); VIDIOC_QUERYBUF, mmap (the buffers are its own memory),
// VIDIOC_QBUF, VIDIOC_DQBUF (done buffers in capture order, EAGAIN when none), STREAMON (the
// sequence numbers start again at 0) and STREAMOFF (which returns every buffer to the application,
// as the kernel does). Its readiness descriptor is an eventfd, readable while a buffer is done, so
// Asio waits on something real.
//
// The camera side is the test's: capture() fills the first queued buffer (a frame is dropped when
// none is queued, as drivers do), wake_without_frame() signals readiness with nothing done, and
// unplug() makes every later call answer ENODEV. A buffer queued back is overwritten with 0xEE at
// once, so a frame read after its buffer went back to the driver shows as wrong pixels.
//
// Every call is recorded in calls(), in order, as text ("S_FMT GREY -> NV12", "QBUF 2").
//
// Thread-safety: none; the test's thread only. The device must outlive the V4l2Io it hands out.
#pragma once

#include <linux/videodev2.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/drivers/camera/v4l2_io.h"

namespace drivers_test {

struct FakeV4l2Config {
  std::string node = "/dev/video0";
  int open_error = 0;   // open answers -open_error (ENOENT: no camera, EACCES); 0: it opens
  bool is_v4l2 = true;  // false: VIDIOC_QUERYCAP answers ENOTTY
  std::uint32_t device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
  std::string card = "Fake Camera";
  std::vector<std::uint32_t> formats = {V4L2_PIX_FMT_GREY};  // accepted; [0] answers the others
  bool refuse_other_formats = false;  // EINVAL instead of answering with formats[0]
  int width = 0;                      // forced size; 0: the size asked for
  int height = 0;
  int row_padding = 0;  // bytes after each row's pixels (bytesperline - width * bytes a pixel)
  bool sets_frame_rate = true;                   // V4L2_CAP_TIMEPERFRAME in VIDIOC_G_PARM
  std::optional<std::uint32_t> buffers_granted;  // none: as asked
};

struct FakeCapture {
  std::vector<std::uint8_t> bytes;  // copied to the start of the buffer
  std::uint32_t bytes_used = 0;     // 0: the buffer's whole image size
  bool error_flag = false;          // V4L2_BUF_FLAG_ERROR
  // CLOCK_MONOTONIC microseconds of the capture (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC); 0: none.
  std::int64_t timestamp_us = 0;
};

class FakeV4l2Device {
 public:
  explicit FakeV4l2Device(FakeV4l2Config config = {});
  ~FakeV4l2Device();
  FakeV4l2Device(const FakeV4l2Device&) = delete;
  FakeV4l2Device& operator=(const FakeV4l2Device&) = delete;

  // A V4l2Io on this device (it must outlive the V4l2Io).
  std::unique_ptr<loyalty::drivers::V4l2Io> io();

  // --- The camera side.
  // Fills the first queued buffer and marks it done (sequence numbers count every capture, the
  // dropped ones too). False when no buffer was queued: the frame is dropped.
  bool capture(const FakeCapture& frame);
  void wake_without_frame();
  void unplug();
  // The call of `request` after `skipped` more answers -errno `error` (once).
  void fail_next(unsigned long request, int error, int skipped = 0);

  // --- What the source did.
  const std::vector<std::string>& calls() const { return calls_; }
  void clear_calls() { calls_.clear(); }
  bool is_open() const { return open_; }
  bool streaming() const { return streaming_; }
  std::size_t buffer_count() const { return buffers_.size(); }
  std::size_t mappings() const;  // mmaps not unmapped yet
  std::size_t queued_count() const { return queued_.size(); }
  std::size_t done_count() const { return done_.size(); }
  std::uint64_t frames_dropped() const { return frames_dropped_; }
  // The negotiated geometry.
  std::uint32_t pixel_format() const { return pixel_format_; }
  int bytes_per_line() const { return bytes_per_line_; }
  std::size_t image_bytes() const { return image_bytes_; }

  // --- The V4l2Io calls (through io()).
  int open(const char* path, int flags);
  void close(int fd);
  int ioctl(int fd, unsigned long request, void* arg);
  int mmap(int fd, std::size_t length, std::int64_t offset, void** address);
  void munmap(void* address, std::size_t length);
  int readiness_fd(int fd) const;

 private:
  enum class Owner { application, driver_queued, driver_done };
  struct Buffer {
    std::vector<std::uint8_t> memory;
    Owner owner = Owner::application;
    bool mapped = false;
  };
  struct Done {
    std::uint32_t index = 0;
    std::uint32_t bytes_used = 0;
    std::uint32_t flags = 0;
    std::uint32_t sequence = 0;
    std::int64_t timestamp_us = 0;
  };

  int set_format(v4l2_format& format);
  int request_buffers(v4l2_requestbuffers& request);
  int query_buffer(v4l2_buffer& buffer);
  int queue_buffer(const v4l2_buffer& buffer);
  int dequeue_buffer(v4l2_buffer& buffer);
  void signal();
  void reset_signal();

  FakeV4l2Config config_;
  int event_fd_ = -1;
  bool open_ = false;
  bool unplugged_ = false;
  bool streaming_ = false;
  std::uint32_t pixel_format_ = 0;
  int width_ = 0;
  int height_ = 0;
  int bytes_per_line_ = 0;
  std::size_t image_bytes_ = 0;
  v4l2_fract time_per_frame_{1, 30};
  std::vector<Buffer> buffers_;
  std::deque<std::uint32_t> queued_;
  std::deque<Done> done_;
  std::uint32_t sequence_ = 0;
  std::uint64_t frames_dropped_ = 0;
  struct Failure {
    int error = 0;
    int skipped = 0;
  };
  std::map<unsigned long, Failure> fail_next_;
  std::vector<std::string> calls_;
};

// The fd number open() hands out (the fake has no kernel descriptor for the node).
inline constexpr int fake_v4l2_fd = 1000;

}  // namespace drivers_test
