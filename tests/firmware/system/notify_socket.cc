// Test support for the service manager's protocol (notify_socket.h).
#include "system/notify_socket.h"

#include <stdlib.h>  // mkdtemp, setenv, unsetenv
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "loyalty/core/result.h"

namespace loyalty::daemon::test {

// Datagrams of the protocol are short; one longer than this would be a test failure anyway.
constexpr std::size_t kDatagramBytesMax = 4096;

NotifySocket::NotifySocket() {
  std::string pattern = std::filesystem::temp_directory_path() / "loyalty-notify-XXXXXX";
  LOYALTY_ASSERT(mkdtemp(pattern.data()) != nullptr);
  directory_ = pattern;
  path_ = directory_ + "/notify.sock";
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  LOYALTY_ASSERT(fd_ >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  LOYALTY_ASSERT(path_.size() < sizeof(address.sun_path));
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  LOYALTY_ASSERT(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::optional<std::string> NotifySocket::receive() {
  std::string buffer(kDatagramBytesMax, '\0');
  const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
  if (received < 0) return std::nullopt;
  buffer.resize(static_cast<std::size_t>(received));
  return buffer;
}

ScopedEnv::ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
  if (const char* previous = std::getenv(name_.c_str())) previous_ = previous;
  if (value) {
    LOYALTY_ASSERT(::setenv(name_.c_str(), value->c_str(), 1) == 0);
  } else {
    LOYALTY_ASSERT(::unsetenv(name_.c_str()) == 0);
  }
}

ScopedEnv::~ScopedEnv() {
  if (previous_) {
    ::setenv(name_.c_str(), previous_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

}  // namespace loyalty::daemon::test
