// The emulated V4L2 capture device (fake_v4l2_device.h).
#include "camera/fake_v4l2_device.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "loyalty/drivers/camera/v4l2_frame_source.h"

namespace drivers_test {

namespace {

// mmap offsets the fake hands out: buffer i is at i * kOffsetStep (a cookie, as the kernel's).
constexpr std::int64_t kOffsetStep = 0x100000;
constexpr std::uint8_t kRequeuedPoison = 0xEE;

std::size_t bytes_a_pixel(std::uint32_t pixel_format) {
  return pixel_format == V4L2_PIX_FMT_YUYV ? 2 : 1;
}

std::size_t image_bytes_of(std::uint32_t pixel_format, std::size_t bytes_per_line,
                           std::size_t height) {
  const std::size_t luma = bytes_per_line * height;
  if (pixel_format == V4L2_PIX_FMT_NV12 || pixel_format == V4L2_PIX_FMT_YUV420) {
    return luma + luma / 2;
  }
  return luma;
}

std::string request_name(unsigned long request) {
  switch (request) {
    case VIDIOC_QUERYCAP:
      return "QUERYCAP";
    case VIDIOC_S_FMT:
      return "S_FMT";
    case VIDIOC_G_PARM:
      return "G_PARM";
    case VIDIOC_S_PARM:
      return "S_PARM";
    case VIDIOC_REQBUFS:
      return "REQBUFS";
    case VIDIOC_QUERYBUF:
      return "QUERYBUF";
    case VIDIOC_QBUF:
      return "QBUF";
    case VIDIOC_DQBUF:
      return "DQBUF";
    case VIDIOC_STREAMON:
      return "STREAMON";
    case VIDIOC_STREAMOFF:
      return "STREAMOFF";
    default:
      return "ioctl " + std::to_string(request);
  }
}

class FakeIo final : public loyalty::drivers::V4l2Io {
 public:
  explicit FakeIo(FakeV4l2Device& device) : device_(device) {}
  int open(const char* path, int flags) override { return device_.open(path, flags); }
  void close(int fd) override { device_.close(fd); }
  int ioctl(int fd, unsigned long request, void* arg) override {
    return device_.ioctl(fd, request, arg);
  }
  int mmap(int fd, std::size_t length, std::int64_t offset, void** address) override {
    return device_.mmap(fd, length, offset, address);
  }
  void munmap(void* address, std::size_t length) override { device_.munmap(address, length); }
  int readiness_fd(int fd) override { return device_.readiness_fd(fd); }

