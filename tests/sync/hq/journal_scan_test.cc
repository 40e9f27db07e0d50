// HqStore::scan_journal and business dates, on SQLite and PostgreSQL: events are filed under the
// local date of their created_at in the business zone, scanned in projection order and filtered
// by dates, stores and kinds; bad dates are refused, and a store refuses another zone.

#include <catch2/catch.hpp>

#include "journal_builder.h"
#include "loyalty/core/time_zone.h"
#include "store_backends.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
const std::string alice = "ps1_0123456789abcdef0123456789abcdef";

std::vector<std::string> scanned(HqStore& hq, const JournalScan& scan) {
  std::vector<std::string> seen;
  const Status status = hq.scan_journal(scan, [&seen](JournalEvent&& event) {
    seen.push_back(event.business_date + " " + event.store_id + "/" + event.terminal_id + "#" +
                   std::to_string(event.seq) + " " + event.kind);
    return Status();
  });
  if (!status.ok()) FAIL(status.error().message);
  return seen;
}

}  // namespace

TEST_CASE("hq files journal events by business date in its zone and scans them in order", "[hq]") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  const BusinessZone plus_one = std::make_shared<FixedOffsetZone>(60);  // UTC+01:00
  TestStore where(backend, plus_one);
  auto hq = where.open();
  JournalBuilder a("A", "a1", 1);
  a.checkout(at_seconds(t0 - 1800), alice, 100, {earn(alice, 1)});   // 00:30 local, Jan 1
  a.checkout(at_seconds(t0 + 82800), alice, 100, {earn(alice, 1)});  // 00:00 local, Jan 2
  a.refund(at_seconds(t0 + 90000), alice, -100, {});                 // Jan 2
  JournalBuilder b("B", "b1", 1);
  b.checkout(at_seconds(t0 - 3601), std::nullopt, 100, {});   // 23:59:59 local, Dec 31
  b.checkout(at_seconds(t0 + 82799), std::nullopt, 100, {});  // 23:59:59 local, Jan 1
  for (const JournalBuilder* journal : {&a, &b}) {
    REQUIRE(hq->ingest(journal->identity(), journal->all(), at_seconds(t0 + 100000)).ok());
  }
  CHECK(scanned(*hq, {"2025-12-31", "2026-01-02", {}, {}}) ==
        std::vector<std::string>{"2025-12-31 B/b1#1 checkout", "2026-01-01 A/a1#1 checkout",
                                 "2026-01-01 B/b1#2 checkout", "2026-01-02 A/a1#2 checkout",
                                 "2026-01-02 A/a1#3 refund"});
  CHECK(scanned(*hq, {"2026-01-01", "2026-01-01", {}, {}}) ==
        std::vector<std::string>{"2026-01-01 A/a1#1 checkout", "2026-01-01 B/b1#2 checkout"});
  CHECK(scanned(*hq, {"2025-12-31", "2026-01-02", {"A"}, {"checkout"}}) ==
        std::vector<std::string>{"2026-01-01 A/a1#1 checkout", "2026-01-02 A/a1#2 checkout"});
  CHECK(scanned(*hq, {"2026-02-01", "2026-02-28", {}, {}}).empty());

  // The visitor's error stops the scan and is returned.
  int visits = 0;
  const Status stopped =
      hq->scan_journal({"2025-12-31", "2026-01-02", {}, {}}, [&visits](JournalEvent&&) -> Status {
        ++visits;
        return make_error(ErrorCode::internal, "enough");
      });
  CHECK(visits == 1);
  CHECK(stopped.error().message == "enough");

  const Status bad = hq->scan_journal({"2026-01-32", "2026-02-01", {}, {}},
                                      [](JournalEvent&&) { return Status(); });
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  CHECK(bad.error().message ==
        "journal scan: \"2026-01-32\" is not a valid date: day 32 is out of range (expected "
        "YYYY-MM-DD)");
  const Status backwards = hq->scan_journal({"2026-01-02", "2026-01-01", {}, {}},
                                            [](JournalEvent&&) { return Status(); });
  CHECK(backwards.error().message ==
        "the scan's from date 2026-01-02 is after its to date 2026-01-01");
}

TEST_CASE("an hq store refuses to open with another business zone than it was created with",
          "[hq]") {
  TestStore sqlite(Backend::sqlite, std::make_shared<FixedOffsetZone>(60));
  REQUIRE(sqlite.try_open().ok());
  SqliteHqOptions utc;
  Result<std::unique_ptr<HqStore>> reopened = open_sqlite_hq_store(sqlite.location(), utc);
  REQUIRE(!reopened.ok());
  CHECK(reopened.error().code == ErrorCode::conflict);
  CHECK(reopened.error().message ==
        "HQ store " + sqlite.location() +
            " files its events by business dates in UTC+01:00, not UTC; a store's business "
            "time zone cannot change");

  TestStore postgres(Backend::postgresql, std::make_shared<FixedOffsetZone>(60));
  REQUIRE(postgres.try_open().ok());
  Result<std::unique_ptr<HqStore>> other = open_postgres_hq_store(postgres.conninfo(), {});
  REQUIRE(!other.ok());
  CHECK(other.error().code == ErrorCode::conflict);
  INFO(other.error().message);
  CHECK(other.error().message.find("UTC+01:00") != std::string::npos);
}
