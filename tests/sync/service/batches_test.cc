// HqService, POST /v1/batches: acks, repeats, refusals (nothing stored), quarantines, and the
// apply that follows a batch.

#include <catch2/catch.hpp>
#include <thread>

#include "loyalty/sync/compression.h"
#include "service/service_fixture.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

// What the store holds, through a second store object on the same file.
std::int64_t events_held(const ServiceFixture& fixture) {
  auto store = open_hq(fixture.db_path());
  Result<HqTotals> totals = store->totals();
  REQUIRE(totals.ok());
  return totals->events;
}

std::size_t terminals_known(const ServiceFixture& fixture) {
  auto store = open_hq(fixture.db_path());
  Result<std::vector<TerminalStatus>> terminals = store->terminals();
  REQUIRE(terminals.ok());
  return terminals->size();
}

}  // namespace

TEST_CASE("hq service acknowledges a batch and a repeat with the same ack", "[sync][service]") {
  ServiceFixture fixture;
  const JournalBuilder journal = five_earns();
  const Ack expected{
      AckStatus::accepted, "till.7", journal.epoch(), 5, journal.events()[4].payload_hash, ""};
  CHECK(ack_of(fixture.post_batch(journal.all())) == expected);
  CHECK(ack_of(fixture.post_batch(journal.all())) == expected);
  CHECK(events_held(fixture) == 5);
  const HqServiceStats stats = fixture.service().stats();
  CHECK(stats.batches == 2);
  CHECK(stats.events_stored == 5);
  CHECK(stats.events_duplicate == 5);
  CHECK(stats.quarantines == 0);
  CHECK(stats.batches_refused == 0);
  const std::vector<std::string> lines = fixture.log().lines();
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0] ==
        "batch store-1/till.7 epoch 0000000000000007 seq 1..5: accepted, held_seq 5, 5 new, 0 "
        "duplicate");
  CHECK(lines[1] ==
        "batch store-1/till.7 epoch 0000000000000007 seq 1..5: accepted, held_seq 5, 0 new, 5 "
        "duplicate");
  // GET /v1/uplink/state gives the same resume point.
  CHECK(ack_of(fixture.get("/v1/uplink/state")) == expected);
}

TEST_CASE("hq service refuses a batch it cannot read with 400 and stores nothing",
          "[sync][service]") {
  ServiceFixture fixture;
  const JournalBuilder journal = five_earns();
  SECTION("corrupted zstd") {
    std::string body = encode_batch(journal.all());
    body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x55);
    body.resize(body.size() - 3);
    const HttpsResponse response = fixture.post_batch(body);
    CHECK(response.status == 400);
    CHECK(response.content_type == "application/json");
    CHECK(!error_of(response).empty());
  }
  SECTION("not zstd at all") {
    const HttpsResponse response = fixture.post_batch(encode_batch_json(journal.all()));
    CHECK(response.status == 400);
  }
  SECTION("a payload hash that does not match") {
    Batch bad = journal.all();
    bad.events[2].payload += " ";
    const HttpsResponse response = fixture.post_batch(bad);
    CHECK(response.status == 400);
    CHECK(error_of(response).find("payload_hash does not match") != std::string::npos);
  }
  SECTION("no Content-Encoding: zstd") {
    const HttpsResponse response = fixture.post_batch(encode_batch(journal.all()), "");
    CHECK(response.status == 400);
    CHECK(error_of(response) ==
          "a batch is sent zstd-compressed with Content-Encoding: zstd (got \"\")");
  }
  CHECK(events_held(fixture) == 0);
  CHECK(terminals_known(fixture) == 0);
  CHECK(fixture.service().stats().batches_refused == 1);
  CHECK(fixture.service().stats().batches == 0);
  const std::vector<std::string> lines = fixture.log().lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].starts_with("batch from store-1/till.7 refused (400): "));
}

TEST_CASE("a certificate that claims another store or terminal is refused", "[sync][service]") {
  ServiceFixture fixture;
  // The batches are well formed and hashed for the terminal they name; the certificate is
  // store-1/till.7's.
  const auto [store_id, terminal_id] =
      GENERATE(std::pair<std::string, std::string>{"store-1", "till.8"},
               std::pair<std::string, std::string>{"store-2", "till.7"});
  const JournalBuilder other = five_earns(store_id, terminal_id);
  const HttpsResponse response = fixture.post_batch(other.all());
  CHECK(response.status == 403);
  CHECK(error_of(response) == "the batch names terminal " + store_id + "/" + terminal_id +
                                  " but the client certificate is for store-1/till.7; a "
                                  "terminal sends only its own events");
  CHECK(events_held(fixture) == 0);
  CHECK(terminals_known(fixture) == 0);
  CHECK(fixture.service().stats().batches_refused == 1);
}

TEST_CASE("hq service answers a quarantine with 200 and the ack's status", "[sync][service]") {
  ServiceFixture fixture;
  const JournalBuilder journal = five_earns();
  CHECK(ack_of(fixture.post_batch(journal.batch(1, 2))).held_seq == 2);
  JournalBuilder other("store-1", "till.7", 7);
  other.checkout(at_seconds(service_t0), alice, 1000, {earn(alice, 10)}, "gold");
  other.checkout(at_seconds(service_t0 + 60), alice, 1000, {earn(alice, 99)}, "gold");
  const Ack ack = ack_of(fixture.post_batch(other.batch(2, 2)));
  CHECK(ack == Ack{AckStatus::quarantined, "till.7", journal.epoch(), 2,
                   journal.events()[1].payload_hash, "seq 2 arrived again with other content"});
  CHECK(fixture.service().stats().quarantines == 1);
  const std::vector<std::string> lines = fixture.log().lines();
  REQUIRE(lines.size() >= 2);
  CHECK(lines[1] ==
        "batch store-1/till.7 epoch 0000000000000007 seq 2..2: quarantined (seq 2 arrived again "
        "with other content), held_seq 2, 0 new, 0 duplicate");
  CHECK(ack_of(fixture.get("/v1/uplink/state")).status == AckStatus::quarantined);
}

TEST_CASE("hq service applies a batch to the HQ ledger within a second", "[sync][service]") {
  ServiceFixture fixture;
  const JournalBuilder journal = five_earns();
  REQUIRE(ack_of(fixture.post_batch(journal.all())).held_seq == 5);
  auto store = open_hq(fixture.db_path());
  std::optional<CustomerReport> report;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<std::optional<CustomerReport>> found = store->customer(alice, 10);
    REQUIRE(found.ok());
    // The service counts the apply once its answer is back on the io thread.
    if (*found && (*found)->balance_points == 50 && fixture.service().stats().events_applied == 5) {
      report = *found;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(report.has_value());
  CHECK(report->receipts == 5);
  CHECK(report->spend_minor == 5000);
}

TEST_CASE("hq service refuses a batch larger than the limit with 413", "[sync][service]") {
  ServiceFixture fixture;
  const HttpsResponse response =
      fixture.post_batch(std::string(limits::sync_batch_compressed_bytes_max + 1, 'x'));
  CHECK(response.status == 413);
  CHECK(error_of(response) == "the request body exceeds 16777216 bytes");
  CHECK(events_held(fixture) == 0);
}
