// DecoderSandbox (sandbox/decoder_sandbox.h) with the real loyalty-decoder child: zint barcodes
// decoded through it, the child confined, killed from outside, stopped past its timeout, and fake
// children that answer with bytes of the test's choosing.
#include "sandbox/decoder_sandbox.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "loyalty/drivers/camera/image_file.h"
#include "sandbox/decoder_protocol.h"
#include "sandbox/decoder_seccomp.h"
#include "sandbox/sandbox_support.h"

namespace loyalty::daemon {
namespace {

using drivers::FrameScan;
using drivers::ScanDataType;
using drivers_test::Symbol;
using drivers_test::TempDir;
using sandbox_test::Completions;
using sandbox_test::run_until;
using sandbox_test::test_options;

const Symbol kCode128{drivers_test::zint_code128, "LOYALTY-0042", {"--height=60"}, 2};

// A started sandbox and what it reported.
struct Fixture {
  explicit Fixture(DecoderSandboxOptions options = test_options()) {
    auto started = DecoderSandbox::start(io, std::move(options),
                                         [this](const Error& error) { errors.push_back(error); });
    if (!started.ok()) FAIL(started.error().message);
    sandbox = std::move(started).value();
  }

  // Decodes `frame` and waits for its completion.
  Result<FrameScan> decode(const drivers::GreyFrame& frame) {
    const std::size_t before = done.results.size();
    sandbox->decode_frame(frame, done.make(0));
    REQUIRE(run_until(io, [&] { return done.has(before + 1); }));
    return done.results.back().second;
  }

  pid_t pid() const {
    const auto pid = sandbox->child_pid();
    REQUIRE(pid.has_value());
    return *pid;
  }

  // Waits for a child other than `old` to be up.
  pid_t wait_for_restart(pid_t old) {
    REQUIRE(run_until(io, [&] {
      const auto pid = sandbox->child_pid();
      return pid.has_value() && *pid != old;
    }));
    return *sandbox->child_pid();
  }

