// The sync client end to end: a terminal ledger on a real SQLite file, HqService over mutual TLS
// on loopback with its SQLite store, HQ restarts, and downlink items reaching the ledger.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "client/hq_fixture.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/statement.h"
#include "temp_dir.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace {

const std::string alice = "ps1_0123456789abcdef0123456789abcdef";

std::string grocery(int version = 7) {
  std::ifstream in(std::string(LOYALTY_EXAMPLES_DIR) + "/programs/grocery.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string program = text.str();
  program.replace(program.find("\"version\": 7"), 12, "\"version\": " + std::to_string(version));
  return program;
}

std::string blocked_reason(storage::Ledger& ledger, const std::string& pseudonym) {
  auto select = storage::Statement::prepare(
      ledger.database(), "SELECT reason FROM blocked_pseudonyms WHERE pseudonym = ?1");
  REQUIRE(select.ok());
  REQUIRE(select->bind_text(1, pseudonym).ok());
  auto step = select->step();
  REQUIRE(step.ok());
  return *step == storage::Step::row ? select->column_text(0) : std::string("(not blocked)");
}

struct Terminal {
  TempDir dir;
  storage::Ledger writer = open_terminal_ledger(dir.file("ledger.db"));
  storage::Ledger reader = open_terminal_ledger(dir.file("ledger.db"));  // the client's connection
  std::shared_ptr<TerminalLedger> ledger = locked_terminal_ledger(reader, fixed_now);
};

}  // namespace

TEST_CASE(
    "the sync client ships the ledger to HQ, and after HQ restarts resumes from what HQ "
    "holds without resending it",
    "[sync][client][e2e]") {
  TestPki pki;
  TempDir hq_dir;
  Terminal till;
  append_notes(till.writer, 250);
  auto hq = std::make_unique<HqThread>(pki, hq_dir.file("hq.db"));
  const std::uint16_t port = hq->port();
  auto client = SyncClient::start(client_options(pki, port), till.ledger);
  REQUIRE(client.ok());
  REQUIRE(eventually([&] { return (*client)->status().phase == SyncPhase::in_sync; }));
  SyncStatus status = (*client)->status();
  CHECK(status.held_seq == 250);
  CHECK(status.local_seq == 250);
  CHECK(status.backlog == 0);
  CHECK(status.events_sent == 250);
  CHECK(status.last_error.empty());
  CHECK(hq->stats().events_stored == 250);
  CHECK(hq->stats().batches == 3);  // 100 + 100 + 50

  // HQ goes away: the terminal keeps selling, and reports offline with the reason.
  hq->stop();
  hq.reset();
  (*client)->ledger_advanced(append_notes(till.writer, 50));
  REQUIRE(eventually([&] { return (*client)->status().phase == SyncPhase::offline; }));
  CHECK_FALSE((*client)->status().last_error.empty());
  CHECK((*client)->status().retry_in_ms > 0);

  // HQ is back on the same port: the client asks where to resume and sends only the 50 new ones.
  hq = std::make_unique<HqThread>(pki, hq_dir.file("hq.db"), port);
  REQUIRE(eventually([&] { return (*client)->status().phase == SyncPhase::in_sync; }));
  CHECK((*client)->status().held_seq == 300);
  CHECK(hq->stats().events_stored == 50);
  CHECK(hq->stats().events_duplicate == 0);
  auto state = hq->store()->uplink_state(TestPki::terminal());
  REQUIRE(state.ok());
  CHECK(state->held_seq == 300);
  CHECK(state->status == AckStatus::accepted);
}

TEST_CASE("a card HQ blocks reaches the terminal's ledger through the long poll within a second",
          "[sync][client][e2e]") {
  TestPki pki;
  TempDir hq_dir;
  Terminal till;
  HqThread hq(pki, hq_dir.file("hq.db"));
  auto client = SyncClient::start(client_options(pki, hq.port()), till.ledger);
  REQUIRE(client.ok());
  REQUIRE(eventually([&] { return (*client)->status().phase == SyncPhase::in_sync; }));
  std::this_thread::sleep_for(100ms);  // the downlink is parked in its long poll now
  const auto published_at = std::chrono::steady_clock::now();
  auto version = hq.store()->publish(TestPki::terminal().store_id, BlockItem{alice, "stolen", true},
                                     fixed_now());
  REQUIRE(version.ok());
  REQUIRE(eventually([&] { return blocked_reason(till.writer, alice) == "stolen"; }, 5s));
  CHECK(std::chrono::steady_clock::now() - published_at < 1s);
  REQUIRE(eventually([&] { return (*client)->status().downlink_version == *version; }));
  CHECK(storage::applied_downlink_version(till.writer).value() == *version);
  // And unblocked again.
  auto unblock = hq.store()->publish("", BlockItem{alice, "", false}, fixed_now());
  REQUIRE(unblock.ok());
  REQUIRE(eventually([&] { return blocked_reason(till.writer, alice) == "(not blocked)"; }, 5s));
}

