// The daemon's side of the decoder sandbox (decoder_sandbox.h).
#include "sandbox/decoder_sandbox.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <iterator>
#include <utility>

#include "sandbox/decoder_arguments.h"
#include "sandbox/decoder_protocol.h"

namespace loyalty::daemon {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kWho = "decoder child";

Error bad_option(const std::string& why) {
  return make_error(ErrorCode::invalid_argument, "decoder sandbox: " + why);
}

Status check_options(const DecoderSandboxOptions& options) {
  if (options.decoder_path.empty()) return bad_option("the decoder program's path is required");
  if (options.request_timeout < milliseconds(1) ||
      options.request_timeout > milliseconds(decoder_request_timeout_ms_max)) {
    return bad_option("request_timeout must be 1 to " +
                      std::to_string(decoder_request_timeout_ms_max) + " ms, not " +
                      std::to_string(options.request_timeout.count()));
  }
  if (options.queue_requests_max > decoder_queue_requests_max) {
    return bad_option("queue_requests_max must be at most " +
                      std::to_string(decoder_queue_requests_max) + ", not " +
                      std::to_string(options.queue_requests_max));
  }
  if (options.restart_delay_min < milliseconds(1) ||
      options.restart_delay_min > options.restart_delay_max ||
      options.restart_delay_max > milliseconds(decoder_restart_delay_ms_max)) {
    return bad_option(
        "restart delays must satisfy 1 ms <= restart_delay_min <= "
        "restart_delay_max <= " +
        std::to_string(decoder_restart_delay_ms_max) + " ms");
  }
  return {};
}

// The child's environment: empty but for the sanitizer runtimes' options, which a sanitized build
// of the child reads when it starts (tests under the asan preset set them).
std::vector<std::string> child_environment() {
  std::vector<std::string> environment;
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name))
      environment.push_back(std::string(name) + "=" + value);
  }
  return environment;
}

std::string malformed(const std::string& why) {
  return std::string(kWho) + " sent a malformed reply: " + why;
}

}  // namespace

Result<std::unique_ptr<DecoderSandbox>> DecoderSandbox::start(boost::asio::io_context& io,
                                                              DecoderSandboxOptions options,
                                                              ErrorHandler on_child_error) {
  TRY(check_options(options));
  if (const auto decoder = drivers::ImageDecoder::create(options.decode); !decoder.ok()) {
    return bad_option(decoder.error().message);
  }
  std::unique_ptr<DecoderSandbox> sandbox(
      new DecoderSandbox(io, std::move(options), std::move(on_child_error)));
  TRY(sandbox->spawn_child());
  return sandbox;
}

DecoderSandbox::DecoderSandbox(boost::asio::io_context& io, DecoderSandboxOptions options,
                               ErrorHandler on_child_error)
    : io_(io),
      options_(std::move(options)),
      on_child_error_(std::move(on_child_error)),
      child_args_(decoder_arguments(options_.decode)),
      child_environment_(child_environment()),
      request_timer_(io),
      restart_timer_(io),
      reap_timer_(io) {}

DecoderSandbox::~DecoderSandbox() {
  alive_.reset();                   // handlers and posted completions that still run see it expired
  if (child_) child_->terminate();  // killed and reaped now; its reads and writes are cancelled
}

std::optional<pid_t> DecoderSandbox::child_pid() const {
  if (!child_) return std::nullopt;
  return child_->pid();
}

void DecoderSandbox::decode_frame(const drivers::GreyFrame& frame, Completion done) {
  const std::uint64_t id = next_id_++;
  submit(encode_frame_request(id, frame), id, true, std::move(done));
}

void DecoderSandbox::decode_image(std::span<const std::uint8_t> bytes, std::string_view name,
                                  Completion done) {
  const std::uint64_t id = next_id_++;
  submit(encode_image_request(id, bytes, name), id, false, std::move(done));
}

void DecoderSandbox::submit(Result<std::vector<std::uint8_t>> message, std::uint64_t id, bool frame,
                            Completion done) {
  LOYALTY_ASSERT(done);
  if (!message.ok()) {
    complete(std::move(done), std::move(message).error());
    return;
  }
  queue_.push_back(Pending{id, frame, std::move(message).value(), std::move(done)});
  pump();
  if (queue_.size() <= options_.queue_requests_max) return;
  // One over the bound: the oldest waiting frame makes room, or, with none, the new image file.
  const std::string waiting = std::to_string(options_.queue_requests_max);
  auto victim =
      std::find_if(queue_.begin(), queue_.end(), [](const Pending& p) { return p.frame; });
  if (victim != queue_.end()) {
    ++frames_dropped_;
    complete(std::move(victim->done),
             make_error(ErrorCode::busy, "frame dropped: " + waiting +
                                             " requests were waiting for the decoder already"));
  } else {
    victim = std::prev(queue_.end());
    complete(std::move(victim->done),
             make_error(ErrorCode::busy, "image refused: the decoder's queue is full (" + waiting +
                                             " requests waiting); try again later"));
  }
  queue_.erase(victim);
}