  boost::asio::io_context io;
  std::vector<Error> errors;
  Completions done;
  std::unique_ptr<DecoderSandbox> sandbox;
};

// Brings the child up (one blank frame decoded), then stops it (SIGSTOP): it reads and answers
// nothing more until SIGCONT. The completions recorded so far are forgotten.
void stop_child_after_one_decode(Fixture& f) {
  const std::vector<std::uint8_t> blank(64 * 64, 0xFF);
  REQUIRE(f.decode({blank, 64, 64, 64}).ok());
  REQUIRE(::kill(f.pid(), SIGSTOP) == 0);
  f.done.results.clear();
}

void check_label(const Result<FrameScan>& scan, const std::string& label, ScanDataType type,
                 const std::string& aim_id) {
  if (!scan.ok()) FAIL(scan.error().message);
  REQUIRE(scan->symbols.size() == 1);
  CHECK(scan->symbols[0].label == label);
  CHECK(scan->symbols[0].type == type);
  CHECK(scan->symbols[0].aim_id == aim_id);
}

TEST_CASE("the decoder sandbox decodes a zint Code 128 camera frame to its exact label",
          "[seccomp]") {
  TempDir dir;
  const drivers::GreyImage image = sandbox_test::camera_frame_of(dir, "c128", kCode128);
  Fixture f;
  check_label(f.decode(drivers::grey_frame(image)), "LOYALTY-0042", ScanDataType::code128, "]C0");

  // The same frame in rows padded to 700 bytes, as a camera's Y plane may be.
  std::vector<std::uint8_t> padded(700 * image.height, 0xAB);
  for (int y = 0; y < image.height; ++y) {
    std::copy_n(image.pixels.begin() + y * image.width, image.width, padded.begin() + y * 700);
  }
  check_label(f.decode({padded, image.width, image.height, 700}), "LOYALTY-0042",
              ScanDataType::code128, "]C0");

  // A frame without a symbol is an empty scan, not an error.
  const std::vector<std::uint8_t> blank(320 * 240, 0xFF);
  const auto empty = f.decode({blank, 320, 240, 320});
  REQUIRE(empty.ok());
  CHECK(empty->symbols.empty());
  CHECK(f.errors.empty());
  CHECK(f.sandbox->child_failures() == 0);
}

TEST_CASE("an image file's bytes are decoded in the decoder child", "[seccomp]") {
  TempDir dir;
  const std::string png = drivers_test::draw_symbol(
      dir, "qr", {drivers_test::zint_qrcode, "https://example.com/c/7731", {}, 3});
  Fixture f;
  f.sandbox->decode_image(sandbox_test::file_bytes(png), "qr.png", f.done.make(1));
  const std::vector<std::uint8_t> not_an_image = {'G', 'I', 'F', '8', '9', 'a', 0, 0};
  f.sandbox->decode_image(not_an_image, "card.gif", f.done.make(2));
  REQUIRE(run_until(f.io, [&] { return f.done.has(2); }));
  REQUIRE(f.done.results[0].first == 1);
  check_label(f.done.results[0].second, "https://example.com/c/7731", ScanDataType::qrcode, "]Q1");
  // The child's own refusal, passed on; the child lives on.
  const auto& refused = f.done.results[1].second;
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::parse_error);
  CHECK(refused.error().message == "card.gif: not a PNG, JPEG, WebP, PGM/PPM (P5/P6) or BMP image");
  CHECK(f.errors.empty());
  CHECK(f.sandbox->child_failures() == 0);
}

TEST_CASE("an exception ZXing throws in the confined child is a rejection, not a crash",
          "[seccomp]") {
  // The C++ runtime throws and unwinds inside the filter: no system call is needed for it.
  DecoderSandboxOptions options = test_options();
  options.decode.set_formats({ScanDataType::aztec, ScanDataType::qrcode})
      .set_effort(drivers::DecodeEffort::thorough);
  Fixture f(options);
  const std::string path =
      std::string(LOYALTY_SOURCE_DIR) + "/tests/fuzz/corpus/image_file/aztec_detector_throws.pgm";
  f.sandbox->decode_image(sandbox_test::file_bytes(path), "aztec.pgm", f.done.make(1));
  REQUIRE(run_until(f.io, [&] { return f.done.has(1); }));
  const auto& scan = f.done.results[0].second;
  REQUIRE(scan.ok());
  CHECK(scan->symbols.empty());
  REQUIRE(scan->rejected.size() == 1);
  CHECK(scan->rejected[0].code == ErrorCode::internal);
  CHECK(scan->rejected[0].message.starts_with("ZXing failed on this frame: "));
  CHECK(f.errors.empty());
}

TEST_CASE("the running decoder child is confined by its seccomp filter and limits", "[seccomp]") {
  Fixture f;
  const std::vector<std::uint8_t> blank(64 * 64, 0xFF);
  REQUIRE(f.decode({blank, 64, 64, 64}).ok());  // it answered: confine_decoder() has run
  const pid_t pid = f.pid();
  CHECK(sandbox_test::proc_line(pid, "status", "Seccomp:") == "Seccomp: 2");  // a filter
  CHECK(sandbox_test::proc_line(pid, "status", "NoNewPrivs:") == "NoNewPrivs: 1");
  CHECK(sandbox_test::open_fds(pid) == std::vector<int>{0, 1, 2});
  CHECK(sandbox_test::proc_line(pid, "limits", "Max core file size") ==
        "Max core file size 0 0 bytes");
  const std::string files = std::to_string(decoder_open_files_max());  // 3, or 5 under ASan
  CHECK(sandbox_test::proc_line(pid, "limits", "Max open files") ==
        "Max open files " + files + " " + files + " files");
  if (!decoder_filter_allows_asan()) {  // AddressSanitizer's shadow memory needs terabytes
    CHECK(sandbox_test::proc_line(pid, "limits", "Max address space") ==
          "Max address space 1073741824 1073741824 bytes");
  }
}

TEST_CASE("a decoder child killed from outside fails its request, is reported and restarted",
          "[seccomp]") {
  TempDir dir;
  const drivers::GreyImage image = sandbox_test::camera_frame_of(dir, "c128", kCode128);
  const drivers::GreyFrame frame = drivers::grey_frame(image);
  Fixture f;
  REQUIRE(f.decode(frame).ok());

  std::vector<std::pair<int, std::string>> signals = {{SIGKILL, "decoder child killed by SIGKILL"},
                                                      {SIGABRT, "decoder child killed by SIGABRT"}};
  // Under AddressSanitizer its own SIGSEGV handler reports (and wants /proc: SIGSYS) instead.
  if (!decoder_filter_allows_asan())
    signals.emplace_back(SIGSEGV, "decoder child killed by SIGSEGV");
  for (const auto& entry : signals) {
    const int signal = entry.first;  // a plain variable: lambdas cannot capture bindings in C++20
    const std::string& message = entry.second;
    INFO(message);
    const pid_t old = f.pid();
    const std::size_t errors_before = f.errors.size();
    // The request is in flight (its write is started) before the child gets the signal.
    f.sandbox->decode_frame(frame, f.done.make(signal));
    REQUIRE(::kill(old, signal) == 0);
    REQUIRE(run_until(f.io, [&] { return f.done.results.back().first == signal; }));
    const auto& failed = f.done.results.back().second;
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == ErrorCode::internal);
    CHECK(failed.error().message == message);
    REQUIRE(run_until(f.io, [&] { return f.errors.size() == errors_before + 1; }));
    CHECK(f.errors.back().message == message);

    const pid_t restarted = f.wait_for_restart(old);
    CHECK_FALSE(sandbox_test::is_unreaped_child(old));  // reaped: no zombie
    CHECK(sandbox_test::is_unreaped_child(restarted));
    check_label(f.decode(frame), "LOYALTY-0042", ScanDataType::code128, "]C0");
  }
  CHECK(f.sandbox->child_failures() == signals.size());
}

