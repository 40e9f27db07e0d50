// The downlink document: every kind of item round-trips, and every refusal.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/sync/downlink.h"
#include "wire/batch_fixture.h"

using loyalty::ErrorCode;
using loyalty::Result;
using loyalty::Timestamp;
using loyalty::sync::decode_downlink_json;
using loyalty::sync::Downlink;
using loyalty::sync::DownlinkItem;
using loyalty::sync::encode_downlink_json;
using loyalty::sync::test::replaced;

namespace {

const std::string signature_bytes = std::string(32, '\x01') + std::string(32, '\xfe');

DownlinkItem item(std::int64_t version, loyalty::sync::DownlinkBody body) {
  return DownlinkItem{version, version % 2 == 0 ? "s-1" : "", Timestamp{1767225600 + version},
                      std::move(body)};
}

Downlink every_kind() {
  Downlink d;
  d.after = 4;
  d.latest = 12;
  loyalty::sync::SignedBundle bundle{"hq-1",
                                     "coffee",
                                     3,
                                     Timestamp{1767312000},
                                     "{\"id\":\"coffee\",\n \"name\":\"Caf\xc3\xa9 \\\"A\\\"\"}",
                                     signature_bytes};
  d.items.push_back(item(5, bundle));
  d.items.push_back(
      item(6, loyalty::sync::SignedKey{
                  {"hq-2", "-----BEGIN PUBLIC KEY-----\nMCow\n"}, "hq-1", signature_bytes}));
  d.items.push_back(item(7, loyalty::sync::BlockItem{"p-abc", "stolen", true}));
  d.items.push_back(item(8, loyalty::sync::BlockItem{"p-abc", "", false}));
  d.items.push_back(
      item(9, loyalty::sync::CustomerItem{"p-abc", -20, 41, Timestamp{1798761600}, "gold", true,
                                          Timestamp{1830297600}, 125000, 1250}));
  d.items.push_back(item(10, loyalty::sync::CustomerItem{"p-def", 0, 0, std::nullopt, std::nullopt,
                                                         false, std::nullopt, 0, 0}));
  d.items.push_back(item(11, loyalty::sync::EraseItem{"p-abc"}));
  d.items.push_back(item(12, loyalty::sync::KeysItem{"pk-1",
                                                     std::string(64, 'a'),
                                                     {{"app-1", std::string(32, 'b')},
                                                      {"app-2", std::string(64, 'c')}}}));
  return d;
}

void check_refused(const std::string& json, ErrorCode code, const std::string& message) {
  const Result<Downlink> decoded = decode_downlink_json(json);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().message == message);
  CHECK(decoded.error().code == code);
}

}  // namespace

TEST_CASE("a downlink item is written as its documented JSON text", "[sync][wire]") {
  Downlink d;
  d.after = 0;
  d.latest = 3;
  d.items.push_back(item(2, loyalty::sync::EraseItem{"p-1"}));
  d.items.push_back(item(3, loyalty::sync::CustomerItem{"p-2", 150, 9, std::nullopt, "gold", false,
                                                        Timestamp{1798761600}, 52000, 520}));
  CHECK(encode_downlink_json(d) ==
        "{\"format\":\"loyalty-downlink-v1\",\"after\":0,\"latest\":3,\"items\":["
        "{\"version\":2,\"store_id\":\"s-1\",\"published_at\":\"2026-01-01T00:00:02Z\","
        "\"kind\":\"erase\",\"pseudonym\":\"p-1\"},"
        "{\"version\":3,\"store_id\":\"\",\"published_at\":\"2026-01-01T00:00:03Z\","
        "\"kind\":\"customer\",\"pseudonym\":\"p-2\",\"balance_points\":150,\"as_of_seq\":9,"
        "\"expires_at\":null,\"tier\":\"gold\",\"flagged\":false,"
        "\"review_at\":\"2027-01-01T00:00:00Z\",\"period_spend\":52000,\"period_points\":520}]}");
}

