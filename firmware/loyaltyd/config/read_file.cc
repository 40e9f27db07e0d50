#include "config/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace loyalty::daemon {

Result<std::string> read_bounded_file(const std::string& path, std::size_t bytes_max) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorCode::invalid_argument,
                      path + ": cannot be read: " + std::strerror(errno));
  }
  std::string text;
  char chunk[64 * 1024];
  for (;;) {  // bounded: stops at bytes_max + 1
    const ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      return make_error(ErrorCode::invalid_argument,
                        path + ": cannot be read: " + std::strerror(error));
    }
    if (got == 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
    if (text.size() > bytes_max) {
      ::close(fd);
      return make_error(ErrorCode::limit_exceeded,
                        path + ": larger than " + std::to_string(bytes_max) + " bytes");
    }
  }
  ::close(fd);
  text.shrink_to_fit();
  return text;
}

}  // namespace loyalty::daemon
