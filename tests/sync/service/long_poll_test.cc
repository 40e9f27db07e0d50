// HqService, GET /v1/downlink: items at once, long polls answered when another store object (as
// `loyalty-hq publish` in another process) publishes or an apply changes a customer, and long
// polls that run out.

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "service/service_fixture.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Timed {
  HttpsResponse response;
  Clock::time_point answered;
};

// Sends GET `target` on its own client and thread; the future has the answer and when it came.
std::future<Timed> get_async(ServiceFixture& fixture, const std::string& target) {
  return std::async(std::launch::async, [&fixture, target] {
    HttpsRequest request;
    request.target = target;
    HttpsResponse response = fixture.send(request, milliseconds(10'000));
    return Timed{std::move(response), Clock::now()};
  });
}

}  // namespace

TEST_CASE("hq service sends what is published at once", "[sync][service]") {
  ServiceFixture fixture;
  {
    auto store = open_hq(fixture.db_path());
    REQUIRE(store->publish("", BlockItem{alice, "stolen", true}, at_seconds(service_t0)).ok());
    REQUIRE(store->publish("store-2", EraseItem{alice}, at_seconds(service_t0)).ok());
    REQUIRE(store->publish("store-1", EraseItem{alice}, at_seconds(service_t0 + 1)).ok());
  }
  const Downlink downlink = downlink_of(fixture.get("/v1/downlink?after=0&wait_ms=5000"));
  CHECK(downlink.after == 0);
  CHECK(downlink.latest == 3);
  REQUIRE(downlink.items.size() == 2);
  CHECK(downlink.items[0] ==
        DownlinkItem{1, "", at_seconds(service_t0), BlockItem{alice, "stolen", true}});
  CHECK(downlink.items[1] ==
        DownlinkItem{3, "store-1", at_seconds(service_t0 + 1), EraseItem{alice}});
  const Downlink nothing = downlink_of(fixture.get("/v1/downlink?after=3"));
  CHECK(nothing == Downlink{3, 3, {}});
}

TEST_CASE("hq service answers a long poll soon after another store object publishes",
          "[sync][service]") {
  ServiceFixture fixture;
  std::future<Timed> poll = get_async(fixture, "/v1/downlink?after=0&wait_ms=5000");
  std::this_thread::sleep_for(milliseconds(250));  // parked by now
  REQUIRE(poll.wait_for(milliseconds(0)) == std::future_status::timeout);
  auto other = open_hq(fixture.db_path());  // another "process" on the same file
  const Clock::time_point published = Clock::now();
  REQUIRE(
      other->publish("store-1", BlockItem{alice, "lost card", true}, at_seconds(service_t0)).ok());
  REQUIRE(poll.wait_for(milliseconds(2'000)) == std::future_status::ready);
  const Timed answer = poll.get();
  CHECK(answer.answered - published < milliseconds(300));
  const Downlink downlink = downlink_of(answer.response);
  CHECK(downlink.latest == 1);
  REQUIRE(downlink.items.size() == 1);
  CHECK(downlink.items[0] ==
        DownlinkItem{1, "store-1", at_seconds(service_t0), BlockItem{alice, "lost card", true}});
  CHECK(fixture.service().stats().long_polls_answered == 1);
}

TEST_CASE("hq service does not answer a long poll with another store's items", "[sync][service]") {
  ServiceFixture fixture;
  std::future<Timed> poll = get_async(fixture, "/v1/downlink?after=0&wait_ms=400");
  std::this_thread::sleep_for(milliseconds(150));
  REQUIRE(open_hq(fixture.db_path())
              ->publish("store-2", EraseItem{alice}, at_seconds(service_t0))
              .ok());
  const Timed answer = poll.get();
  CHECK(downlink_of(answer.response) == Downlink{0, 0, {}});
}

TEST_CASE("hq service answers a long poll with a customer's state after a batch is applied",
          "[sync][service]") {
  ServiceFixture fixture;
  std::future<Timed> poll = get_async(fixture, "/v1/downlink?after=0&wait_ms=5000");
  std::this_thread::sleep_for(milliseconds(150));
  REQUIRE(ack_of(fixture.post_batch(five_earns().all())).held_seq == 5);
  REQUIRE(poll.wait_for(milliseconds(2'000)) == std::future_status::ready);
  const Downlink downlink = downlink_of(poll.get().response);
  REQUIRE(downlink.items.size() == 1);
  const CustomerItem* customer = std::get_if<CustomerItem>(&downlink.items[0].body);
  REQUIRE(customer != nullptr);
  CHECK(*customer == CustomerItem{alice, 50, 5, std::nullopt, "gold", false, std::nullopt, 0, 0});
}

TEST_CASE("hq service answers a long poll that runs out with no items", "[sync][service]") {
  ServiceFixture fixture;
  {
    auto store = open_hq(fixture.db_path());
    REQUIRE(store->publish("", EraseItem{alice}, at_seconds(service_t0)).ok());
  }
  const Clock::time_point sent = Clock::now();
  std::future<Timed> poll = get_async(fixture, "/v1/downlink?after=1&wait_ms=300");
  const Timed answer = poll.get();
  CHECK(answer.answered - sent >= milliseconds(300));
  CHECK(answer.answered - sent < milliseconds(1'000));
  CHECK(downlink_of(answer.response) == Downlink{1, 1, {}});
  CHECK(fixture.service().stats().long_polls_timed_out == 1);
}