 private:
  FakeV4l2Device& device_;
};

}  // namespace

FakeV4l2Device::FakeV4l2Device(FakeV4l2Config config) : config_(std::move(config)) {
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

FakeV4l2Device::~FakeV4l2Device() { ::close(event_fd_); }

std::unique_ptr<loyalty::drivers::V4l2Io> FakeV4l2Device::io() {
  return std::make_unique<FakeIo>(*this);
}

bool FakeV4l2Device::capture(const FakeCapture& frame) {
  const std::uint32_t sequence = sequence_++;
  if (!streaming_ || queued_.empty()) {
    ++frames_dropped_;
    return false;
  }
  const std::uint32_t index = queued_.front();
  queued_.pop_front();
  Buffer& buffer = buffers_[index];
  if (frame.bytes.size() > buffer.memory.size()) throw std::logic_error("capture: too many bytes");
  std::copy(frame.bytes.begin(), frame.bytes.end(), buffer.memory.begin());
  buffer.owner = Owner::driver_done;
  Done done;
  done.index = index;
  done.bytes_used =
      frame.bytes_used != 0 ? frame.bytes_used : static_cast<std::uint32_t>(image_bytes_);
  done.flags = V4L2_BUF_FLAG_DONE | (frame.error_flag ? V4L2_BUF_FLAG_ERROR : 0);
  if (frame.timestamp_us != 0) done.flags |= V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
  done.sequence = sequence;
  done.timestamp_us = frame.timestamp_us;
  done_.push_back(done);
  signal();
  return true;
}

void FakeV4l2Device::wake_without_frame() { signal(); }

void FakeV4l2Device::unplug() {
  unplugged_ = true;
  signal();  // the kernel wakes pollers with POLLERR
}

void FakeV4l2Device::fail_next(unsigned long request, int error, int skipped) {
  fail_next_[request] = Failure{error, skipped};
}

std::size_t FakeV4l2Device::mappings() const {
  return static_cast<std::size_t>(
      std::count_if(buffers_.begin(), buffers_.end(), [](const Buffer& b) { return b.mapped; }));
}

int FakeV4l2Device::open(const char* path, int /*flags*/) {
  calls_.push_back(std::string("open ") + path);
  if (config_.open_error != 0) return -config_.open_error;
  if (unplugged_ || path != config_.node) return -ENOENT;
  if (open_) return -EBUSY;
  open_ = true;
  return fake_v4l2_fd;
}

void FakeV4l2Device::close(int fd) {
  calls_.push_back("close");
  if (fd != fake_v4l2_fd || !open_) throw std::logic_error("close of a descriptor not open");
  open_ = false;
  streaming_ = false;
  queued_.clear();
  done_.clear();
  reset_signal();
  // Closing frees the buffers (the kernel does once they are unmapped).
  if (mappings() == 0) buffers_.clear();
}

int FakeV4l2Device::ioctl(int fd, unsigned long request, void* arg) {
  if (fd != fake_v4l2_fd || !open_) throw std::logic_error("ioctl on a descriptor not open");
  if (unplugged_) {
    calls_.push_back(request_name(request) + " ENODEV");
    return -ENODEV;
  }
  if (const auto failure = fail_next_.find(request);
      failure != fail_next_.end() && failure->second.skipped-- == 0) {
    const int error = failure->second.error;
    fail_next_.erase(failure);
    calls_.push_back(request_name(request) + " fails: " + std::strerror(error));
    return -error;
  }
  switch (request) {
    case VIDIOC_QUERYCAP: {
      calls_.push_back("QUERYCAP");
      if (!config_.is_v4l2) return -ENOTTY;
      auto& capability = *static_cast<v4l2_capability*>(arg);
      capability = {};
      std::strncpy(reinterpret_cast<char*>(capability.driver), "fake", sizeof(capability.driver));
      std::strncpy(reinterpret_cast<char*>(capability.card), config_.card.c_str(),
                   sizeof(capability.card) - 1);
      capability.device_caps = config_.device_caps;
      capability.capabilities = config_.device_caps | V4L2_CAP_DEVICE_CAPS;
      return 0;
    }
    case VIDIOC_S_FMT:
      return set_format(*static_cast<v4l2_format*>(arg));
    case VIDIOC_G_PARM: {
      calls_.push_back("G_PARM");
      auto& parm = *static_cast<v4l2_streamparm*>(arg);
      parm.parm.capture.capability = config_.sets_frame_rate ? V4L2_CAP_TIMEPERFRAME : 0;
      parm.parm.capture.timeperframe = time_per_frame_;
      return 0;
    }
    case VIDIOC_S_PARM: {
      auto& parm = *static_cast<v4l2_streamparm*>(arg);
      const v4l2_fract asked = parm.parm.capture.timeperframe;
      calls_.push_back("S_PARM " + std::to_string(asked.numerator) + "/" +
                       std::to_string(asked.denominator));
      if (!config_.sets_frame_rate) return -EINVAL;
      time_per_frame_ = asked;
      return 0;
    }
    case VIDIOC_REQBUFS:
      return request_buffers(*static_cast<v4l2_requestbuffers*>(arg));
    case VIDIOC_QUERYBUF:
      return query_buffer(*static_cast<v4l2_buffer*>(arg));
    case VIDIOC_QBUF:
      return queue_buffer(*static_cast<const v4l2_buffer*>(arg));
    case VIDIOC_DQBUF:
      return dequeue_buffer(*static_cast<v4l2_buffer*>(arg));
    case VIDIOC_STREAMON:
      calls_.push_back("STREAMON");
      if (queued_.empty()) return -EINVAL;
      streaming_ = true;
      sequence_ = 0;
      return 0;
    case VIDIOC_STREAMOFF:
      calls_.push_back("STREAMOFF");
      streaming_ = false;
      queued_.clear();
      done_.clear();
      for (Buffer& buffer : buffers_) buffer.owner = Owner::application;
      reset_signal();
      return 0;
    default:
      calls_.push_back(request_name(request));
      return -ENOTTY;
  }
}

int FakeV4l2Device::set_format(v4l2_format& format) {
  if (format.type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return -EINVAL;
  v4l2_pix_format& pix = format.fmt.pix;
  const std::uint32_t asked = pix.pixelformat;
  const bool accepted =
      std::find(config_.formats.begin(), config_.formats.end(), asked) != config_.formats.end();
  if (!accepted && config_.refuse_other_formats) {
    calls_.push_back("S_FMT " + loyalty::drivers::fourcc_text(asked) + " refused");
    return -EINVAL;
  }
  if (streaming_) return -EBUSY;
  pix.pixelformat = accepted ? asked : config_.formats.front();
  if (config_.width != 0) pix.width = static_cast<std::uint32_t>(config_.width);
  if (config_.height != 0) pix.height = static_cast<std::uint32_t>(config_.height);
  pix.field = V4L2_FIELD_NONE;
  pix.bytesperline = static_cast<std::uint32_t>(pix.width * bytes_a_pixel(pix.pixelformat) +
                                                static_cast<std::size_t>(config_.row_padding));
  pix.sizeimage =
      static_cast<std::uint32_t>(image_bytes_of(pix.pixelformat, pix.bytesperline, pix.height));
  calls_.push_back("S_FMT " + loyalty::drivers::fourcc_text(asked) + " -> " +
                   loyalty::drivers::fourcc_text(pix.pixelformat) + " " +
                   std::to_string(pix.width) + "x" + std::to_string(pix.height));
  pixel_format_ = pix.pixelformat;
  width_ = static_cast<int>(pix.width);
  height_ = static_cast<int>(pix.height);
  bytes_per_line_ = static_cast<int>(pix.bytesperline);
  image_bytes_ = pix.sizeimage;
  return 0;
}

int FakeV4l2Device::request_buffers(v4l2_requestbuffers& request) {
  const std::uint32_t granted =
      request.count == 0 ? 0 : config_.buffers_granted.value_or(request.count);
  calls_.push_back("REQBUFS " + std::to_string(request.count) + " -> " + std::to_string(granted));
  if (request.type != V4L2_BUF_TYPE_VIDEO_CAPTURE || request.memory != V4L2_MEMORY_MMAP) {
    return -EINVAL;
  }
  if (streaming_ || mappings() != 0) return -EBUSY;
  buffers_.clear();
  buffers_.resize(granted);
  for (Buffer& buffer : buffers_) buffer.memory.assign(image_bytes_, 0);
  request.count = granted;
  return 0;
}

int FakeV4l2Device::query_buffer(v4l2_buffer& buffer) {
  calls_.push_back("QUERYBUF " + std::to_string(buffer.index));
  if (buffer.index >= buffers_.size()) return -EINVAL;
  buffer.length = static_cast<std::uint32_t>(buffers_[buffer.index].memory.size());
  buffer.m.offset = static_cast<std::uint32_t>(buffer.index * kOffsetStep);
  return 0;
}

int FakeV4l2Device::queue_buffer(const v4l2_buffer& buffer) {
  calls_.push_back("QBUF " + std::to_string(buffer.index));
  if (buffer.type != V4L2_BUF_TYPE_VIDEO_CAPTURE || buffer.memory != V4L2_MEMORY_MMAP ||
      buffer.index >= buffers_.size() || buffers_[buffer.index].owner != Owner::application) {
    return -EINVAL;
  }
  Buffer& queued = buffers_[buffer.index];
  std::fill(queued.memory.begin(), queued.memory.end(), kRequeuedPoison);
  queued.owner = Owner::driver_queued;
  queued_.push_back(buffer.index);
  return 0;
}

int FakeV4l2Device::dequeue_buffer(v4l2_buffer& buffer) {
  if (!streaming_) {
    calls_.push_back("DQBUF not streaming");
    return -EINVAL;
  }
  if (done_.empty()) {
    calls_.push_back("DQBUF EAGAIN");
    reset_signal();
    return -EAGAIN;
  }
  const Done done = done_.front();
  done_.pop_front();
  if (done_.empty()) reset_signal();
  calls_.push_back("DQBUF " + std::to_string(done.index));
  buffers_[done.index].owner = Owner::application;
  buffer.index = done.index;
  buffer.bytesused = done.bytes_used;
  buffer.flags = done.flags;
  buffer.sequence = done.sequence;
  buffer.field = V4L2_FIELD_NONE;
  buffer.timestamp.tv_sec = done.timestamp_us / 1'000'000;
  buffer.timestamp.tv_usec = done.timestamp_us % 1'000'000;
  buffer.length = static_cast<std::uint32_t>(buffers_[done.index].memory.size());
  return 0;
}

int FakeV4l2Device::mmap(int fd, std::size_t length, std::int64_t offset, void** address) {
  if (fd != fake_v4l2_fd || !open_) throw std::logic_error("mmap of a descriptor not open");
  const auto index = static_cast<std::size_t>(offset / kOffsetStep);
  calls_.push_back("mmap " + std::to_string(index));
  if (offset % kOffsetStep != 0 || index >= buffers_.size() ||
      length != buffers_[index].memory.size() || buffers_[index].mapped) {
    return -EINVAL;
  }
  buffers_[index].mapped = true;
  *address = buffers_[index].memory.data();
  return 0;
}

void FakeV4l2Device::munmap(void* address, std::size_t length) {
  for (std::size_t index = 0; index < buffers_.size(); ++index) {
    Buffer& buffer = buffers_[index];
    if (buffer.mapped && buffer.memory.data() == address) {
      if (length != buffer.memory.size()) throw std::logic_error("munmap of the wrong length");
      calls_.push_back("munmap " + std::to_string(index));
      buffer.mapped = false;
      if (!open_ && mappings() == 0) buffers_.clear();
      return;
    }
  }
  throw std::logic_error("munmap of an address never mapped");
}

int FakeV4l2Device::readiness_fd(int fd) const {
  if (fd != fake_v4l2_fd) throw std::logic_error("readiness_fd of a descriptor not open");
  return event_fd_;
}

void FakeV4l2Device::signal() {
  const std::uint64_t one = 1;
  if (::write(event_fd_, &one, sizeof one) != sizeof one) throw std::runtime_error("eventfd write");
}

void FakeV4l2Device::reset_signal() {
  std::uint64_t count = 0;
  // Non-blocking: EAGAIN when it was not signalled.
  [[maybe_unused]] const ssize_t n = ::read(event_fd_, &count, sizeof count);
}

}  // namespace drivers_test
