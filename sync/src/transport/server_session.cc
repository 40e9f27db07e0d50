// A connection of the HttpsServer: handshake, identity, keep-alive request loop, lingering close.

#include "transport/server_session.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <exception>

#include "loyalty/core/limits.h"
#include "loyalty/sync/tls.h"
#include "tls/openssl_handles.h"

namespace loyalty::sync::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// How long a closing connection waits for the client to read the last answer and close.
constexpr std::chrono::milliseconds linger_timeout{1'000};

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool is_closed_by_client(const error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::eof ||
         error == asio::ssl::error::stream_truncated || error == asio::error::connection_reset ||
         error == beast::error::timeout || error == asio::error::operation_aborted;
}

}  // namespace

ServerState::ServerState(asio::io_context& io_context, asio::ssl::context& tls_context,
                         HttpsHandler request_handler, HttpsServerOptions server_options)
    : io(io_context),
      tls(tls_context),
      handler(std::move(request_handler)),
      options(server_options) {
  if (options.body_bytes_max == 0) options.body_bytes_max = limits::sync_batch_compressed_bytes_max;
  if (options.connections_max == 0) options.connections_max = limits::hq_connections_max;
}

ServerSession::ServerSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state)
    : stream_(std::move(socket), state->tls), state_(std::move(state)) {
  ++state_->live;
}

ServerSession::~ServerSession() { --state_->live; }

void ServerSession::start() {
  beast::get_lowest_layer(stream_).expires_after(state_->options.handshake_timeout);
  auto self = shared_from_this();
  stream_.async_handshake(asio::ssl::stream_base::server,
                          [self](error_code error) { self->on_handshake(error); });
}

void ServerSession::close() {
  if (closed_) return;
  auto self = shared_from_this();  // erasing below may drop the last other reference
  closed_ = true;
  finishing_ = true;
  error_code ignored;
  auto& socket = beast::get_lowest_layer(stream_).socket();
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
  socket.close(ignored);
  state_->sessions.erase(this);
}

void ServerSession::on_handshake(error_code error) {
  if (closed_) return;
  if (error) {
    if (error == beast::error::timeout) return close();
    return linger_close();  // the alert telling the client why is on its way
  }
  tls::X509Ptr certificate(SSL_get1_peer_certificate(stream_.native_handle()));
  Result<TerminalIdentity> identity = terminal_identity(certificate.get());
  if (identity.ok()) {
    peer_ = std::move(identity).value();
  } else {
    peer_error_ = identity.error().message;
  }
  read_next();
}

void ServerSession::read_next() {
  if (finishing_) return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits::hq_header_bytes_max));
  parser_->body_limit(state_->options.body_bytes_max);
  beast::get_lowest_layer(stream_).expires_after(state_->options.idle_timeout);
  auto self = shared_from_this();
  http::async_read(stream_, buffer_, *parser_,
                   [self](error_code error, std::size_t) { self->on_read(error); });
}

void ServerSession::on_read(error_code error) {
  if (finishing_) return;
  if (error) {
    if (is_closed_by_client(error)) return close();
    if (error == http::error::header_limit) {
      return answer_error(431, "the request headers exceed " +
                                   std::to_string(limits::hq_header_bytes_max) + " bytes");
    }
    if (error == http::error::body_limit) {
      return answer_error(413, "the request body exceeds " +
                                   std::to_string(state_->options.body_bytes_max) + " bytes");
    }
    return answer_error(400, "the request is not valid HTTP/1.1: " + error.message());
  }
  Request request = parser_->release();
  version_ = request.version();
  keep_alive_ = request.keep_alive();
  if (!peer_) return answer_error(403, peer_error_);
  if (request.method() != http::verb::get && request.method() != http::verb::post) {
    return answer_error(
        405, "method " + std::string(request.method_string()) + " is not allowed; use GET or POST");
  }
  dispatch(std::move(request));
}

void ServerSession::dispatch(Request request) {
  HttpsRequest https;
  https.method = std::string(request.method_string());
  https.target = std::string(request.target());
  https.content_type = std::string(request[http::field::content_type]);
  https.content_encoding = std::string(request[http::field::content_encoding]);
  https.body = std::move(request.body());
  handling_ = true;
  const std::uint64_t number = ++request_number_;
  std::weak_ptr<ServerSession> weak = weak_from_this();
  HttpsResponder responder = [weak, number](HttpsResponse response) {
    if (auto self = weak.lock()) self->respond(std::move(response), number);
  };
  try {
    state_->handler(*peer_, std::move(https), std::move(responder));
  } catch (const std::exception& e) {  // a handler's bug must not end the server's loop
    if (handling_ && number == request_number_) {
      handling_ = false;
      answer_error(500, std::string("the request failed: ") + e.what());
    }
  }
}

void ServerSession::respond(HttpsResponse response, std::uint64_t request_number) {
  if (finishing_ || !handling_ || request_number != request_number_) return;  // late or twice
  handling_ = false;
  auto message = std::make_shared<Response>(static_cast<http::status>(response.status), version_);
  message->set(http::field::server, "loyalty-hq");
  if (!response.content_type.empty())
    message->set(http::field::content_type, response.content_type);
  if (!response.content_encoding.empty()) {
    message->set(http::field::content_encoding, response.content_encoding);
  }
  message->keep_alive(keep_alive_);
  message->body() = std::move(response.body);
  message->prepare_payload();
  write(std::move(message));
}

void ServerSession::answer_error(int status, const std::string& message) {
  keep_alive_ = false;
  handling_ = false;
  auto response = std::make_shared<Response>(static_cast<http::status>(status), version_);
  response->set(http::field::server, "loyalty-hq");
  response->set(http::field::content_type, "application/json");
  response->keep_alive(false);
  response->body() = "{\"error\": " + json_string(message) + "}";
  response->prepare_payload();
  write(std::move(response));
}

void ServerSession::write(std::shared_ptr<Response> response) {
  beast::get_lowest_layer(stream_).expires_after(state_->options.idle_timeout);
  const bool keep_alive = response->keep_alive();
  auto self = shared_from_this();
  http::async_write(stream_, *response,
                    [self, response, keep_alive](error_code error, std::size_t) {
                      if (self->closed_) return;
                      if (error) return self->close();
                      if (!keep_alive) return self->linger_close();
                      self->read_next();
                    });
}

void ServerSession::linger_close() {
  if (finishing_) return;
  finishing_ = true;
  error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::socket_base::shutdown_send, ignored);
  beast::get_lowest_layer(stream_).expires_after(linger_timeout);  // for all the drain's reads
  drain();
}

void ServerSession::drain() {
  if (closed_) return;
  auto self = shared_from_this();
  beast::get_lowest_layer(stream_).async_read_some(asio::buffer(drain_buffer_),
                                                   [self](error_code error, std::size_t) {
                                                     if (error) return self->close();
                                                     self->drain();
                                                   });
}

}  // namespace loyalty::sync::transport