TEST_CASE("every kind of downlink item round-trips", "[sync][wire]") {
  const Downlink d = every_kind();
  const std::string json = encode_downlink_json(d);
  CHECK_THAT(json,
             Catch::Contains("\"signature\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH+/v7+"));
  CHECK_THAT(json, Catch::Contains("\"program\":\"{\\\"id\\\":\\\"coffee\\\",\\n"));
  const Result<Downlink> decoded = decode_downlink_json(json);
  REQUIRE(decoded.ok());
  CHECK(*decoded == d);
  CHECK(std::get<loyalty::sync::SignedBundle>(decoded->items[0].body).program_json ==
        std::get<loyalty::sync::SignedBundle>(d.items[0].body).program_json);
  std::vector<std::string> kinds;
  for (const DownlinkItem& i : decoded->items)
    kinds.push_back(loyalty::sync::downlink_kind_name(i.body));
  CHECK(kinds == std::vector<std::string>{"bundle", "signing_key", "block", "block", "customer",
                                          "customer", "erase", "keys"});
  const Result<Downlink> compressed =
      loyalty::sync::decode_downlink(loyalty::sync::encode_downlink(d));
  REQUIRE(compressed.ok());
  CHECK(*compressed == d);
}

TEST_CASE("an empty downlink answer round-trips", "[sync][wire]") {
  const Downlink d{7, 7, {}};
  CHECK(encode_downlink_json(d) ==
        "{\"format\":\"loyalty-downlink-v1\",\"after\":7,\"latest\":7,\"items\":[]}");
  const Result<Downlink> decoded = decode_downlink_json(encode_downlink_json(d));
  REQUIRE(decoded.ok());
  CHECK(*decoded == d);
}

TEST_CASE("downlink versions out of order or out of range are refused", "[sync][wire]") {
  Downlink d = every_kind();
  std::swap(d.items[2], d.items[3]);
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: items[3] (version 7): version must be greater than the previous "
                "item's (8)");
  d = every_kind();
  d.items[1].version = 5;
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: items[1] (version 5): version must be greater than the previous "
                "item's (5)");
  d = every_kind();
  d.after = 5;
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: items[0] (version 5): version must be greater than after (5)");
  d = every_kind();
  d.latest = 11;
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: items[7] (version 12): version must be at most latest (11)");
  d = every_kind();
  d.latest = 3;
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: latest must be at least after (4), got 3");
  d = every_kind();
  d.after = -1;
  check_refused(encode_downlink_json(d), ErrorCode::invalid_argument,
                "downlink: after must be between 0 and 9223372036854775807, got -1");
}

TEST_CASE("a downlink of more than sync_downlink_items_max items is refused", "[sync][wire]") {
  std::string json = "{\"format\":\"loyalty-downlink-v1\",\"after\":0,\"latest\":2000,\"items\":[";
  for (int v = 1; v <= 1001; ++v) {
    if (v > 1) json += ",";
    json += "{\"version\":" + std::to_string(v) +
            ",\"store_id\":\"\",\"published_at\":\"2026-01-01T00:00:00Z\",\"kind\":\"erase\","
            "\"pseudonym\":\"p\"}";
  }
  json += "]}";
  check_refused(json, ErrorCode::limit_exceeded,
                "downlink: items has 1001 items, more than the 1000 allowed: send fewer at a time");
  const std::size_t last = json.rfind(",{\"version\":1001");
  const Result<Downlink> thousand = decode_downlink_json(json.substr(0, last) + "]}");
  REQUIRE(thousand.ok());
  CHECK(thousand->items.size() == 1000);
}

TEST_CASE("downlink items of the wrong form are refused", "[sync][wire]") {
  Downlink d{0, 1, {item(1, loyalty::sync::EraseItem{"p-1"})}};
  const std::string ok = encode_downlink_json(d);
  check_refused(replaced(ok, "\"kind\":\"erase\"", "\"kind\":\"wipe\""),
                ErrorCode::invalid_argument,
                "downlink: items[0]: kind must be one of: bundle, signing_key, block, customer, "
                "erase, keys, got \"wipe\"");
  check_refused(replaced(ok, "\"kind\":\"erase\",", ""), ErrorCode::parse_error,
                "downlink: items[0]: member kind is missing");
  check_refused(replaced(ok, "\"kind\":\"erase\"", "\"kind\":7"), ErrorCode::parse_error,
                "downlink: items[0]: kind must be a string, got integer");
  check_refused(replaced(ok, "\"pseudonym\":\"p-1\"", "\"pseudonym\":\"p-1\",\"reason\":\"\""),
                ErrorCode::parse_error,
                "downlink: items[0]: unknown member \"reason\" (expected version, store_id, "
                "published_at, kind, pseudonym)");
  check_refused(replaced(ok, ",\"pseudonym\":\"p-1\"", ""), ErrorCode::parse_error,
                "downlink: items[0]: member pseudonym is missing");
  check_refused(replaced(ok, "\"version\":1", "\"version\":0"), ErrorCode::invalid_argument,
                "downlink: items[0]: version must be between 1 and 9223372036854775807, got 0");
  check_refused(replaced(ok, "\"store_id\":\"\"", "\"store_id\":\"s 1\""),
                ErrorCode::invalid_argument,
                "downlink: items[0]: store_id must be \"\" or 1 to 64 bytes of A-Z, a-z, 0-9, "
                "'.', '_' and '-', got \"s 1\"");
  check_refused(replaced(ok, "2026-01-01T00:00:01Z", "2026-13-01T00:00:01Z"),
                ErrorCode::invalid_argument,
                "downlink: items[0]: published_at \"2026-13-01T00:00:01Z\" is not a valid time: "
                "month 13 is out of range (expected YYYY-MM-DDTHH:MM:SSZ or an offset like "
                "+03:00)");
  check_refused(replaced(ok, "loyalty-downlink-v1", "loyalty-downlink-v0"),
                ErrorCode::invalid_argument,
                "downlink: format must be \"loyalty-downlink-v1\", got \"loyalty-downlink-v0\"");
  check_refused(replaced(ok, "\"items\":[", "\"items\":[3,"), ErrorCode::parse_error,
                "downlink: items[0]: must be a JSON object, got integer");
}

