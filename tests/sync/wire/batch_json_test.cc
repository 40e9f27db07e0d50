// The uplink batch document: round trips, byte-exact payloads, and every refusal.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"
#include "loyalty/sync/batch.h"
#include "wire/batch_fixture.h"

using loyalty::ErrorCode;
using loyalty::Result;
using loyalty::sync::Batch;
using loyalty::sync::decode_batch_json;
using loyalty::sync::encode_batch_json;
using loyalty::sync::test::chain;
using loyalty::sync::test::replaced;

namespace {

void check_refused(const std::string& json, ErrorCode code, const std::string& message) {
  const Result<Batch> decoded = decode_batch_json(json);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message == message);
  CHECK(decoded.error().code == code);
}

void check_refused_containing(const std::string& json, ErrorCode code, const std::string& part) {
  const Result<Batch> decoded = decode_batch_json(json);
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(decoded.error().message, Catch::Contains(part));
  CHECK(decoded.error().code == code);
}

const std::string hash_a(64, 'a');

}  // namespace

TEST_CASE("a batch is written as its documented JSON text", "[sync][wire]") {
  Batch batch = chain(1, {"{\"points\":5}"});
  const std::string& h = batch.events[0].payload_hash;
  CHECK(h == loyalty::storage::sha256_hex(
                 "3:t-1,16:0123456789abcdef,1:1,4:earn,3:r-1,12:{\"points\":5},"));
  CHECK(encode_batch_json(batch) ==
        "{\"format\":\"loyalty-batch-v1\",\"store_id\":\"s-1\",\"terminal_id\":\"t-1\","
        "\"epoch\":\"0123456789abcdef\",\"from_seq\":1,\"to_seq\":1,\"prev_hash\":\"\","
        "\"events\":[{\"seq\":1,\"kind\":\"earn\",\"receipt_id\":\"r-1\","
        "\"payload\":\"{\\\"points\\\":5}\",\"payload_hash\":\"" +
            h + "\",\"prev_hash\":\"\",\"created_at\":1767225601,\"annex\":null}]}");
}

