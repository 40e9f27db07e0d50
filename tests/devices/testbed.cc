// The umockdev testbed of the device tests (testbed.h).
#include "testbed.h"

#include <fcntl.h>
#include <linux/hidraw.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace devices_test {

namespace {

std::string hex4(std::uint16_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "%04x", value);
  return text;
}

void require_no_error(GError* error) {
  if (error != nullptr) {
    const std::string message = error->message;
    g_error_free(error);
    FAIL("umockdev: " << message);
  }
}

}  // namespace

Testbed::Testbed() {
  // umockdev_in_mock_environment() answers false under umockdev-wrapper in umockdev 0.17; the
  // preload is what matters.
  const char* preload = std::getenv("LD_PRELOAD");
  INFO("run the device tests through umockdev-wrapper (ctest does)");
  REQUIRE((preload != nullptr &&
           std::string(preload).find("libumockdev-preload") != std::string::npos));
  testbed_ = umockdev_testbed_new();
  REQUIRE(testbed_ != nullptr);
}

Testbed::~Testbed() {
  g_object_unref(testbed_);
  for (const std::string& path : temp_files_) std::remove(path.c_str());
}

std::string Testbed::root() const {
  gchar* root = umockdev_testbed_get_root_dir(testbed_);
  std::string out = root;
  g_free(root);
  return out;
}

std::string Testbed::add_hidraw(int index, std::uint16_t vendor_id, std::uint16_t product_id,
                                const std::string& name, const Bytes& descriptor) {
  const std::string n = std::to_string(index);
  const std::string hid = "/devices/pci0000:00/usb1/1-" + n + "/1-" + n +
                          ":1.0/0003:" + hex4(vendor_id) + ":" + hex4(product_id) + ".000" + n;
  std::string hex;
  for (std::uint8_t byte : descriptor) {
    char two[4];
    std::snprintf(two, sizeof two, "%02X", byte);
    hex += two;
  }
  const std::string text = "P: " + hid + "\nE: SUBSYSTEM=hid\nE: HID_ID=0003:0000" +
                           hex4(vendor_id) + ":0000" + hex4(product_id) + "\nE: HID_NAME=" + name +
                           "\nH: report_descriptor=" + hex + "\n\nP: " + hid + "/hidraw/hidraw" +
                           n + "\nN: hidraw" + n + "\nL: device=../../../0003:" + hex4(vendor_id) +
                           ":" + hex4(product_id) + ".000" + n + "\nE: DEVNAME=/dev/hidraw" + n +
                           "\nE: SUBSYSTEM=hidraw\nE: MAJOR=241\nE: MINOR=" + n +
                           "\nA: dev=241:" + n + "\n";
  GError* error = nullptr;
  umockdev_testbed_add_from_string(testbed_, text.c_str(), &error);
  require_no_error(error);
  return "/sys" + hid + "/hidraw/hidraw" + n;
}

std::string Testbed::add_evdev(int index, std::uint16_t vendor_id, std::uint16_t product_id,
                               const std::string& name) {
  const std::string n = std::to_string(index);
  const std::string input = "/devices/pci0000:00/usb2/2-" + n + "/2-" + n + ":1.0/input/input" + n;
  GError* error = nullptr;
  const std::string parent = "P: " + input + "\nE: SUBSYSTEM=input\nE: NAME=\"" + name + "\"\n";
  umockdev_testbed_add_from_string(testbed_, parent.c_str(), &error);
  require_no_error(error);
  // Attributes in a subdirectory (id/vendor) need the directory first.
  const std::string id_dir = root() + "/sys" + input + "/id";
  REQUIRE(::mkdir(id_dir.c_str(), 0755) == 0);
  umockdev_testbed_set_attribute(testbed_, ("/sys" + input).c_str(), "id/vendor",
                                 hex4(vendor_id).c_str());
  umockdev_testbed_set_attribute(testbed_, ("/sys" + input).c_str(), "id/product",
                                 hex4(product_id).c_str());
  umockdev_testbed_set_attribute(testbed_, ("/sys" + input).c_str(), "name", name.c_str());
  const std::string minor = std::to_string(64 + index);
  const std::string event =
      "P: " + input + "/event" + n + "\nN: input/event" + n + "\nE: DEVNAME=/dev/input/event" + n +
      "\nE: SUBSYSTEM=input\nE: MAJOR=13\nE: MINOR=" + minor + "\nA: dev=13:" + minor + "\n";
  umockdev_testbed_add_from_string(testbed_, event.c_str(), &error);
  require_no_error(error);
  return "/sys" + input + "/event" + n;
}

std::string Testbed::add_tty(const std::string& name, std::uint16_t vendor_id,
                             std::uint16_t product_id) {
  const std::string path = "/devices/pci0000:00/usb3/3-1/3-1:1.0/tty/" + name;
  const std::string text = "P: " + path + "\nN: " + name + "\nE: DEVNAME=/dev/" + name +
                           "\nE: SUBSYSTEM=tty\nE: ID_VENDOR_ID=" + hex4(vendor_id) +
                           "\nE: ID_MODEL_ID=" + hex4(product_id) +
                           "\nE: ID_MODEL=Serial_Scanner\nE: MAJOR=166\nE: MINOR=0\nA: dev=166:0\n";
  GError* error = nullptr;
  umockdev_testbed_add_from_string(testbed_, text.c_str(), &error);
  require_no_error(error);
  return "/sys" + path;
}

int Testbed::master_fd(const std::string& node) {
  const int fd = umockdev_testbed_get_dev_fd(testbed_, node.c_str());
  REQUIRE(fd >= 0);
  return fd;
}