std::string one_item(loyalty::sync::DownlinkBody body) {
  return encode_downlink_json(Downlink{0, 1, {item(1, std::move(body))}});
}

TEST_CASE("downlink bundles and signing keys with bad values are refused", "[sync][wire]") {
  using loyalty::sync::SignedBundle;
  const SignedBundle bundle{"hq-1", "coffee", 3, Timestamp{1767312000}, "{}", signature_bytes};
  REQUIRE(decode_downlink_json(one_item(bundle)).ok());
  SignedBundle bad = bundle;
  bad.signature.pop_back();
  check_refused(
      one_item(bad), ErrorCode::invalid_argument,
      "downlink: items[0]: signature must be the 64 bytes of an Ed25519 signature, got 63");
  const std::string good_signature = loyalty::sync::base64_encode(signature_bytes);
  check_refused(replaced(one_item(bundle), good_signature, "AQEB*" + good_signature.substr(5)),
                ErrorCode::invalid_argument,
                "downlink: items[0]: signature base64: character 5 is not allowed there "
                "(expected RFC 4648 base64 with padding)");
  bad = bundle;
  bad.program_version = 0;
  check_refused(one_item(bad), ErrorCode::invalid_argument,
                "downlink: items[0]: program_version must be between 1 and 9223372036854775807, "
                "got 0");
  bad = bundle;
  bad.program_json = "";
  check_refused(one_item(bad), ErrorCode::invalid_argument,
                "downlink: items[0]: program must be the bundle's JSON text, got \"\"");
  bad = bundle;
  bad.key_id = "hq 1";
  check_refused(one_item(bad), ErrorCode::invalid_argument,
                "downlink: items[0]: key_id must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and "
                "'-', got \"hq 1\"");
  check_refused(replaced(one_item(bundle), "\"2026-01-02T00:00:00Z\"", "1767312000"),
                ErrorCode::parse_error,
                "downlink: items[0]: effective_from must be a string, got integer");
  const loyalty::sync::SignedKey key{{"hq-2", ""}, "hq-1", signature_bytes};
  check_refused(one_item(key), ErrorCode::invalid_argument,
                "downlink: items[0]: public_pem must be 1 to 1048576 bytes of PEM, got 0");
}

