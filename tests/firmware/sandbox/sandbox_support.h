// Helpers of the decoder sandbox's tests: where the built loyalty-decoder is, running an
// io_context until a condition holds, recording completions, camera frames drawn with zint, and
// fake decoder children (shell scripts that answer with bytes a test chooses).
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "camera/barcode_images.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "sandbox/decoder_sandbox.h"

namespace sandbox_test {

// The loyalty-decoder program of this build tree.
std::string decoder_path();

// Sandbox options for the tests: the built decoder looking for Code 128 and QR codes, short
// restart delays.
loyalty::daemon::DecoderSandboxOptions test_options();

// Runs `io` one handler at a time until `done()` holds or `limit` passes; whether it held.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(30));

// Runs `io` for `duration` (handlers that are due run; nothing is waited for).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration);

// The completions of a sandbox's requests, in the order they came.
struct Completions {
  std::vector<std::pair<int, loyalty::Result<loyalty::drivers::FrameScan>>> results;
  // A completion that records its result under `tag`.
  loyalty::daemon::DecoderSandbox::Completion make(int tag);
  bool has(std::size_t count) const { return results.size() >= count; }
};

// A 640x480 grey camera frame of a zint symbol (drivers_test::barcode_image), loaded.
loyalty::drivers::GreyImage camera_frame_of(const drivers_test::TempDir& dir,
                                            const std::string& name,
                                            const drivers_test::Symbol& symbol);

// The bytes of a file.
std::vector<std::uint8_t> file_bytes(const std::string& path);

// A fake decoder child: a shell script that reads `read_bytes` bytes of its stdin (its first
// request), writes `reply` to its stdout, then sleeps, or exits with `exit_status` if it is given.
// Returns its path.
std::string fake_child(const drivers_test::TempDir& dir, const std::string& name,
                       std::size_t read_bytes, const std::vector<std::uint8_t>& reply,
                       int exit_status = -1);

// The line of /proc/<pid>/status or /proc/<pid>/limits that starts with `key`, each run of blanks
// made one space ("Max open files 3 3 files"); empty if there is none.
std::string proc_line(pid_t pid, const std::string& file, const std::string& key);

// The descriptors /proc/<pid>/fd lists, sorted.
std::vector<int> open_fds(pid_t pid);

// Whether `pid` is a child of this process not yet reaped (waitpid(pid, WNOHANG) does not say
// ECHILD). A reaped child is neither running nor a zombie.
bool is_unreaped_child(pid_t pid);

}  // namespace sandbox_test
