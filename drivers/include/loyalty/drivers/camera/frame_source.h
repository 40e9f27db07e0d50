// Where camera frames come from: a FrameSource delivers 8-bit grey frames, one at a time, on a
// Boost.Asio io_context, for the daemon's camera scanner to decode (ImageDecoder) and confirm
// (FrameConfirmer). Two sources implement it: V4l2FrameSource (a V4L2 capture node, e.g. a USB
// camera, v4l2_frame_source.h) and RecordedFrameSource (image files or raw Y planes replayed at a
// frame rate, recorded_frame_source.h).
//
// A frame source is not a UPOS Device (device.h): it has no claim, no DataEventEnabled and no
// queue. It streams between start() and stop(), and its status says whether it does:
//   offline  not streaming: never started, stopped, a recording played to its end, or the stream
//            broke for a reason other than the device going away (an ErrorEvent said why);
//   online   streaming: frames arrive;
//   gone     the device went away (unplugged; an ErrorEvent with result no_hardware said so),
//            or start() found no device at all. start() may be called again: it opens the device
//            afresh, and the status is online once it streams.
//
// Frames are borrowed: a CameraFrame's pixels belong to the source and are valid only for the
// duration of the frame handler (a V4L2 buffer is queued back to the driver right after it
// returns). A handler that needs the frame later (to hand it to the decoder's process, say)
// copies it with copy_frame(). A source never queues frames for a slow handler: while the handler
// runs, newer frames replace older ones and only the newest is delivered next (the frames
// skipped are counted in FrameSourceCounters::dropped_stale); sequence numbers show the gaps.
//
// Thread-safety: none. Every call, and every handler, is on the thread that runs the source's
// io_context. The frame handler may call stop() (no frame is delivered after it; the current one
// stays valid until the handler returns), not start(); the error and status handlers, called
// once the stream is torn down, may call start() too. No handler may destroy the source. The
// source must be destroyed on that thread too; it stops first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

enum class FrameSourceStatus { offline, online, gone };
// "offline", "online", "gone".
const char* frame_source_status_name(FrameSourceStatus status);

// One frame as a source delivers it: a view of its grey pixels (borrowed, see above), when it was
// captured, and its number in the stream (increasing, from 0 at start(); a gap means frames were
// dropped, by the camera's driver or because the handler was slow).
struct CameraFrame {
  GreyFrame grey;
  std::chrono::steady_clock::time_point at;
  std::uint64_t sequence = 0;
};

// A frame that owns its pixels, packed (row_stride == width): what copy_frame() makes.
struct OwnedCameraFrame {
  std::vector<std::uint8_t> pixels;  // width * height bytes
  int width = 0;
  int height = 0;
  std::chrono::steady_clock::time_point at;
  std::uint64_t sequence = 0;

  // A view of this frame's pixels; valid while this object lives and is not changed.
  CameraFrame view() const;
};

// A copy of `frame`'s pixels (width bytes of each row, the padding left out) and its time and
// sequence number.
OwnedCameraFrame copy_frame(const CameraFrame& frame);

// What a source counted since it was created (start() does not reset them).
struct FrameSourceCounters {
  std::uint64_t delivered = 0;      // frames given to the frame handler
  std::uint64_t dropped_stale = 0;  // good frames skipped because a newer one was ready
  std::uint64_t error_flagged = 0;  // V4L2 buffers the driver marked V4L2_BUF_FLAG_ERROR
  std::uint64_t short_frames = 0;   // V4L2 buffers with fewer bytes than the format needs
};

class FrameSource {
 public:
  using FrameHandler = std::function<void(const CameraFrame&)>;
  using ErrorHandler = std::function<void(const ErrorEvent&)>;
  using StatusHandler = std::function<void(FrameSourceStatus)>;

  virtual ~FrameSource() = default;
  FrameSource(const FrameSource&) = delete;
  FrameSource& operator=(const FrameSource&) = delete;

  // "camera:/dev/video0", "camera:recorded:<path>": the device id of its ErrorEvents.
  const std::string& id() const { return id_; }
  FrameSourceStatus status() const { return status_; }
  const FrameSourceCounters& counters() const { return counters_; }

  // Starts streaming; frames then arrive through the frame handler. Errors name the device and
  // what to do; the status is then gone when there is no device, offline otherwise. Calling it
  // while online is a no-op.
  virtual Status start() = 0;
  // Stops streaming and releases the device; no frame is delivered after it returns (nor after
  // it is called from a handler). A no-op when not streaming; a gone status stays gone.
  virtual void stop() = 0;

  void on_frame(FrameHandler handler) { on_frame_ = std::move(handler); }
  // Errors while streaming: the device went away (result no_hardware, status gone), or the
  // stream broke (result failure, status offline).
  void on_error(ErrorHandler handler) { on_error_ = std::move(handler); }
  // Every change of status() the source makes by itself (end of a recording, the device gone,
  // the stream broken), after it changed; not the changes start() and stop() make.
  void on_status(StatusHandler handler) { on_status_ = std::move(handler); }

 protected:
  explicit FrameSource(std::string id) : id_(std::move(id)) {}

  // For the concrete source, on the io_context's thread.
  // Counts the frame and calls the frame handler (if any).
  void deliver_frame(const CameraFrame& frame);
  // What start() and stop() change: no status handler call.
  void set_status(FrameSourceStatus status) { status_ = status; }
  // The stream ended by itself (a recording played to its end): sets `status` and calls the
  // status handler.
  void end_stream(FrameSourceStatus status);
  // The stream broke (already torn down): sets `status`, gives the error handler an ErrorEvent
  // of this source (kind scanner, locus input, `result`, `message`), then calls the status
  // handler, unless the error handler started the source again.
  void fail_stream(FrameSourceStatus status, UposResult result, std::string message);
  FrameSourceCounters& mutable_counters() { return counters_; }

 private:
  std::string id_;
  FrameSourceStatus status_ = FrameSourceStatus::offline;
  FrameSourceCounters counters_;
  FrameHandler on_frame_;
  ErrorHandler on_error_;
  StatusHandler on_status_;
};

}  // namespace loyalty::drivers
