// The POS API's ledger operations over the Unix socket: identify, enrol, quote, open, commit,
// cancel, refund, balance and history, with retries, conflicts and bad requests.
#include <catch2/catch.hpp>
#include <chrono>

#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

std::string with_customer(const std::string& receipt_json, const std::string& customer) {
  return "{\"customer_id\":\"" + customer + "\",\"receipt\":" + receipt_json + "}";
}

std::int64_t integer(const json::Value& value, std::initializer_list<const char*> path) {
  const json::Value* at = &value;
  for (const char* key : path) {
    at = at->find(key);
    if (at == nullptr) FAIL("no member " << key);
  }
  return at->as_int();
}

std::string text(const json::Value& value, const char* key) {
  const json::Value* member = value.find(key);
  if (member == nullptr || !member->is_string()) FAIL("no string member " << key);
  return member->as_string();
}

TEST_CASE("api: identify names a loyalty card and refuses bad input with its reason") {
  DaemonFixture till;
  const Reply good = till.post("/v1/identify", std::string("{\"input\":\"") + card + "\"}");
  REQUIRE(good.status == 200);
  const json::Value body = good.json();
  CHECK(text(*body.find("token"), "kind") == "loyalty_card");
  CHECK(text(*body.find("token"), "value") == card);
  CHECK(text(*body.find("customer"), "customer_id") == card);
  CHECK_FALSE(body.find("customer")->find("member")->as_bool());
  CHECK(integer(body, {"customer", "balance", "available"}) == 0);

  const Reply digit = till.post("/v1/identify", "{\"input\":\"2900000000019\"}");
  CHECK(digit.status == 422);
  CHECK(text(digit.json(), "code") == "bad_check_digit");
  CHECK(text(digit.json(), "field") == "input");

  const Reply source = till.post("/v1/identify", "{\"input\":\"x\",\"source\":\"mind\"}");
  CHECK(source.status == 422);
  CHECK(text(source.json(), "field") == "source");
  CHECK(till.post("/v1/identify", "{}").status == 422);
}

TEST_CASE("api: enrol a member with consent, a retry is harmless, a different one conflicts") {
  DaemonFixture till;
  const std::string body = std::string("{\"customer_id\":\"") + card +
                           "\",\"consent\":{\"marketing\":true,\"profile\":false}}";
  const Reply created = till.post("/v1/customers", body);
  REQUIRE(created.status == 201);
  CHECK_FALSE(created.json().find("replayed")->as_bool());
  CHECK(created.json().find("customer")->find("member")->as_bool());
  const Reply again = till.post("/v1/customers", body);
  CHECK(again.status == 200);
  CHECK(again.json().find("replayed")->as_bool());
  const Reply other = till.post("/v1/customers", std::string("{\"customer_id\":\"") + card +
                                                     "\",\"consent\":{\"marketing\":false}}");
  CHECK(other.status == 409);
  const Reply not_ours = till.post("/v1/customers",
                                   "{\"customer_id\":\"4111111111111111\",\"consent\":{}}");
  CHECK(not_ours.status == 422);
  CHECK(text(not_ours.json(), "field") == "customer_id");
  const Reply no_consent = till.post("/v1/customers", std::string("{\"customer_id\":\"") + card + "\"}");
  CHECK(no_consent.status == 422);
  CHECK(text(no_consent.json(), "field") == "consent");
}