TEST_CASE("downlink blocks, customers and keys with bad values are refused", "[sync][wire]") {
  check_refused(one_item(loyalty::sync::BlockItem{"p-1", "lost", false}),
                ErrorCode::invalid_argument,
                "downlink: items[0]: reason must be \"\" for an unblock");
  check_refused(one_item(loyalty::sync::EraseItem{""}), ErrorCode::invalid_argument,
                "downlink: items[0]: pseudonym must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' "
                "and '-', got \"\"");
  loyalty::sync::CustomerItem customer{
      "p-1", loyalty::limits::points_max + 1, 0, std::nullopt, std::nullopt, false, std::nullopt, 0,
      0};
  check_refused(one_item(customer), ErrorCode::invalid_argument,
                "downlink: items[0]: balance_points must be between -1000000000000 and "
                "1000000000000, got 1000000000001");
  customer.balance_points = 5;
  customer.tier = "";
  check_refused(one_item(customer), ErrorCode::invalid_argument,
                "downlink: items[0]: tier must be 1 to 64 bytes of A-Z, a-z, 0-9, '.', '_' and "
                "'-', got \"\"");
  customer.tier = std::nullopt;
  check_refused(replaced(one_item(customer), "\"flagged\":false", "\"flagged\":0"),
                ErrorCode::parse_error,
                "downlink: items[0]: flagged must be true or false, got integer");
  customer.period_spend = -1;
  check_refused(one_item(customer), ErrorCode::invalid_argument,
                "downlink: items[0]: period_spend must be between 0 and 1000000000000, got -1");
  customer.period_spend = 0;
  customer.period_points = loyalty::limits::points_max + 1;
  check_refused(one_item(customer), ErrorCode::invalid_argument,
                "downlink: items[0]: period_points must be between 0 and 1000000000000, got "
                "1000000000001");
  customer.period_points = 0;
  // An HQ from before the tier period sends none of its three members: no tier period.
  const std::string without = replaced(
      one_item(customer), ",\"review_at\":null,\"period_spend\":0,\"period_points\":0", "");
  CHECK(without.find("period_spend") == std::string::npos);
  const Result<Downlink> old_hq = decode_downlink_json(without);
  REQUIRE(old_hq.ok());
  const auto& item = std::get<loyalty::sync::CustomerItem>(old_hq->items[0].body);
  CHECK_FALSE(item.review_at.has_value());
  CHECK(item.period_spend == 0);
  customer.period_spend = 0;
  check_refused(replaced(one_item(customer), "\"review_at\":null", "\"review_at\":\"soon\""),
                ErrorCode::invalid_argument,
                "downlink: items[0]: review_at \"soon\" is not a valid time: the year must be 4 "
                "digits (expected YYYY-MM-DDTHH:MM:SSZ or an offset like +03:00)");
  loyalty::sync::KeysItem keys{"pk-1", std::string(64, 'A'), {}};
  check_refused(one_item(keys), ErrorCode::invalid_argument,
                "downlink: items[0]: pseudonym_key_hex must be 64 lowercase hex digits, got \"" +
                    std::string(64, 'A') + "\"");
  keys.pseudonym_key_hex = std::string(64, 'a');
  REQUIRE(decode_downlink_json(one_item(keys)).ok());
  keys.app_token_keys = {{"app-1", std::string(33, 'b')}};
  check_refused(one_item(keys), ErrorCode::invalid_argument,
                "downlink: items[0]: app_token_keys[0]: key_hex must be 16 to 1024 bytes as "
                "lowercase hex digits (an even count)");
  keys.app_token_keys = {{"app-1", std::string(32, 'b')},
                         {std::string(33, 'k'), std::string(32, 'b')}};
  check_refused(one_item(keys), ErrorCode::invalid_argument,
                "downlink: items[0]: app_token_keys[1]: key_id must be at most 32 bytes");
}

TEST_CASE("a downlink carries rule bundles far larger than core's default string bound",
          "[sync][wire]") {
  // A real chain's bundle is tens of kilobytes; core's parse() bounds strings to 4 KiB by
  // default, which the downlink lifts for its documents.
  std::string program = "{\"rules\":[";
  while (program.size() < 200'000)
    program += "{\"id\":\"r-" + std::to_string(program.size()) + "\"},";
  program.back() = ']';
  program += "}";
  Downlink d;
  d.latest = 1;
  d.items.push_back(item(1, loyalty::sync::SignedBundle{"hq-1", "big", 1, Timestamp{1767312000},
                                                        program, signature_bytes}));
  const Result<Downlink> decoded =
      loyalty::sync::decode_downlink(loyalty::sync::encode_downlink(d));
  REQUIRE(decoded.ok());
  CHECK(std::get<loyalty::sync::SignedBundle>(decoded->items[0].body).program_json == program);
}

TEST_CASE("the fuzz seeds named valid_ are downlinks that decode, the _bad ones are refused",
          "[sync][wire]") {
  const std::filesystem::path seeds =
      std::filesystem::path(LOYALTY_SOURCE_DIR) / "tests/fuzz/corpus/sync_downlink";
  int valid = 0;
  for (const auto& entry : std::filesystem::directory_iterator(seeds)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ack_", 0) == 0) continue;  // the same target's ack seeds
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Result<Downlink> decoded = decode_downlink_json(text);
    INFO(name << ": " << (decoded.ok() ? std::string("accepted") : decoded.error().message));
    if (name.rfind("valid_", 0) == 0) {
      CHECK(decoded.ok());
      ++valid;
    } else {
      CHECK_FALSE(decoded.ok());
    }
  }
  CHECK(valid == 2);
}