TEST_CASE(
    "the terminal takes a signed bundle and refuses a tampered one, one signed by an "
    "unknown key and one older than it holds",
    "[sync][client][e2e]") {
  TestPki pki;
  TempDir hq_dir;
  Terminal till;
  HqThread hq(pki, hq_dir.file("hq.db"));
  const SigningKey key = std::move(SigningKey::generate("hq-1")).value();
  const SigningKey rogue = std::move(SigningKey::generate("hq-2")).value();
  auto store = hq.store();
  SignedBundle tampered = sign_bundle(key, "fresh-market", 9, Timestamp{1796000000}, grocery(9));
  tampered.program_json += " ";
  REQUIRE(store
              ->publish("", sign_bundle(key, "fresh-market", 8, Timestamp{1796000000}, grocery(8)),
                        fixed_now())
              .ok());
  REQUIRE(store->publish("", tampered, fixed_now()).ok());
  REQUIRE(store
              ->publish("",
                        sign_bundle(rogue, "fresh-market", 9, Timestamp{1796000000}, grocery(9)),
                        fixed_now())
              .ok());
  const std::int64_t last =
      store
          ->publish("", sign_bundle(key, "fresh-market", 7, Timestamp{1796000000}, grocery(7)),
                    fixed_now())
          .value();
  SyncClientOptions options = client_options(pki, hq.port());
  options.trusted_keys = {PublicKey{"hq-1", key.public_pem()}};
  auto client = SyncClient::start(options, till.ledger);
  REQUIRE(client.ok());
  REQUIRE(eventually([&] { return (*client)->status().downlink_version == last; }));
  const SyncStatus status = (*client)->status();
  CHECK(status.items_refused == 3);
  CHECK(status.last_refusal.find("downlink item 4 refused by the ledger") == 0);
  auto held = storage::effective_bundle(till.writer, "fresh-market", fixed_now());
  REQUIRE(held.ok());
  REQUIRE(held->has_value());
  CHECK((*held)->version == 8);
  CHECK((*held)->key_id == "hq-1");
  CHECK((*held)->bundle_json == grocery(8));
}

TEST_CASE("stopping the sync client during a long poll returns at once", "[sync][client][e2e]") {
  TestPki pki;
  TempDir hq_dir;
  Terminal till;
  HqThread hq(pki, hq_dir.file("hq.db"));
  SyncClientOptions options = client_options(pki, hq.port());
  options.long_poll = 30s;
  auto client = SyncClient::start(options, till.ledger);
  REQUIRE(client.ok());
  REQUIRE(eventually([&] { return (*client)->status().phase == SyncPhase::in_sync; }));
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  (*client)->stop();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("the sync client refuses options that cannot work, naming them", "[sync][client]") {
  TestPki pki;
  Terminal till;
  SyncClientOptions options = client_options(pki, 8443);
  options.batch_events = 0;
  CHECK(SyncClient::start(options, till.ledger).error().message ==
        "sync.batch_events: must be 1..1000");
  options = client_options(pki, 0);
  CHECK(SyncClient::start(options, till.ledger).error().message ==
        "sync.hq: needs a host and a port");
  options = client_options(pki, 8443);
  options.tls.certificate_path = pki.path("missing.crt");
  CHECK(SyncClient::start(options, till.ledger).error().message.rfind("sync.tls: ", 0) == 0);
  options = client_options(pki, 8443);
  options.trusted_keys = {PublicKey{"hq-1", "not a key"}};
  CHECK(SyncClient::start(options, till.ledger).error().message.rfind("sync.trusted_keys: ", 0) ==
        0);
}
