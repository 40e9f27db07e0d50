#include "api/http_server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "api/problem.h"

namespace loyalty::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

// Messages one WebSocket may have queued before it counts as too slow.
constexpr std::size_t websocket_queue_max = 256;
// Bytes of one message a client may send on the event stream (it is server to client; clients
// send nothing but control frames).
constexpr std::size_t websocket_read_bytes_max = 4096;

class Session {
 public:
  virtual ~Session() = default;
  virtual void close() = 0;
};

HttpResponse problem_response(unsigned version, ProblemType type, std::string detail,
                              std::string_view target) {
  HttpResponse response{static_cast<http::status>(problem_status(type)), version};
  response.set(http::field::content_type, "application/problem+json");
  response.set(http::field::cache_control, "no-store");
  response.set(http::field::connection, "close");
  response.keep_alive(false);
  response.body() = problem_json(make_problem(type, std::move(detail)), target);
  response.prepare_payload();
  return response;
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_context, HttpLimits http_limits, RequestHandler& request_handler)
      : io(io_context), limits(http_limits), handler(request_handler) {}

  asio::io_context& io;
  HttpLimits limits;
  RequestHandler& handler;
  bool stopped = false;
  std::vector<std::weak_ptr<Session>> sessions;
  std::optional<asio::local::stream_protocol::acceptor> unix_acceptor;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> tcp_acceptors;
  std::string unix_path;

  std::size_t live() {
    std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    return sessions.size();
  }
};

namespace {

template <class Protocol>
class WebSocketSession final : public Session,
                               public WebSocketChannel,
                               public std::enable_shared_from_this<WebSocketSession<Protocol>> {
 public:
  WebSocketSession(typename Protocol::socket socket) : ws_(std::move(socket)) {}

  void accept(const HttpRequest& request, std::shared_ptr<HttpServer::State> state) {
    ws_.read_message_max(websocket_read_bytes_max);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "loyaltyd");
    }));
    auto self = this->shared_from_this();
    ws_.async_accept(request, [self, request, state](error_code error) {
      if (error) return;
      self->open_ = true;
      state->handler.opened(request, self);
      self->read();
      self->write_next();
    });
  }

  bool send(std::shared_ptr<const std::string> message) override {
    if (closing_) return true;
    if (queue_.size() >= websocket_queue_max) return false;
    queue_.push_back(std::move(message));
    if (open_ && queue_.size() == 1) write_next();
    return true;
  }

  void close(const std::string& reason) override {
    if (closing_) return;
    closing_ = true;
    queue_.clear();
    auto self = this->shared_from_this();
    if (!open_) {
      error_code ignored;
      ws_.next_layer().close(ignored);
      return;
    }
    if (writing_) {
      close_reason_ = reason;  // after the write in flight
      return;
    }
    ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, reason),
                    [self](error_code) {});
  }

  void close() override { close("the daemon is stopping"); }
  bool alive() const override { return !closing_; }

 private:
  void read() {
    auto self = this->shared_from_this();
    ws_.async_read(read_buffer_, [self](error_code error, std::size_t) {
      self->read_buffer_.clear();
      if (error) {
        self->closing_ = true;
        self->queue_.clear();
        return;
      }
      self->read();  // clients have nothing to say; their messages are ignored
    });
  }

  void write_next() {
    if (writing_ || queue_.empty() || closing_ || !open_) return;
    writing_ = true;
    auto self = this->shared_from_this();
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()), [self](error_code error, std::size_t) {
      self->writing_ = false;
      if (error) {
        self->closing_ = true;
        self->queue_.clear();
        return;
      }
      if (!self->queue_.empty()) self->queue_.pop_front();
      if (self->close_reason_) {
        const std::string reason = *self->close_reason_;
        self->close_reason_.reset();
        self->ws_.async_close(
            websocket::close_reason(websocket::close_code::policy_error, reason),
            [self](error_code) {});
        return;
      }
      self->write_next();
    });
  }

  websocket::stream<typename Protocol::socket> ws_;
  beast::flat_buffer read_buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::optional<std::string> close_reason_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