TEST_CASE("a batch round-trips and its real hash chain verifies", "[sync][wire]") {
  const Batch batch = chain(1, {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
  CHECK(batch.events[1].receipt_id.empty());
  const Result<Batch> decoded = decode_batch_json(encode_batch_json(batch));
  REQUIRE(decoded.ok());
  CHECK(*decoded == batch);
  CHECK(decoded->events[2].prev_hash == batch.events[1].payload_hash);
  CHECK(loyalty::sync::verify_batch_hashes(*decoded).ok());
  CHECK(decoded->events[2].annex == "{\"customer\":\"ps1_00\",\"seq\":3}");
}

TEST_CASE("the annex is part of the hash: a changed or dropped annex fails verification",
          "[sync][wire]") {
  Batch changed = chain(1, {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
  changed.events[2].annex = "{\"customer\":\"ps1_01\",\"seq\":3}";
  loyalty::Status status = loyalty::sync::verify_batch_hashes(changed);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::conflict);
  CHECK(status.error().message.rfind("batch: events[2] (seq 3): payload_hash does not match", 0) ==
        0);
  Batch dropped = chain(1, {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
  dropped.events[2].annex.clear();
  CHECK_FALSE(loyalty::sync::verify_batch_hashes(dropped).ok());
}

TEST_CASE("a batch that continues a chain round-trips", "[sync][wire]") {
  const Batch first = chain(1, {"{}", "[]"});
  const Batch batch = chain(3, {"{\"x\":true}", "null"}, first.events[1].payload_hash);
  const Result<Batch> decoded = decode_batch_json(encode_batch_json(batch));
  REQUIRE(decoded.ok());
  CHECK(*decoded == batch);
  CHECK(decoded->from_seq == 3);
  CHECK(decoded->to_seq == 4);
  CHECK(loyalty::sync::verify_batch_hashes(*decoded).ok());
}

TEST_CASE("payloads are carried byte for byte, escapes and unicode included", "[sync][wire]") {
  const std::vector<std::string> payloads = {
      "{\"note\":\"caf\\u00e9 \\\"quoted\\\" back\\\\slash\\ttab\"}",
      "{ \"name\" : \"Zo\xc3\xab \xf0\x9f\x98\x80 \xe2\x82\xac\" ,\n\t\"n\":  1 }",
      "{\"ctl\":\"\\u0001\\n\\r\\/\"}  ",
  };
  const Batch batch = chain(1, payloads);
  const Result<Batch> decoded = decode_batch_json(encode_batch_json(batch));
  REQUIRE(decoded.ok());
  for (std::size_t i = 0; i < payloads.size(); ++i)
    CHECK(decoded->events[i].payload == payloads[i]);
  CHECK(loyalty::sync::verify_batch_hashes(*decoded).ok());
}

TEST_CASE("a tampered payload is caught by verify_batch_hashes", "[sync][wire]") {
  Batch batch = chain(1, {"{\"points\":5}", "{\"points\":7}", "{\"points\":9}"});
  batch.events[1].payload = "{\"points\":700}";
  const Result<Batch> decoded = decode_batch_json(encode_batch_json(batch));
  REQUIRE(decoded.ok());  // the links still match: only the recomputed hash can tell
  const loyalty::Status verified = loyalty::sync::verify_batch_hashes(*decoded);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::conflict);
  CHECK_THAT(verified.error().message,
             Catch::StartsWith("batch: events[1] (seq 2): payload_hash does not match the "
                               "event's content (recomputed "));
}

TEST_CASE("a hash over another terminal's id does not verify", "[sync][wire]") {
  Batch batch = chain(1, {"{}"});
  batch.terminal_id = "t-2";
  const loyalty::Status verified = loyalty::sync::verify_batch_hashes(batch);
  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().code == ErrorCode::conflict);
}

TEST_CASE("batch documents with unknown, missing or mistyped members are refused", "[sync][wire]") {
  const std::string ok = encode_batch_json(chain(1, {"{}", "{}"}));
  REQUIRE(decode_batch_json(ok).ok());
  check_refused("not json", ErrorCode::parse_error,
                "batch: not a JSON document: line 1, column 1: invalid literal (expected true, "
                "false or null)");
  check_refused("[1]", ErrorCode::parse_error, "batch: must be a JSON object, got array");
  check_refused_containing(replaced(ok, "{\"format\"", "{\"extra\":1,\"format\""),
                           ErrorCode::parse_error, "batch: unknown member \"extra\" (expected ");
  check_refused(replaced(ok, "\"store_id\":\"s-1\",", ""), ErrorCode::parse_error,
                "batch: member store_id is missing");
  check_refused(replaced(ok, "\"from_seq\":1", "\"from_seq\":\"1\""), ErrorCode::parse_error,
                "batch: from_seq must be an integer, got string");
  check_refused(replaced(ok, "\"events\":[", "\"events\":{},\"x\":["), ErrorCode::parse_error,
                "batch: unknown member \"x\" (expected format, store_id, terminal_id, epoch, "
                "from_seq, to_seq, prev_hash, events)");
  check_refused(replaced(ok, "\"created_at\":1767225602", "\"created_at\":1767225602,\"y\":0"),
                ErrorCode::parse_error,
                "batch: events[1] (seq 2): unknown member \"y\" (expected seq, kind, receipt_id, "
                "payload, payload_hash, prev_hash, created_at, annex)");
  check_refused(replaced(ok, "\"seq\":2,", ""), ErrorCode::parse_error,
                "batch: events[1] (seq 2): member seq is missing");
  check_refused(
      replaced(
          ok,
          "\"payload\":\"{}\",\"payload_hash\":\"" + chain(1, {"{}", "{}"}).events[1].payload_hash,
          "\"payload\":{},\"payload_hash\":\"" + chain(1, {"{}", "{}"}).events[1].payload_hash),
      ErrorCode::parse_error, "batch: events[1] (seq 2): payload must be a string, got object");
  check_refused(replaced(ok, "\"format\":\"loyalty-batch-v1\"", "\"format\":\"loyalty-batch-v2\""),
                ErrorCode::invalid_argument,
                "batch: format must be \"loyalty-batch-v1\", got \"loyalty-batch-v2\"");
}

TEST_CASE("batch ids, epochs, hashes and kinds of the wrong form are refused", "[sync][wire]") {
  const std::string ok = encode_batch_json(chain(1, {"{}"}));
  const std::string id_rule = "must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and '-', got ";
  check_refused(replaced(ok, "\"s-1\"", "\"s 1\""), ErrorCode::invalid_argument,
                "batch: store_id " + id_rule + "\"s 1\"");
  check_refused(replaced(ok, "\"t-1\"", "\"\""), ErrorCode::invalid_argument,
                "batch: terminal_id " + id_rule + "\"\"");
  check_refused(replaced(ok, "\"t-1\"", "\"" + std::string(65, 't') + "\""),
                ErrorCode::invalid_argument,
                "batch: terminal_id " + id_rule + "\"" + std::string(64, 't') + "...\"");
  CHECK(decode_batch_json(replaced(ok, "\"s-1\"", "\"" + std::string(64, 's') + "\"")).ok());
  check_refused(replaced(ok, "0123456789abcdef", "0123456789ABCDEF"), ErrorCode::invalid_argument,
                "batch: epoch must be 16 lowercase hex digits, got \"0123456789ABCDEF\"");
  check_refused(replaced(ok, "0123456789abcdef", "0123456789abcde"), ErrorCode::invalid_argument,
                "batch: epoch must be 16 lowercase hex digits, got \"0123456789abcde\"");
  Batch batch = chain(1, {"{}"});
  batch.events[0].payload_hash = std::string(63, 'a') + "A";
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: events[0] (seq 1): payload_hash must be 64 lowercase hex digits, got \"" +
                    std::string(63, 'a') + "A\"");
  batch = chain(1, {"{}"});
  batch.events[0].kind = "Earn";
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: events[0] (seq 1): kind must be 1 to 64 bytes of a-z, 0-9, '_' and '.', "
                "got \"Earn\"");
  check_refused(replaced(ok, "\"receipt_id\":\"r-1\"", "\"receipt_id\":\"\""),
                ErrorCode::invalid_argument,
                "batch: events[0] (seq 1): receipt_id must not be \"\" (write null for none)");
  batch = chain(1, {"{}"});
  batch.events[0].payload = "";
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: events[0] (seq 1): payload must be the event's JSON text, got \"\"");
  check_refused(replaced(ok, "\"created_at\":1767225601", "\"created_at\":-1"),
                ErrorCode::invalid_argument,
                "batch: events[0] (seq 1): created_at must be between 0 and 9223372036854775807, "
                "got -1");
}

TEST_CASE("batch seqs that are zero, negative, out of order or miscounted are refused",
          "[sync][wire]") {
  const std::string ok = encode_batch_json(chain(1, {"{}", "{}"}));
  check_refused(replaced(ok, "\"from_seq\":1", "\"from_seq\":0"), ErrorCode::invalid_argument,
                "batch: from_seq must be between 1 and 9223372036854775807, got 0");
  check_refused(replaced(ok, "\"from_seq\":1", "\"from_seq\":-3"), ErrorCode::invalid_argument,
                "batch: from_seq must be between 1 and 9223372036854775807, got -3");
  check_refused(replaced(ok, "\"seq\":2,", "\"seq\":0,"), ErrorCode::invalid_argument,
                "batch: events[1] (seq 2): seq must be between 1 and 9223372036854775807, got 0");
  check_refused(replaced(ok, "\"seq\":2,", "\"seq\":3,"), ErrorCode::invalid_argument,
                "batch: events[1] (seq 3): seq must be 2 (seqs run from from_seq without gaps or "
                "reordering)");
  check_refused(replaced(ok, "\"to_seq\":2", "\"to_seq\":3"), ErrorCode::invalid_argument,
                "batch: events has 2 events, but from_seq 1 to to_seq 3 needs 3");
  check_refused(replaced(ok, "\"to_seq\":2", "\"to_seq\":0"), ErrorCode::invalid_argument,
                "batch: to_seq must be between 1 and 9223372036854775807, got 0");
  Batch batch = chain(5, {"{}"}, hash_a);
  batch.to_seq = 4;
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: to_seq must be at least from_seq (5), got 4");
  batch.to_seq = 5 + static_cast<std::int64_t>(loyalty::limits::sync_batch_events_max);
  check_refused(encode_batch_json(batch), ErrorCode::limit_exceeded,
                "batch: to_seq spans more than 1000 events: send at most that many per batch");
}

TEST_CASE("a batch of more than sync_batch_events_max events is refused", "[sync][wire]") {
  std::vector<std::string> payloads(loyalty::limits::sync_batch_events_max, "{}");
  const Batch full = chain(1, payloads);
  REQUIRE(decode_batch_json(encode_batch_json(full)).ok());
  std::string json = encode_batch_json(full);
  json = replaced(json, "\"to_seq\":1000", "\"to_seq\":1000");
  json.insert(json.size() - 2, ",{}");
  check_refused(json, ErrorCode::limit_exceeded,
                "batch: events has 1001 items, more than the 1000 allowed: send fewer at a time");
}

TEST_CASE("batch links that do not match are refused", "[sync][wire]") {
  Batch batch = chain(1, {"{}", "{}", "{}"});
  batch.events[2].prev_hash = hash_a;
  check_refused(encode_batch_json(batch), ErrorCode::conflict,
                "batch: events[2] (seq 3): prev_hash does not match the payload_hash of seq 2");
  batch = chain(17, {"{}", "{}"}, hash_a);
  batch.events[0].prev_hash = std::string(64, 'b');
  check_refused(encode_batch_json(batch), ErrorCode::conflict,
                "batch: events[0] (seq 17): prev_hash does not match the batch's prev_hash");
  batch = chain(1, {"{}"});
  batch.prev_hash = hash_a;
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: prev_hash must be \"\" when from_seq is 1");
  batch = chain(4, {"{}"}, "");
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: prev_hash must be the payload_hash of seq 3 when from_seq is 4, got \"\"");
  batch = chain(4, {"{}"}, "xyz");
  check_refused(encode_batch_json(batch), ErrorCode::invalid_argument,
                "batch: prev_hash must be \"\" or 64 lowercase hex digits, got \"xyz\"");
}

