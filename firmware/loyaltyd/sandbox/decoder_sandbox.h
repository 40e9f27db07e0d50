// The daemon's side of the decoder sandbox (docs/decoder-sandbox.md): camera frames and image
// files are decoded by loyalty-decoder, a child process confined by seccomp with no filesystem
// and no network, so that a frame that crashes ZXing (Debian's 1.4 aborts on some asserts) or a
// decoder compromised by a hostile image takes down the child alone, never the daemon.
//
// A DecoderSandbox starts the child, sends it one request at a time over its stdin (a frame or an
// image file's bytes, copied at once: the caller's buffer is free when decode_*() returns) and
// calls each request's completion with the FrameScan or an Error:
//   - queue: at most DecoderSandboxOptions::queue_requests_max requests wait besides the one the
//     child is decoding. When one more comes, the oldest waiting frame is dropped (ErrorCode::busy,
//     "frame dropped: ..."; counted in frames_dropped()): a camera must never build a backlog of
//     stale frames. With no frame waiting, a new frame is dropped the same way and a new image
//     file is refused (ErrorCode::busy).
//   - timeout: a request the child has not answered within request_timeout (sending, decoding and
//     replying) gets the child killed (SIGKILL) and fails with "decoder child did not answer
//     within 5000 ms".
//   - replies are untrusted: a malformed one (decoder_protocol.h), one for another request, more
//     symbols than asked or a type not asked for gets the child killed, and the request fails with
//     "decoder child sent a malformed reply: ...".
//   - child death (a crash, SIGSYS from its seccomp filter, SIGABRT from an assert, an outside
//     kill): the request in flight fails with an Error (ErrorCode::internal) that names it
//     ("decoder child killed by SIGABRT"), the error handler is called with the same Error (the
//     daemon makes it the camera's ErrorEvent), the child is reaped and a new one started after a
//     backoff: restart_delay_min, doubled with each death in a row, at most restart_delay_max; a
//     child that answers a request resets it. Waiting requests stay queued for the new child; if
//     it cannot be started, they fail with that error. The sandbox never stops restarting: a
//     camera sees hostile frames now and then, and giving up would leave it dead for good after a
//     burst of them; a child that can never start (its program removed, seccomp refused by the
//     kernel) costs one attempt and one error per restart_delay_max, and the daemon, told each
//     time, may close the camera itself.
//
// Every completion and every call of the error handler is posted to the io_context: none runs
// inside a call of the sandbox, so a handler may call decode_*() or destroy the sandbox.
//
// Ownership and lifetime: the sandbox owns its child (ChildProcess: killed and reaped on
// destruction). Destroying the sandbox with requests queued or in flight is safe: their
// completions are dropped without being called (the owner destroying the sandbox is who they
// would report to), and none that was posted before runs after.
//
// Thread-safety: the io_context's thread only (one thread runs the io_context).
#pragma once

#include <sys/types.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"
#include "sandbox/child_process.h"
#include "sandbox/sandbox_limits.h"

namespace loyalty::daemon {

struct DecoderSandboxOptions {
  // The loyalty-decoder program. Required.
  std::string decoder_path;
  // The child's ImageDecoder (sent on its command line; decoder_arguments.h).
  drivers::ImageDecodeOptions decode;
  // 1 ms to decoder_request_timeout_ms_max.
  std::chrono::milliseconds request_timeout{decoder_request_timeout_ms_default};
  // 0 to decoder_queue_requests_max (0: a request is dropped unless the child is idle).
  std::size_t queue_requests_max = decoder_queue_requests_max;
  // 1 ms <= restart_delay_min <= restart_delay_max <= decoder_restart_delay_ms_max.
  std::chrono::milliseconds restart_delay_min{decoder_restart_delay_ms_min};
  std::chrono::milliseconds restart_delay_max{decoder_restart_delay_ms_max};
};

class DecoderSandbox {
 public:
  using Completion = std::function<void(Result<drivers::FrameScan>)>;
  using ErrorHandler = std::function<void(const Error&)>;

  // Checks the options (ErrorCode::invalid_argument, naming the option) and starts the child; an
  // error if it cannot be started ("cannot start <path>: No such file or directory"). The child
  // reports the decoder options it refuses by exiting; start() refuses them first.
  // `on_child_error` is called (posted) for every death of the child and every failed restart.
  static Result<std::unique_ptr<DecoderSandbox>> start(boost::asio::io_context& io,
                                                       DecoderSandboxOptions options,
                                                       ErrorHandler on_child_error);

  ~DecoderSandbox();
  DecoderSandbox(const DecoderSandbox&) = delete;
  DecoderSandbox& operator=(const DecoderSandbox&) = delete;

  // Decodes a grey frame (a copy is taken). A frame the protocol refuses (encode_frame_request)
  // completes with that error.
  void decode_frame(const drivers::GreyFrame& frame, Completion done);

  // Decodes an image file's bytes in the child (load_image_bytes; a copy is taken). `name` stands
  // for the file in the child's messages ("<name>: corrupt PNG image ...").
  void decode_image(std::span<const std::uint8_t> bytes, std::string_view name, Completion done);

  // The running child's PID (tests kill it, read its /proc status); nullopt between its death and
  // the restart.
  std::optional<pid_t> child_pid() const;

  std::uint64_t frames_dropped() const { return frames_dropped_; }
  // Deaths of the child and failed restarts so far.
  std::uint64_t child_failures() const { return child_failures_; }
  // Requests waiting, not counting the one in flight.
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Pending {
    std::uint64_t id = 0;
    bool frame = false;
    std::vector<std::uint8_t> message;  // header and body
    Completion done;
  };
  enum class ChildState { running, dying, down };

  DecoderSandbox(boost::asio::io_context& io, DecoderSandboxOptions options,
                 ErrorHandler on_child_error);

  Status spawn_child();
  void submit(Result<std::vector<std::uint8_t>> message, std::uint64_t id, bool frame,
              Completion done);
  void pump();
  void read_reply();
  void take_reply();
  Status check_reply(const Result<drivers::FrameScan>& scan) const;
  void kill_child(std::optional<std::string> reason);
  void watch_exit();
  void reap_child();
  void schedule_restart();
  void complete(Completion done, Result<drivers::FrameScan> result);
  void report(Error error);
  bool current(std::uint64_t generation) const { return generation == generation_; }

  boost::asio::io_context& io_;
  DecoderSandboxOptions options_;
  ErrorHandler on_child_error_;
  std::vector<std::string> child_args_;
  std::vector<std::string> child_environment_;

  // Shared with the handlers of its socket's reads and writes: an Asio composed operation uses its
  // socket until its handler runs, so the (closed) ChildProcess lives that long.
  std::shared_ptr<ChildProcess> child_;
  ChildState state_ = ChildState::down;
  std::uint64_t generation_ = 0;            // one per child started; stale handlers return
  std::optional<std::string> kill_reason_;  // why the daemon killed the child, if it did
  bool writing_ = false;

  std::deque<Pending> queue_;
  std::optional<Pending> in_flight_;
  std::array<std::uint8_t, 4> reply_header_{};
  std::vector<std::uint8_t> reply_body_;

  boost::asio::steady_timer request_timer_;
  boost::asio::steady_timer restart_timer_;
  boost::asio::steady_timer reap_timer_;

  std::uint64_t next_id_ = 1;
  std::uint64_t frames_dropped_ = 0;
  std::uint64_t child_failures_ = 0;
  std::uint32_t failures_in_a_row_ = 0;
  // Expires with the sandbox: posted completions and Asio handlers check it first.
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);
};

}  // namespace loyalty::daemon
