// The V4L2 node and its memory-mapped capture buffers, owned (private to drivers/src): one RAII
// wrapper for the descriptor and one for each mapping, both through a V4l2Io, and the calls that
// set the buffers up (VIDIOC_REQBUFS, VIDIOC_QUERYBUF, mmap) and queue one (VIDIOC_QBUF).
//
// Ownership: a V4l2Node closes its descriptor, a MappedBuffer unmaps its mapping, on destruction;
// moves leave the source empty. The V4l2Io is not owned and must outlive both. Thread-safety:
// none (one stream, one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/v4l2_io.h"

namespace loyalty::drivers::v4l2 {

class V4l2Node {
 public:
  V4l2Node() = default;
  V4l2Node(V4l2Io& io, int fd) : io_(&io), fd_(fd) {}
  ~V4l2Node() { reset(); }
  V4l2Node(V4l2Node&& other) noexcept
      : io_(std::exchange(other.io_, nullptr)), fd_(std::exchange(other.fd_, -1)) {}
  V4l2Node& operator=(V4l2Node&& other) noexcept {
    if (this != &other) {
      reset();
      io_ = std::exchange(other.io_, nullptr);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  V4l2Node(const V4l2Node&) = delete;
  V4l2Node& operator=(const V4l2Node&) = delete;

  int fd() const { return fd_; }
  void reset() {
    if (fd_ >= 0) io_->close(fd_);
    fd_ = -1;
  }

 private:
  V4l2Io* io_ = nullptr;
  int fd_ = -1;
};

class MappedBuffer {
 public:
  MappedBuffer() = default;
  MappedBuffer(V4l2Io& io, void* address, std::size_t length)
      : io_(&io), address_(address), length_(length) {}
  ~MappedBuffer() { reset(); }
  MappedBuffer(MappedBuffer&& other) noexcept
      : io_(std::exchange(other.io_, nullptr)),
        address_(std::exchange(other.address_, nullptr)),
        length_(std::exchange(other.length_, 0)) {}
  MappedBuffer& operator=(MappedBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      io_ = std::exchange(other.io_, nullptr);
      address_ = std::exchange(other.address_, nullptr);
      length_ = std::exchange(other.length_, 0);
    }
    return *this;
  }
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;

  std::span<const std::uint8_t> bytes() const {
    return {static_cast<const std::uint8_t*>(address_), length_};
  }
  void reset() {
    if (address_ != nullptr) io_->munmap(address_, length_);
    address_ = nullptr;
    length_ = 0;
  }

 private:
  V4l2Io* io_ = nullptr;
  void* address_ = nullptr;
  std::size_t length_ = 0;
};

// The error of a V4L2 call `call` that answered `result` (-errno), prefixed "<prefix>: ".
// ENODEV and ENXIO say the camera is gone (ErrorCode::not_found); anything else is io_error.
Error v4l2_call_error(const std::string& prefix, const std::string& call, int result);
// True for the -errno results that mean the device went away.
bool v4l2_device_gone(int result);

// VIDIOC_REQBUFS for `count` MMAP capture buffers, then VIDIOC_QUERYBUF and mmap of each granted
// one. Refuses a grant of none or of more than limits::camera_v4l2_buffers_max, and a buffer
// shorter than `bytes_needed`. On error, whatever was mapped is unmapped.
Result<std::vector<MappedBuffer>> map_capture_buffers(V4l2Io& io, int fd, std::size_t count,
                                                      std::size_t bytes_needed,
                                                      const std::string& prefix);

// VIDIOC_QBUF of MMAP capture buffer `index`: 0 or -errno.
int queue_capture_buffer(V4l2Io& io, int fd, std::uint32_t index);

// VIDIOC_STREAMON / VIDIOC_STREAMOFF of the capture queue: 0 or -errno.
int capture_stream_on(V4l2Io& io, int fd);
int capture_stream_off(V4l2Io& io, int fd);

}  // namespace loyalty::drivers::v4l2