Status DecoderSandbox::spawn_child() {
  child_ = TRY(ChildProcess::spawn(io_, options_.decoder_path, child_args_, child_environment_));
  ++generation_;
  state_ = ChildState::running;
  kill_reason_.reset();
  writing_ = false;
  watch_exit();
  read_reply();
  pump();
  return {};
}

// Sends the next request when the child is up and idle.
void DecoderSandbox::pump() {
  if (state_ != ChildState::running || in_flight_ || queue_.empty()) return;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  writing_ = true;
  const std::uint64_t id = in_flight_->id;
  request_timer_.expires_after(options_.request_timeout);
  request_timer_.async_wait([this, alive = std::weak_ptr<const int>(alive_),
                             generation = generation_, id](const boost::system::error_code& error) {
    if (alive.expired() || !current(generation) || error || state_ != ChildState::running) return;
    if (!in_flight_ || in_flight_->id != id) return;  // answered just before the timer ran
    kill_child(std::string(kWho) + " did not answer within " +
               std::to_string(options_.request_timeout.count()) + " ms");
  });
  boost::asio::async_write(
      child_->socket(), boost::asio::buffer(in_flight_->message),
      [this, alive = std::weak_ptr<const int>(alive_), generation = generation_, child = child_](
          const boost::system::error_code& error, std::size_t) {
        if (alive.expired() || !current(generation) || state_ != ChildState::running) return;
        if (error) {
          kill_child(std::nullopt);  // EPIPE: the child is gone; how it ended says why
          return;
        }
        writing_ = false;
      });
}

void DecoderSandbox::read_reply() {
  boost::asio::async_read(
      child_->socket(), boost::asio::buffer(reply_header_),
      [this, alive = std::weak_ptr<const int>(alive_), generation = generation_, child = child_](
          const boost::system::error_code& error, std::size_t) {
        if (alive.expired() || !current(generation) || state_ != ChildState::running) return;
        if (error) {
          kill_child(std::nullopt);  // end of file: the child died or closed its stdout
          return;
        }
        const auto size = parse_message_header(reply_header_, decoder_reply_bytes_max, "header");
        if (!size.ok()) {
          kill_child(malformed(size.error().message));
          return;
        }
        reply_body_.resize(*size);
        boost::asio::async_read(
            child_->socket(), boost::asio::buffer(reply_body_),
            [this, alive, generation, child](const boost::system::error_code& error, std::size_t) {
              if (alive.expired() || !current(generation) || state_ != ChildState::running) {
                return;
              }
              if (error) {
                kill_child(std::nullopt);
                return;
              }
              take_reply();
            });
      });
}

void DecoderSandbox::take_reply() {
  auto reply = parse_reply(reply_body_);
  if (!reply.ok()) {
    kill_child(malformed(reply.error().message));
    return;
  }
  if (!in_flight_ || writing_ || reply->id != in_flight_->id) {
    kill_child(malformed("it answers request " + std::to_string(reply->id) + ", but " +
                         (in_flight_ && !writing_ ? "request " + std::to_string(in_flight_->id) +
                                                        " is the one it was sent"
                                                  : std::string("it was sent no whole request"))));
    return;
  }
  if (const Status fits = check_reply(reply->scan); !fits.ok()) {
    kill_child(malformed(fits.error().message));
    return;
  }
  request_timer_.cancel();
  failures_in_a_row_ = 0;
  Completion done = std::move(in_flight_->done);
  in_flight_.reset();
  complete(std::move(done), std::move(reply->scan));
  read_reply();
  pump();
}

