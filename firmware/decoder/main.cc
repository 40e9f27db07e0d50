// loyalty-decoder: the sandboxed child of loyaltyd that decodes camera frames and image files
// (docs/decoder-sandbox.md). loyaltyd starts it with its decoder's options on the command line
// (sandbox/decoder_arguments.h) and the two ends of a socket as stdin and stdout; stderr is the
// daemon's log.
//
// Order matters: the ImageDecoder is created first (it may allocate tables), then the process is
// confined (resource limits, PR_SET_NO_NEW_PRIVS, the seccomp filter of sandbox/decoder_seccomp.h),
// and only then is the first untrusted byte read. From there on a crash, an assert in ZXing or a
// forbidden system call kills this process alone; the daemon reports it and starts another.
#include <unistd.h>

#include <string_view>
#include <vector>

#include "loyalty/drivers/camera/image_decoder.h"
#include "sandbox/decoder_arguments.h"
#include "sandbox/decoder_seccomp.h"
#include "serve.h"

int main(int argc, char** argv) {
  using namespace loyalty;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const auto options = daemon::parse_decoder_arguments(args);
  if (!options.ok()) {
    decoder::say(options.error().message);
    return decoder::exit_usage;
  }
  const auto image_decoder = drivers::ImageDecoder::create(*options);
  if (!image_decoder.ok()) {
    decoder::say(image_decoder.error().message);
    return decoder::exit_usage;
  }
  if (const Status confined = daemon::confine_decoder(); !confined.ok()) {
    decoder::say(confined.error().message);
    return decoder::exit_confine;
  }
  const int code = decoder::serve_requests(*image_decoder, STDIN_FILENO, STDOUT_FILENO);
  // _exit: no atexit handlers, no stdio flush, no leak check (LeakSanitizer would need ptrace and
  // /proc, which the filter forbids); there is nothing to clean up.
  ::_exit(code);
}
