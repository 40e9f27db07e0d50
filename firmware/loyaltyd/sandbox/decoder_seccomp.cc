// The decoder child's resource limits and seccomp filter (decoder_seccomp.h).
#include "sandbox/decoder_seccomp.h"

#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>

#include "sandbox/sandbox_limits.h"

#if defined(__SANITIZE_ADDRESS__)
#define LOYALTY_DECODER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOYALTY_DECODER_ASAN 1
#endif
#endif
#ifndef LOYALTY_DECODER_ASAN
#define LOYALTY_DECODER_ASAN 0
#endif

namespace loyalty::daemon {

namespace {

struct FilterReleaser {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterReleaser>;

Error failed(const std::string& what, int error_number) {
  return make_error(ErrorCode::internal,
                    "loyalty-decoder: " + what + ": " + std::strerror(error_number));
}

// A comparison of argument `index` (libseccomp's SCMP_A<n>() macros leave datum_b to the
// compiler, and Clang's -Wmissing-field-initializers says so).
scmp_arg_cmp arg(unsigned index, scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0) {
  return scmp_arg_cmp{index, op, a, b};
}

// One rule; `rc` of libseccomp is a negative errno.
Status allow(const Filter& filter, int syscall, const char* name, unsigned count = 0,
             scmp_arg_cmp a = {}, scmp_arg_cmp b = {}) {
  int rc = 0;
  if (count == 0) rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, syscall, 0);
  if (count == 1) rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, syscall, 1, a);
  if (count == 2) rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, syscall, 2, a, b);
  if (rc < 0) return failed(std::string("seccomp rule for ") + name, -rc);
  return {};
}

Status allow_decoding(const Filter& f) {
  const scmp_arg_cmp no_exec = arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
  TRY(allow(f, SCMP_SYS(read), "read", 1, arg(0, SCMP_CMP_EQ, STDIN_FILENO)));
  TRY(allow(f, SCMP_SYS(write), "write", 1, arg(0, SCMP_CMP_EQ, STDOUT_FILENO)));
  TRY(allow(f, SCMP_SYS(write), "write", 1, arg(0, SCMP_CMP_EQ, STDERR_FILENO)));
  TRY(allow(f, SCMP_SYS(mmap), "mmap", 1, no_exec));
  TRY(allow(f, SCMP_SYS(mprotect), "mprotect", 1, no_exec));
  TRY(allow(f, SCMP_SYS(munmap), "munmap"));
  TRY(allow(f, SCMP_SYS(mremap), "mremap"));
  TRY(allow(f, SCMP_SYS(brk), "brk"));
  TRY(allow(f, SCMP_SYS(madvise), "madvise"));
  TRY(allow(f, SCMP_SYS(futex), "futex"));
  TRY(allow(f, SCMP_SYS(clock_gettime), "clock_gettime"));
  TRY(allow(f, SCMP_SYS(exit), "exit"));
  TRY(allow(f, SCMP_SYS(exit_group), "exit_group"));
  TRY(allow(f, SCMP_SYS(rt_sigreturn), "rt_sigreturn"));
  // abort(): glibc unblocks SIGABRT and raises it with tgkill(getpid(), gettid(), SIGABRT).
  TRY(allow(f, SCMP_SYS(rt_sigprocmask), "rt_sigprocmask"));
  TRY(allow(f, SCMP_SYS(getpid), "getpid"));
  TRY(allow(f, SCMP_SYS(gettid), "gettid"));
  TRY(allow(f, SCMP_SYS(tgkill), "tgkill", 2,
            arg(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid())),
            arg(2, SCMP_CMP_EQ, SIGABRT)));
  return {};
}

// The descriptors of the pipe the sanitizers' runtime opens to probe memory: the lowest free ones,
// as the child has only 0, 1 and 2 (RLIMIT_NOFILE keeps it so).
constexpr int kAsanProbeFds[] = {3, 4};

// What the sanitizers' runtime calls while the program runs beyond the calls above, as traced
// (strace) over the sandbox tests:
//   sigaltstack           when _exit() tears down its alternate signal stack;
//   pipe2, write, close   on fds 3 and 4: when an exception is thrown, UBSan's vptr check and
//                         __asan_handle_no_return tell readable memory from unreadable by writing
//                         it to a pipe (IsAccessibleMemoryRange); refused, they report a bad vptr
//                         on every exception ZXing throws.
// Their allocator maps with mmap and their reports are written to fd 2; a report that wants to
// symbolise (open /proc/self/maps, run llvm-symbolizer) is killed, which is a crash all the same.
Status allow_asan_runtime([[maybe_unused]] const Filter& f) {
#if LOYALTY_DECODER_ASAN
  TRY(allow(f, SCMP_SYS(sigaltstack), "sigaltstack"));
  TRY(allow(f, SCMP_SYS(pipe2), "pipe2"));
  for (int fd : kAsanProbeFds) {
    TRY(allow(f, SCMP_SYS(write), "write", 1, arg(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))));
    TRY(allow(f, SCMP_SYS(close), "close", 1, arg(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(fd))));
  }
#endif
  return {};
}

Status set_limit(int resource, const char* name, rlim_t value) {
  const rlimit limit{value, value};
  if (::setrlimit(resource, &limit) != 0) return failed(std::string("setrlimit ") + name, errno);
  return {};
}

}  // namespace

bool decoder_filter_allows_asan() { return LOYALTY_DECODER_ASAN != 0; }

rlim_t decoder_open_files_max() {
  return decoder_filter_allows_asan() ? std::size(kAsanProbeFds) + 3 : 3;
}

Status set_decoder_limits() {
  TRY(set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0));
  TRY(set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", decoder_open_files_max()));
  if (!decoder_filter_allows_asan()) {
    TRY(set_limit(RLIMIT_AS, "RLIMIT_AS", decoder_address_space_bytes_max));
  }
  return {};
}

Status install_decoder_filter() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return failed("prctl(PR_SET_NO_NEW_PRIVS)", errno);
  }
  const Filter filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (!filter) return failed("seccomp_init", ENOMEM);
  TRY(allow_decoding(filter));
  TRY(allow_asan_runtime(filter));
  if (const int rc = seccomp_load(filter.get()); rc < 0) return failed("seccomp_load", -rc);
  return {};
}

Status confine_decoder() {
  TRY(set_decoder_limits());
  return install_decoder_filter();
}

}  // namespace loyalty::daemon
