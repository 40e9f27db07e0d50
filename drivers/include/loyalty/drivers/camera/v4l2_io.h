// The operating-system calls V4l2FrameSource makes on a V4L2 node, behind one small interface so
// that tests can stand a fake capture device in for the kernel (no V4L2 device exists on a build
// machine, and umockdev cannot replay V4L2's streaming ioctls). system_v4l2_io() is the real
// one: open(2), close(2), ioctl(2), mmap(2), munmap(2) on the node itself.
//
// The calls mirror the system calls, with the error as a negative errno in the result instead
// of in errno (0 or a descriptor on success), so a fake sets no global state.
//
// Thread-safety: system_v4l2_io()'s object keeps no state; a fake is the test's to say. A
// V4l2FrameSource calls its V4l2Io from the thread that runs it only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace loyalty::drivers {

class V4l2Io {
 public:
  virtual ~V4l2Io() = default;

  // open(path, flags): a descriptor, or -errno. V4l2FrameSource passes O_RDWR | O_NONBLOCK |
  // O_CLOEXEC.
  virtual int open(const char* path, int flags) = 0;
  // close(fd) of a descriptor open() gave.
  virtual void close(int fd) = 0;
  // ioctl(fd, request, arg): 0 (or the ioctl's non-negative result), or -errno. EINTR is retried
  // by the implementation, never returned.
  virtual int ioctl(int fd, unsigned long request, void* arg) = 0;
  // mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset): 0 with *address set,
  // or -errno.
  virtual int mmap(int fd, std::size_t length, std::int64_t offset, void** address) = 0;
  // munmap(address, length) of a mapping mmap() made.
  virtual void munmap(void* address, std::size_t length) = 0;
  // The descriptor that turns readable when a buffer can be dequeued from the node `fd` (the
  // node itself for a kernel device; a fake's eventfd). Owned by the V4l2Io, valid while `fd` is
  // open; a hang-up or error on it must make it readable too.
  virtual int readiness_fd(int fd) = 0;
};

// The system calls themselves.
std::unique_ptr<V4l2Io> system_v4l2_io();

}  // namespace loyalty::drivers
