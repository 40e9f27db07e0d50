// The POS API over its Unix socket: tokens, Origin, routes, content types and problem documents.
#include <catch2/catch.hpp>

#include "daemon/daemon_fixture.h"
#include "loyalty/drivers/log.h"

namespace loyalty::daemon::test {
namespace {

std::string problem_type(const Reply& reply) {
  CHECK(reply.content_type == "application/problem+json");
  const json::Value body = reply.json();
  const json::Value* type = body.find("type");
  REQUIRE(type != nullptr);
  return type->as_string();
}

TEST_CASE("api: a missing or wrong token gets 401, logged without the token") {
  std::vector<std::string> logged;
  drivers::LogSink previous = drivers::set_log_sink(
      [&](drivers::LogLevel, std::string_view message) { logged.emplace_back(message); });
  {
    DaemonFixture till;
    const Reply none = till.get("/v1/health", RequestOptions::with_token(""));
    CHECK(none.status == 401);
    CHECK(problem_type(none) == "urn:loyalty:problem:unauthorized");
    CHECK(std::string(none.headers["WWW-Authenticate"]) == "Bearer realm=\"loyaltyd\"");
    const std::string wrong = "wrong-token-0123456789abcdef0123456789abcdef";
    const Reply bad = till.get("/v1/health", RequestOptions::with_token(wrong));
    CHECK(bad.status == 401);
    CHECK(bad.json().find("detail")->as_string() ==
          "the request carries an unknown bearer token; send Authorization: Bearer <token>");
    CHECK(bad.body.find(wrong) == std::string::npos);
    CHECK(till.get("/v1/health").status == 200);
  }
  drivers::set_log_sink(previous);
  REQUIRE(logged.size() >= 2);
  CHECK(std::count(logged.begin(), logged.end(),
                   "POS API: 401 for GET /v1/health: an unknown bearer token") == 1);
  for (const std::string& line : logged) {
    CHECK(line.find("wrong-token") == std::string::npos);
    CHECK(line.find(api_token) == std::string::npos);
  }
}

TEST_CASE("api: a request from a web page is refused whatever its token") {
  DaemonFixture till;
  const Reply page =
      till.get("/v1/health", RequestOptions::with_header("Origin", "http://127.0.0.1:8765"));
  CHECK(page.status == 403);
  CHECK(problem_type(page) == "urn:loyalty:problem:forbidden-origin");
  CHECK(page.headers.find("Access-Control-Allow-Origin") == page.headers.end());
}

TEST_CASE("api: unknown routes, methods and bodies get their own problem") {
  DaemonFixture till;
  const Reply missing = till.get("/v1/nothing");
  CHECK(missing.status == 404);
  CHECK(problem_type(missing) == "urn:loyalty:problem:not-found");
  CHECK(missing.json().find("instance")->as_string() == "/v1/nothing");

  const Reply method = till.get("/v1/quote");
  CHECK(method.status == 405);
  CHECK(method.json().find("detail")->as_string() == "/v1/quote takes POST, not GET");
  CHECK(std::string(method.headers["Allow"]) == "POST");
  const Reply plain_events = till.get("/v1/events");
  CHECK(plain_events.status == 426);
  CHECK(problem_type(plain_events) == "urn:loyalty:problem:upgrade-required");
  CHECK(std::string(plain_events.headers["Upgrade"]) == "websocket");

  const Reply not_json = till.post("/v1/quote", "{\"receipt\": ");
  CHECK(not_json.status == 400);
  CHECK(problem_type(not_json) == "urn:loyalty:problem:bad-request");

  const Reply array = till.post("/v1/quote", "[1]");
  CHECK(array.status == 400);
  CHECK(array.json().find("detail")->as_string() == "the body must be a JSON object");

  const Reply text = till.post("/v1/quote", "receipt", RequestOptions::with_content_type("text/plain"));
  CHECK(text.status == 415);
  CHECK(problem_type(text) == "urn:loyalty:problem:unsupported-media-type");

  const Reply no_receipt = till.post("/v1/quote", "{}");
  CHECK(no_receipt.status == 422);
  CHECK(no_receipt.json().find("field")->as_string() == "receipt");

  const Reply bad_at = till.post("/v1/quote", "{\"at\": \"yesterday\", \"receipt\": {}}");
  CHECK(bad_at.status == 422);
  CHECK(bad_at.json().find("field")->as_string() == "at");

  const Reply long_id = till.get("/v1/receipts/" + std::string(65, 'x'));
  CHECK(long_id.status == 422);
  CHECK(long_id.json().find("field")->as_string() == "receipt_id");

  const Reply limit = till.get(std::string("/v1/customers/") + card + "/history?limit=0");
  CHECK(limit.status == 422);
  CHECK(limit.json().find("field")->as_string() == "limit");
}

TEST_CASE("api: health and readers answer for the till") {
  DaemonFixture till;
  const Reply health = till.get("/v1/health");
  REQUIRE(health.status == 200);
  CHECK(health.content_type == "application/json");
  const json::Value body = health.json();
  CHECK(body.find("status")->as_string() == "ok");
  CHECK(body.find("terminal_id")->as_string() == "T-test");
  CHECK(body.find("program")->find("program_id")->as_string() == "fresh-market");
  CHECK(body.find("sync")->as_string() == "offline");
  CHECK(body.find("ledger")->find("terminal_id")->as_string() == "T-test");

  const Reply readers = till.get("/v1/readers");
  REQUIRE(readers.status == 200);
  CHECK(readers.body == "{\"readers\":[]}");
}

}  // namespace
}  // namespace loyalty::daemon::test
