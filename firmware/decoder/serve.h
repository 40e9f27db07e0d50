// The request loop of loyalty-decoder: reads requests (sandbox/decoder_protocol.h) from one
// descriptor, decodes each, writes its reply to another. Runs after confine_decoder(), so it makes
// no system call but read, write and the allocator's: messages go to fd 2 with write(2), never
// through stdio.
//
// Thread-safety: one call at a time; it owns neither descriptor.
#pragma once

#include <string_view>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::decoder {

// Exit codes of loyalty-decoder: 0 after the requests ended (EOF between two messages), and
// what went wrong otherwise (the message went to stderr first).
inline constexpr int exit_done = 0;
inline constexpr int exit_usage = 2;        // bad arguments, or the decoder could not be created
inline constexpr int exit_confine = 3;      // the limits or the seccomp filter could not be set
inline constexpr int exit_bad_request = 4;  // a header over the limit, EOF inside a message
inline constexpr int exit_io = 5;           // read or write failed

// Serves requests until the daemon closes `in_fd`; returns one of the exit codes above.
int serve_requests(const drivers::ImageDecoder& decoder, int in_fd, int out_fd);

// "loyalty-decoder: <message>\n" to fd 2 with write(2).
void say(std::string_view message);

}  // namespace loyalty::decoder