void Testbed::send(const std::string& node, const Bytes& bytes) {
  const ssize_t written = ::write(master_fd(node), bytes.data(), bytes.size());
  REQUIRE(written == static_cast<ssize_t>(bytes.size()));
}

void Testbed::hang_up(const std::string& node) {
  const int master = master_fd(node);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  REQUIRE(null_fd >= 0);
  REQUIRE(::dup2(null_fd, master) == master);
  ::close(null_fd);
}

std::string Testbed::temp_file(const std::string& contents) {
  char path[] = "/tmp/loyalty-devices-test.XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()));
  ::close(fd);
  temp_files_.push_back(path);
  return path;
}

void Testbed::load_script(const std::string& node, const std::string& script) {
  GError* error = nullptr;
  umockdev_testbed_load_script(testbed_, node.c_str(), temp_file(script).c_str(), &error);
  require_no_error(error);
}

void Testbed::load_evemu(const std::string& node, const std::string& events) {
  GError* error = nullptr;
  umockdev_testbed_load_evemu_events(testbed_, node.c_str(), temp_file(events).c_str(), &error);
  require_no_error(error);
}

void Testbed::uevent(const std::string& syspath, const char* action) {
  umockdev_testbed_uevent(testbed_, syspath.c_str(), action);
}

void Testbed::remove(const std::string& syspath) {
  umockdev_testbed_remove_device(testbed_, syspath.c_str());
}

bool Testbed::poll_readable(const std::string& node, int timeout_ms) {
  const int probe = ::open(node.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  REQUIRE(probe >= 0);
  pollfd fd{probe, POLLIN, 0};
  const int ready = ::poll(&fd, 1, timeout_ms);
  ::close(probe);
  REQUIRE(ready >= 0);
  return ready == 1;
}

void Testbed::wait_readable(const std::string& node) { REQUIRE(poll_readable(node, 5000)); }

bool Testbed::has_input(const std::string& node) { return poll_readable(node, 0); }

IoctlSpy::IoctlSpy(Testbed& testbed, const std::string& node, int feature_result_errno)
    : testbed_(testbed), node_(node), feature_errno_(feature_result_errno) {
  handler_ = umockdev_ioctl_base_new();
  g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&IoctlSpy::on_ioctl), this);
  GError* error = nullptr;
  umockdev_testbed_attach_ioctl(testbed.get(), node.c_str(), handler_, &error);
  require_no_error(error);
}

IoctlSpy::~IoctlSpy() {
  umockdev_testbed_detach_ioctl(testbed_.get(), node_.c_str(), nullptr);
  g_object_unref(handler_);
}

std::vector<IoctlSpy::Call> IoctlSpy::calls() const {
  const std::lock_guard lock(mutex_);
  return calls_;
}

int IoctlSpy::on_ioctl(void* /*handler*/, void* client_pointer, void* self_pointer) {
  auto* self = static_cast<IoctlSpy*>(self_pointer);
  auto* client = static_cast<UMockdevIoctlClient*>(client_pointer);
  const unsigned long request = umockdev_ioctl_client_get_request(client);
  Call call;
  call.request = request;
  if (_IOC_TYPE(request) == 'H' && _IOC_NR(request) == 0x06) {  // HIDIOCSFEATURE(len)
    const std::size_t size = _IOC_SIZE(request);
    GError* error = nullptr;
    UMockdevIoctlData* data =
        umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, size, &error);
    if (data == nullptr) {
      if (error != nullptr) g_error_free(error);
      return FALSE;
    }
    call.data.assign(data->data, data->data + data->data_len);
    {
      const std::lock_guard lock(self->mutex_);
      self->calls_.push_back(call);
    }
    if (self->feature_errno_ != 0) {
      umockdev_ioctl_client_complete(client, -1, self->feature_errno_);
    } else {
      umockdev_ioctl_client_complete(client, static_cast<long>(size), 0);
    }
    return TRUE;
  }
  if (request == EVIOCGRAB) {
    call.value =
        *reinterpret_cast<const unsigned long*>(umockdev_ioctl_client_get_arg(client)->data);
    {
      const std::lock_guard lock(self->mutex_);
      self->calls_.push_back(call);
    }
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
  }
  return FALSE;  // umockdev's own handling
}

LogCapture::LogCapture() {
  previous_ = loyalty::drivers::set_log_sink(
      [this](loyalty::drivers::LogLevel level, std::string_view message) {
        const std::lock_guard lock(mutex_);
        lines_.push_back(std::string(loyalty::drivers::log_level_name(level)) + ": " +
                         std::string(message));
      });
}

LogCapture::~LogCapture() { loyalty::drivers::set_log_sink(previous_); }

std::vector<std::string> LogCapture::lines() const {
  const std::lock_guard lock(mutex_);
  return lines_;
}

std::string script_read(const Bytes& bytes) {
  REQUIRE(!bytes.empty());
  REQUIRE(bytes.front() != ' ');  // the format cannot start a data block with a space
  std::string line = "r 0 ";
  for (std::uint8_t byte : bytes) {
    if (byte == '^') {
      line += "^`";
    } else if (byte < 32) {
      line += '^';
      line += static_cast<char>(byte + 64);
    } else {
      line += static_cast<char>(byte);
    }
  }
  return line + "\n";
}

void Events::attach(loyalty::drivers::Device& device) {
  device.on_data([this, &device](const loyalty::drivers::ScanEvent& event) {
    scans.push_back(event);
    if (rearm) device.set_data_event_enabled(true);
  });
  device.on_error([this, &device](const loyalty::drivers::ErrorEvent& event) {
    errors.push_back(event);
    if (rearm) device.set_data_event_enabled(true);
  });
  device.set_data_event_enabled(true);
}

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace devices_test