TEST_CASE("a decoder child that does not answer in time is killed and its request failed",
          "[seccomp]") {
  DecoderSandboxOptions options = test_options();
  // Long enough for the first request, whose time includes the child's start (ASan's too).
  options.request_timeout = std::chrono::milliseconds(1000);
  Fixture f(options);
  const std::vector<std::uint8_t> blank(64 * 64, 0xFF);
  REQUIRE(f.decode({blank, 64, 64, 64}).ok());
  const pid_t old = f.pid();
  REQUIRE(::kill(old, SIGSTOP) == 0);  // it reads nothing more, and answers nothing

  const auto sent = std::chrono::steady_clock::now();
  const auto timed_out = f.decode({blank, 64, 64, 64});
  const auto waited = std::chrono::steady_clock::now() - sent;
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().code == ErrorCode::internal);
  CHECK(timed_out.error().message == "decoder child did not answer within 1000 ms");
  CHECK(waited >= std::chrono::milliseconds(1000));
  REQUIRE(run_until(f.io, [&] { return f.errors.size() == 1; }));
  CHECK(f.errors[0].message == "decoder child did not answer within 1000 ms");

  f.wait_for_restart(old);
  CHECK_FALSE(sandbox_test::is_unreaped_child(old));
  REQUIRE(f.decode({blank, 64, 64, 64}).ok());
}

TEST_CASE("a full decoder queue drops the oldest waiting frames, never the one in flight",
          "[seccomp]") {
  DecoderSandboxOptions options = test_options();
  options.queue_requests_max = 2;
  Fixture f(options);
  stop_child_after_one_decode(f);
  const std::vector<std::uint8_t> blank(64 * 64, 0xFF);
  for (int tag = 1; tag <= 5; ++tag) f.sandbox->decode_frame({blank, 64, 64, 64}, f.done.make(tag));
  CHECK(f.sandbox->frames_dropped() == 2);  // 1 in flight; 2 and 3 dropped for 4 and 5
  CHECK(f.sandbox->queued() == 2);
  REQUIRE(run_until(f.io, [&] { return f.done.has(2); }));
  REQUIRE(::kill(f.pid(), SIGCONT) == 0);
  REQUIRE(run_until(f.io, [&] { return f.done.has(5); }));

  std::vector<int> order;
  for (const auto& [tag, result] : f.done.results) order.push_back(tag);
  CHECK(order == std::vector<int>{2, 3, 1, 4, 5});
  for (int i : {0, 1}) {
    const auto& dropped = f.done.results[i].second;
    REQUIRE_FALSE(dropped.ok());
    CHECK(dropped.error().code == ErrorCode::busy);
    CHECK(dropped.error().message ==
          "frame dropped: 2 requests were waiting for the decoder already");
  }
  for (int i : {2, 3, 4}) CHECK(f.done.results[i].second.ok());
  CHECK(f.errors.empty());
}

