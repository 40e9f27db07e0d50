// HqService's paths, methods and parameters: 404, 405, 400 for a bad downlink query; and what
// start() refuses.

#include <catch2/catch.hpp>

#include "service/service_fixture.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

TEST_CASE("hq service answers an unknown path with 404 and a wrong method with 405",
          "[sync][service]") {
  ServiceFixture fixture;
  const HttpsResponse unknown = fixture.get("/v1/nothing");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown) ==
        "no such path \"/v1/nothing\" (the API has /v1/batches, /v1/uplink/state and "
        "/v1/downlink)");
  CHECK(fixture.get("/").status == 404);
  CHECK(fixture.get("/v1/batches/").status == 404);
  const HttpsResponse get_batches = fixture.get("/v1/batches");
  CHECK(get_batches.status == 405);
  CHECK(error_of(get_batches) == "method GET is not allowed here; use POST");
  HttpsRequest post_state;
  post_state.method = "POST";
  post_state.target = "/v1/uplink/state";
  CHECK(fixture.send(post_state).status == 405);
  post_state.target = "/v1/downlink?after=0";
  CHECK(fixture.send(post_state).status == 405);
  const HttpsResponse with_query = fixture.get("/v1/uplink/state?x=1");
  CHECK(with_query.status == 400);
  CHECK(error_of(with_query) == "/v1/uplink/state takes no query parameters");
}

TEST_CASE("hq service refuses a bad downlink query with 400", "[sync][service]") {
  ServiceFixture fixture;
  using Case = std::pair<std::string, std::string>;
  const std::string expected = " (expected after=V&wait_ms=W&max=N)";
  const std::vector<Case> cases = {
      Case{"", "missing after"},
      Case{"?", "missing after"},
      Case{"?wait_ms=10", "missing after"},
      Case{"?after=", "after must be a decimal number of 1..18 digits, not \"\""},
      Case{"?after=-1", "after must be a decimal number of 1..18 digits, not \"-1\""},
      Case{"?after=1x", "after must be a decimal number of 1..18 digits, not \"1x\""},
      Case{"?after=+1", "after must be a decimal number of 1..18 digits, not \"+1\""},
      Case{"?after=9999999999999999999",
           "after must be a decimal number of 1..18 digits, not \"9999999999999999999\""},
      Case{"?after=1&wait_ms=1.5", "wait_ms must be a decimal number of 1..18 digits, not \"1.5\""},
      Case{"?after=1&max=0", "max must be at least 1"},
      Case{"?after=1&after=2", "after is given more than once"},
      Case{"?after=1&limit=2", "unknown parameter \"limit\""},
      Case{"?after", "parameter \"after\" has no value"},
      Case{"?after=1&", "an empty parameter (\"&&\" or a trailing '&')"},
      Case{"?after=1&&max=2", "an empty parameter (\"&&\" or a trailing '&')"},
      Case{"?after=%31", "after must be a decimal number of 1..18 digits, not \"%31\""}};
  for (const auto& [query, message] : cases) {
    INFO(query);
    const HttpsResponse response = fixture.get("/v1/downlink" + query);
    CHECK(response.status == 400);
    CHECK(error_of(response) == "downlink query: " + message + expected);
  }
}

TEST_CASE("hq service accepts the downlink parameters in any order and caps max",
          "[sync][service]") {
  ServiceFixture fixture;
  {
    auto store = open_hq(fixture.db_path());
    for (int i = 0; i < 3; ++i) {
      REQUIRE(
          store
              ->publish("", BlockItem{alice, "r" + std::to_string(i), true}, at_seconds(service_t0))
              .ok());
    }
  }
  const Downlink two = downlink_of(fixture.get("/v1/downlink?max=2&wait_ms=0&after=0"));
  CHECK(two.after == 0);
  CHECK(two.latest == 3);
  REQUIRE(two.items.size() == 2);
  CHECK(two.items[0].version == 1);
  CHECK(two.items[1].version == 2);
  const Downlink capped = downlink_of(fixture.get("/v1/downlink?after=1&max=99999999"));
  REQUIRE(capped.items.size() == 2);
  CHECK(capped.items[0].version == 2);
}

TEST_CASE("hq service start refuses options that cannot work", "[sync][service]") {
  TempDir dir;
  TestPki pki;
  boost::asio::io_context io;
  HqServiceOptions options;
  options.listen_port = 0;
  options.tls = pki.server_files();
  SECTION("no store factory") {
    Result<std::unique_ptr<HqService>> service = HqService::start(io, options);
    REQUIRE(!service.ok());
    CHECK(service.error().code == ErrorCode::invalid_argument);
    CHECK(service.error().message == "the HQ service needs a store factory");
  }
  SECTION("no workers") {
    options.store_factory = [&dir] { return open_sqlite_hq_store(dir.file("hq.db")); };
    options.workers = 0;
    Result<std::unique_ptr<HqService>> service = HqService::start(io, options);
    REQUIRE(!service.ok());
    CHECK(service.error().message == "the HQ service needs 1..64 workers, not 0");
  }
  SECTION("a store that does not open") {
    options.store_factory = []() -> Result<std::unique_ptr<HqStore>> {
      return make_error(ErrorCode::io_error, "hq.db: disk on fire");
    };
    Result<std::unique_ptr<HqService>> service = HqService::start(io, options);
    REQUIRE(!service.ok());
    CHECK(service.error().code == ErrorCode::io_error);
    CHECK(service.error().message == "cannot open the HQ store: hq.db: disk on fire");
  }
  SECTION("a missing certificate") {
    options.store_factory = [&dir] { return open_sqlite_hq_store(dir.file("hq.db")); };
    options.tls.certificate_path = dir.file("missing.crt");
    Result<std::unique_ptr<HqService>> service = HqService::start(io, options);
    REQUIRE(!service.ok());
    CHECK(service.error().message.find(dir.file("missing.crt")) != std::string::npos);
  }
}
