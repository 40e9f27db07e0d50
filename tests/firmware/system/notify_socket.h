// Test support for the service manager's protocol: a notification socket standing in for
// systemd's, and environment variables set for one test.
//
//   NotifySocket  an AF_UNIX datagram socket bound in a fresh temp directory; its path goes in
//                 NOTIFY_SOCKET, and receive() returns each datagram sd_notify() sent, exactly.
//   ScopedEnv     sets (or unsets) one environment variable and restores it when destroyed.
//
// Ownership: each owns its socket, directory or variable and releases it in its destructor.
// Thread-safety: none; a test uses them from its own thread (setenv is process-wide, and ctest
// runs every test case in its own process).
#pragma once

#include <optional>
#include <string>

namespace loyalty::daemon::test {

class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  // The next datagram, without waiting (sd_notify() has sent it when it returns); empty when
  // there is none.
  std::optional<std::string> receive();

 private:
  std::string directory_;
  std::string path_;
  int fd_ = -1;
};

class ScopedEnv {
 public:
  // Sets `name` to `value`, or unsets it when `value` is empty.
  ScopedEnv(std::string name, std::optional<std::string> value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

}  // namespace loyalty::daemon::test
