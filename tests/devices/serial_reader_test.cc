// Serial readers on pty pairs: the test writes frames on the master side of a pty whose slave a
// symlink names as the port, as a USB serial scanner would send them. Exact labels, the exclusive
// claim (TIOCEXCL) seen from a plain open(), and the reconnect with backoff when the port goes
// away and comes back.
#include <fcntl.h>
#include <linux/capability.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "loyalty/drivers/serial/serial_device.h"
#include "testbed.h"

using namespace loyalty::drivers;
using namespace devices_test;

namespace {

class Pty {
 public:
  Pty() {
    int slave = -1;
    char name[128] = {};
    REQUIRE(::openpty(&master_, &slave, name, nullptr, nullptr) == 0);
    ::close(slave);
    slave_name_ = name;
  }
  ~Pty() { hang_up(); }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  const std::string& slave_name() const { return slave_name_; }
  void send(const std::string& bytes) {
    REQUIRE(::write(master_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  // Closing the master hangs the slave up, as unplugging a USB serial adapter does.
  void hang_up() {
    if (master_ >= 0) ::close(master_);
    master_ = -1;
  }

 private:
  int master_ = -1;
  std::string slave_name_;
};

// The port's stable name: a symlink to the current pty's slave, re-pointed when it "comes back".
class PortLink {
 public:
  PortLink() {
    char dir[] = "/tmp/loyalty-serial.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/ttyACM0";
  }
  ~PortLink() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  // The node goes away, as /dev/ttyACM0 does on an unplug (and a pty number freed here may be
  // taken by another process at once: nothing may reach it through this name).
  void remove() { ::unlink(path_.c_str()); }
  void point_to(const Pty& pty) {
    ::unlink(path_.c_str());
    REQUIRE(::symlink(pty.slave_name().c_str(), path_.c_str()) == 0);
  }

 private:
  std::string dir_;
  std::string path_;
};

DeviceInfo serial_info(const std::string& node) {
  DeviceInfo info;
  info.id = "serial:" + node;
  info.node = node;
  info.kind = DeviceKind::scanner;
  info.transport = Transport::serial;
  return info;
}

// Opens the port in a child process that has dropped CAP_SYS_ADMIN (which TIOCEXCL lets
// through): returns the child's errno, 0 when the open worked.
int open_errno_without_sys_admin(const std::string& path) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &header, data) != 0) ::_exit(100);
    data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
    if (::syscall(SYS_capset, &header, data) != 0) ::_exit(101);
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    ::_exit(fd >= 0 ? 0 : errno);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

struct SerialRig {
  LogCapture log;
  Pty pty;
  PortLink link;
  boost::asio::io_context io;
  std::unique_ptr<SerialReader> reader;
  Events events;

