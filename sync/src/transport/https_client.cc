// HttpsClient: a kept-alive mTLS connection to HQ, driven by the client's own io_context one
// step at a time (resolve, connect, handshake, write, read), each bounded by the request's
// deadline. The server's name is checked against HttpsClientOptions::host.

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <optional>

#include "loyalty/core/limits.h"
#include "loyalty/sync/https.h"

namespace loyalty::sync {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// A kept-alive connection the server had closed: the first write or read on it fails so.
bool is_closed_by_server(const error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::eof ||
         error == asio::ssl::error::stream_truncated || error == asio::error::connection_reset ||
         error == asio::error::broken_pipe || error == asio::error::connection_aborted ||
         error == asio::error::not_connected;
}

}  // namespace

struct HttpsClient::Impl {
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  Impl(asio::ssl::context& tls_context, HttpsClientOptions client_options)
      : tls_(tls_context), options_(std::move(client_options)) {}

  Result<HttpsResponse> request(const HttpsRequest& request, std::chrono::milliseconds timeout);
  void drop();
  bool connected() const { return stream_.has_value(); }
  void cancel() {
    cancelled_ = true;
    io_.stop();
  }
  bool cancelled() const { return cancelled_; }
  std::string peer() const { return options_.host + ":" + std::to_string(options_.port); }

 private:
  template <class Initiate>
  error_code run_step(Initiate initiate, Clock::time_point deadline);
  Status connect(Clock::time_point deadline);
  Status connect_until(Clock::time_point deadline);
  Status handshake(Clock::time_point deadline);
  Result<HttpsResponse> exchange(const HttpsRequest& request, Clock::time_point deadline,
                                 bool& closed_by_server);
  Error step_error(const std::string& step, const error_code& error) const;

  asio::ssl::context& tls_;
  HttpsClientOptions options_;
  std::chrono::milliseconds timeout_{0};  // the bound of the step running, for messages
  asio::io_context io_;                   // before the objects that use it
  tcp::resolver resolver_{io_};
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
  std::atomic<bool> cancelled_{false};
};

// Starts one operation with `initiate(done)` and runs io_ until it completes or the deadline
// passes; then the operation is cancelled (the connection dropped) and its handler run.
template <class Initiate>
error_code HttpsClient::Impl::run_step(Initiate initiate, Clock::time_point deadline) {
  std::optional<error_code> result;
  initiate([&result](error_code error) { result = error; });
  io_.restart();
  while (!result && !cancelled_) {
    if (io_.run_one_until(deadline) > 0) continue;
    if (Clock::now() >= deadline) break;
    io_.restart();  // out of work for a moment (the handler ran and set result)
  }
  if (result && *result != beast::error::timeout) return *result;
  const bool was_cancelled = cancelled_;
  resolver_.cancel();
  if (stream_) {
    error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
  }
  io_.restart();
  while (!result && io_.run_one() > 0) {
  }
  return was_cancelled ? error_code(asio::error::operation_aborted) : beast::error::timeout;
}

Error HttpsClient::Impl::step_error(const std::string& step, const error_code& error) const {
  if (error == beast::error::timeout) {
    return make_error(ErrorCode::io_error, step + " " + peer() + ": timed out after " +
                                               std::to_string(timeout_.count()) + " ms");
  }
  if (error.category() == asio::error::get_ssl_category()) {
    // With TLS 1.3 the server checks our certificate after our side of the handshake is done:
    // its refusal arrives as an alert on the first read or write.
    return make_error(ErrorCode::io_error,
                      "TLS handshake with " + peer() + " failed during " + step +
                          ": the server refused the session (most often it does not accept "
                          "this terminal's certificate): " +
                          error.message());
  }
  return make_error(ErrorCode::io_error, step + " " + peer() + " failed: " + error.message());
}

Status HttpsClient::Impl::connect(Clock::time_point deadline) {
  // connect_timeout bounds the connection too; a timeout names the bound that applied.
  const Clock::time_point connect_deadline = Clock::now() + options_.connect_timeout;
  if (connect_deadline >= deadline) return connect_until(deadline);
  const std::chrono::milliseconds request_timeout = timeout_;
  timeout_ = options_.connect_timeout;
  Status connected = connect_until(connect_deadline);
  timeout_ = request_timeout;
  return connected;
}

Status HttpsClient::Impl::connect_until(Clock::time_point deadline) {
  tcp::resolver::results_type endpoints;
  error_code error = run_step(
      [&](auto done) {
        resolver_.async_resolve(options_.host, std::to_string(options_.port),
                                [&endpoints, done](error_code e, tcp::resolver::results_type r) {
                                  endpoints = std::move(r);
                                  done(e);
                                });
      },
      deadline);
  if (error) return step_error("resolve", error);
  stream_.emplace(io_, tls_);
  beast::get_lowest_layer(*stream_).expires_at(deadline);
  error = run_step(
      [&](auto done) {
        beast::get_lowest_layer(*stream_).async_connect(
            endpoints, [done](error_code e, const tcp::endpoint&) { done(e); });
      },
      deadline);
  if (error) return step_error("connect to", error);
  return handshake(deadline);
}

