// loyaltyctl's client of a running loyaltyd: one HTTP/1.1 request over the POS API's Unix socket
// with a bearer token (Boost.Beast, blocking, with a timeout), for `loyaltyctl --daemon SOCKET`.
//
// Ownership: a value holding the socket path and the token (wiped when destroyed).
// Thread-safety: one request at a time.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::cli {

struct DaemonReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class DaemonClient {
 public:
  // The token is the first line of `token_file` that is neither blank nor a '#' comment.
  static Result<DaemonClient> open(std::string socket_path, const std::string& token_file);
  DaemonClient(DaemonClient&&) noexcept = default;
  DaemonClient& operator=(DaemonClient&&) noexcept = default;
  ~DaemonClient();

  // "GET" or "POST"; `body` is sent as application/json when not empty. Errors: the daemon
  // could not be reached or did not answer (io_error), never an HTTP status.
  Result<DaemonReply> request(std::string_view method, const std::string& target,
                              const std::string& body) const;

 private:
  DaemonClient() = default;
  std::string socket_path_;
  std::string token_;
};

// The token file when none is named: $LOYALTY_API_TOKEN_FILE, else /etc/loyalty/api-token.
std::string default_token_file();

// What a reply becomes for the command line: its body for a 2xx; else an Error from its RFC 9457
// problem: "<status> <title>: <detail> (field <field>)", code busy for a 503 busy (exit 75),
// invalid_argument otherwise.
Result<std::string> reply_body(const DaemonReply& reply);

}  // namespace loyalty::cli
