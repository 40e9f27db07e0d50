// The event chain: append_event(), events_since(), the canonical hash encoding, and what check()
// finds when events are changed, removed or relinked through the back door.

#include "loyalty/storage/events.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "back_door.h"
#include "ledger/ledger_support.h"
#include "loyalty/core/limits.h"
#include "temp_dir.h"

namespace Catch {
template <>
struct StringMaker<loyalty::storage::EventRow> {
  static std::string convert(const loyalty::storage::EventRow& e) {
    return "{seq " + std::to_string(e.seq) + ", kind " + e.kind + ", receipt " + e.receipt_id +
           ", payload " + e.payload + ", hash " + e.payload_hash + ", prev " + e.prev_hash +
           ", at " + std::to_string(e.created_at.unix_seconds) + "}";
  }
};
}  // namespace Catch

namespace loyalty::storage {
namespace {

using namespace test;

// sha256 of the canonical encodings of the two events EventFixture appends (computed with
// `printf '<encoding>' | sha256sum`).
const std::string hash_1 = "313d4ba48c96178992d1d90f857e7d3ca8167f094430376f84f687c16e237823";
const std::string hash_2 = "12de2407bf4915ac1403a7c3960e27807292d58aabe2a0cf97e6a8d8f9d2600b";

EventRow append_ok(Ledger& ledger, const Transaction& transaction, std::string_view kind,
                   std::string_view receipt_id, std::string_view payload) {
  Result<EventRow> row = append_event(ledger, transaction, kind, receipt_id, payload, test_now);
  if (!row.ok()) FAIL("append_event failed: " << row.error().message);
  return row.value();
}

std::vector<std::string> event_problems(Ledger& ledger) {
  Result<LedgerReport> report = ledger.check();
  if (!report.ok()) FAIL("check failed: " << report.error().message);
  return report->problems;
}

struct EventFixture {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path);

