// Reading a hidraw node's report descriptor (hidraw_devices.h).
#include <fcntl.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/hid/hidraw_devices.h"

namespace loyalty::drivers {

namespace {

std::string sysfs_descriptor_path(const std::string& node) {
  const auto slash = node.find_last_of('/');
  const std::string name = slash == std::string::npos ? node : node.substr(slash + 1);
  return "/sys/class/hidraw/" + name + "/device/report_descriptor";
}

// The sysfs attribute; an empty vector when it cannot be read.
Result<std::vector<std::uint8_t>> read_sysfs_descriptor(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(ErrorCode::io_error, "cannot open " + path + ": " + std::strerror(errno));
  }
  std::vector<std::uint8_t> out(limits::hid_report_descriptor_bytes_max + 1);
  std::size_t used = 0;
  // Bounded: every pass reads at least one byte or ends, and out has a fixed size.
  while (used < out.size()) {
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (used > limits::hid_report_descriptor_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      path + " is longer than " +
                          std::to_string(limits::hid_report_descriptor_bytes_max) +
                          " bytes (the kernel's limit): not a HID report descriptor");
  }
  out.resize(used);
  return out;
}

Result<std::vector<std::uint8_t>> ioctl_descriptor(int fd, const std::string& node) {
  int size = 0;
  if (::ioctl(fd, HIDIOCGRDESCSIZE, &size) < 0) {
    return make_error(ErrorCode::io_error,
                      node + ": HIDIOCGRDESCSIZE failed: " + std::strerror(errno));
  }
  if (size <= 0 || static_cast<std::size_t>(size) > limits::hid_report_descriptor_bytes_max ||
      size > HID_MAX_DESCRIPTOR_SIZE) {
    return make_error(
        ErrorCode::limit_exceeded,
        node + ": the kernel reports a report descriptor of " + std::to_string(size) + " bytes");
  }
  hidraw_report_descriptor descriptor{};
  descriptor.size = static_cast<__u32>(size);
  if (::ioctl(fd, HIDIOCGRDESC, &descriptor) < 0) {
    return make_error(ErrorCode::io_error, node + ": HIDIOCGRDESC failed: " + std::strerror(errno));
  }
  return std::vector<std::uint8_t>(descriptor.value, descriptor.value + size);
}

}  // namespace

Result<std::vector<std::uint8_t>> read_hid_report_descriptor(const std::string& node, int fd) {
  const std::string path = sysfs_descriptor_path(node);
  auto from_sysfs = read_sysfs_descriptor(path);
  if (from_sysfs.ok() && !from_sysfs->empty()) return from_sysfs;
  if (from_sysfs.ok()) {
    from_sysfs = make_error(ErrorCode::invalid_argument, path + " is empty");
  }
  if (fd < 0) return from_sysfs;
  auto from_ioctl = ioctl_descriptor(fd, node);
  if (from_ioctl.ok()) return from_ioctl;
  return make_error(ErrorCode::io_error, "cannot read the report descriptor of " + node + " (" +
                                             from_sysfs.error().message + "; " +
                                             from_ioctl.error().message + ")");
}

}  // namespace loyalty::drivers
