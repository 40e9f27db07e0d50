// A kill -9 of `loyalty-hq serve` in the middle of ingest loses no acknowledged batch: HQ
// answers only after the batch is durable (one transaction: SQLite with synchronous=FULL, or a
// PostgreSQL commit on a server with fsync on), so after the restart it holds at least every seq
// it acknowledged, and the terminal resumes from there. On PostgreSQL the database server is
// also killed (SIGKILL of the postmaster) once, with crash recovery on its start.

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "hq/journal_builder.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/hq_store.h"
#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"
#include "service/hq_program.h"
#include "loyalty/sync/hq_postgres.h"
#include "postgres/pg_server.h"
#include "temp_dir.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using std::chrono::milliseconds;

namespace {

HttpsRequest batch_request(const Batch& batch) {
  HttpsRequest request;
  request.method = "POST";
  request.target = std::string(api::batches_path);
  request.content_type = std::string(api::json_type);
  request.content_encoding = std::string(api::zstd_encoding);
  request.body = encode_batch(batch);
  return request;
}

}  // namespace

TEST_CASE("a kill -9 of loyalty-hq during ingest loses no acknowledged batch",
          "[sync][service][cli][kill]") {
  const bool postgresql = GENERATE(false, true);
  INFO((postgresql ? "postgresql" : "sqlite"));
  TempDir temp;
  const std::string dir = temp.file("hq");
  std::optional<loyalty::test::PgServer> server;  // fsync on: durability is what is tested
  if (postgresql) {
    server.emplace(loyalty::test::PgServer::start());
    server->create_database("hq");
    const HqRun init = run_hq({"--store", server->conninfo("hq"), "init", "--dir", dir});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  } else {
    REQUIRE(run_hq({"init", "--dir", dir}).exit_code == 0);
  }
  const std::string till = temp.file("till");
  REQUIRE(run_hq({"ca", "issue", "--dir", dir, "--store", "store-1", "--terminal", "till.7",
                  "--out", till})
              .exit_code == 0);
  auto context =
      make_client_context({till + "/terminal.crt", till + "/terminal.key", till + "/ca.crt"});
  REQUIRE(context.ok());

  // A terminal's chain: 3,000 checkouts, sent 20 at a time.
  const std::string alice = "ps1_0123456789abcdef0123456789abcdef";
  JournalBuilder journal("store-1", "till.7", 7);
  for (int i = 0; i < 3000; ++i) {
    journal.checkout(at_seconds(1767225600 + i), alice, 1000, {earn(alice, 10)});
  }
  const std::int64_t last = static_cast<std::int64_t>(journal.events().size());
  std::mt19937 random(12);
  std::int64_t acknowledged = 0;  // the highest held_seq any Ack reported
  int kills = 0;
  std::uint16_t port = 0;
  while (acknowledged < last) {
    std::filesystem::remove(dir + "/serve.port");  // a killed serve leaves its port file behind
    const pid_t serve =
        spawn_hq({"serve", "--dir", dir, "--listen", "127.0.0.1:" + std::to_string(port)},
                 temp.file("serve.out"), temp.file("serve.err"));
    port = wait_for_port(dir + "/serve.port");
    HttpsClient client(*context, HttpsClientOptions{"127.0.0.1", port});
    // Resume from what HQ says it holds: never below what it acknowledged before the kill.
    HttpsRequest state;
    state.target = std::string(api::uplink_state_path);
    Result<HttpsResponse> answer = client.request(state, milliseconds(10'000));
    REQUIRE(answer.ok());
    Result<Ack> held = decode_ack_json(answer->body);
    REQUIRE(held.ok());
    REQUIRE(held->held_seq >= acknowledged);
    acknowledged = held->held_seq;
    // Kill it once a random number of events more is acknowledged, a moment later, so that the
    // kill lands while batches are in flight.
    std::atomic<std::int64_t> progress{acknowledged};
    std::atomic<bool> killed{false};
    std::thread killer;
    const std::int64_t kill_after = acknowledged + 200 + static_cast<std::int64_t>(random() % 500);
    if (kills < 3 && kill_after < last - 100) {
      const int pause_us = static_cast<int>(random() % 3000);
      killer = std::thread([&, serve, pause_us] {
        while (progress.load() < kill_after) std::this_thread::sleep_for(milliseconds(1));
        std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
        killed = true;
        ::kill(serve, SIGKILL);
      });
    }
    while (acknowledged < last) {
      const std::int64_t to = std::min<std::int64_t>(last, acknowledged + 20);
      Result<HttpsResponse> response =
          client.request(batch_request(journal.batch(acknowledged + 1, to)), milliseconds(10'000));
      if (!response.ok()) {
        REQUIRE(killed.load());  // only the kill makes a request fail
        break;
      }
      REQUIRE(response->status == 200);
      Result<Ack> ack = decode_ack_json(response->body);
      REQUIRE(ack.ok());
      REQUIRE(ack->held_seq == to);
      acknowledged = ack->held_seq;
      progress = acknowledged;
    }
    if (killer.joinable()) {
      killer.join();
      if (postgresql && kills == 1) {
        // The database server dies as well; it recovers from its WAL on start.
        server->kill_postmaster();
        server->start_again();
      }
      int status = 0;
      REQUIRE(::waitpid(serve, &status, 0) == serve);
      REQUIRE(WIFSIGNALED(status));
      CHECK(WTERMSIG(status) == SIGKILL);
      ++kills;
    } else {
      REQUIRE(::kill(serve, SIGTERM) == 0);
      CHECK(wait_exit(serve) == 0);
    }
  }
  CHECK(kills == 3);
  // Everything once: the journal holds each seq exactly once, and after an apply HQ's ledger
  // has the customer's 3,000 × 10 points.
  REQUIRE(run_hq({"apply", "--dir", dir}).exit_code == 0);
  auto store = postgresql ? open_postgres_hq_store(server->conninfo("hq"))
                         : open_sqlite_hq_store(dir + "/hq.db");
  REQUIRE(store.ok());
  auto state = (*store)->uplink_state(TerminalIdentity{"store-1", "till.7"});
  REQUIRE(state.ok());
  CHECK(state->held_seq == last);
  auto totals = (*store)->totals();
  REQUIRE(totals.ok());
  CHECK(totals->events == last);
  CHECK(totals->points_issued == 30'000);
  auto report = (*store)->customer(alice, 1);
  REQUIRE(report.ok());
  REQUIRE(report->has_value());
  CHECK((*report)->balance_points == 30'000);
}
