// A child program started by the daemon (the decoder child, loyalty-decoder): posix_spawn with a
// clean descriptor table and signal state, a Unix stream socket as its stdin and stdout, and a
// pidfd to learn of its exit on the io_context and to signal it without a PID-reuse race.
//
// Why a socket and not two pipes: a write to a pipe whose reader died raises SIGPIPE in the
// daemon, and nothing says the daemon ignores it; Asio sends on a socket with MSG_NOSIGNAL, so a
// dead child is an EPIPE error, never a signal. The child sees an ordinary descriptor on fd 0 and
// fd 1 (read(2) and write(2) work on both).
//
// Ownership: a ChildProcess owns the child until it is reaped. terminate(), and destroying one
// whose child has not been reaped, kills it (SIGKILL) and waits for it (waitpid: a killed process
// exits at once), so no child is ever left behind as a zombie or an orphan.
//
// Thread-safety: one thread, the io_context's.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

// How a child ended.
struct ChildExit {
  enum class How { exited, killed, unknown };  // unknown: reaped elsewhere (SIGCHLD ignored)
  How how = How::exited;
  int value = 0;  // the exit status, or the signal that killed it
};

// "<who> killed by SIGABRT", "<who> exited with status 3". SIGSYS adds what it means here: the
// seccomp filter killed the child for a forbidden system call.
std::string describe_child_exit(const ChildExit& exit, std::string_view who);

class ChildProcess {
 public:
  // Starts `path` with `args` (without the program name) and exactly `environment` ("NAME=value"
  // entries). The child gets the socket as fd 0 and fd 1, the daemon's fd 2, no other descriptor,
  // an empty signal mask and default signal actions. Errors name the program and the errno text
  // ("cannot start /usr/lib/loyalty/loyalty-decoder: No such file or directory").
  static Result<std::unique_ptr<ChildProcess>> spawn(boost::asio::io_context& io,
                                                     const std::string& path,
                                                     const std::vector<std::string>& args,
                                                     const std::vector<std::string>& environment);

  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The daemon's end of the child's stdin and stdout.
  boost::asio::local::stream_protocol::socket& socket() { return socket_; }

  // The pidfd: readable once the child has exited. Start the one async_wait on it at once after
  // spawn(): Asio waits edge-triggered, and an exit before the wait is queued would be missed.
  boost::asio::posix::stream_descriptor& exit_watch() { return pidfd_; }

  // Sends SIGKILL (through the pidfd). Harmless once the child has exited; nothing after it is
  // reaped.
  void kill();

  // Reaps the child once it has exited: its ChildExit, once; nullopt while it runs (and after it
  // was reaped).
  std::optional<ChildExit> try_reap();

  // Kills the child unless it was reaped, waits for it (waitpid), and closes the socket and the
  // pidfd: their pending operations complete with operation_aborted, and new ones fail at once.
  // The object stays valid (closed) for the handlers that still refer to it: an Asio composed read
  // or write keeps using its socket until its handler runs.
  void terminate();

 private:
  ChildProcess(boost::asio::io_context& io, pid_t pid) : pid_(pid), socket_(io), pidfd_(io) {}

  pid_t pid_;
  bool reaped_ = false;
  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::posix::stream_descriptor pidfd_;
};

}  // namespace loyalty::daemon
