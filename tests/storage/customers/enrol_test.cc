// Enrolling a new customer at the till: the cache entry, consent, retries and conflicts.
#include <catch2/catch.hpp>

#include "customers/customers_support.h"

namespace loyalty::storage::test {
namespace {

CustomerState new_member(const std::string& id) {
  CustomerState state;
  state.customer_id = id;
  state.birthday = CivilDate{1990, 5, 17};
  state.segments = {"students"};
  return state;
}

TEST_CASE("enrol adds an unconfirmed member with the consent given, and a retry is harmless") {
  CacheFixture f;
  CHECK(f.cache.enrol(new_member("2900000000017"), Consent{true, true}, test_now).value());
  const std::optional<CachedCustomer> cached = f.cache.find("2900000000017").value();
  REQUIRE(cached.has_value());
  CHECK_FALSE(cached->state.known);
  CHECK_FALSE(cached->hq_refreshed_at.has_value());
  CHECK(cached->consent == Consent{true, true});
  CHECK(cached->state.birthday == std::optional<CivilDate>(CivilDate{1990, 5, 17}));
  CHECK(cached->state.segments == std::vector<std::string>{"students"});

  // The POS retries after a timeout: nothing changes.
  CHECK_FALSE(f.cache.enrol(new_member("2900000000017"), Consent{true, true}, day(1)).value());
  // Another enrolment of the same card is refused.
  Result<bool> again = f.cache.enrol(new_member("2900000000017"), Consent{false, true}, day(1));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::conflict);
  CHECK(again.error().message ==
        "card 2900000000017 is already a member here; look the customer up instead of enrolling "
        "the card again");
}

TEST_CASE("enrol without profile consent keeps no birthday and no segments") {
  CacheFixture f;
  CHECK(f.cache.enrol(new_member("2900000000024"), Consent{true, false}, test_now).value());
  const CachedCustomer cached = f.cache.find("2900000000024").value().value();
  CHECK_FALSE(cached.state.birthday.has_value());
  CHECK(cached.state.segments.empty());
  // The same request again is still the same enrolment (the birthday was never kept).
  CHECK_FALSE(f.cache.enrol(new_member("2900000000024"), Consent{true, false}, day(1)).value());
}

TEST_CASE("enrol refuses a card HQ already issued and ids that are not cards") {
  CacheFixture f;
  CustomerState known;
  known.customer_id = "2900000000031";
  REQUIRE(f.cache.refresh_from_hq(known, Consent{}, test_now).ok());
  CHECK(f.cache.enrol(new_member("2900000000031"), Consent{}, day(1)).error().code ==
        ErrorCode::conflict);
  CHECK(f.cache.enrol(new_member(""), Consent{}, day(1)).error().message ==
        "customer id must be 1..64 bytes, got 0");
}

}  // namespace
}  // namespace loyalty::storage::test
