// The decoder child's seccomp filter (sandbox/decoder_seccomp.h), installed in a forked copy of
// the test program that then tries one system call: allowed ones return, forbidden ones get the
// process killed by SIGSYS.
#include "sandbox/decoder_seccomp.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <vector>

#include "sandbox/child_process.h"

namespace loyalty::daemon {
namespace {

constexpr int kReturned = 7;  // what a body that was allowed to run to its end exits with

// Forks, installs the filter in the child, runs `body` there and exits with what it returns; how
// the child ended. The body runs in a copy of the test process: it must not touch Catch2.
ChildExit run_confined(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Default actions and no blocked signal, as posix_spawn gives the decoder: Catch2's handlers
    // (fatal signals) would make system calls of their own.
    for (int signal = 1; signal < NSIG; ++signal) {
      if (signal != SIGKILL && signal != SIGSTOP) ::signal(signal, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!install_decoder_filter().ok()) ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) return {ChildExit::How::killed, WTERMSIG(status)};
  return {ChildExit::How::exited, WEXITSTATUS(status)};
}

std::string confined(const std::function<int()>& body) {
  return describe_child_exit(run_confined(body), "child");
}

const std::string killed_by_sigsys =
    "child killed by SIGSYS (a system call its seccomp filter forbids)";
const std::string returned = "child exited with status 7";

TEST_CASE("the decoder filter kills a process that opens a file", "[seccomp]") {
  CHECK(confined([] {
          return ::syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY) >= 0 ? kReturned : 1;
        }) == killed_by_sigsys);
  CHECK(confined([] { return ::open("/dev/null", O_RDONLY) >= 0 ? kReturned : 1; }) ==
        killed_by_sigsys);
}

TEST_CASE("the decoder filter kills a process that opens a socket, runs a program or forks",
          "[seccomp]") {
  CHECK(confined([] { return ::socket(AF_INET, SOCK_STREAM, 0) >= 0 ? kReturned : 1; }) ==
        killed_by_sigsys);
  CHECK(confined([] { return ::socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? kReturned : 1; }) ==
        killed_by_sigsys);
  CHECK(confined([] {
          char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
          ::execve("/bin/true", argv, nullptr);
          return 1;
        }) == killed_by_sigsys);
  CHECK(confined([] { return ::fork() >= 0 ? kReturned : 1; }) == killed_by_sigsys);
  // Signal 0 only probes: were kill allowed, the test program would not notice.
  CHECK(confined([] { return ::kill(::getppid(), 0) == 0 ? kReturned : 1; }) == killed_by_sigsys);
}

TEST_CASE("the decoder filter allows stdin, stdout and stderr and no other descriptor",
          "[seccomp]") {
  CHECK(confined([] {
          char byte = 0;
          return ::read(STDIN_FILENO, &byte, 0) == 0 ? kReturned : 1;
        }) == returned);
  CHECK(confined([] { return ::write(STDOUT_FILENO, "", 0) == 0 ? kReturned : 1; }) == returned);
  CHECK(confined([] { return ::write(STDERR_FILENO, "", 0) == 0 ? kReturned : 1; }) == returned);
  CHECK(confined([] { return ::write(5, "", 0) >= 0 ? kReturned : 1; }) == killed_by_sigsys);
  CHECK(confined([] {
          char byte = 0;
          return ::read(4, &byte, 0) >= 0 ? kReturned : 1;
        }) == killed_by_sigsys);
}

TEST_CASE("the decoder filter allows the allocator and no executable memory", "[seccomp]") {
  CHECK(confined([] {
          // Large blocks are mmap()ed, small ones come from brk(); both are given back.
          std::vector<void*> blocks;
          for (std::size_t size : {16u, 4096u, 1u << 20, 64u << 20})
            blocks.push_back(std::malloc(size));
          for (void* block : blocks) std::free(block);
          return blocks.back() != nullptr ? kReturned : 1;
        }) == returned);
  CHECK(confined([] {
          void* page =
              ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          return page != MAP_FAILED ? kReturned : 1;
        }) == killed_by_sigsys);
  CHECK(confined([] {
          void* page =
              ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          if (page == MAP_FAILED) return 1;
          return ::mprotect(page, 4096, PROT_READ | PROT_EXEC) == 0 ? kReturned : 2;
        }) == killed_by_sigsys);
}

TEST_CASE("an abort in the confined decoder is reported as SIGABRT, other signals are not sent",
          "[seccomp]") {
  // ZXing's asserts end in abort(): the daemon must see SIGABRT, not a forbidden system call.
  CHECK(confined([]() -> int { std::abort(); }) == "child killed by SIGABRT");
  CHECK(confined([] {
          return ::syscall(SYS_tgkill, ::getpid(), ::gettid(), SIGUSR1) == 0 ? kReturned : 1;
        }) == killed_by_sigsys);
}

}  // namespace
}  // namespace loyalty::daemon
