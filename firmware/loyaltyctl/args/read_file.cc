#include "args/read_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace loyalty::cli {

namespace {

constexpr std::size_t chunk_bytes = 64 * 1024;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

Error io_error(const std::string& path, const char* what, int error_number) {
  return make_error(ErrorCode::io_error, path + ": " + what + ": " + std::strerror(error_number));
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return io_error(path, "cannot open", errno);
  std::string content;
  char chunk[chunk_bytes];
  // Reads at most max_bytes + 1 bytes: one byte past the cap is enough to know it is exceeded.
  while (content.size() <= max_bytes) {
    const std::size_t wanted = std::min(chunk_bytes, max_bytes + 1 - content.size());
    const std::size_t got = std::fread(chunk, 1, wanted, file.get());
    content.append(chunk, got);
    if (got < wanted) break;
  }
  if (std::ferror(file.get()) != 0) return io_error(path, "cannot read", errno);
  if (content.size() > max_bytes) {
    return make_error(ErrorCode::limit_exceeded,
                      path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return content;
}

}  // namespace loyalty::cli