Status HttpsClient::Impl::handshake(Clock::time_point deadline) {
  SSL* ssl = stream_->native_handle();
  error_code error;
  asio::ip::make_address(options_.host, error);  // an IP address is checked as one
  const bool names_set =
      !error ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), options_.host.c_str()) == 1
             : SSL_set_tlsext_host_name(ssl, options_.host.c_str()) == 1 &&
                   SSL_set1_host(ssl, options_.host.c_str()) == 1;
  if (!names_set) {
    return make_error(ErrorCode::invalid_argument,
                      "\"" + options_.host + "\" cannot be checked as HQ's certificate name");
  }
  beast::get_lowest_layer(*stream_).expires_at(deadline);
  error = run_step(
      [&](auto done) {
        stream_->async_handshake(asio::ssl::stream_base::client, [done](error_code e) { done(e); });
      },
      deadline);
  if (!error) return Status();
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return make_error(ErrorCode::io_error, "TLS handshake with " + peer() +
                                               " failed: HQ's certificate is not accepted "
                                               "for \"" +
                                               options_.host +
                                               "\": " + X509_verify_cert_error_string(verify));
  }
  if (error == beast::error::timeout) return step_error("TLS handshake with", error);
  return make_error(ErrorCode::io_error, "TLS handshake with " + peer() +
                                             " failed (check the "
                                             "certificates on both sides): " +
                                             error.message());
}

Result<HttpsResponse> HttpsClient::Impl::exchange(const HttpsRequest& request,
                                                  Clock::time_point deadline,
                                                  bool& closed_by_server) {
  http::request<http::string_body> message{
      request.method == "POST" ? http::verb::post : http::verb::get, request.target, 11};
  message.set(http::field::host, options_.host);
  message.set(http::field::user_agent, "loyalty-terminal");
  if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
  if (!request.content_encoding.empty()) {
    message.set(http::field::content_encoding, request.content_encoding);
  }
  message.keep_alive(true);
  message.body() = request.body;
  message.prepare_payload();
  beast::get_lowest_layer(*stream_).expires_at(deadline);
  error_code error = run_step(
      [&](auto done) {
        http::async_write(*stream_, message, [done](error_code e, std::size_t) { done(e); });
      },
      deadline);
  if (error) {
    closed_by_server = is_closed_by_server(error);
    return step_error("write to", error);
  }
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits::hq_header_bytes_max));
  parser.body_limit(limits::sync_downlink_bytes_max);
  error = run_step(
      [&](auto done) {
        http::async_read(*stream_, buffer_, parser, [done](error_code e, std::size_t) { done(e); });
      },
      deadline);
  if (error) {
    closed_by_server = is_closed_by_server(error) && !parser.got_some();
    return step_error("read from", error);
  }
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) drop();
  HttpsResponse out;
  out.status = static_cast<int>(response.result_int());
  out.content_type = std::string(response[http::field::content_type]);
  out.content_encoding = std::string(response[http::field::content_encoding]);
  out.body = std::move(response.body());
  return out;
}

Result<HttpsResponse> HttpsClient::Impl::request(const HttpsRequest& request,
                                                 std::chrono::milliseconds timeout) {
  if (cancelled_) {
    return make_error(ErrorCode::io_error, "request to " + peer() + ": the client was cancelled");
  }
  timeout_ = timeout;
  const Clock::time_point deadline = Clock::now() + timeout;
  const bool reused = stream_.has_value();
  if (!reused) {
    Status connected = connect(deadline);
    if (!connected.ok()) {
      drop();
      return std::move(connected).error();
    }
  }
  bool closed_by_server = false;
  Result<HttpsResponse> response = exchange(request, deadline, closed_by_server);
  if (!response.ok() && reused && closed_by_server) {  // an idle connection HQ had closed
    drop();
    Status connected = connect(deadline);
    if (!connected.ok()) {
      drop();
      return std::move(connected).error();
    }
    response = exchange(request, deadline, closed_by_server);
  }
  if (!response.ok()) drop();
  return response;
}

void HttpsClient::Impl::drop() {
  if (stream_) {
    error_code ignored;
    beast::get_lowest_layer(*stream_).socket().close(ignored);
    stream_.reset();
  }
  buffer_.clear();
}

HttpsClient::HttpsClient(asio::ssl::context& tls, HttpsClientOptions options)
    : impl_(std::make_unique<Impl>(tls, std::move(options))) {}

HttpsClient::~HttpsClient() = default;

Result<HttpsResponse> HttpsClient::request(const HttpsRequest& request,
                                           std::chrono::milliseconds timeout) {
  try {
    return impl_->request(request, timeout);
  } catch (const std::exception& e) {  // allocation failures; no exception leaves sync
    impl_->drop();
    return make_error(ErrorCode::internal,
                      "HTTPS request to " + impl_->peer() + " failed: " + e.what());
  }
}

void HttpsClient::disconnect() { impl_->drop(); }

void HttpsClient::cancel() { impl_->cancel(); }

bool HttpsClient::connected() const { return impl_->connected(); }

}  // namespace loyalty::sync