TEST_CASE("api: quote writes nothing, commit writes once, and a retry returns the stored result") {
  DaemonFixture till;
  const std::string receipt = example_receipt("basket-120", "R-100");
  const Reply quoted = till.post("/v1/quote", with_customer(receipt, card));
  REQUIRE(quoted.status == 200);
  const std::int64_t earned = integer(quoted.json(), {"quote", "points", "earned"});
  CHECK(earned > 0);
  CHECK(till.get(std::string("/v1/customers/") + card + "/history").json().find("entries")
            ->as_array()
            .empty());
  CHECK(till.get("/v1/receipts/R-100").status == 404);

  const Reply committed = till.post("/v1/receipts/R-100/commit", with_customer(receipt, card));
  REQUIRE(committed.status == 201);
  CHECK(text(committed.json(), "state") == "committed");
  CHECK_FALSE(committed.json().find("replayed")->as_bool());
  CHECK(integer(committed.json(), {"quote", "points", "earned"}) == earned);
  const std::int64_t seq = integer(committed.json(), {"event_seq"});

  // The POS timed out and sends it again, without "at": the same result, nothing written.
  const Reply retried = till.post("/v1/receipts/R-100/commit", with_customer(receipt, card));
  REQUIRE(retried.status == 200);
  CHECK(retried.json().find("replayed")->as_bool());
  CHECK(integer(retried.json(), {"event_seq"}) == seq);
  // The same id with another basket is a conflict.
  const Reply other = till.post("/v1/receipts/R-100/commit",
                                with_customer(example_receipt("basket-80", "R-100"), card));
  CHECK(other.status == 409);
  CHECK(text(other.json(), "type") == "urn:loyalty:problem:conflict");

  const Reply balance = till.get(std::string("/v1/customers/") + card + "/balance");
  REQUIRE(balance.status == 200);
  CHECK(integer(balance.json(), {"posted"}) == earned);
  CHECK(integer(balance.json(), {"pending"}) == 0);
  const Reply history = till.get(std::string("/v1/customers/") + card + "/history");
  const json::Value history_body = history.json();
  REQUIRE(history_body.find("entries")->as_array().size() == 1);
  const json::Value& entry = history_body.find("entries")->as_array()[0];
  CHECK(text(entry, "id") == "R-100");
  CHECK(integer(entry, {"earned"}) == earned);

  const Reply stored = till.get("/v1/receipts/R-100");
  REQUIRE(stored.status == 200);
  CHECK(text(stored.json(), "state") == "committed");
  CHECK(text(stored.json(), "customer_id") == card);
}

TEST_CASE("api: the path and the receipt must name the same receipt") {
  DaemonFixture till;
  const Reply mismatch = till.post("/v1/receipts/R-1/commit",
                                   with_customer(example_receipt("basket-120", "R-2"), card));
  CHECK(mismatch.status == 422);
  CHECK(text(mismatch.json(), "field") == "receipt.receipt_id");
  const Reply broken = till.post("/v1/receipts/R-1/commit",
                                 "{\"receipt\":{\"receipt_id\":\"R-1\",\"lines\":\"none\"}}");
  CHECK(broken.status == 422);
  CHECK(text(broken.json(), "field").rfind("receipt", 0) == 0);
  const Reply nothing = till.post("/v1/receipts/R-1/commit", "{}");
  CHECK(nothing.status == 404);
}

TEST_CASE("api: open holds the points, cancel releases them, and a cancelled receipt stays so") {
  DaemonFixture till;
  // grocery.json redeems from a balance of 500: five baskets of 120 earn enough.
  for (const char* id : {"R-1a", "R-1b", "R-1c", "R-1d", "R-1e"}) {
    REQUIRE(till.post(std::string("/v1/receipts/") + id + "/commit",
                      with_customer(example_receipt("basket-120", id), card))
                .status == 201);
  }
  // Points become available at the next local midnight: quote the redemption two days on.
  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::string later =
      "\"at\":\"" + format_timestamp(Timestamp{now_s + 2 * 86400}) + "\"";
  const std::string receipt = example_receipt("basket-80", "R-2");
  std::string redeeming = receipt;
  redeeming.pop_back();
  redeeming += ",\"redeem\":{\"points\":10}}";
  const std::string body = "{\"customer_id\":\"" + std::string(card) + "\"," + later +
                           ",\"receipt\":" + redeeming + "}";
  const Reply opened = till.post("/v1/receipts/R-2/open", body);
  INFO(opened.body);
  REQUIRE(opened.status == 201);
  CHECK(text(opened.json(), "state") == "open");
  REQUIRE(integer(opened.json(), {"quote", "points", "burned"}) == 10);
  CHECK(integer(till.get(std::string("/v1/customers/") + card + "/balance").json(),
                {"pending"}) == 10);
  const Reply cancelled = till.post("/v1/receipts/R-2/cancel", "");
  REQUIRE(cancelled.status == 200);
  CHECK(text(cancelled.json(), "state") == "cancelled");
  CHECK(integer(till.get(std::string("/v1/customers/") + card + "/balance").json(),
                {"pending"}) == 0);
  CHECK(till.post("/v1/receipts/R-2/cancel", "").json().find("replayed")->as_bool());
  CHECK(till.post("/v1/receipts/R-2/commit", "").status == 409);
  CHECK(till.post("/v1/receipts/R-9/cancel", "").status == 404);
}

