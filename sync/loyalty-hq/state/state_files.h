// Files of HQ's state directory: read bounded, written whole with a chosen mode (0600 for
// secrets), either refusing to overwrite (keys, which must never be replaced by accident) or
// replacing atomically (a rename over the old file).
//
// Thread-safety: functions of their arguments and the file system only.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::hq {

// An open file descriptor, closed when destroyed; moving leaves the source empty.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The whole file, at most `bytes_max` bytes. Errors (io_error, limit_exceeded) name the path.
Result<std::string> read_text_file(const std::string& path, std::size_t bytes_max);
// `text` without leading and trailing white space.
std::string trimmed(std::string text);
// Creates `path` with `mode` and `content`, flushed to disk; conflict when it exists.
Status write_new_file(const std::string& path, std::string_view content, mode_t mode);
// Writes `content` to "<path>.tmp" and renames it over `path`.
Status replace_file(const std::string& path, std::string_view content, mode_t mode);
// Creates the directory `path` (and its parents) when missing, with `mode` for `path`.
Status ensure_directory(const std::string& path, mode_t mode);
bool path_exists(const std::string& path);

}  // namespace loyalty::hq