  // Events 1..3: commit r-1, sale (no receipt), commit r-2.
  void append_three() {
    Transaction transaction = begin(ledger);
    append_ok(ledger, transaction, "commit", "r-1", R"({"a": 1})");
    append_ok(ledger, transaction, "sale", "", "{}");
    append_ok(ledger, transaction, "commit", "r-2", "[1,2]");
    commit(transaction);
  }
};

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors", "[storage][events]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("The canonical encoding is netstrings in a fixed order", "[storage][events]") {
  CHECK(event_hash_input("store-7/till-2", "0123456789abcdef", 1, "commit", "r-1", R"({"a": 1})") ==
        R"(14:store-7/till-2,16:0123456789abcdef,1:1,6:commit,3:r-1,8:{"a": 1},)");
  // Moving bytes between fields changes the encoding: the lengths tell the fields apart.
  CHECK(event_hash_input("a", "b", 12, "c", "", "") != event_hash_input("a", "b", 1, "2c", "", ""));
  CHECK(event_hash_input("t", "e", 3, "k", "", "") == "1:t,1:e,1:3,1:k,0:,0:,");
}

TEST_CASE("append_event numbers events 1, 2, 3 and links their hashes", "[storage][events]") {
  EventFixture f;
  Transaction transaction = begin(f.ledger);
  const EventRow first = append_ok(f.ledger, transaction, "commit", "r-1", R"({"a": 1})");
  const EventRow second = append_ok(f.ledger, transaction, "sale", "", "{}");
  commit(transaction);
  CHECK(first == EventRow{1, "commit", "r-1", R"({"a": 1})", hash_1, "", test_now, ""});
  CHECK(second == EventRow{2, "sale", "", "{}", hash_2, hash_1, test_now, ""});

  const std::vector<EventRow> all = events_since(f.ledger, 0, 10).value();
  CHECK(all == std::vector<EventRow>{first, second});
  CHECK(events_since(f.ledger, 1, 10).value() == std::vector<EventRow>{second});
  CHECK(events_since(f.ledger, 0, 1).value() == std::vector<EventRow>{first});
  CHECK(events_since(f.ledger, 2, 10).value().empty());
  const LedgerReport report = f.ledger.check().value();
  CHECK(report.problems.empty());
  CHECK(report.events == 2);
}

TEST_CASE("A rolled-back append leaves no gap", "[storage][events]") {
  EventFixture f;
  {
    Transaction transaction = begin(f.ledger);
    CHECK(append_ok(f.ledger, transaction, "commit", "r-9", "{}").seq == 1);
  }  // rolled back
  Transaction transaction = begin(f.ledger);
  const EventRow row = append_ok(f.ledger, transaction, "commit", "r-1", R"({"a": 1})");
  commit(transaction);
  CHECK(row.seq == 1);
  CHECK(row.payload_hash == hash_1);
  CHECK(row.prev_hash.empty());
}

TEST_CASE("append_event refuses bad kinds, receipt ids and payloads", "[storage][events]") {
  EventFixture f;
  Transaction transaction = begin(f.ledger);
  auto error_of = [&](std::string_view kind, std::string_view receipt_id,
                      std::string_view payload) {
    Result<EventRow> row = append_event(f.ledger, transaction, kind, receipt_id, payload, test_now);
    REQUIRE_FALSE(row.ok());
    return row.error();
  };
  CHECK(error_of("", "r", "{}").message == "append_event: kind must be 1..64 bytes, got 0");
  CHECK(error_of(std::string(65, 'k'), "r", "{}").message ==
        "append_event: kind must be 1..64 bytes, got 65");
  CHECK(error_of("Commit!", "r", "{}").message ==
        "append_event: kind \"Commit!\" may hold only a-z, 0-9, '_' and '.'");
  CHECK(error_of("commit", std::string(257, 'r'), "{}").message ==
        "append_event: receipt_id is longer than 256 bytes");
  const Error not_json = error_of("commit", "r", "{\"a\":");
  CHECK(not_json.code == ErrorCode::invalid_argument);
  CHECK(not_json.message ==
        "append_event: payload is not JSON: line 1, column 6: unexpected end of input "
        "(expected a value)");
  const Error big = error_of("commit", "r", std::string(limits::event_payload_bytes_max + 1, ' '));
  CHECK(big.code == ErrorCode::limit_exceeded);
  CHECK(big.message == "append_event: payload is 65537 bytes, more than 65536");
  commit(transaction);
  CHECK(events_since(f.ledger, 0, 10).value().empty());
}

TEST_CASE("check finds an event whose payload was changed", "[storage][events][check]") {
  EventFixture f;
  f.append_three();
  back_door(f.path,
            "DROP TRIGGER events_no_update; UPDATE events SET payload = '{\"a\": 2}' WHERE seq = 1;"
            "UPDATE events SET kind = 'refund' WHERE seq = 3;");
  CHECK(event_problems(f.ledger) ==
        std::vector<std::string>{
            "event 1: payload_hash does not match its content (changed after it was written)",
            "event 3: payload_hash does not match its content (changed after it was written)",
        });
  Result<Ledger> reopened = Ledger::open(f.path, test_options());
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.error().message ==
        "ledger " + f.path +
            " fails its check, refusing to open it: event 1: payload_hash does not match its "
            "content (changed after it was written); event 3: payload_hash does not match its "
            "content (changed after it was written). Keep the file for investigation and restore "
            "the ledger from HQ.");
}

TEST_CASE("check finds a removed event", "[storage][events][check]") {
  EventFixture f;
  f.append_three();
  back_door(f.path, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 2;");
  CHECK(event_problems(f.ledger) ==
        std::vector<std::string>{"event 3 follows a gap: event 2 is missing"});
}

TEST_CASE("check finds broken chain links", "[storage][events][check]") {
  EventFixture f;
  f.append_three();
  back_door(f.path,
            "DROP TRIGGER events_no_update; UPDATE events SET prev_hash = 'genesis' WHERE seq = 1;"
            "UPDATE events SET prev_hash = '" +
                hash_1 + "' WHERE seq = 3;");
  CHECK(event_problems(f.ledger) == std::vector<std::string>{
                                        "event 1: prev_hash must be empty",
                                        "event 3: prev_hash is not the payload_hash of event 2",
                                    });
}

TEST_CASE("events_since returns at most events_since_batch_max events", "[storage][events]") {
  EventFixture f;
  Transaction transaction = begin(f.ledger);
  for (std::size_t i = 0; i < limits::events_since_batch_max + 5; ++i) {
    append_ok(f.ledger, transaction, "sale", "", "{}");
  }
  commit(transaction);
  const std::vector<EventRow> batch = events_since(f.ledger, 0, 5000).value();
  REQUIRE(batch.size() == 1000);
  CHECK(batch.front().seq == 1);
  CHECK(batch.back().seq == 1000);
  CHECK(events_since(f.ledger, 1000, 5000).value().size() == 5);
  CHECK(events_since(f.ledger, 0, 0).value().empty());
  CHECK(f.ledger.check()->events == 1005);
  CHECK(event_problems(f.ledger).empty());
}

}  // namespace
}  // namespace loyalty::storage
