// The HTTP/1.1 server under the POS API and the till panel (Boost.Beast on the daemon's loop):
// a Unix socket listener and loopback TCP listeners, each connection a session with the limits of
// HttpLimits, and the upgrade of a request to a WebSocket for the event stream.
//
// Limits, each enforced and tested (tests/firmware/api):
//   - connections_max live connections per server; one more is answered 503 and closed;
//   - header_bytes_max (431) and body_bytes_max (413), checked while reading, before buffering;
//   - read_timeout_ms for a whole request from its first byte: a client that sends it slowly (a
//     slow-loris) is cut off with 408 and the connection closed;
//   - idle_timeout_ms between requests of a kept-alive connection: then the connection closes.
// A request is read whole before it is handled; responses are written in order.
//
// Ownership: the server owns its listeners and tracks its sessions weakly; the RequestHandler is
// borrowed and must outlive the server. Thread-safety: the loop's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Beast 1.74's string_view is Boost's; the rest of the code speaks std::string_view.
inline std::string_view std_view(boost::beast::string_view text) {
  return std::string_view(text.data(), text.size());
}

struct HttpLimits {
  std::size_t connections_max = 32;
  std::size_t header_bytes_max = 8 * 1024;
  std::size_t body_bytes_max = 256 * 1024;
  std::int64_t read_timeout_ms = 5'000;
  std::int64_t idle_timeout_ms = 30'000;
};

// A WebSocket the handler accepted: it gets the socket's send side.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // Queues a text message; false when the queue (limits below) is full.
  virtual bool send(std::shared_ptr<const std::string> message) = 0;
  virtual void close(const std::string& reason) = 0;
  // False once the connection is closing or closed.
  virtual bool alive() const = 0;
};

// Called back by the server. Runs on the loop; may complete asynchronously (call `respond` later,
// exactly once).
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) = 0;
  // A WebSocket upgrade request: nullopt accepts it (then opened() is called with the channel),
  // a response refuses it (sent as is).
  virtual std::optional<HttpResponse> check_upgrade(const HttpRequest& request) = 0;
  virtual void opened(const HttpRequest& request, std::shared_ptr<WebSocketChannel> channel) = 0;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpLimits limits, RequestHandler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on a Unix socket at `path` (a stale socket file is replaced; anything else there is
  // an error), then sets its mode and, when group is not empty, its group.
  Status listen_unix(const std::string& path, unsigned mode, const std::string& group);
  // Listens on a loopback address; port 0 picks a free one (bound_port() tells which).
  Status listen_tcp(const std::string& address, std::uint16_t port);
  std::uint16_t bound_port() const { return bound_port_; }

  // Stops accepting and closes every session.
  void stop();
  std::size_t connections() const;

  // One response built the way every response of the server is: version, keep-alive, headers
  // (Content-Type, Cache-Control: no-store, X-Content-Type-Options: nosniff), body.
  static HttpResponse make_response(const HttpRequest& request, int status,
                                    std::string content_type, std::string body);

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace loyalty::daemon