TEST_CASE("a full decoder queue of image files refuses a new one", "[seccomp]") {
  DecoderSandboxOptions options = test_options();
  options.queue_requests_max = 1;
  Fixture f(options);
  stop_child_after_one_decode(f);
  const std::vector<std::uint8_t> pgm = {'P', '5', ' ', '1', ' ', '1', ' ', '2', '5', '5', '\n', 0};
  for (int tag = 1; tag <= 3; ++tag) f.sandbox->decode_image(pgm, "dot.pgm", f.done.make(tag));
  REQUIRE(run_until(f.io, [&] { return f.done.has(1); }));
  CHECK(f.done.results[0].first == 3);
  CHECK(f.done.results[0].second.error().code == ErrorCode::busy);
  CHECK(f.done.results[0].second.error().message ==
        "image refused: the decoder's queue is full (1 requests waiting); try again later");
  CHECK(f.sandbox->frames_dropped() == 0);
  REQUIRE(::kill(f.pid(), SIGCONT) == 0);
  REQUIRE(run_until(f.io, [&] { return f.done.has(3); }));
  CHECK(f.done.results[1].first == 1);
  CHECK(f.done.results[2].first == 2);
  CHECK(f.done.results[2].second.ok());
}

// The reply a fake child sends: header and body as given.
std::vector<std::uint8_t> message_of(const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> message;
  for (int i = 0; i < 4; ++i) message.push_back(static_cast<std::uint8_t>(body.size() >> (8 * i)));
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

// Runs a fake child that reads the first request (an 8x8 frame) and sends `reply`; the error the
// request failed with, after checking the error handler was told the same.
std::string fake_child_failure(const std::vector<std::uint8_t>& reply, int exit_status = -1) {
  TempDir dir;
  DecoderSandboxOptions options = test_options();
  options.decoder_path =
      sandbox_test::fake_child(dir, "child", 4 + 8 + 1 + 12 + 64, reply, exit_status);
  options.restart_delay_min = options.restart_delay_max = std::chrono::milliseconds(5000);
  Fixture f(options);
  const std::vector<std::uint8_t> pixels(64, 0xFF);
  const auto result = f.decode({pixels, 8, 8, 8});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::internal);
  REQUIRE(run_until(f.io, [&] { return f.errors.size() == 1; }));
  CHECK(f.errors[0].message == result.error().message);
  CHECK_FALSE(f.sandbox->child_pid().has_value());  // killed, reaped, not restarted yet
  return result.error().message;
}

TEST_CASE("a decoder child's malformed reply gets it killed and its request failed") {
  CHECK(fake_child_failure({'X', 'X', 'X', 'X'}) ==
        "decoder child sent a malformed reply: header: 1482184792 bytes is over the limit of " +
            std::to_string(decoder_reply_bytes_max));

  std::vector<std::uint8_t> other_id = {99, 0, 0, 0, 0, 0, 0, 0, 'S', 0, 0};
  CHECK(fake_child_failure(message_of(other_id)) ==
        "decoder child sent a malformed reply: it answers request 99, but request 1 is the one "
        "it was sent");

  std::vector<std::uint8_t> bad_count = {1, 0, 0, 0, 0, 0, 0, 0, 'S', 200};
  CHECK(fake_child_failure(message_of(bad_count)) ==
        "decoder child sent a malformed reply: decoder reply: symbols: 200 symbols is over the "
        "limit of 16");

  // Well-formed, but an EAN-8 from a child asked for Code 128 and QR codes.
  drivers::FrameScan scan;
  scan.symbols.push_back(
      {ScanDataType::ean8, "]E4", "96385074", {'9', '6', '3', '8', '5', '0', '7', '4'}, {}, {}});
  CHECK(fake_child_failure(encode_reply(1, scan)) ==
        "decoder child sent a malformed reply: a ean8 symbol, a format it was not asked for");

  // Half a reply, then the child exits: how it ended is the error.
  CHECK(fake_child_failure({20, 0, 0, 0, 1, 0, 0}, 9) == "decoder child exited with status 9");
}

