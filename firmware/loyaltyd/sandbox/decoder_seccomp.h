// The confinement of loyalty-decoder, the child that decodes untrusted camera frames and image
// files (docs/decoder-sandbox.md). The child calls confine_decoder() once it has created its
// ImageDecoder and before it reads its first request; from then on it can only compute on the
// bytes it reads from stdin and write the replies to stdout and messages to stderr.
//
// The seccomp filter (libseccomp) kills the whole process (SIGSYS) on any system call it does not
// allow. It allows, on the native architecture only (any other kills too):
//   read          on fd 0 only (the requests)
//   write         on fd 1 and fd 2 only (the replies; messages to the daemon's log)
//   mmap, mprotect  without PROT_EXEC (malloc; no new executable memory)
//   munmap, mremap, brk, madvise   malloc and free
//   futex         locks of the C and C++ runtimes
//   clock_gettime time, when the vDSO cannot answer
//   exit, exit_group, rt_sigreturn
//   rt_sigprocmask, getpid, gettid, and tgkill of this process with SIGABRT only: abort(), so
//                 that a failed assert (Debian's ZXing 1.4 has them) is reported as SIGABRT and not
//                 as a forbidden system call
// and, only in a build with AddressSanitizer (detected at compile time), the few more its runtime
// and UBSan's make while the program runs: sigaltstack, and pipe2, write and close on fds 3 and 4
// (decoder_seccomp.cc says why). No open, openat, stat, socket, connect, execve, fork, clone, kill
// of another process, ptrace, ioctl: a compromised decoder can reach neither the filesystem nor
// the network nor another process.
//
// Thread-safety: process-wide effects; call from the child's only thread.
#pragma once

#include <sys/resource.h>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

// Sets the resource limits: no core dumps (RLIMIT_CORE 0: a frame may show a card), no new
// descriptors (RLIMIT_NOFILE decoder_open_files_max()), and RLIMIT_AS
// decoder_address_space_bytes_max (except under AddressSanitizer). RLIMIT_FSIZE is left alone: it
// would kill the child (SIGXFSZ) for a message to a stderr that is a file; the filter allows no
// other write. RLIMIT_CPU is left alone: it counts the whole life of a long-lived child; the
// daemon's per-request timeout bounds the time of each request.
Status set_decoder_limits();

// 3 (stdin, stdout, stderr), and 2 more under AddressSanitizer for its probe pipe.
rlim_t decoder_open_files_max();

// Sets PR_SET_NO_NEW_PRIVS and loads the filter above. Irreversible.
Status install_decoder_filter();

// set_decoder_limits(), then install_decoder_filter().
Status confine_decoder();

// Whether this build runs under AddressSanitizer (and the filter allows its runtime's calls).
bool decoder_filter_allows_asan();

}  // namespace loyalty::daemon
