// Child programs of the daemon: posix_spawn, a socket for stdin and stdout, a pidfd
// (child_process.h).
#include "sandbox/child_process.h"

#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace loyalty::daemon {

namespace {

// A descriptor of the spawn in progress, closed unless handed on.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn's two attribute objects, destroyed with the scope.
struct SpawnSetup {
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
};

// glibc 2.36's <sys/pidfd.h> declares pidfd_open() and pidfd_send_signal() without extern "C", so
// C++ cannot link them: the system calls themselves.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
void send_signal(int pidfd, int signal) {
  ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
}

Error start_error(const std::string& path, const std::string& step, int error_number) {
  return make_error(ErrorCode::io_error,
                    "cannot start " + path + ": " + step + std::strerror(error_number));
}

// The child's descriptors (the socket on 0 and 1, the daemon's 2, nothing else), its signals
// (none blocked, every action the default) and its own process group (a Ctrl-C at the daemon's
// terminal is for the daemon; the child ends when the daemon closes it or kills it).
int prepare(SpawnSetup& setup, int child_end) {
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  int rc = posix_spawn_file_actions_adddup2(&setup.actions, child_end, STDIN_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&setup.actions, child_end, STDOUT_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&setup.attributes, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&setup.attributes, &all);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&setup.attributes, 0);
  if (rc == 0) {
    rc = posix_spawnattr_setflags(
        &setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  }
  return rc;
}

std::vector<char*> c_strings(const std::string& first, const std::vector<std::string>& rest) {
  std::vector<char*> out;
  if (!first.empty()) out.push_back(const_cast<char*>(first.c_str()));
  for (const std::string& s : rest) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string describe_child_exit(const ChildExit& exit, std::string_view who) {
  std::string text(who);
  if (exit.how == ChildExit::How::unknown) {
    return text + " ended; its exit status was collected elsewhere (is SIGCHLD ignored?)";
  }
  if (exit.how == ChildExit::How::exited) {
    return text + " exited with status " + std::to_string(exit.value);
  }
  const char* abbreviation = ::sigabbrev_np(exit.value);
  text += abbreviation != nullptr ? std::string(" killed by SIG") + abbreviation
                                  : " killed by signal " + std::to_string(exit.value);
  if (exit.value == SIGSYS) text += " (a system call its seccomp filter forbids)";
  return text;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(
    boost::asio::io_context& io, const std::string& path, const std::vector<std::string>& args,
    const std::vector<std::string>& environment) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return start_error(path, "socketpair: ", errno);
  }
  ScopedFd daemon_end(ends[0]);
  ScopedFd child_end(ends[1]);

  SpawnSetup setup;
  if (const int rc = prepare(setup, child_end.get()); rc != 0) {
    return start_error(path, "posix_spawn attributes: ", rc);
  }
  const std::vector<char*> argv = c_strings(path, args);
  const std::vector<char*> envp = c_strings("", environment);
  pid_t pid = -1;
  if (const int rc = ::posix_spawn(&pid, path.c_str(), &setup.actions, &setup.attributes,
                                   argv.data(), envp.data());
      rc != 0) {
    return start_error(path, "", rc);
  }
  child_end.reset();  // the daemon's copy of the child's end

  std::unique_ptr<ChildProcess> child(new ChildProcess(io, pid));
  const int pidfd = open_pidfd(pid);
  if (pidfd < 0) return start_error(path, "pidfd_open: ", errno);  // ~ChildProcess kills it
  boost::system::error_code error;
  child->pidfd_.assign(pidfd, error);
  if (error) {
    ::close(pidfd);
    return start_error(path, "watching its pidfd: ", error.value());
  }
  child->socket_.assign(boost::asio::local::stream_protocol(), daemon_end.get(), error);
  if (error) return start_error(path, "its socket: ", error.value());
  daemon_end.release();
  return child;
}

ChildProcess::~ChildProcess() { terminate(); }

void ChildProcess::terminate() {
  if (!reaped_) {
    kill();
    for (int attempt = 0; attempt < 64; ++attempt) {  // EINTR retries
      int status = 0;
      if (::waitpid(pid_, &status, 0) == pid_ || errno != EINTR) break;
    }
    reaped_ = true;
  }
  boost::system::error_code ignored;
  socket_.close(ignored);
  pidfd_.close(ignored);
}

void ChildProcess::kill() {
  if (reaped_) return;
  // Through the pidfd while it is open: it names this child even if its PID were reused.
  if (pidfd_.is_open()) {
    send_signal(pidfd_.native_handle(), SIGKILL);
  } else {
    ::kill(pid_, SIGKILL);  // not reaped: the PID is still this child's
  }
}

std::optional<ChildExit> ChildProcess::try_reap() {
  if (reaped_) return std::nullopt;
  int status = 0;
  pid_t got = -1;
  for (int attempt = 0; attempt < 64; ++attempt) {  // EINTR retries
    got = ::waitpid(pid_, &status, WNOHANG);
    if (got >= 0 || errno != EINTR) break;
  }
  if (got == 0) return std::nullopt;
  reaped_ = true;
  if (got < 0) {
    // ECHILD: reaped elsewhere (SIGCHLD ignored by the process); the status is gone.
    return ChildExit{ChildExit::How::unknown, 0};
  }
  if (WIFSIGNALED(status)) return ChildExit{ChildExit::How::killed, WTERMSIG(status)};
  return ChildExit{ChildExit::How::exited, WEXITSTATUS(status)};
}

}  // namespace loyalty::daemon