TEST_CASE("a decoder child that cannot be restarted fails the waiting requests, and is retried",
          "[spawn_errors]") {
  TempDir dir;
  DecoderSandboxOptions options = test_options();
  options.decoder_path = sandbox_test::fake_child(dir, "gone", 0, {});  // it sleeps
  options.restart_delay_min = std::chrono::milliseconds(20);
  options.restart_delay_max = std::chrono::milliseconds(80);
  boost::asio::io_context io;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> errors;
  auto started = DecoderSandbox::start(io, options, [&](const Error& error) {
    errors.emplace_back(std::chrono::steady_clock::now(), error.message);
  });
  REQUIRE(started.ok());
  DecoderSandbox& sandbox = **started;
  REQUIRE(std::filesystem::remove(options.decoder_path));
  Completions done;
  const std::vector<std::uint8_t> pixels(64, 0xFF);
  sandbox.decode_frame({pixels, 8, 8, 8}, done.make(1));  // in flight: the child never answers
  sandbox.decode_frame({pixels, 8, 8, 8}, done.make(2));  // waiting
  REQUIRE(::kill(*sandbox.child_pid(), SIGKILL) == 0);

  REQUIRE(run_until(io, [&] { return errors.size() >= 6; }));
  const std::string cannot_start = "the decoder child could not be restarted: cannot start " +
                                   options.decoder_path + ": No such file or directory";
  CHECK(errors[0].second == "decoder child killed by SIGKILL");
  for (std::size_t i = 1; i < errors.size(); ++i) CHECK(errors[i].second == cannot_start);
  // The backoff: 20 ms, doubled after each failure in a row, at most 80 ms.
  const std::vector<int> delays_ms = {20, 40, 80, 80, 80};
  for (std::size_t i = 0; i < delays_ms.size(); ++i) {
    INFO("restart " << i);
    CHECK(errors[i + 1].first - errors[i].first >= std::chrono::milliseconds(delays_ms[i]));
  }
  REQUIRE(done.has(2));
  CHECK(done.results[0].first == 1);
  CHECK(done.results[0].second.error().message == "decoder child killed by SIGKILL");
  CHECK(done.results[1].first == 2);
  CHECK(done.results[1].second.error().message == cannot_start);
  CHECK(sandbox.child_failures() == errors.size());
  CHECK_FALSE(sandbox.child_pid().has_value());
}

TEST_CASE("destroying the decoder sandbox with requests in flight kills and reaps the child",
          "[seccomp]") {
  boost::asio::io_context io;
  int completions = 0;
  int errors = 0;
  pid_t pid = 0;
  {
    auto sandbox = DecoderSandbox::start(io, test_options(), [&](const Error&) { ++errors; });
    REQUIRE(sandbox.ok());
    pid = *(*sandbox)->child_pid();
    const std::vector<std::uint8_t> blank(640 * 480, 0x80);
    for (int i = 0; i < 3; ++i) {
      (*sandbox)->decode_frame({blank, 640, 480, 640}, [&](Result<FrameScan>) { ++completions; });
    }
    io.poll();  // the first request is being written
    // A frame the protocol refuses completes (posted) with its error...
    (*sandbox)->decode_frame({blank, 0, 480, 640}, [&](Result<FrameScan>) { ++completions; });
  }
  // ... but after the destruction nothing runs: neither that completion nor the others.
  sandbox_test::run_for(io, std::chrono::milliseconds(200));
  CHECK(completions == 0);
  CHECK(errors == 0);
  CHECK_FALSE(sandbox_test::is_unreaped_child(pid));
}

TEST_CASE("the decoder sandbox refuses bad options and a program it cannot start",
          "[spawn_errors]") {
  boost::asio::io_context io;
  const auto refusal = [&](const DecoderSandboxOptions& options) {
    const auto started = DecoderSandbox::start(io, options, {});
    REQUIRE_FALSE(started.ok());
    return started.error().message;
  };
  DecoderSandboxOptions missing = test_options();
  missing.decoder_path = "/nonexistent/loyalty-decoder";
  CHECK(refusal(missing) == "cannot start /nonexistent/loyalty-decoder: No such file or directory");
  DecoderSandboxOptions no_path = test_options();
  no_path.decoder_path.clear();
  CHECK(refusal(no_path) == "decoder sandbox: the decoder program's path is required");
  DecoderSandboxOptions timeout = test_options();
  timeout.request_timeout = std::chrono::milliseconds(0);
  CHECK(refusal(timeout) == "decoder sandbox: request_timeout must be 1 to 60000 ms, not 0");
  DecoderSandboxOptions queue = test_options();
  queue.queue_requests_max = decoder_queue_requests_max + 1;
  CHECK(refusal(queue) == "decoder sandbox: queue_requests_max must be at most 4, not 5");
  DecoderSandboxOptions delays = test_options();
  delays.restart_delay_min = std::chrono::milliseconds(200);
  CHECK(refusal(delays) ==
        "decoder sandbox: restart delays must satisfy 1 ms <= restart_delay_min <= "
        "restart_delay_max <= 10000 ms");
  DecoderSandboxOptions formats = test_options();
  formats.decode.set_formats({});
  CHECK(refusal(formats) == "decoder sandbox: an image decoder needs at least one barcode format");
}

}  // namespace
}  // namespace loyalty::daemon
