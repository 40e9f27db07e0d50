// Reading and writing the state directory's files with POSIX calls (state_files.h).

#include "state/state_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace loyalty::hq {

namespace {

Error io_error(const std::string& path, const char* what, int error_number) {
  return make_error(ErrorCode::io_error,
                    path + ": cannot " + what + ": " + std::strerror(error_number));
}

Status write_all(const UniqueFd& fd, const std::string& path, std::string_view content) {
  std::size_t written = 0;
  while (written < content.size()) {  // each round writes at least one byte or fails
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error(path, "write", errno);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return io_error(path, "flush", errno);
  return Status();
}

Status write_file(const std::string& path, std::string_view content, mode_t mode, int flags) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode));
  if (!fd) {
    if (errno == EEXIST) {
      return make_error(ErrorCode::conflict,
                        path + ": already exists; refusing to overwrite it (move it away first)");
    }
    return io_error(path, "create", errno);
  }
  if (::fchmod(fd.get(), mode) != 0) return io_error(path, "set the mode of", errno);
  return write_all(fd, path, content);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::string> read_text_file(const std::string& path, std::size_t bytes_max) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return io_error(path, "open", errno);
  std::string content;
  char chunk[16 * 1024];
  // Reads at most bytes_max + 1 bytes: one past the cap tells that it is exceeded.
  while (content.size() <= bytes_max) {
    const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path, "read", errno);
    if (n == 0) break;
    content.append(chunk, static_cast<std::size_t>(n));
  }
  if (content.size() > bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      path + ": larger than the limit of " + std::to_string(bytes_max) + " bytes");
  }
  return content;
}

Status write_new_file(const std::string& path, std::string_view content, mode_t mode) {
  return write_file(path, content, mode, O_EXCL);
}

Status replace_file(const std::string& path, std::string_view content, mode_t mode) {
  const std::string temporary = path + ".tmp";
  TRY(write_file(temporary, content, mode, O_TRUNC));
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return io_error(path, "replace", error_number);
  }
  return Status();
}

Status ensure_directory(const std::string& path, mode_t mode) {
  std::error_code error;
  const bool created = std::filesystem::create_directories(path, error);
  if (error) {
    return make_error(ErrorCode::io_error,
                      path + ": cannot create the directory: " + error.message());
  }
  // An existing directory keeps its mode: its owner (a package, an operator) chose it.
  if (created && ::chmod(path.c_str(), mode) != 0) {
    return io_error(path, "set the mode of", errno);
  }
  return Status();
}

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

std::string trimmed(std::string text) {
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(std::find_if_not(text.rbegin(), text.rend(), space).base(), text.end());
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), space));
  return text;
}

}  // namespace loyalty::hq
