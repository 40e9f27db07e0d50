// Helpers of the decoder sandbox's tests (sandbox_support.h).
#include "sandbox/sandbox_support.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "loyalty/drivers/camera/image_file.h"

namespace sandbox_test {

std::string decoder_path() { return std::string(LOYALTY_BUILD_BIN_DIR) + "/loyalty-decoder"; }

loyalty::daemon::DecoderSandboxOptions test_options() {
  loyalty::daemon::DecoderSandboxOptions options;
  options.decoder_path = decoder_path();
  options.decode.set_formats(
      {loyalty::drivers::ScanDataType::code128, loyalty::drivers::ScanDataType::qrcode});
  options.restart_delay_min = std::chrono::milliseconds(10);
  options.restart_delay_max = std::chrono::milliseconds(100);
  return options;
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return true;
}

void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (io.stopped()) io.restart();
    io.run_one_until(until);
  }
}

loyalty::daemon::DecoderSandbox::Completion Completions::make(int tag) {
  return [this, tag](loyalty::Result<loyalty::drivers::FrameScan> result) {
    results.emplace_back(tag, std::move(result));
  };
}

loyalty::drivers::GreyImage camera_frame_of(const drivers_test::TempDir& dir,
                                            const std::string& name,
                                            const drivers_test::Symbol& symbol) {
  const std::string path = drivers_test::barcode_image(dir, name, symbol);
  auto image = loyalty::drivers::load_image_file(path);
  if (!image.ok()) throw std::runtime_error(image.error().message);
  return std::move(image).value();
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string fake_child(const drivers_test::TempDir& dir, const std::string& name,
                       std::size_t read_bytes, const std::vector<std::uint8_t>& reply,
                       int exit_status) {
  // The child's environment is empty (no PATH): programs by their full paths. printf's octal
  // escapes carry any byte.
  std::string script = "#!/bin/sh\n";
  if (read_bytes > 0) script += "/usr/bin/head -c " + std::to_string(read_bytes) + " >/dev/null\n";
  script += "printf '";
  for (std::uint8_t byte : reply) {
    char escape[8];
    std::snprintf(escape, sizeof escape, "\\%03o", byte);
    script += escape;
  }
  script += exit_status >= 0 ? "'\nexit " + std::to_string(exit_status) + "\n"
                             : std::string("'\nexec /bin/sleep 30\n");
  const std::string path = dir.file(name + ".sh");
  std::ofstream(path) << script;
  if (::chmod(path.c_str(), 0700) != 0) throw std::runtime_error("chmod " + path);
  return path;
}

std::string proc_line(pid_t pid, const std::string& file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::istringstream words(line);
    std::string word;
    std::string normalised;
    while (words >> word) normalised += (normalised.empty() ? "" : " ") + word;
    return normalised;
  }
  return {};
}

std::vector<int> open_fds(pid_t pid) {
  std::vector<int> fds;
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) throw std::runtime_error("cannot list " + path);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") fds.push_back(std::stoi(name));
  }
  ::closedir(dir);
  std::sort(fds.begin(), fds.end());
  return fds;
}

bool is_unreaped_child(pid_t pid) {
  siginfo_t info{};
  // WNOWAIT: looks without reaping.
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

}  // namespace sandbox_test