template <class Protocol>
class HttpSession final : public Session,
                          public std::enable_shared_from_this<HttpSession<Protocol>> {
 public:
  HttpSession(typename Protocol::socket socket, std::shared_ptr<HttpServer::State> state)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(std::move(state)) {}

  void start(bool over_capacity) {
    if (over_capacity) {
      write(problem_response(11, ProblemType::unavailable,
                             "too many connections (api.connections_max = " +
                                 std::to_string(state_->limits.connections_max) +
                                 "); close idle ones and retry",
                             ""),
            false);
      return;
    }
    read_next();
  }

  void close() override {
    closed_ = true;
    timer_.cancel();
    error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  enum class Phase { idle, reading, handling, writing };

  void read_next() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.header_bytes_max));
    parser_->body_limit(state_->limits.body_bytes_max);
    if (buffer_.size() > 0) return read_request();
    phase_ = Phase::idle;
    arm_timer(state_->limits.idle_timeout_ms);
    auto self = this->shared_from_this();
    socket_.async_wait(asio::socket_base::wait_read, [self](error_code error) {
      if (error || self->closed_) return self->close();
      self->read_request();
    });
  }

  void read_request() {
    phase_ = Phase::reading;
    arm_timer(state_->limits.read_timeout_ms);
    auto self = this->shared_from_this();
    http::async_read(socket_, buffer_, *parser_, [self](error_code error, std::size_t) {
      self->on_read(error);
    });
  }

  void arm_timer(std::int64_t timeout_ms) {
    timed_out_ = false;
    timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    auto self = this->shared_from_this();
    timer_.async_wait([self](error_code error) {
      if (error) return;  // re-armed or cancelled
      self->timed_out_ = true;
      error_code ignored;
      if (self->phase_ == Phase::idle) return self->close();
      if (self->phase_ == Phase::reading) self->socket_.cancel(ignored);
    });
  }

  void on_read(error_code error) {
    timer_.cancel();
    if (closed_) return;
    const unsigned version = 11;
    if (timed_out_) {
      return write(problem_response(version, ProblemType::request_timeout,
                                    "the request did not arrive within api.read_timeout_ms (" +
                                        std::to_string(state_->limits.read_timeout_ms) + " ms)",
                                    ""),
                   false);
    }
    if (error == http::error::end_of_stream || error == asio::error::eof ||
        error == asio::error::connection_reset) {
      return close();
    }
    if (error == http::error::header_limit) {
      return write(problem_response(version, ProblemType::headers_too_large,
                                    "the request headers exceed api.header_bytes_max (" +
                                        std::to_string(state_->limits.header_bytes_max) +
                                        " bytes)",
                                    ""),
                   false);
    }
    if (error == http::error::body_limit) {
      return write(problem_response(version, ProblemType::payload_too_large,
                                    "the request body exceeds api.body_bytes_max (" +
                                        std::to_string(state_->limits.body_bytes_max) + " bytes)",
                                    ""),
                   false);
    }
    if (error) {
      return write(problem_response(version, ProblemType::bad_request,
                                    "the request is not valid HTTP/1.1: " + error.message(), ""),
                   false);
    }
    request_ = parser_->release();
    if (websocket::is_upgrade(request_)) return upgrade();
    phase_ = Phase::handling;
    auto self = this->shared_from_this();
    state_->handler.handle(request_, [self](HttpResponse response) {
      if (self->closed_) return;
      self->write(std::move(response), self->request_.keep_alive());
    });
  }

  void upgrade() {
    std::optional<HttpResponse> refused = state_->handler.check_upgrade(request_);
    if (refused) return write(std::move(*refused), false);
    timer_.cancel();
    auto session = std::make_shared<WebSocketSession<Protocol>>(std::move(socket_));
    state_->sessions.push_back(session);
    session->accept(request_, state_);
    closed_ = true;  // the socket is the WebSocket's now
  }

  void write(HttpResponse response, bool keep_alive) {
    response.keep_alive(keep_alive);
    if (!keep_alive) response.set(http::field::connection, "close");
    phase_ = Phase::writing;
    auto message = std::make_shared<HttpResponse>(std::move(response));
    auto self = this->shared_from_this();
    http::async_write(socket_, *message, [self, message, keep_alive](error_code error, std::size_t) {
      if (error || !keep_alive) return self->close();
      self->read_next();
    });
  }

  typename Protocol::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<HttpServer::State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  Phase phase_ = Phase::idle;
  bool timed_out_ = false;
  bool closed_ = false;
};