TEST_CASE("a batch text over sync_batch_bytes_max is refused before parsing", "[sync][wire]") {
  const std::string huge(loyalty::limits::sync_batch_bytes_max + 1, ' ');
  check_refused(huge, ErrorCode::limit_exceeded,
                "batch: 83886081 bytes, more than the 83886080 allowed: send fewer events per "
                "batch");
}

TEST_CASE("a batch carries event payloads up to event_payload_bytes_max, and no more",
          "[sync][wire]") {
  // A receipt of many lines makes a payload far above core's default 4 KiB string bound.
  const std::string big =
      "{\"x\":\"" + std::string(loyalty::limits::event_payload_bytes_max - 8, 'y') + "\"}";
  REQUIRE(big.size() == loyalty::limits::event_payload_bytes_max);
  const Batch batch = chain(1, {big, "{\"b\":2}"});
  const Result<Batch> decoded = loyalty::sync::decode_batch(loyalty::sync::encode_batch(batch));
  REQUIRE(decoded.ok());
  CHECK(decoded->events[0].payload == big);
  CHECK(loyalty::sync::verify_batch_hashes(*decoded).ok());
  const std::string json = encode_batch_json(chain(1, {big + " "}));
  const Result<Batch> refused = decode_batch_json(json);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::limit_exceeded);
}
