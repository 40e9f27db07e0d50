// loyaltyd with a [sync] section: the real Daemon syncs to an HqService on loopback over mutual
// TLS (certificates from the development CA). Its sync state is /v1/health's sync and
// sync_detail, the event stream's sync.status and sync.applied; a receipt reaches HQ, HQ going
// away shows as offline at once, a card HQ blocks is refused for redemption at the till, and the
// rules HQ delivers (app-token keys, a signed bundle at its effective_from) take over.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <future>
#include <thread>

#include "daemon/daemon_fixture.h"
#include "loyalty/drivers/tokens/hmac_keys.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/signing.h"
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
  // In sync, with the chain's key applied (the downlink's answer may land just after the phase).
  REQUIRE(eventually([&] {
    const json::Value reply = health();
    return text(reply, "sync") == "in_sync" &&
           reply.find("sync_detail")->find("downlink_version")->as_int() == 1;
  }));
  const json::Value detail = *health().find("sync_detail");
  CHECK(text(detail, "phase") == "in_sync");
  CHECK(detail.find("downlink_version")->as_int() == 1);

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

TEST_CASE(
    "loyaltyd takes the rules HQ delivers: app-token keys at once, a signed bundle at its "
    "effective_from",
    "[firmware][sync]") {
  TempDir hq_dir;
  Hq hq(hq_dir);
  const sync::SigningKey signing = std::move(sync::SigningKey::generate("hq-1")).value();
  std::ofstream(hq_dir.file("hq-1.pub")) << signing.public_pem();
  const storage::PseudonymKey chain_key{"pk1", std::string(64, 'a')};
  REQUIRE(hq.store()
              ->publish("", sync::KeysItem{chain_key.key_id, chain_key.key_hex, {}},
                        Timestamp{1796634000})
              .ok());
  DaemonFixture till([&](Config& config) {
    config.sync = hq.sync_config();
    config.sync->trusted_keys = {SyncConfig::TrustedKey{"hq-1", hq_dir.file("hq-1.pub")}};
  });
  EventStream events(till.socket());
  auto health = [&] { return till.get("/v1/health").json(); };
  REQUIRE(eventually([&] { return text(health(), "sync") == "in_sync"; }));
  CHECK(text(*health().find("program"), "origin") == "config");

  // An app token under a key only HQ knows: refused until HQ delivers the key.
  const std::string key_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  const drivers::HmacKeyBytes key_bytes = drivers::parse_hmac_key_hex(key_hex, "test").value();
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const std::string signed_part =
      "LOY1.hq-2027." + std::string(card) + "." + std::to_string(now + 600);
  const std::string token =
      signed_part + "." + drivers::hmac_sha256_base64url(key_bytes, signed_part);
  const std::string identify = "{\"input\":\"" + token + "\",\"source\":\"scan\"}";
  const Reply before = till.post("/v1/identify", identify);
  INFO(before.body);
  CHECK(before.status != 200);
  REQUIRE(hq.store()
              ->publish("",
                        // "bad.key" cannot name a token key ('.' ends a token's field): it is
                        // left out, and the good one still works.
                        sync::KeysItem{chain_key.key_id,
                                       chain_key.key_hex,
                                       {{"bad.key", key_hex}, {"hq-2027", key_hex}}},
                        Timestamp{1796634000})
              .ok());
  Reply after;
  REQUIRE(eventually([&] {
    after = till.post("/v1/identify", identify);
    return after.status == 200;
  }));
  const json::Value identified = after.json();
  CHECK(text(*identified.find("token"), "kind") == "app_token");
  CHECK(text(*identified.find("token"), "value") == card);
  const json::Value keys_taken = events.next_of_type("program.changed");  // same bundle, new keys
  CHECK(keys_taken.find("data")->find("version")->as_int() == 7);
  CHECK(text(*keys_taken.find("data"), "origin") == "config");

  // Version 8 of the program, effective in five seconds: version 7 runs until then.
  std::string v8 = read_text_file(std::string(LOYALTY_EXAMPLES_DIR) + "/programs/grocery.json");
  v8.replace(v8.find("\"version\": 7"), 12, "\"version\": 8");
  const Timestamp effective{static_cast<std::int64_t>(std::time(nullptr)) + 5};
  REQUIRE(hq.store()
              ->publish("", sync::sign_bundle(signing, "fresh-market", 8, effective, v8),
                        Timestamp{1796634000})
              .ok());
  events.next_of_type("sync.applied");
  const json::Value running = *health().find("program");
  if (std::time(nullptr) < effective.unix_seconds) {
    CHECK(running.find("version")->as_int() == 7);
    CHECK(text(running, "origin") == "config");
  } else {
    WARN("the machine took 5 s to deliver the bundle: its wait before effective_from is unchecked");
  }
  const json::Value changed = events.next_of_type("program.changed");
  CHECK(std::time(nullptr) >= effective.unix_seconds);
  CHECK(text(*changed.find("data"), "program_id") == "fresh-market");
  CHECK(changed.find("data")->find("version")->as_int() == 8);
  CHECK(text(*changed.find("data"), "origin") == "hq");
  CHECK(health().find("program")->find("version")->as_int() == 8);
  CHECK(text(*health().find("program"), "origin") == "hq");
  // HQ's app-token key joins HQ's bundle too.
  CHECK(till.post("/v1/identify", identify).status == 200);
}
