// ServiceFixture: an HqService on its own io thread over a real SQLite file in a temp dir, with
// the test PKI's certificates (a terminal store-1/till.7, HQ for 127.0.0.1), a pinned clock and
// a captured log; and a terminal's HttpsClient to talk to it.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hq/journal_builder.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/https.h"
#include "temp_dir.h"
#include "tls/test_pki.h"

namespace loyalty::sync::test {

inline constexpr std::int64_t service_t0 = 1767225600;  // 2026-01-01T00:00:00Z
inline const std::string alice = "ps1_0123456789abcdef0123456789abcdef";

// Lines the service logged, readable from the test thread.
class CapturedLog {
 public:
  void add(std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

inline std::unique_ptr<HqStore> open_hq(const std::string& path) {
  Result<std::unique_ptr<HqStore>> store = open_sqlite_hq_store(path);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Five checkouts of alice earning 10 points each, by `terminal` of `store`.
inline JournalBuilder five_earns(std::string store = "store-1", std::string terminal = "till.7",
                                 std::uint64_t epoch = 7) {
  JournalBuilder journal(std::move(store), std::move(terminal), epoch);
  for (int i = 0; i < 5; ++i) {
    journal.checkout(at_seconds(service_t0 + 60 * i), alice, 1000, {earn(alice, 10)}, "gold");
  }
  return journal;
}

class ServiceFixture {
 public:
  explicit ServiceFixture(std::chrono::milliseconds watch_interval =
                              std::chrono::milliseconds(limits::hq_watch_interval_ms))
      : guard_(boost::asio::make_work_guard(io_)) {
    HqServiceOptions options;
    options.listen_port = 0;
    options.tls = pki_.server_files();
    const std::string db = db_path();
    options.store_factory = [db] { return open_sqlite_hq_store(db); };
    options.clock = [] { return Timestamp{service_t0 + 3600}; };
    options.log = [this](std::string_view line) { log_.add(line); };
    options.watch_interval = watch_interval;
    Result<std::unique_ptr<HqService>> service = HqService::start(io_, std::move(options));
    if (!service.ok()) FAIL(service.error().message);
    service_ = std::move(service).value();
    thread_ = std::thread([this] { io_.run(); });
    client_tls_.emplace(client_context(pki_.terminal_files()));
  }
  ~ServiceFixture() {
    std::promise<void> stopped;
    boost::asio::post(io_, [this, &stopped] {
      service_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    guard_.reset();
    thread_.join();
    service_.reset();
  }
  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;

  std::string db_path() const { return dir_.file("hq.db"); }
  HqService& service() { return *service_; }
  CapturedLog& log() { return log_; }
  const TestPki& pki() const { return pki_; }

  // A terminal client (store-1/till.7) of the service.
  std::unique_ptr<HttpsClient> client() {
    return std::make_unique<HttpsClient>(*client_tls_,
                                         HttpsClientOptions{"127.0.0.1", service_->port()});
  }
  HttpsResponse send(const HttpsRequest& request,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000)) {
    auto terminal = client();
    Result<HttpsResponse> response = terminal->request(request, timeout);
    REQUIRE(response.ok());
    return std::move(response).value();
  }
  HttpsResponse post_batch(const std::string& body, std::string encoding = "zstd") {
    HttpsRequest request;
    request.method = "POST";
    request.target = std::string(api::batches_path);
    request.content_type = std::string(api::json_type);
    request.content_encoding = std::move(encoding);
    request.body = body;
    return send(request);
  }
  HttpsResponse post_batch(const Batch& batch) { return post_batch(encode_batch(batch)); }
  HttpsResponse get(const std::string& target) {
    HttpsRequest request;
    request.target = target;
    return send(request);
  }

 private:
  static boost::asio::ssl::context client_context(const TlsFiles& files) {
    auto context = make_client_context(files);
    REQUIRE(context.ok());
    return std::move(context).value();
  }

  TempDir dir_;
  TestPki pki_;
  CapturedLog log_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::unique_ptr<HqService> service_;
  std::thread thread_;
  std::optional<boost::asio::ssl::context> client_tls_;
};

// The Ack in a 200 answer (REQUIREd).
inline Ack ack_of(const HttpsResponse& response) {
  REQUIRE(response.status == 200);
  CHECK(response.content_type == "application/json");
  Result<Ack> ack = decode_ack_json(response.body);
  REQUIRE(ack.ok());
  return std::move(ack).value();
}

// The Downlink in a 200 answer (REQUIREd).
inline Downlink downlink_of(const HttpsResponse& response) {
  REQUIRE(response.status == 200);
  CHECK(response.content_encoding == "zstd");
  Result<Downlink> downlink = decode_downlink(response.body);
  REQUIRE(downlink.ok());
  return std::move(downlink).value();
}

// The "error" of an error answer.
inline std::string error_of(const HttpsResponse& response) {
  Result<json::Value> body = json::parse(response.body);
  REQUIRE(body.ok());
  const json::Value* error = body->find("error");
  REQUIRE(error != nullptr);
  REQUIRE(error->is_string());
  return error->as_string();
}

}  // namespace loyalty::sync::test