  explicit SerialRig(SerialOptions options = {}) {
    link.point_to(pty);
    reader = std::make_unique<SerialReader>(io, serial_info(link.path()), options);
    events.attach(*reader);
  }
  void open_and_enable() {
    REQUIRE(reader->open().ok());
    REQUIRE(reader->claim().ok());
    REQUIRE(reader->set_enabled(true).ok());
  }
};

}  // namespace

TEST_CASE("serial reader delivers the exact labels of frames written on the pty") {
  SerialOptions options;
  options.baud_rate = 115200;
  options.framer.aim_id = true;
  SerialRig rig(options);
  rig.open_and_enable();
  rig.pty.send("]E04006381333931\r]Q1https://loyalty.example/c/42\r");
  run_until(rig.io, [&] { return rig.events.count() == 2; });
  REQUIRE(rig.events.scans.size() == 2);
  CHECK(rig.events.scans[0].device_id() == "serial:" + rig.link.path());
  CHECK(rig.events.scans[0].label() == "4006381333931");
  CHECK(rig.events.scans[0].aim_id() == "]E0");
  CHECK(rig.events.scans[0].type() == ScanDataType::ean13);
  CHECK(rig.events.scans[0].raw() == Bytes{']', 'E', '0', '4', '0', '0', '6', '3', '8', '1', '3',
                                           '3', '3', '9', '3', '1', '\r'});
  CHECK(rig.events.scans[1].label() == "https://loyalty.example/c/42");
  CHECK(rig.events.scans[1].type() == ScanDataType::qrcode);
}

TEST_CASE("serial reader frames with a prefix and drops the noise before it") {
  SerialOptions options;
  options.framer.prefix = "\x02";
  options.framer.suffix = ScanSuffix::crlf;
  SerialRig rig(options);
  rig.open_and_enable();
  rig.pty.send("noise\x02LOY-0042\r\n");
  run_until(rig.io, [&] { return rig.events.count() == 1; });
  REQUIRE(rig.events.scans.size() == 1);
  CHECK(rig.events.scans[0].label() == "LOY-0042");
}

TEST_CASE("serial reader claim makes a second open fail with EBUSY") {
  SerialRig rig;
  REQUIRE(rig.reader->open().ok());
  CHECK(open_errno_without_sys_admin(rig.link.path()) == 0);
  REQUIRE(rig.reader->claim().ok());
  CHECK(open_errno_without_sys_admin(rig.link.path()) == EBUSY);
  // CAP_SYS_ADMIN (this test runs as root) passes TIOCEXCL; the flag itself is set.
  const int probe = ::open(rig.link.path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  REQUIRE(probe >= 0);
  int exclusive = 0;
  CHECK(::ioctl(probe, TIOCGEXCL, &exclusive) == 0);
  CHECK(exclusive == 1);
  rig.reader->release();
  CHECK(::ioctl(probe, TIOCGEXCL, &exclusive) == 0);
  CHECK(exclusive == 0);
  ::close(probe);
  CHECK(open_errno_without_sys_admin(rig.link.path()) == 0);
}

TEST_CASE("serial reader reconnects with backoff after the port goes away") {
  SerialOptions options;
  options.reconnect_delay_ms_min = 5;
  options.reconnect_delay_ms_max = 20;
  SerialRig rig(options);
  rig.open_and_enable();
  rig.pty.send("BEFORE-1\r");
  run_until(rig.io, [&] { return rig.events.count() == 1; });

  rig.pty.send("CUT-");  // a scan cut by the unplug is dropped
  rig.link.remove();
  rig.pty.hang_up();
  run_until(rig.io, [&] { return rig.events.count() == 2; });
  REQUIRE(rig.events.errors.size() == 1);
  CHECK(rig.events.errors[0].result() == UposResult::offline);
  CHECK(rig.events.errors[0].message().find("serial:" + rig.link.path() + ": the port failed (") ==
        0);
  CHECK_FALSE(rig.reader->connected());
  CHECK(rig.reader->enabled());

  // The port stays away: attempts fail and back off (5, 10, 20, 20 ms), with no more events.
  run_until(rig.io, [&] { return rig.reader->failed_reconnects() >= 3; });
  CHECK(rig.reader->next_reconnect_delay_ms() == 20);
  CHECK(rig.events.count() == 2);

  Pty back;
  rig.link.point_to(back);
  run_until(rig.io, [&] { return rig.reader->connected(); });
  CHECK(rig.reader->reconnects() == 1);
  CHECK(rig.reader->failed_reconnects() == 0);
  back.send("AFTER-2\r");
  run_until(rig.io, [&] { return rig.events.count() == 3; });
  REQUIRE(rig.events.scans.size() == 2);
  CHECK(rig.events.scans[0].label() == "BEFORE-1");
  CHECK(rig.events.scans[1].label() == "AFTER-2");
  CHECK(rig.events.errors.size() == 1);
}

TEST_CASE("serial reconnect delay doubles between its limits") {
  CHECK(serial_reconnect_delay_ms(0, 250, 30'000) == 250);
  CHECK(serial_reconnect_delay_ms(1, 250, 30'000) == 500);
  CHECK(serial_reconnect_delay_ms(6, 250, 30'000) == 16'000);
  CHECK(serial_reconnect_delay_ms(7, 250, 30'000) == 30'000);
  CHECK(serial_reconnect_delay_ms(1'000'000, 250, 30'000) == 30'000);
  CHECK(serial_reconnect_delay_ms(3, 7, 7) == 7);
}

TEST_CASE("serial options are validated with messages naming the option") {
  SerialOptions options;
  CHECK(validate_serial_options(options).ok());
  options.character_size = 9;
  CHECK(validate_serial_options(options).error().message ==
        "serial character_size must be 5 to 8, not 9");
  options = {};
  options.baud_rate = 0;
  CHECK(validate_serial_options(options).error().message == "serial baud_rate must be above 0");
  options = {};
  options.reconnect_delay_ms_min = 500;
  options.reconnect_delay_ms_max = 100;
  CHECK(validate_serial_options(options).error().message ==
        "serial reconnect delays must satisfy 1 <= min <= max <= 30000 ms; got 500 and 100");
  options = {};
  options.framer.idle_timeout_ms = 0;
  CHECK_FALSE(validate_serial_options(options).ok());
}

TEST_CASE("serial reader cannot open a port that is not there") {
  LogCapture log;
  boost::asio::io_context io;
  SerialReader reader(io, serial_info("/tmp/loyalty-no-such-port/ttyACM9"));
  const auto opened = reader.open();
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message ==
        "serial:/tmp/loyalty-no-such-port/ttyACM9: cannot open the port: No such file or "
        "directory");
}
