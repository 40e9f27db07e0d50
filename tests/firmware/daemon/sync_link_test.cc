// loyaltyd with a [sync] section: the real Daemon syncs to an HqService on loopback over mutual
// TLS (certificates from the development CA). Its sync state is /v1/health's sync and
// sync_detail, the event stream's sync.status and sync.applied; a receipt reaches HQ, HQ going
// away shows as offline at once, and a card HQ blocks is refused for redemption at the till.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <future>
#include <thread>

#include "daemon/daemon_fixture.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/tls.h"

using namespace loyalty;
using namespace loyalty::daemon;
using namespace loyalty::daemon::test;
using namespace std::chrono_literals;

namespace {

std::string text(const json::Value& value, const char* key) {
  const json::Value* member = value.find(key);
  return member != nullptr && member->is_string() ? member->as_string() : std::string();
}

// HQ: the development CA, HQ's certificate, the terminal's, and the service on its own thread.
class Hq {
 public:
  explicit Hq(const TempDir& dir) : dir_(dir) {
    const Timestamp now{static_cast<std::int64_t>(std::time(nullptr)) - 3600};
    REQUIRE(sync::ca_init(sync::CaInit{dir.file("ca"), "test CA", 30, now}).ok());
    sync::CaIssue server;
    server.ca_directory = dir.file("ca");
    server.out_directory = dir.file("server");
    server.server_names = {"127.0.0.1"};
    server.not_before = now;
    REQUIRE(sync::ca_issue(server).ok());
    sync::CaIssue terminal;
    terminal.ca_directory = dir.file("ca");
    terminal.out_directory = dir.file("till");
    terminal.terminal = sync::TerminalIdentity{"FM014", "T-test"};
    terminal.not_before = now;
    REQUIRE(sync::ca_issue(terminal).ok());
    start(0);
  }
  ~Hq() { stop(); }

  void start(std::uint16_t port) {
    io_ = std::make_unique<boost::asio::io_context>();
    sync::HqServiceOptions options;
    options.listen_port = port;
    options.tls = sync::TlsFiles{dir_.file("server/server.crt"), dir_.file("server/server.key"),
                                 dir_.file("ca/ca.crt")};
    const std::string path = dir_.file("hq.db");
    options.store_factory = [path] { return sync::open_sqlite_hq_store(path); };
    options.log = [](std::string_view) {};
    options.watch_interval = 50ms;
    auto service = sync::HqService::start(*io_, options);
    REQUIRE(service.ok());
    service_ = std::move(service).value();
    port_ = service_->port();
    thread_ = std::thread([io = io_.get()] {
      auto guard = boost::asio::make_work_guard(*io);
      io->run();
    });
  }
  void stop() {
    if (!service_) return;
    std::promise<void> done;
    boost::asio::post(*io_, [&] {
      service_->stop();
      done.set_value();
    });
    done.get_future().wait();
    io_->stop();
    thread_.join();
    service_.reset();
  }
  std::uint16_t port() const { return port_; }
  std::unique_ptr<sync::HqStore> store() const {
    return std::move(sync::open_sqlite_hq_store(dir_.file("hq.db"))).value();
  }
  SyncConfig sync_config() const {
    SyncConfig config;
    config.hq_host = "127.0.0.1";
    config.hq_port = port_;
    config.certificate = dir_.file("till/terminal.crt");
    config.private_key = dir_.file("till/terminal.key");
    config.ca = dir_.file("till/ca.crt");
    config.trickle_ms = 50;
    config.long_poll_ms = 2000;
    config.backoff_initial_ms = 20;
    config.backoff_max_ms = 200;
    return config;
  }

 private:
  const TempDir& dir_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<sync::HqService> service_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

}  // namespace

TEST_CASE(
    "loyaltyd syncs with HQ: its state on /v1/health and the event stream, a receipt at "
    "HQ, HQ gone shown at once, and a card HQ blocks refused for redemption",
    "[firmware][sync]") {
  TempDir hq_dir;
  Hq hq(hq_dir);
  const storage::PseudonymKey chain_key{"pk1", std::string(64, 'a')};
  REQUIRE(hq.store()
              ->publish("", sync::KeysItem{chain_key.key_id, chain_key.key_hex, {}},
                        Timestamp{1796634000})
              .ok());
  DaemonFixture till([&](Config& config) { config.sync = hq.sync_config(); });
  EventStream events(till.socket());
  CHECK(text(events.next(), "type") == "stream.opened");

  auto health = [&] { return till.get("/v1/health").json(); };
  REQUIRE(eventually([&] { return text(health(), "sync") == "in_sync"; }));
  const json::Value detail = *health().find("sync_detail");
  CHECK(text(detail, "phase") == "in_sync");
  CHECK(detail.find("downlink_version")->as_int() == 1);  // the chain's key

  // Receipts three days ago (so their points are available now): HQ holds their events.
  const std::string three_days_ago =
      format_timestamp(Timestamp{static_cast<std::int64_t>(std::time(nullptr)) - 3 * 86400});
  std::int64_t seq = 0;
  for (int i = 1; i <= 6; ++i) {
    const std::string id = "R-" + std::to_string(i);
    const Reply committed =
        till.post("/v1/receipts/" + id + "/commit",
                  "{\"customer_id\":\"" + std::string(card) + "\",\"at\":\"" + three_days_ago +
                      "\",\"receipt\":" + example_receipt("basket-120", id) + "}");
    REQUIRE(committed.status == 201);
    seq = committed.json().find("event_seq")->as_int();
  }
  REQUIRE(eventually([&] {
    auto state = hq.store()->uplink_state(sync::TerminalIdentity{"FM014", "T-test"});
    return state.ok() && state->held_seq >= seq;
  }));

  // HQ blocks the card: the till refuses its redemption from then on.
  REQUIRE(hq.store()
              ->publish("FM014",
                        sync::BlockItem{storage::pseudonym_of(chain_key, card), "lost", true},
                        Timestamp{1796634000})
              .ok());
  const json::Value applied = events.next_of_type("sync.applied");
  CHECK(text(*applied.find("data"), "update_id").rfind("downlink:", 0) == 0);
  const std::string quote = "{\"customer_id\":\"" + std::string(card) +
                            "\",\"receipt\":" + example_receipt("big-basket-redeem", "R-9") + "}";
  Reply refused;
  REQUIRE(eventually(
      [&] {  // the block's own answer may come after a customer state's
        refused = till.post("/v1/quote", quote);
        return refused.status == 409;
      },
      5s));
  INFO(refused.body);
  CHECK(refused.body.find("is on the blocklist (lost)") != std::string::npos);

  // HQ goes away: the stream says so at once, and so does /v1/health.
  hq.stop();
  json::Value status;
  do {
    status = events.next_of_type("sync.status");
  } while (text(*status.find("data"), "phase") != "offline");
  CHECK_FALSE(text(*status.find("data"), "last_error").empty());
  CHECK(text(health(), "sync") == "offline");
}
