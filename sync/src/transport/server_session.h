// One connection of the HttpsServer: the TLS handshake (with its timeout), the client's identity
// from its verified certificate, then an HTTP/1.1 keep-alive loop that reads a request only after
// the previous one was answered. A handler may answer later (a long poll); its responder becomes
// a no-op once the connection is closed.
//
// Ownership: ServerState owns its open sessions (so a pending long poll keeps its session);
// a session leaves it when it closes. Thread-safety: the server's io_context thread only.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "loyalty/sync/https.h"

namespace loyalty::sync::transport {

class ServerSession;

struct ServerState {
  ServerState(boost::asio::io_context& io_context, boost::asio::ssl::context& tls_context,
              HttpsHandler request_handler, HttpsServerOptions server_options);

  boost::asio::io_context& io;
  boost::asio::ssl::context& tls;
  HttpsHandler handler;
  HttpsServerOptions options;  // zeros replaced by the limits
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  std::unordered_map<const ServerSession*, std::shared_ptr<ServerSession>> sessions;
  bool stopped = false;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> live{0};
};

class ServerSession : public std::enable_shared_from_this<ServerSession> {
 public:
  ServerSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  void start();
  // Closes the socket now; operations in flight end, responders become no-ops.
  void close();

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  void on_handshake(boost::system::error_code error);
  void read_next();
  void on_read(boost::system::error_code error);
  void dispatch(Request request);
  void respond(HttpsResponse response, std::uint64_t request_number);
  void answer_error(int status, const std::string& message);
  void write(std::shared_ptr<Response> response);
  // After a last answer or a failed handshake: stops sending, then reads and discards what the
  // client still sends until it closes (or a second passes), so that closing does not reset the
  // connection before the client has read the answer (or the TLS alert).
  void linger_close();
  void drain();

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<TerminalIdentity> peer_;
  std::string peer_error_;  // why peer_ is not set
  std::array<char, 4096> drain_buffer_{};
  std::uint64_t request_number_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool handling_ = false;   // a request is with the handler
  bool finishing_ = false;  // no more answers: lingering or closed
  bool closed_ = false;
};

}  // namespace loyalty::sync::transport
