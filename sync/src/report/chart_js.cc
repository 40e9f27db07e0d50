// Reading Chart.js's UMD build from Debian's libjs-chart.js (report_html.h, chart_js.h).

#include "report/chart_js.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

#include "loyalty/sync/report_html.h"

namespace loyalty::sync {
namespace {

// A file descriptor, closed by the destructor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr std::string_view package_hint =
    " (Chart.js comes with Debian's libjs-chart.js: apt-get install libjs-chart.js)";

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  const auto equal = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), equal) != text.end();
}

}  // namespace

namespace report {

Status check_inlinable_script(std::string_view text, std::string_view what) {
  const std::string name(what);
  if (text.empty()) return make_error(ErrorCode::invalid_argument, name + ": the script is empty");
  if (text.size() > limits::hq_chart_js_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      name + ": " + std::to_string(text.size()) + " bytes, more than the " +
                          std::to_string(limits::hq_chart_js_bytes_max) + " a page inlines");
  }
  for (std::string_view bad : {std::string_view("</script"), std::string_view("<!--")}) {
    if (contains_ignoring_case(text, bad)) {
      return make_error(ErrorCode::invalid_argument,
                        name + ": the script contains \"" + std::string(bad) +
                            "\", which would break the <script> element it is inlined into");
    }
  }
  return Status();
}

}  // namespace report

Result<std::string> load_chart_js(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return make_error(ErrorCode::not_found,
                        path + ": Chart.js is missing" + std::string(package_hint));
    }
    return make_error(ErrorCode::io_error, path + ": cannot read Chart.js: " +
                                               std::strerror(error) + std::string(package_hint));
  }
  std::string text;
  char buffer[64 * 1024];
  // Bounded: at most limits::hq_chart_js_bytes_max / sizeof(buffer) + 1 reads of data.
  while (text.size() <= limits::hq_chart_js_bytes_max) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return make_error(ErrorCode::io_error, path + ": cannot read Chart.js: " +
                                                 std::strerror(errno) + std::string(package_hint));
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  TRY(report::check_inlinable_script(text, path));
  return text;
}

}  // namespace loyalty::sync
