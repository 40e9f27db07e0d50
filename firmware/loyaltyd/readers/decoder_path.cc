#include "readers/decoder_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace loyalty::daemon {

namespace {

constexpr std::string_view decoder_name = "loyalty-decoder";

bool is_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

std::string decoder_path_for(std::string_view program_path, std::string_view from_bindir,
                             std::string_view build_bin_dir) {
  const std::filesystem::path bin_dir = std::filesystem::path(program_path).parent_path();
  if (!bin_dir.empty()) {
    const std::string beside = (bin_dir / decoder_name).string();
    if (is_file(beside)) return beside;
    // lexically_normal(): the log and error messages name /usr/libexec/..., not /usr/bin/../.
    const std::string installed = (bin_dir / from_bindir).lexically_normal().string();
    if (is_file(installed)) return installed;
  }
  return (std::filesystem::path(build_bin_dir) / decoder_name).string();
}

std::string default_decoder_path() {
  char self[4096];
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  const std::string program =
      length > 0 ? std::string(self, static_cast<std::size_t>(length)) : std::string();
  return decoder_path_for(program, LOYALTY_DECODER_FROM_BINDIR, LOYALTY_BUILD_BIN_DIR);
}

}  // namespace loyalty::daemon