TEST_CASE("api: refunds by line and quantity, idempotent by refund id") {
  DaemonFixture till;
  REQUIRE(till.post("/v1/receipts/R-1/commit",
                    with_customer(example_receipt("basket-120", "R-1"), card))
              .status == 201);
  const std::string body = "{\"receipt_id\":\"R-1\",\"lines\":[{\"line\":0,\"quantity\":1}]}";
  const Reply refunded = till.post("/v1/refunds/F-1", body);
  REQUIRE(refunded.status == 201);
  CHECK(text(refunded.json(), "refund_id") == "F-1");
  CHECK(integer(refunded.json(), {"reversal", "earned_reversed"}) > 0);
  const Reply again = till.post("/v1/refunds/F-1", body);
  CHECK(again.status == 200);
  CHECK(again.json().find("replayed")->as_bool());
  CHECK(till.post("/v1/refunds/F-1", "{\"receipt_id\":\"R-1\",\"lines\":[{\"line\":1,"
                                     "\"quantity\":1}]}")
            .status == 409);
  const Reply bad_line = till.post("/v1/refunds/F-2", "{\"receipt_id\":\"R-1\",\"lines\":[{"
                                                      "\"line\":-1,\"quantity\":1}]}");
  CHECK(bad_line.status == 422);
  CHECK(text(bad_line.json(), "field") == "lines[0].line");
  const Reply zero = till.post("/v1/refunds/F-2", "{\"receipt_id\":\"R-1\",\"lines\":[{"
                                                  "\"line\":0,\"quantity\":0}]}");
  CHECK(text(zero.json(), "field") == "lines[0].quantity");
  CHECK(till.post("/v1/refunds/F-3", "{\"receipt_id\":\"R-404\",\"lines\":[{\"line\":0,"
                                     "\"quantity\":1}]}")
            .status == 404);
}

TEST_CASE("api: the event stream tells the POS what happened, in order") {
  DaemonFixture till;
  EventStream events(till.socket());
  CHECK(text(events.next(), "type") == "stream.opened");
  REQUIRE(till.post("/v1/identify", std::string("{\"input\":\"") + card + "\"}").status == 200);
  const json::Value identified = events.next_of_type("customer.identified");
  CHECK(text(*identified.find("data")->find("token"), "value") == card);
  REQUIRE(till.post("/v1/receipts/R-1/commit",
                    with_customer(example_receipt("basket-120", "R-1"), card))
              .status == 201);
  const json::Value committed = events.next_of_type("receipt.committed");
  CHECK(text(*committed.find("data"), "receipt_id") == "R-1");
  CHECK(integer(committed, {"seq"}) > integer(identified, {"seq"}));
  CHECK(text(*committed.find("data")->find("customer"), "customer_id") == card);
}

TEST_CASE("api: the event stream needs the token too, and refuses web pages") {
  DaemonFixture till;
  CHECK_THROWS(EventStream(till.socket(), ""));
  // Upgrade without Connection: Upgrade is no WebSocket handshake.
  const Reply upgrade = till.get("/v1/events", RequestOptions::with_header("Upgrade", "websocket"));
  CHECK(upgrade.status == 426);
  CHECK(upgrade.json().find("type")->as_string() == "urn:loyalty:problem:upgrade-required");
  const Reply page = till.get("/v1/events", RequestOptions::with_header("Origin", "http://x"));
  CHECK(page.status == 403);
}

}  // namespace
}  // namespace loyalty::daemon::test
