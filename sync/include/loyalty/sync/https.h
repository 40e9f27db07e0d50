// HTTPS with mutual TLS over Boost.Beast: the server loyalty-hq runs, and the keep-alive client
// a terminal's sync client uses (docs/sync.md, "Transport").
//
// Thread-safety: an HttpsServer lives on its io_context's thread; handlers run there. An
// HttpsClient is used from one thread at a time (the sync thread): each request() runs the
// client's own io_context until the answer, the timeout or an error.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "loyalty/core/result.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync {

struct HttpsRequest {
  std::string method = "GET";    // GET or POST
  std::string target;            // "/v1/batches", "/v1/downlink?after=7&wait_ms=25000"
  std::string content_type;      // "" when there is no body
  std::string content_encoding;  // "zstd" for batches and downlink answers
  std::string body;
};

struct HttpsResponse {
  int status = 200;
  std::string content_type;
  std::string content_encoding;
  std::string body;
};

struct HttpsServerOptions {
  std::size_t body_bytes_max = 0;  // 0: limits::sync_batch_compressed_bytes_max
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t connections_max = 0;  // 0: limits::hq_connections_max
};

// Answers one request. Call `respond` exactly once, now or later (a long poll), on the server's
// io_context thread. `peer` is the identity of the verified client certificate.
using HttpsResponder = std::function<void(HttpsResponse)>;
using HttpsHandler =
    std::function<void(const TerminalIdentity& peer, HttpsRequest request, HttpsResponder respond)>;

class HttpsServer {
 public:
  // Borrows `io` and `tls` (a context from make_server_context), which must outlive the server.
  HttpsServer(boost::asio::io_context& io, boost::asio::ssl::context& tls, HttpsHandler handler,
              HttpsServerOptions options = {});
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Listens on `address` (e.g. "127.0.0.1", "::") and `port` (0: any free one); returns the port.
  Result<std::uint16_t> listen(const std::string& address, std::uint16_t port);
  // Stops accepting and closes every connection; pending responders become no-ops.
  void stop();
  // Live connections, and connections accepted since construction (those over connections_max,
  // closed at once, too). Both may be read from any thread.
  std::size_t connections() const;
  std::size_t connections_accepted() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct HttpsClientOptions {
  std::string host;  // as named in HQ's certificate (checked), e.g. "127.0.0.1" or "hq.example"
  std::uint16_t port = 0;
  std::chrono::milliseconds connect_timeout{10'000};
};

class HttpsClient {
 public:
  // Borrows `tls` (from make_client_context), which must outlive the client.
  HttpsClient(boost::asio::ssl::context& tls, HttpsClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends `request` on the kept-alive connection (connecting, or reconnecting once when the
  // server closed an idle one). Fails with io_error naming the step (connect, handshake,
  // certificate, write, read) or the timeout; the connection is dropped after any failure.
  Result<HttpsResponse> request(const HttpsRequest& request, std::chrono::milliseconds timeout);
  // Drops the connection (the next request reconnects).
  void disconnect();
  // From any thread: the request in flight fails at once ("cancelled"), and so does every later
  // one. For shutting a client down while a long poll is open.
  void cancel();
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty::sync
