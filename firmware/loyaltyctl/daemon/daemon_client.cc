#include "daemon/daemon_client.h"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <cstring>

#include "loyalty/core/json.h"
#include "args/read_file.h"

namespace loyalty::cli {

namespace {

namespace http = boost::beast::http;
constexpr int reply_timeout_s = 30;
constexpr std::size_t token_file_bytes_max = 64 * 1024;

}  // namespace

std::string default_token_file() {
  if (const char* variable = std::getenv("LOYALTY_API_TOKEN_FILE"); variable && *variable) {
    return variable;
  }
  return "/etc/loyalty/api-token";
}

DaemonClient::~DaemonClient() { std::fill(token_.begin(), token_.end(), '\0'); }

Result<DaemonClient> DaemonClient::open(std::string socket_path, const std::string& token_file) {
  std::string text = TRY(read_file(token_file, token_file_bytes_max));
  DaemonClient client;
  client.socket_path_ = std::move(socket_path);
  std::string_view rest = text;
  while (!rest.empty() && client.token_.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.empty() && line.front() != '#') client.token_ = std::string(line);
  }
  std::fill(text.begin(), text.end(), '\0');
  if (client.token_.empty()) {
    return make_error(ErrorCode::invalid_argument, token_file + ": holds no token");
  }
  return client;
}

Result<DaemonReply> DaemonClient::request(std::string_view method, const std::string& target,
                                          const std::string& body) const {
  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket socket(io);
  boost::system::error_code error;
  socket.connect(boost::asio::local::stream_protocol::endpoint(socket_path_), error);
  if (error) {
    return make_error(ErrorCode::io_error, "cannot reach loyaltyd at " + socket_path_ + ": " +
                                               error.message() + " (is it running?)");
  }
  timeval timeout{reply_timeout_s, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  http::request<http::string_body> request{
      method == "POST" ? http::verb::post : http::verb::get, target, 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::connection, "close");
  request.set(http::field::authorization, "Bearer " + token_);
  request.set(http::field::user_agent, "loyaltyctl");
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(socket, request, error);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!error) http::read(socket, buffer, response, error);
  if (error) {
    return make_error(ErrorCode::io_error,
                      "loyaltyd at " + socket_path_ + " did not answer: " + error.message());
  }
  DaemonReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.content_type = std::string(response[http::field::content_type]);
  reply.body = std::move(response.body());
  return reply;
}

Result<std::string> reply_body(const DaemonReply& reply) {
  if (reply.status >= 200 && reply.status < 300) return reply.body;
  std::string message = std::to_string(reply.status);
  Result<json::Value> problem = json::parse(reply.body);
  const auto member = [&](const char* key) -> std::string {
    if (!problem.ok() || !problem->is_object()) return "";
    const json::Value* value = problem->find(key);
    return value != nullptr && value->is_string() ? value->as_string() : "";
  };
  if (!member("title").empty()) message += " " + member("title");
  if (!member("detail").empty()) message += ": " + member("detail");
  if (!member("field").empty()) message += " (field " + member("field") + ")";
  const bool busy = member("type") == "urn:loyalty:problem:busy";
  return make_error(busy ? ErrorCode::busy : ErrorCode::invalid_argument, message);
}

}  // namespace loyalty::cli
