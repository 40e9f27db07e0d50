// A V4L2 capture node as a FrameSource (camera/v4l2_frame_source.h): the stream's set-up and
// tear-down, and the dequeue, deliver, queue-back loop on the io_context.
#include "loyalty/drivers/camera/v4l2_frame_source.h"

#include <fcntl.h>
#include <linux/videodev2.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "camera/frames/frame_bounds.h"
#include "camera/v4l2/luma_plane.h"
#include "camera/v4l2/v4l2_buffers.h"
#include "camera/v4l2/v4l2_negotiate.h"
#include "device/transport_io.h"
#include "loyalty/drivers/log.h"

namespace loyalty::drivers {

namespace {

// A short frame is logged the first time and then every this many, not each time: a camera that
// sends only short frames would otherwise fill the journal at its frame rate.
constexpr std::uint64_t kShortFrameWarningEvery = 100;

Error open_error(const std::string& prefix, const std::string& node, int result) {
  std::string what = prefix + ": cannot open " + node + ": " + std::strerror(-result);
  ErrorCode code = ErrorCode::io_error;
  if (result == -ENOENT || v4l2::v4l2_device_gone(result)) {
    what += "; the camera is not plugged in (or is on another node)";
    code = ErrorCode::not_found;  // start() makes the status gone
  } else if (result == -EACCES || result == -EPERM) {
    what += "; the udev rule must give this user access to the node (group video)";
  } else if (result == -EBUSY) {
    what += "; another program holds the camera";
  }
  return make_error(code, std::move(what));
}

// The driver's capture time when it is CLOCK_MONOTONIC (steady_clock's clock), else now.
std::chrono::steady_clock::time_point frame_time(const v4l2_buffer& buffer) {
  const bool monotonic =
      (buffer.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
  if (!monotonic || (buffer.timestamp.tv_sec == 0 && buffer.timestamp.tv_usec == 0)) {
    return std::chrono::steady_clock::now();
  }
  const auto since_boot = std::chrono::seconds(buffer.timestamp.tv_sec) +
                          std::chrono::microseconds(buffer.timestamp.tv_usec);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(since_boot));
}

}  // namespace

// Everything one stream holds, released in the right order by its destructor: the wait is
// cancelled, the stream turned off, the buffers unmapped, then the node closed.
struct V4l2FrameSource::Stream {
  Stream(boost::asio::io_context& io_context, V4l2Io& v4l2) : io(&v4l2), watch(io_context) {}
  ~Stream() {
    watch.close();
    if (streaming) v4l2::capture_stream_off(*io, node.fd());    // a gone camera refuses: fine
    for (v4l2::MappedBuffer& buffer : buffers) buffer.reset();  // in index order
    node.reset();
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  V4l2Io* io;
  v4l2::V4l2Node node;
  std::vector<v4l2::MappedBuffer> buffers;
  std::vector<std::uint8_t> luma;  // YUYV frames' grey copy: width * height bytes
  std::size_t luma_bytes_needed = 0;
  std::size_t empty_wakes = 0;  // in a row
  bool streaming = false;       // STREAMON succeeded
  transport::ReadWatch watch;   // last: destroyed first
};

struct V4l2FrameSource::Ready {
  std::uint32_t index = 0;
  std::uint64_t sequence = 0;
  std::chrono::steady_clock::time_point at;
};

Status validate_v4l2_options(const V4l2Options& options) {
  if (options.node.empty()) {
    return make_error(ErrorCode::invalid_argument, "camera node must be set (e.g. /dev/video0)");
  }
  TRY(frames::check_frame_size(options.width, options.height, "camera"));
  TRY(frames::check_frame_rate(options.frames_per_second, "camera"));
  if (options.buffers < 2 || options.buffers > limits::camera_v4l2_buffers_max) {
    return make_error(ErrorCode::invalid_argument,
                      "camera buffers must be 2 to " +
                          std::to_string(limits::camera_v4l2_buffers_max) + ", not " +
                          std::to_string(options.buffers));
  }
  return {};
}

std::string fourcc_text(std::uint32_t pixel_format) {
  std::string text(4, '?');
  for (std::size_t i = 0; i < 4; ++i) {
    const auto c = static_cast<char>((pixel_format >> (8 * i)) & 0xff);
    if (c >= 0x20 && c <= 0x7e) text[i] = c;
  }
  return text;
}

V4l2FrameSource::V4l2FrameSource(boost::asio::io_context& io_context, V4l2Options options,
                                 std::unique_ptr<V4l2Io> io)
    : FrameSource(camera_device_id(options.node)),
      io_context_(io_context),
      options_(std::move(options)),
      io_(std::move(io)) {
  LOYALTY_ASSERT(validate_v4l2_options(options_).ok());
  LOYALTY_ASSERT(io_ != nullptr);
}

V4l2FrameSource::~V4l2FrameSource() {
  LOYALTY_ASSERT(!delivering_);  // no handler may destroy its source
  stream_.reset();
}

Status V4l2FrameSource::start() {
  LOYALTY_ASSERT(!delivering_);  // the frame handler may stop, not start
  if (stream_) return {};
  next_sequence_min_ = 0;
  Status opened = open_stream();
  if (!opened.ok()) {
    set_status(opened.error().code == ErrorCode::not_found ? FrameSourceStatus::gone
                                                           : FrameSourceStatus::offline);
    return opened;
  }
  set_status(FrameSourceStatus::online);
  wait_for_frame();
  return {};
}

void V4l2FrameSource::stop() {
  if (!stream_) return;
  set_status(FrameSourceStatus::offline);
  if (delivering_) {
    stop_requested_ = true;  // torn down when the handler returns: it still reads the buffer
    return;
  }
  stream_.reset();
}

Status V4l2FrameSource::open_stream() {
  const std::string& prefix = id();
  auto stream = std::make_unique<Stream>(io_context_, *io_);
  const int fd = io_->open(options_.node.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return open_error(prefix, options_.node, fd);
  stream->node = v4l2::V4l2Node(*io_, fd);
  const std::string card = TRY(v4l2::check_capture_node(*io_, fd, prefix, options_.node));
  V4l2StreamFormat format = TRY(v4l2::negotiate_format(*io_, fd, options_, prefix, card));
  format.frames_per_second =
      TRY(v4l2::set_frame_rate(*io_, fd, options_.frames_per_second, prefix));
  stream->luma_bytes_needed = v4l2::luma_bytes_needed(format);
  stream->buffers =
      TRY(v4l2::map_capture_buffers(*io_, fd, options_.buffers, stream->luma_bytes_needed, prefix));
  format.buffers = stream->buffers.size();
  if (format.pixel_format == V4L2_PIX_FMT_YUYV) {
    stream->luma.resize(static_cast<std::size_t>(format.width) *
                        static_cast<std::size_t>(format.height));
  }
  for (std::uint32_t index = 0; index < stream->buffers.size(); ++index) {
    const int queued = v4l2::queue_capture_buffer(*io_, fd, index);
    if (queued < 0) {
      return v4l2::v4l2_call_error(prefix, "VIDIOC_QBUF of buffer " + std::to_string(index),
                                   queued);
    }
  }
  const int on = v4l2::capture_stream_on(*io_, fd);
  if (on < 0) return v4l2::v4l2_call_error(prefix, "VIDIOC_STREAMON", on);
  stream->streaming = true;
  TRY(stream->watch.watch(io_->readiness_fd(fd), prefix));
  format_ = format;
  stream_ = std::move(stream);
  return {};
}

void V4l2FrameSource::wait_for_frame() {
  transport::ReadWatch& watch = stream_->watch;
  watch.epoll().async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, alive = watch.alive()](const boost::system::error_code& error) {
                             if (alive.expired())
                               return;  // stopped (or destroyed) since: `this` may be gone too
                             if (error == boost::asio::error::operation_aborted) return;
                             if (error) {
                               broken(id() + ": waiting for a frame failed: " + error.message());
                               return;
                             }
                             on_readable();
                           });
}

void V4l2FrameSource::on_readable() {
  const int fd = stream_->node.fd();
  const std::size_t count = stream_->buffers.size();
  std::optional<Ready> newest;
  bool dequeued_any = false;
  // At most every buffer is done at once: the loop is bounded by the buffer count.
  for (std::size_t i = 0; i < count; ++i) {
    v4l2_buffer buffer{};
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer.memory = V4L2_MEMORY_MMAP;
    const int dequeued = io_->ioctl(fd, VIDIOC_DQBUF, &buffer);
    if (dequeued == -EAGAIN) break;
    if (dequeued < 0) {
      fail(dequeued, "VIDIOC_DQBUF");
      return;
    }
    dequeued_any = true;
    if (buffer.index >= count) {
      broken(id() + ": the driver returned buffer " + std::to_string(buffer.index) + " of " +
             std::to_string(count));
      return;
    }
    if (!take_dequeued(buffer, newest)) return;
  }
  if (!dequeued_any) {
    if (++stream_->empty_wakes >= limits::camera_empty_wakes_in_a_row_max) {
      broken(id() + ": the camera signalled " + std::to_string(stream_->empty_wakes) +
             " times in a row without a frame; the stream stopped");
      return;
    }
  } else {
    stream_->empty_wakes = 0;
  }
  if (newest && !deliver_buffer(*newest)) return;
  wait_for_frame();
}

bool V4l2FrameSource::take_dequeued(const v4l2_buffer& buffer, std::optional<Ready>& newest) {
  FrameSourceCounters& counters = mutable_counters();
  if ((buffer.flags & V4L2_BUF_FLAG_ERROR) != 0) {
    ++counters.error_flagged;
    return queue_back(buffer.index);
  }
  if (buffer.bytesused < stream_->luma_bytes_needed) {
    const std::uint64_t short_frames = ++counters.short_frames;
    if (short_frames == 1 || short_frames % kShortFrameWarningEvery == 0) {
      log(LogLevel::warning, id() + ": skipped a short frame (" + std::to_string(buffer.bytesused) +
                                 " bytes, " + std::to_string(stream_->luma_bytes_needed) +
                                 " needed); " + std::to_string(short_frames) + " so far");
    }
    return queue_back(buffer.index);
  }
  if (newest) {
    ++counters.dropped_stale;
    if (!queue_back(newest->index)) return false;
  }
  newest = Ready{buffer.index, buffer.sequence, frame_time(buffer)};
  return true;
}

bool V4l2FrameSource::deliver_buffer(const Ready& ready) {
  Stream& stream = *stream_;
  const std::span<const std::uint8_t> bytes = stream.buffers[ready.index].bytes();
  const GreyFrame grey = format_.pixel_format == V4L2_PIX_FMT_YUYV
                             ? v4l2::yuyv_luma(bytes, format_, stream.luma)
                             : v4l2::y_plane_in_place(bytes, format_);
  const std::uint64_t sequence = std::max(ready.sequence, next_sequence_min_);
  next_sequence_min_ = sequence + 1;
  delivering_ = true;
  deliver_frame(CameraFrame{grey, ready.at, sequence});
  delivering_ = false;
  if (stop_requested_) {
    stop_requested_ = false;
    stream_.reset();
    return false;
  }
  return queue_back(ready.index);
}

bool V4l2FrameSource::queue_back(std::uint32_t index) {
  const int queued = v4l2::queue_capture_buffer(*io_, stream_->node.fd(), index);
  if (queued < 0) {
    fail(queued, "VIDIOC_QBUF of buffer " + std::to_string(index));
    return false;
  }
  return true;
}

void V4l2FrameSource::fail(int result, const std::string& call) {
  stream_.reset();
  Error error = v4l2::v4l2_call_error(id(), call, result);
  if (error.code == ErrorCode::not_found) {
    fail_stream(FrameSourceStatus::gone, UposResult::no_hardware, std::move(error.message));
  } else {
    fail_stream(FrameSourceStatus::offline, UposResult::failure,
                std::move(error.message) + "; the stream stopped");
  }
}

void V4l2FrameSource::broken(std::string message) {
  stream_.reset();
  fail_stream(FrameSourceStatus::offline, UposResult::failure, std::move(message));
}

}  // namespace loyalty::drivers
