// HQ's ack document.
#include <catch2/catch.hpp>
#include <string>

#include "loyalty/sync/batch.h"
#include "wire/batch_fixture.h"

using loyalty::ErrorCode;
using loyalty::Result;
using loyalty::sync::Ack;
using loyalty::sync::AckStatus;
using loyalty::sync::decode_ack_json;
using loyalty::sync::encode_ack_json;
using loyalty::sync::test::replaced;

namespace {

Ack held_ack() {
  Ack ack;
  ack.status = AckStatus::accepted;
  ack.terminal_id = "t-1";
  ack.epoch = "0123456789abcdef";
  ack.held_seq = 17;
  ack.held_hash = std::string(64, 'c');
  return ack;
}

void check_refused(const std::string& json, ErrorCode code, const std::string& message) {
  const Result<Ack> decoded = decode_ack_json(json);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message == message);
  CHECK(decoded.error().code == code);
}

}  // namespace

TEST_CASE("an ack is written as its documented JSON text and read back", "[sync][wire]") {
  const Ack ack = held_ack();
  const std::string json = encode_ack_json(ack);
  CHECK(json ==
        "{\"format\":\"loyalty-ack-v1\",\"status\":\"accepted\",\"terminal_id\":\"t-1\","
        "\"epoch\":\"0123456789abcdef\",\"held_seq\":17,\"held_hash\":\"" +
            std::string(64, 'c') + "\",\"message\":\"\"}");
  const Result<Ack> decoded = decode_ack_json(json);
  REQUIRE(decoded.ok());
  CHECK(*decoded == ack);
}

TEST_CASE("a quarantine ack and an empty ack round-trip", "[sync][wire]") {
  Ack quarantined = held_ack();
  quarantined.status = AckStatus::quarantined;
  quarantined.message = "events[3] (seq 20): prev_hash does not match \"x\"";
  Result<Ack> decoded = decode_ack_json(encode_ack_json(quarantined));
  REQUIRE(decoded.ok());
  CHECK(*decoded == quarantined);
  CHECK(decoded->status == AckStatus::quarantined);

  Ack none;
  none.terminal_id = "t-9";
  decoded = decode_ack_json(encode_ack_json(none));
  REQUIRE(decoded.ok());
  CHECK(*decoded == none);
  CHECK(decoded->held_seq == 0);
}

TEST_CASE("ack documents of the wrong form are refused", "[sync][wire]") {
  const std::string ok = encode_ack_json(held_ack());
  check_refused(replaced(ok, "\"accepted\"", "\"ok\""), ErrorCode::invalid_argument,
                "ack: status must be \"accepted\" or \"quarantined\", got \"ok\"");
  check_refused(replaced(ok, "loyalty-ack-v1", "loyalty-batch-v1"), ErrorCode::invalid_argument,
                "ack: format must be \"loyalty-ack-v1\", got \"loyalty-batch-v1\"");
  check_refused(replaced(ok, ",\"message\":\"\"", ""), ErrorCode::parse_error,
                "ack: member message is missing");
  check_refused(replaced(ok, "\"message\":\"\"", "\"message\":\"\",\"extra\":null"),
                ErrorCode::parse_error,
                "ack: unknown member \"extra\" (expected format, status, terminal_id, epoch, "
                "held_seq, held_hash, message)");
  check_refused(replaced(ok, "\"held_seq\":17", "\"held_seq\":-1"), ErrorCode::invalid_argument,
                "ack: held_seq must be between 0 and 9223372036854775807, got -1");
  check_refused(replaced(ok, "\"held_seq\":17", "\"held_seq\":0"), ErrorCode::invalid_argument,
                "ack: held_hash must be \"\" when held_seq is 0");
  check_refused(replaced(ok, std::string(64, 'c'), ""), ErrorCode::invalid_argument,
                "ack: held_hash must be the payload_hash of held_seq 17, got \"\"");
  check_refused(replaced(ok, "\"0123456789abcdef\"", "\"\""), ErrorCode::invalid_argument,
                "ack: held_seq must be 0 when epoch is \"\" (HQ holds nothing), got 17");
  check_refused(replaced(ok, "\"t-1\"", "\"t/1\""), ErrorCode::invalid_argument,
                "ack: terminal_id must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and '-', got "
                "\"t/1\"");
  check_refused(replaced(ok, "\"message\":\"\"", "\"message\":\"" + std::string(1025, 'm') + "\""),
                ErrorCode::limit_exceeded, "ack: message is longer than 1024 bytes");
  check_refused(replaced(ok, "\"message\":\"\"", "\"message\":false"), ErrorCode::parse_error,
                "ack: message must be a string, got boolean");
}
