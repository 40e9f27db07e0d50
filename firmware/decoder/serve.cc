// The request loop of loyalty-decoder (serve.h).
#include "serve.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "loyalty/drivers/camera/image_file.h"
#include "sandbox/decoder_protocol.h"
#include "sandbox/sandbox_limits.h"

namespace loyalty::decoder {

namespace {

enum class ReadOutcome { complete, eof_before_any, failed };

// Reads exactly buffer.size() bytes. A pipe gives at least one byte per read, so at most
// buffer.size() reads succeed; EINTR retries are bounded too.
ReadOutcome read_exact(int fd, std::span<std::uint8_t> buffer, std::string_view what) {
  std::size_t got = 0;
  for (std::size_t interrupted = 0; got < buffer.size() && interrupted < 64;) {
    const ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      if (got == 0) return ReadOutcome::eof_before_any;
      say(std::string(what) + ": end of input after " + std::to_string(got) + " of " +
          std::to_string(buffer.size()) + " bytes");
      return ReadOutcome::failed;
    } else if (errno == EINTR) {
      ++interrupted;
    } else {
      say(std::string(what) + ": read failed: " + std::strerror(errno));
      return ReadOutcome::failed;
    }
  }
  return got == buffer.size() ? ReadOutcome::complete : ReadOutcome::failed;
}

bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t sent = 0;
  for (std::size_t interrupted = 0; sent < bytes.size() && interrupted < 64;) {
    const ssize_t n = ::write(fd, bytes.data() + sent, bytes.size() - sent);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno == EINTR) {
      ++interrupted;
    } else {
      say(std::string("reply: write failed: ") + std::strerror(errno));
      return false;
    }
  }
  return sent == bytes.size();
}

Result<drivers::FrameScan> decode(const drivers::ImageDecoder& decoder,
                                  const daemon::DecoderRequest& request) {
  if (request.kind == daemon::DecoderRequestKind::frame) return decoder.decode(request.frame);
  const drivers::GreyImage image =
      TRY(drivers::load_image_bytes(request.file_bytes, request.file_name));
  return decoder.decode(drivers::grey_frame(image));
}

// The id of a body that did not parse, so that its error still reaches the request it answers.
std::uint64_t id_of(std::span<const std::uint8_t> body) {
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 8 && i < body.size(); ++i) id |= std::uint64_t{body[i]} << (8 * i);
  return id;
}

}  // namespace

void say(std::string_view message) {
  std::string line = "loyalty-decoder: ";
  line.append(message);
  line.push_back('\n');
  // Best effort: a message that cannot be written is lost, and nothing else can be done with it.
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

int serve_requests(const drivers::ImageDecoder& decoder, int in_fd, int out_fd) {
  std::vector<std::uint8_t> body;
  // One request per pass, for as long as the daemon keeps the child: the loop ends when the
  // daemon closes the pipe (or kills the child), not after a count.
  for (;;) {
    std::array<std::uint8_t, daemon::decoder_header_bytes> header{};
    const ReadOutcome head = read_exact(in_fd, header, "request header");
    if (head == ReadOutcome::eof_before_any) return exit_done;
    if (head == ReadOutcome::failed) return exit_io;
    const auto size =
        daemon::parse_message_header(header, daemon::decoder_request_bytes_max, "request");
    if (!size.ok()) {
      say(size.error().message);
      return exit_bad_request;
    }
    body.resize(*size);
    if (read_exact(in_fd, body, "request") != ReadOutcome::complete) return exit_bad_request;

    const auto request = daemon::parse_request(body);
    const Result<drivers::FrameScan> scan =
        request.ok() ? decode(decoder, *request) : Result<drivers::FrameScan>(request.error());
    const std::vector<std::uint8_t> reply =
        daemon::encode_reply(request.ok() ? request->id : id_of(body), scan);
    if (!write_all(out_fd, reply)) return exit_io;
  }
}

}  // namespace loyalty::decoder