// What the child was asked for bounds what it may answer.
Status DecoderSandbox::check_reply(const Result<drivers::FrameScan>& scan) const {
  if (!scan.ok()) return {};
  const drivers::ImageDecodeOptions& asked = options_.decode;
  if (scan->symbols.size() > asked.symbols_max()) {
    return make_error(ErrorCode::parse_error,
                      std::to_string(scan->symbols.size()) + " symbols, more than the " +
                          std::to_string(asked.symbols_max()) + " asked for");
  }
  for (const drivers::DecodedSymbol& symbol : scan->symbols) {
    if (std::find(asked.formats().begin(), asked.formats().end(), symbol.type) ==
        asked.formats().end()) {
      return make_error(ErrorCode::parse_error, std::string("a ") +
                                                    drivers::scan_data_type_name(symbol.type) +
                                                    " symbol, a format it was not asked for");
    }
  }
  return {};
}

// The child is killed (SIGKILL) and its pending reads and writes cancelled; reap_child() does the
// rest once it has exited. `reason`, when given, is the error the request in flight fails with;
// otherwise how the child ended names it.
void DecoderSandbox::kill_child(std::optional<std::string> reason) {
  if (state_ != ChildState::running) return;
  state_ = ChildState::dying;
  kill_reason_ = std::move(reason);
  request_timer_.cancel();
  child_->kill();
  boost::system::error_code ignored;
  child_->socket().cancel(ignored);
}

void DecoderSandbox::watch_exit() {
  child_->exit_watch().async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, alive = std::weak_ptr<const int>(alive_),
       generation = generation_](const boost::system::error_code& error) {
        if (alive.expired() || !current(generation)) return;
        if (error == boost::asio::error::operation_aborted) return;
        if (error) kill_child(std::string(kWho) + ": waiting for it failed: " + error.message());
        reap_child();
      });
}

void DecoderSandbox::reap_child() {
  const std::optional<ChildExit> exit = child_->try_reap();
  if (!exit) {
    // Woken before the exit was complete: look again shortly (the pidfd's edge is spent).
    reap_timer_.expires_after(milliseconds(decoder_reap_poll_ms));
    reap_timer_.async_wait([this, alive = std::weak_ptr<const int>(alive_),
                            generation = generation_](const boost::system::error_code& error) {
      if (alive.expired() || !current(generation) || error) return;
      reap_child();
    });
    return;
  }
  const Error error = make_error(ErrorCode::internal,
                                 kill_reason_ ? *kill_reason_ : describe_child_exit(*exit, kWho));
  state_ = ChildState::down;
  ++generation_;        // the dead child's handlers are stale from here on
  child_->terminate();  // reaped already: closes its socket and pidfd
  child_.reset();
  request_timer_.cancel();
  writing_ = false;
  ++child_failures_;
  ++failures_in_a_row_;
  if (in_flight_) {
    complete(std::move(in_flight_->done), error);
    in_flight_.reset();
  }
  report(error);
  schedule_restart();
}

void DecoderSandbox::schedule_restart() {
  LOYALTY_ASSERT(failures_in_a_row_ >= 1);
  // min * 2^(deaths in a row - 1), capped: the shift stops growing long before it could overflow.
  const std::uint32_t doublings = std::min<std::uint32_t>(failures_in_a_row_ - 1, 20);
  const milliseconds delay = std::min(options_.restart_delay_min * (std::int64_t{1} << doublings),
                                      options_.restart_delay_max);
  restart_timer_.expires_after(delay);
  restart_timer_.async_wait(
      [this, alive = std::weak_ptr<const int>(alive_)](const boost::system::error_code& error) {
        if (alive.expired() || error) return;
        const Status started = spawn_child();
        if (started.ok()) return;
        ++child_failures_;
        ++failures_in_a_row_;
        // Waiting requests would otherwise wait for as long as the child cannot start.
        const Error failed =
            make_error(started.error().code,
                       "the decoder child could not be restarted: " + started.error().message);
        for (Pending& pending : queue_) complete(std::move(pending.done), failed);
        queue_.clear();
        report(failed);
        schedule_restart();
      });
}

void DecoderSandbox::complete(Completion done, Result<drivers::FrameScan> result) {
  boost::asio::post(io_, [alive = std::weak_ptr<const int>(alive_), done = std::move(done),
                          result = std::move(result)]() mutable {
    if (!alive.expired()) done(std::move(result));
  });
}

void DecoderSandbox::report(Error error) {
  if (!on_child_error_) return;
  // A copy of the handler: it may destroy the sandbox, and with it on_child_error_.
  boost::asio::post(io_, [handler = on_child_error_, alive = std::weak_ptr<const int>(alive_),
                          error = std::move(error)] {
    if (!alive.expired()) handler(error);
  });
}

}  // namespace loyalty::daemon
