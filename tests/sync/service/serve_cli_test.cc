// `loyalty-hq serve` as a program: it listens on the port it reports, takes a terminal's batch,
// answers a long poll when `loyalty-hq publish` (another process) publishes, and stops cleanly
// on SIGTERM.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "hq/journal_builder.h"
#include "loyalty/sync/api.h"
#include "loyalty/sync/https.h"
#include "loyalty/sync/tls.h"
#include "service/hq_program.h"
#include "temp_dir.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

using std::chrono::milliseconds;

HttpsResponse request(boost::asio::ssl::context& tls, std::uint16_t port, HttpsRequest request) {
  HttpsClient client(tls, HttpsClientOptions{"127.0.0.1", port});
  Result<HttpsResponse> response = client.request(request, milliseconds(10'000));
  REQUIRE(response.ok());
  return std::move(response).value();
}

}  // namespace

TEST_CASE("loyalty-hq serve syncs a terminal and stops on SIGTERM", "[sync][service][cli]") {
  TempDir temp;
  const std::string dir = temp.file("hq");
  REQUIRE(run_hq({"init", "--dir", dir}).exit_code == 0);
  const std::string till = temp.file("till");
  REQUIRE(run_hq({"ca", "issue", "--dir", dir, "--store", "store-1", "--terminal", "till.7",
                  "--out", till})
              .exit_code == 0);
  const pid_t serve = spawn_hq({"serve", "--dir", dir, "--listen", "127.0.0.1:0"},
                               temp.file("serve.out"), temp.file("serve.err"));
  const std::uint16_t port = wait_for_port(dir + "/serve.port");
  auto context =
      make_client_context({till + "/terminal.crt", till + "/terminal.key", till + "/ca.crt"});
  REQUIRE(context.ok());

  JournalBuilder journal("store-1", "till.7", 7);
  journal.checkout(at_seconds(1767225600), "ps1_0123456789abcdef0123456789abcdef", 1000, {},
                   "gold");
  HttpsRequest batch;
  batch.method = "POST";
  batch.target = std::string(api::batches_path);
  batch.content_type = std::string(api::json_type);
  batch.content_encoding = std::string(api::zstd_encoding);
  batch.body = encode_batch(journal.all());
  const HttpsResponse ack = request(*context, port, batch);
  REQUIRE(ack.status == 200);
  Result<Ack> decoded = decode_ack_json(ack.body);
  REQUIRE(decoded.ok());
  CHECK(decoded->held_seq == 1);

  // The pseudonym key (1), then the customer's state once serve applied the batch (2).
  HttpsRequest first;
  first.target = "/v1/downlink?after=0&wait_ms=0";
  Result<Downlink> everything = decode_downlink(request(*context, port, first).body);
  const auto applied_by = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (everything.ok() && everything->latest < 2 &&
         std::chrono::steady_clock::now() < applied_by) {
    std::this_thread::sleep_for(milliseconds(20));
    everything = decode_downlink(request(*context, port, first).body);
  }
  REQUIRE(everything.ok());
  REQUIRE(everything->items.size() == 2);
  CHECK(std::holds_alternative<KeysItem>(everything->items[0].body));
  CHECK(std::holds_alternative<CustomerItem>(everything->items[1].body));
  // A long poll after everything there is, answered by a publish from another process.
  HttpsRequest poll;
  poll.target = "/v1/downlink?after=" + std::to_string(everything->latest) + "&wait_ms=10000";
  std::future<HttpsResponse> answer =
      std::async(std::launch::async, [&] { return request(*context, port, poll); });
  std::this_thread::sleep_for(milliseconds(200));
  const HqRun block = run_hq({"publish", "--dir", dir, "--store", "store-1", "block", "--pseudonym",
                              "ps1_0123456789abcdef0123456789abcdef", "--reason", "lost"});
  REQUIRE(block.exit_code == 0);
  REQUIRE(answer.wait_for(milliseconds(2'000)) == std::future_status::ready);
  Result<Downlink> blocked = decode_downlink(answer.get().body);
  REQUIRE(blocked.ok());
  REQUIRE(blocked->items.size() == 1);
  CHECK(blocked->items[0].version == 3);
  CHECK(std::holds_alternative<BlockItem>(blocked->items[0].body));

  REQUIRE(::kill(serve, SIGTERM) == 0);
  CHECK(wait_exit(serve) == 0);
  const std::string err = read_whole(temp.file("serve.err"));
  CHECK(err.starts_with("listening on 127.0.0.1:" + std::to_string(port) + "\n"));
  CHECK(err.find("batch store-1/till.7 epoch 0000000000000007 seq 1..1: accepted, held_seq 1, 1 "
                 "new, 0 duplicate\n") != std::string::npos);
  CHECK(err.find("signal 15: stopping\nstopped: 1 batches (0 quarantined, 0 refused), 1 events "
                 "stored, 0 duplicates") != std::string::npos);
  CHECK(err.find("ps1_") == std::string::npos);
  CHECK(!std::filesystem::exists(dir + "/serve.port"));
}