template <class Acceptor>
void accept_loop(Acceptor& acceptor, std::shared_ptr<HttpServer::State> state) {
  using Protocol = typename Acceptor::protocol_type;
  acceptor.async_accept([&acceptor, state](error_code error, typename Protocol::socket socket) {
    if (state->stopped) return;
    if (!error) {
      const bool over = state->live() >= state->limits.connections_max;
      auto session = std::make_shared<HttpSession<Protocol>>(std::move(socket), state);
      if (!over) state->sessions.push_back(session);
      session->start(over);
    }
    accept_loop(acceptor, state);
  });
}

Error system_error(const std::string& what, int errno_value) {
  return Error{ErrorCode::io_error, what + ": " + std::strerror(errno_value)};
}

// A socket file left by a daemon that died: nothing accepts on it any more.
bool is_stale_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  const bool alive =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return !alive;
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpLimits limits, RequestHandler& handler)
    : state_(std::make_shared<State>(io, limits, handler)) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::listen_unix(const std::string& path, unsigned mode, const std::string& group) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return make_error(ErrorCode::invalid_argument,
                      path + ": a Unix socket path must be shorter than " +
                          std::to_string(sizeof(sockaddr_un::sun_path)) + " bytes");
  }
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode)) {
      return make_error(ErrorCode::invalid_argument,
                        path + ": exists and is not a socket; remove it or choose another path");
    }
    if (!is_stale_socket(path)) {
      return make_error(ErrorCode::conflict,
                        path + ": another program is listening on it (is loyaltyd running?)");
    }
    ::unlink(path.c_str());
  }
  error_code error;
  auto& acceptor = state_->unix_acceptor.emplace(state_->io);
  acceptor.open(asio::local::stream_protocol(), error);
  if (!error) acceptor.bind(asio::local::stream_protocol::endpoint(path), error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    state_->unix_acceptor.reset();
    return make_error(ErrorCode::io_error, path + ": cannot listen: " + error.message());
  }
  state_->unix_path = path;
  if (::chmod(path.c_str(), mode) != 0) return system_error(path + ": chmod", errno);
  if (!group.empty()) {
    const ::group* entry = ::getgrnam(group.c_str());
    if (entry == nullptr) {
      return make_error(ErrorCode::invalid_argument,
                        "api.socket_group: no such group \"" + group + "\"");
    }
    if (::chown(path.c_str(), static_cast<uid_t>(-1), entry->gr_gid) != 0) {
      return system_error(path + ": chown to group " + group, errno);
    }
  }
  accept_loop(acceptor, state_);
  return Status();
}

Status HttpServer::listen_tcp(const std::string& address, std::uint16_t port) {
  error_code error;
  const asio::ip::address ip = asio::ip::make_address(address, error);
  if (error || !ip.is_loopback()) {
    return make_error(ErrorCode::invalid_argument,
                      address + ": not a loopback address; the daemon listens on loopback only");
  }
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(state_->io);
  const asio::ip::tcp::endpoint endpoint(ip, port);
  acceptor->open(endpoint.protocol(), error);
  if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor->bind(endpoint, error);
  if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return make_error(ErrorCode::io_error, address + ":" + std::to_string(port) +
                                               ": cannot listen: " + error.message());
  }
  bound_port_ = acceptor->local_endpoint().port();
  accept_loop(*acceptor, state_);
  state_->tcp_acceptors.push_back(std::move(acceptor));
  return Status();
}

void HttpServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  error_code ignored;
  if (state_->unix_acceptor) {
    state_->unix_acceptor->close(ignored);
    ::unlink(state_->unix_path.c_str());
  }
  for (auto& acceptor : state_->tcp_acceptors) acceptor->close(ignored);
  for (const auto& weak : state_->sessions) {
    if (auto session = weak.lock()) session->close();
  }
  state_->sessions.clear();
}

std::size_t HttpServer::connections() const { return state_->live(); }

HttpResponse HttpServer::make_response(const HttpRequest& request, int status,
                                       std::string content_type, std::string body) {
  HttpResponse response{static_cast<http::status>(status), request.version()};
  response.set(http::field::server, "loyaltyd");
  response.set(http::field::content_type, std::move(content_type));
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace loyalty::daemon
