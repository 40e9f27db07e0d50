// The real V4l2Io (camera/v4l2_io.h): the system calls on the node itself, errors as -errno.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "loyalty/drivers/camera/v4l2_io.h"

namespace loyalty::drivers {

namespace {

// EINTR retries of one call: a signal storm must not spin a call for ever.
constexpr int kEintrRetriesMax = 8;

class SystemV4l2Io final : public V4l2Io {
 public:
  int open(const char* path, int flags) override {
    for (int attempt = 0; attempt < kEintrRetriesMax; ++attempt) {
      const int fd = ::open(path, flags);
      if (fd >= 0) return fd;
      if (errno != EINTR) return -errno;
    }
    return -EINTR;
  }

  void close(int fd) override { ::close(fd); }

  int ioctl(int fd, unsigned long request, void* arg) override {
    for (int attempt = 0; attempt < kEintrRetriesMax; ++attempt) {
      const int result = ::ioctl(fd, request, arg);
      if (result >= 0) return result;
      if (errno != EINTR) return -errno;
    }
    return -EINTR;
  }

  int mmap(int fd, std::size_t length, std::int64_t offset, void** address) override {
    void* mapped =
        ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(offset));
    if (mapped == MAP_FAILED) return -errno;
    *address = mapped;
    return 0;
  }

  void munmap(void* address, std::size_t length) override { ::munmap(address, length); }

  // A V4L2 node polls readable when a buffer is done (and with POLLERR when the stream broke).
  int readiness_fd(int fd) override { return fd; }
};

}  // namespace

std::unique_ptr<V4l2Io> system_v4l2_io() { return std::make_unique<SystemV4l2Io>(); }

}  // namespace loyalty::drivers
