// HqStore::publish, downlink and latest_version: chain and store items, customer items; on
// SQLite and PostgreSQL.

#include <catch2/catch.hpp>

#include "journal_builder.h"
#include "loyalty/sync/hq_store.h"
#include "store_backends.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
const std::string alice = "ps1_0123456789abcdef0123456789abcdef";

// Items are compared by their fields and the body of the expected kind, so a failure says which.
template <class Body>
bool same_item(const DownlinkItem& item, std::int64_t version, const std::string& store_id,
               Timestamp published_at, const Body& body) {
  const Body* held = std::get_if<Body>(&item.body);
  return item.version == version && item.store_id == store_id &&
         item.published_at == published_at && held != nullptr && *held == body;
}

}  // namespace

TEST_CASE("hq downlink sends chain and own-store items and customer states") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  const std::unique_ptr<HqStore> opened = where.open();
  HqStore& store = *opened;
  const SignedBundle bundle{
      "k1", "prog", 3, at_seconds(t0), std::string(10000, 'x'), std::string("\x00\xff\x10", 3)};
  Result<std::int64_t> v1 = store.publish("", bundle, at_seconds(t0));
  Result<std::int64_t> v2 =
      store.publish("A", BlockItem{alice, "stolen", true}, at_seconds(t0 + 1));
  Result<std::int64_t> v3 = store.publish("B", EraseItem{alice}, at_seconds(t0 + 2));
  REQUIRE(v1.ok());
  REQUIRE(v2.ok());
  REQUIRE(v3.ok());
  CHECK(*v1 == 1);
  CHECK(*v2 == 2);
  CHECK(*v3 == 3);

  const TerminalIdentity b1{"B", "b1"};
  Result<Downlink> for_b = store.downlink(b1, 0, 100);
  REQUIRE(for_b.ok());
  CHECK(for_b->after == 0);
  CHECK(for_b->latest == 3);
  REQUIRE(for_b->items.size() == 2);
  CHECK(same_item(for_b->items[0], 1, "", at_seconds(t0), bundle));
  CHECK(same_item(for_b->items[1], 3, "B", at_seconds(t0 + 2), EraseItem{alice}));
  Result<std::int64_t> latest_a = store.latest_version("A");
  REQUIRE(latest_a.ok());
  CHECK(*latest_a == 2);

  JournalBuilder a("A", "a1", 1);
  a.checkout(at_seconds(t0 + 10), alice, 1000, {earn_lot(alice, 100, at_seconds(t0 + 90000))},
             "gold");
  a.checkout(at_seconds(t0 + 20), alice, 1000, {burn(alice, 30)}, "gold");
  REQUIRE(store.ingest(a.identity(), a.all(), at_seconds(t0 + 30)).ok());
  Result<Downlink> before_apply = store.downlink(a.identity(), 2, 100);
  REQUIRE(before_apply.ok());
  CHECK(before_apply->items.empty());
  REQUIRE(store.apply(at_seconds(t0 + 40), 100).ok());

  Result<Downlink> for_a = store.downlink(a.identity(), 0, 100);
  REQUIRE(for_a.ok());
  CHECK(for_a->latest == 4);
  REQUIRE(for_a->items.size() == 3);
  CHECK(for_a->items[0].version == 1);
  CHECK(same_item(for_a->items[1], 2, "A", at_seconds(t0 + 1), BlockItem{alice, "stolen", true}));
  const CustomerItem expected{alice,        70, 2, at_seconds(t0 + 90000), "gold", false,
                              std::nullopt, 0,  0};
  CHECK(same_item(for_a->items[2], 4, "A", at_seconds(t0 + 40), expected));
  // items_max bounds the answer; latest says more follows.
  Result<Downlink> one = store.downlink(a.identity(), 0, 1);
  REQUIRE(one.ok());
  REQUIRE(one->items.size() == 1);
  CHECK(one->items[0].version == 1);
  CHECK(one->latest == 4);
  // A terminal of store B is not sent store A's customers or items.
  Result<Downlink> b_again = store.downlink(b1, 3, 100);
  REQUIRE(b_again.ok());
  CHECK(b_again->items.empty());
  CHECK(b_again->latest == 3);
  // Nothing changed for the customer: no new item after its version.
  Result<Downlink> up_to_date = store.downlink(a.identity(), 4, 100);
  REQUIRE(up_to_date.ok());
  CHECK(up_to_date->items.empty());

  // An overdraft from store B makes a new state (its lots used up), sent to both stores, each with
  // its own terminal's as_of_seq.
  JournalBuilder b("B", "b1", 1);
  b.checkout(at_seconds(t0 + 50), alice, 1000, {burn(alice, 100)}, "gold");
  REQUIRE(store.ingest(b.identity(), b.all(), at_seconds(t0 + 60)).ok());
  REQUIRE(store.apply(at_seconds(t0 + 70), 100).ok());
  Result<Downlink> for_b_now = store.downlink(b1, 3, 100);
  REQUIRE(for_b_now.ok());
  REQUIRE(for_b_now->items.size() == 1);
  CHECK(same_item(for_b_now->items[0], 5, "B", at_seconds(t0 + 70),
                  CustomerItem{alice, -30, 1, std::nullopt, "gold", true, std::nullopt, 0, 0}));
  Result<Downlink> for_a_now = store.downlink(a.identity(), 4, 100);
  REQUIRE(for_a_now.ok());
  REQUIRE(for_a_now->items.size() == 1);
  CHECK(same_item(for_a_now->items[0], 5, "A", at_seconds(t0 + 70),
                  CustomerItem{alice, -30, 2, std::nullopt, "gold", true, std::nullopt, 0, 0}));
}
