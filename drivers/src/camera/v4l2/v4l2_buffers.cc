// V4L2 capture buffers: request, map, queue (camera/v4l2/v4l2_buffers.h).
#include "camera/v4l2/v4l2_buffers.h"

#include <linux/videodev2.h>

#include <cerrno>
#include <cstring>

#include "loyalty/core/limits.h"

namespace loyalty::drivers::v4l2 {

bool v4l2_device_gone(int result) { return result == -ENODEV || result == -ENXIO; }

Error v4l2_call_error(const std::string& prefix, const std::string& call, int result) {
  LOYALTY_ASSERT(result < 0);
  const std::string why = std::strerror(-result);
  if (v4l2_device_gone(result)) {
    return make_error(ErrorCode::not_found, prefix + ": the camera is gone (" + call + ": " + why +
                                                "); plug it in again and restart the stream");
  }
  return make_error(ErrorCode::io_error, prefix + ": " + call + " failed: " + why);
}

Result<std::vector<MappedBuffer>> map_capture_buffers(V4l2Io& io, int fd, std::size_t count,
                                                      std::size_t bytes_needed,
                                                      const std::string& prefix) {
  LOYALTY_ASSERT(count >= 1 && count <= limits::camera_v4l2_buffers_max);
  v4l2_requestbuffers request{};
  request.count = static_cast<std::uint32_t>(count);
  request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  request.memory = V4L2_MEMORY_MMAP;
  const int requested = io.ioctl(fd, VIDIOC_REQBUFS, &request);
  if (requested == -EINVAL) {
    return make_error(ErrorCode::io_error,
                      prefix +
                          ": the driver has no memory-mapped streaming (VIDIOC_REQBUFS with "
                          "V4L2_MEMORY_MMAP: Invalid argument)");
  }
  if (requested < 0) return v4l2_call_error(prefix, "VIDIOC_REQBUFS", requested);
  if (request.count == 0) {
    return make_error(ErrorCode::io_error,
                      prefix +
                          ": the driver granted no capture buffers (VIDIOC_REQBUFS asked for " +
                          std::to_string(count) + ")");
  }
  if (request.count > limits::camera_v4l2_buffers_max) {
    return make_error(ErrorCode::limit_exceeded,
                      prefix + ": the driver wants " + std::to_string(request.count) +
                          " capture buffers; at most " +
                          std::to_string(limits::camera_v4l2_buffers_max) + " are mapped");
  }
  std::vector<MappedBuffer> buffers;
  buffers.reserve(request.count);
  for (std::uint32_t index = 0; index < request.count; ++index) {
    v4l2_buffer buffer{};
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer.memory = V4L2_MEMORY_MMAP;
    buffer.index = index;
    const std::string which = " of buffer " + std::to_string(index);
    const int queried = io.ioctl(fd, VIDIOC_QUERYBUF, &buffer);
    if (queried < 0) return v4l2_call_error(prefix, "VIDIOC_QUERYBUF" + which, queried);
    if (buffer.length < bytes_needed) {
      return make_error(ErrorCode::io_error, prefix + ": buffer " + std::to_string(index) +
                                                 " holds " + std::to_string(buffer.length) +
                                                 " bytes; a frame of the format needs " +
                                                 std::to_string(bytes_needed));
    }
    void* address = nullptr;
    const int mapped = io.mmap(fd, buffer.length, buffer.m.offset, &address);
    if (mapped < 0) return v4l2_call_error(prefix, "mmap" + which, mapped);
    buffers.emplace_back(io, address, buffer.length);
  }
  return buffers;
}

int queue_capture_buffer(V4l2Io& io, int fd, std::uint32_t index) {
  v4l2_buffer buffer{};
  buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buffer.memory = V4L2_MEMORY_MMAP;
  buffer.index = index;
  return io.ioctl(fd, VIDIOC_QBUF, &buffer);
}

int capture_stream_on(V4l2Io& io, int fd) {
  int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  return io.ioctl(fd, VIDIOC_STREAMON, &type);
}

int capture_stream_off(V4l2Io& io, int fd) {
  int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  return io.ioctl(fd, VIDIOC_STREAMOFF, &type);
}

}  // namespace loyalty::drivers::v4l2
