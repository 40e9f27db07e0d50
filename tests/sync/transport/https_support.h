// An HttpsServer on its own thread (127.0.0.1, a free port) with a recording handler, and a
// client context for a set of files.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"

namespace loyalty::sync::test {

// What the handler saw, readable from the test thread.
struct Seen {
  std::mutex mutex;
  std::vector<TerminalIdentity> peers;
  std::vector<HttpsRequest> requests;

  std::size_t calls() {
    std::lock_guard lock(mutex);
    return requests.size();
  }
};

class ServerThread {
 public:
  // `handler` runs on the server thread after the call is recorded in seen().
  ServerThread(const TlsFiles& files, HttpsHandler handler, HttpsServerOptions options = {})
      : guard_(boost::asio::make_work_guard(io_)) {
    auto context = make_server_context(files);
    REQUIRE(context.ok());
    tls_.emplace(std::move(context).value());
    auto recording = [this, handler](const TerminalIdentity& peer, HttpsRequest request,
                                     HttpsResponder respond) {
      {
        std::lock_guard lock(seen_.mutex);
        seen_.peers.push_back(peer);
        seen_.requests.push_back(request);
      }
      handler(peer, std::move(request), std::move(respond));
    };
    server_ = std::make_unique<HttpsServer>(io_, *tls_, recording, options);
    auto port = server_->listen("127.0.0.1", 0);
    REQUIRE(port.ok());
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerThread() {
    std::promise<void> stopped;
    boost::asio::post(io_, [this, &stopped] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    guard_.reset();
    thread_.join();
    server_.reset();
  }

  std::uint16_t port() const { return port_; }
  boost::asio::io_context& io() { return io_; }
  HttpsServer& server() { return *server_; }
  Seen& seen() { return seen_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::optional<boost::asio::ssl::context> tls_;
  std::unique_ptr<HttpsServer> server_;
  Seen seen_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// Runs `work` on `io`'s thread and waits until it has run.
template <class Work>
void run_on(boost::asio::io_context& io, Work work) {
  std::promise<void> done;
  boost::asio::post(io, [&work, &done] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

// Polls `done` every few milliseconds until it holds (true) or `timeout` passed (false).
template <class Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline boost::asio::ssl::context client_context(const TlsFiles& files) {
  auto context = make_client_context(files);
  REQUIRE(context.ok());
  return std::move(context).value();
}

// Answers 200 with the request's body, content type and encoding.
inline void echo(const TerminalIdentity&, HttpsRequest request, HttpsResponder respond) {
  respond(HttpsResponse{200, request.content_type, request.content_encoding, request.body});
}

inline HttpsRequest post(std::string body) {
  HttpsRequest request;
  request.method = "POST";
  request.target = "/v1/batches";
  request.content_type = "application/json";
  request.content_encoding = "zstd";
  request.body = std::move(body);
  return request;
}

}  // namespace loyalty::sync::test
