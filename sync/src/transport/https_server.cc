// HttpsServer: the listener. Each accepted connection becomes a ServerSession, up to
// connections_max; one more is closed at once.

#include <boost/asio/ip/address.hpp>

#include "loyalty/sync/https.h"
#include "transport/server_session.h"

namespace loyalty::sync {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using transport::ServerSession;
using transport::ServerState;

struct HttpsServer::Impl {
  std::shared_ptr<ServerState> state;
};

namespace {

void accept_loop(std::shared_ptr<ServerState> state) {
  tcp::acceptor& acceptor = *state->acceptor;
  acceptor.async_accept([state](error_code error, tcp::socket socket) {
    if (state->stopped) return;
    if (error == asio::error::operation_aborted) return;
    if (!error) {
      ++state->accepted;
      if (state->sessions.size() >= state->options.connections_max) {
        error_code ignored;
        socket.close(ignored);  // over connections_max: the client retries later
      } else {
        auto session = std::make_shared<ServerSession>(std::move(socket), state);
        state->sessions.emplace(session.get(), session);
        session->start();
      }
    }
    accept_loop(state);
  });
}

}  // namespace

HttpsServer::HttpsServer(asio::io_context& io, asio::ssl::context& tls, HttpsHandler handler,
                         HttpsServerOptions options)
    : impl_(std::make_shared<Impl>()) {
  impl_->state = std::make_shared<ServerState>(io, tls, std::move(handler), options);
}

HttpsServer::~HttpsServer() { stop(); }

Result<std::uint16_t> HttpsServer::listen(const std::string& address, std::uint16_t port) {
  ServerState& state = *impl_->state;
  if (state.acceptor) {
    return make_error(ErrorCode::invalid_argument, "the HTTPS server is already listening");
  }
  error_code error;
  const asio::ip::address ip = asio::ip::make_address(address, error);
  if (error) {
    return make_error(ErrorCode::invalid_argument,
                      "\"" + address + "\" is not an IP address to listen on (e.g. \"::\")");
  }
  const tcp::endpoint endpoint(ip, port);
  tcp::acceptor& acceptor = state.acceptor.emplace(state.io);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    state.acceptor.reset();
    return make_error(ErrorCode::io_error,
                      address + ":" + std::to_string(port) + ": cannot listen: " + error.message());
  }
  const std::uint16_t bound = acceptor.local_endpoint(error).port();
  if (error) {
    return make_error(ErrorCode::io_error, "cannot read the listening port: " + error.message());
  }
  accept_loop(impl_->state);
  return bound;
}

void HttpsServer::stop() {
  ServerState& state = *impl_->state;
  if (state.stopped) return;
  state.stopped = true;
  error_code ignored;
  if (state.acceptor) state.acceptor->close(ignored);
  std::vector<std::shared_ptr<ServerSession>> open;
  open.reserve(state.sessions.size());
  for (const auto& entry : state.sessions) open.push_back(entry.second);
  for (const auto& session : open) session->close();  // each leaves state.sessions
  state.sessions.clear();
}

std::size_t HttpsServer::connections() const { return impl_->state->live.load(); }

std::size_t HttpsServer::connections_accepted() const { return impl_->state->accepted.load(); }

}  // namespace loyalty::sync
