// HqStore::ingest, uplink_state, release and terminals, on a real SQLite file and a real
// PostgreSQL database (store_backends.h).

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

JournalBuilder five_earns(std::string store = "s1", std::string terminal = "t1",
                          std::uint64_t epoch = 7) {
  JournalBuilder journal(std::move(store), std::move(terminal), epoch);
  for (int i = 0; i < 5; ++i) {
    journal.checkout(at_seconds(t0 + 60 * i), alice, 1000, {earn(alice, 10)}, "gold");
  }
  return journal;
}

TerminalStatus status_of(HqStore& store) {
  Result<std::vector<TerminalStatus>> statuses = store.terminals();
  REQUIRE(statuses.ok());
  REQUIRE(statuses->size() == 1);
  return statuses->front();
}

std::int64_t balance_of(HqStore& store, const std::string& pseudonym) {
  Result<std::optional<CustomerReport>> report = store.customer(pseudonym, 0);
  REQUIRE(report.ok());
  return report->has_value() ? (*report)->balance_points : -1;
}

}  // namespace

TEST_CASE("hq ingest stores a batch once and a repeat is all duplicates") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  const JournalBuilder journal = five_earns();
  Result<IngestOutcome> first =
      store->ingest(journal.identity(), journal.all(), at_seconds(t0 + 999));
  REQUIRE(first.ok());
  CHECK(first->events_stored == 5);
  CHECK(first->events_duplicate == 0);
  CHECK(first->ack ==
        Ack{AckStatus::accepted, "t1", journal.epoch(), 5, journal.events()[4].payload_hash, ""});
  Result<IngestOutcome> again =
      store->ingest(journal.identity(), journal.all(), at_seconds(t0 + 1000));
  REQUIRE(again.ok());
  CHECK(again->events_stored == 0);
  CHECK(again->events_duplicate == 5);
  CHECK(again->ack == first->ack);
  Result<Ack> state = store->uplink_state(journal.identity());
  REQUIRE(state.ok());
  CHECK(*state == first->ack);
}

TEST_CASE("hq ingest holds events above a gap and jumps when the gap fills") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  const JournalBuilder journal = five_earns();
  Result<IngestOutcome> late =
      store->ingest(journal.identity(), journal.batch(3, 5), at_seconds(t0));
  REQUIRE(late.ok());
  CHECK(late->events_stored == 3);
  CHECK(late->ack.held_seq == 0);
  CHECK(late->ack.held_hash == "");
  CHECK(status_of(*store).stored_beyond == 3);
  Result<IngestOutcome> first =
      store->ingest(journal.identity(), journal.batch(1, 1), at_seconds(t0));
  REQUIRE(first.ok());
  CHECK(first->ack.held_seq == 1);
  Result<IngestOutcome> fill =
      store->ingest(journal.identity(), journal.batch(2, 2), at_seconds(t0));
  REQUIRE(fill.ok());
  CHECK(fill->ack.status == AckStatus::accepted);
  CHECK(fill->ack.held_seq == 5);
  CHECK(fill->ack.held_hash == journal.events()[4].payload_hash);
  const TerminalStatus status = status_of(*store);
  CHECK(status.stored_beyond == 0);
  CHECK(status.last_event_at == at_seconds(t0 + 240));
  REQUIRE(store->apply(at_seconds(t0 + 1000), 100).ok());
  CHECK(balance_of(*store, alice) == 50);
}

TEST_CASE("hq ingest refuses a batch of another terminal and stores nothing") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  const JournalBuilder journal = five_earns("s1", "t1");
  Result<IngestOutcome> refused =
      store->ingest(TerminalIdentity{"s1", "t2"}, journal.all(), at_seconds(t0));
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == ErrorCode::invalid_argument);
  Result<IngestOutcome> other_store =
      store->ingest(TerminalIdentity{"s2", "t1"}, journal.all(), at_seconds(t0));
  REQUIRE(!other_store.ok());
  CHECK(other_store.error().code == ErrorCode::invalid_argument);
  Result<std::vector<TerminalStatus>> statuses = store->terminals();
  REQUIRE(statuses.ok());
  CHECK(statuses->empty());
  Result<HqTotals> totals = store->totals();
  REQUIRE(totals.ok());
  CHECK(totals->events == 0);
}

namespace {

// Ingests `bad` after the good first two events, expects a quarantine with `reason`, checks that
// nothing more is applied, releases from `accept_from_seq` and resends the good rest.
void quarantine_then_release(Backend backend, const Batch& bad, const std::string& reason,
                             std::int64_t accept_from_seq) {
  TestStore where(backend);
  auto store = where.open();
  const JournalBuilder journal = five_earns();
  REQUIRE(store->ingest(journal.identity(), journal.batch(1, 2), at_seconds(t0)).ok());
  Result<IngestOutcome> outcome = store->ingest(journal.identity(), bad, at_seconds(t0 + 5));
  REQUIRE(outcome.ok());
  CHECK(outcome->ack.status == AckStatus::quarantined);
  CHECK(outcome->ack.message == reason);
  const TerminalStatus status = status_of(*store);
  CHECK(status.quarantined);
  CHECK(status.quarantine_reason == reason);
  CHECK(status.quarantined_at == at_seconds(t0 + 5));
  Result<std::vector<Alert>> alerts = store->alerts();
  REQUIRE(alerts.ok());
  REQUIRE(alerts->size() == 1);
  CHECK(alerts->front().message == "quarantined: " + reason);
  CHECK(alerts->front().terminal == journal.identity());
  Result<ApplyReport> applied = store->apply(at_seconds(t0 + 10), 100);
  REQUIRE(applied.ok());
  CHECK(applied->events_applied == 0);
  CHECK(balance_of(*store, alice) == -1);

  REQUIRE(
      store->release(journal.identity(), accept_from_seq, "checked the till", at_seconds(t0 + 20))
          .ok());
  Result<std::vector<Alert>> after = store->alerts();
  REQUIRE(after.ok());
  REQUIRE(after->size() == 2);
  CHECK(after->back().message.starts_with("released: checked the till"));
  CHECK(!status_of(*store).quarantined);
  Result<IngestOutcome> resent =
      store->ingest(journal.identity(), journal.batch(3, 5), at_seconds(t0 + 30));
  REQUIRE(resent.ok());
  CHECK(resent->ack.status == AckStatus::accepted);
  CHECK(resent->ack.held_seq == 5);
  Result<ApplyReport> later = store->apply(at_seconds(t0 + 40), 100);
  REQUIRE(later.ok());
  CHECK(later->events_applied == 5);
  CHECK(balance_of(*store, alice) == 50);
  Status again = store->release(journal.identity(), 0, "twice", at_seconds(t0 + 50));
  REQUIRE(!again.ok());
  CHECK(again.error().code == ErrorCode::conflict);
}

}  // namespace

TEST_CASE("hq quarantines a tampered payload") {
  const JournalBuilder journal = five_earns();
  Batch bad = journal.batch(3, 5);
  bad.events[0].payload += " ";
  quarantine_then_release(GENERATE(Backend::sqlite, Backend::postgresql), bad,
                          "seq 3: payload_hash does not match the event's content (altered in "
                          "transit or on the terminal); the event was not stored",
                          3);
}

TEST_CASE("hq quarantines a broken prev_hash link") {
  const JournalBuilder journal = five_earns();
  Batch bad = journal.batch(3, 5);
  bad.prev_hash = std::string(64, 'a');
  bad.events[0].prev_hash = bad.prev_hash;
  quarantine_then_release(
      GENERATE(Backend::sqlite, Backend::postgresql), bad,
      "broken chain at seq 3: its prev_hash does not match the payload_hash of seq 2", 3);
}

TEST_CASE("hq quarantines a seq reused with other content") {
  const JournalBuilder journal = five_earns();
  JournalBuilder other("s1", "t1", 7);
  other.checkout(at_seconds(t0), alice, 1000, {earn(alice, 10)}, "gold");
  other.checkout(at_seconds(t0 + 60), alice, 1000, {earn(alice, 99)}, "gold");
  quarantine_then_release(GENERATE(Backend::sqlite, Backend::postgresql), other.batch(2, 2),
                          "seq 2 arrived again with other content", 0);
}

TEST_CASE("hq quarantines an epoch going backwards") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  const JournalBuilder old_epoch = five_earns("s1", "t1", 7);
  const JournalBuilder new_epoch = five_earns("s1", "t1", 8);
  REQUIRE(store->ingest(old_epoch.identity(), old_epoch.batch(1, 2), at_seconds(t0)).ok());
  Result<IngestOutcome> renewed =
      store->ingest(new_epoch.identity(), new_epoch.batch(1, 3), at_seconds(t0 + 1));
  REQUIRE(renewed.ok());
  CHECK(renewed->ack == Ack{AckStatus::accepted, "t1", new_epoch.epoch(), 3,
                            new_epoch.events()[2].payload_hash, ""});
  Result<IngestOutcome> back =
      store->ingest(old_epoch.identity(), old_epoch.batch(3, 5), at_seconds(t0 + 2));
  REQUIRE(back.ok());
  const std::string reason =
      "epoch going backwards: batch of epoch 0000000000000007, HQ holds "
      "epoch 0000000000000008";
  CHECK(back->ack == Ack{AckStatus::quarantined, "t1", new_epoch.epoch(), 3,
                         new_epoch.events()[2].payload_hash, reason});
  Result<std::vector<Alert>> alerts = store->alerts();
  REQUIRE(alerts.ok());
  REQUIRE(alerts->size() == 2);
  CHECK(alerts->at(0).message ==
        "new epoch 0000000000000008 (a re-created ledger); epoch 0000000000000007 ends at seq 2");
  CHECK(alerts->at(1).message == "quarantined: " + reason);
  Result<ApplyReport> applied = store->apply(at_seconds(t0 + 10), 100);
  REQUIRE(applied.ok());
  CHECK(applied->events_applied == 0);
  REQUIRE(store->release(new_epoch.identity(), 0, "old till unplugged", at_seconds(t0 + 20)).ok());
  Result<ApplyReport> released = store->apply(at_seconds(t0 + 30), 100);
  REQUIRE(released.ok());
  // The old epoch's two events and the new epoch's three; the late old events stay unapplied.
  CHECK(released->events_applied == 5);
  CHECK(balance_of(*store, alice) == 50);
}

TEST_CASE("hq state persists when the store is reopened") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  const JournalBuilder journal = five_earns();
  {
    auto store = where.open();
    REQUIRE(store->ingest(journal.identity(), journal.batch(1, 4), at_seconds(t0)).ok());
    REQUIRE(store->apply(at_seconds(t0 + 500), 100).ok());
  }
  auto store = where.open();
  Result<Ack> state = store->uplink_state(journal.identity());
  REQUIRE(state.ok());
  CHECK(*state ==
        Ack{AckStatus::accepted, "t1", journal.epoch(), 4, journal.events()[3].payload_hash, ""});
  Result<std::optional<CustomerReport>> report = store->customer(alice, 10);
  REQUIRE(report.ok());
  REQUIRE(report->has_value());
  CHECK((*report)->balance_points == 40);
  CHECK((*report)->receipts == 4);
  CHECK((*report)->spend_minor == 4000);
  CHECK((*report)->tier == std::optional<std::string>("gold"));
  CHECK((*report)->history.size() == 4);
  CHECK(status_of(*store).applied_seq == 4);
}

TEST_CASE("hq applies old events without a ledger annex as no-ops") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder journal("s1", "t1", 7);
  journal.add("checkout", "r1", "{\"receipt_id\":\"r1\"}", at_seconds(t0));
  journal.add("till_opened", "", "{}", at_seconds(t0 + 1));
  journal.checkout(at_seconds(t0 + 2), alice, 500, {earn(alice, 5)});
  REQUIRE(store->ingest(journal.identity(), journal.all(), at_seconds(t0 + 3)).ok());
  Result<ApplyReport> applied = store->apply(at_seconds(t0 + 4), 100);
  REQUIRE(applied.ok());
  CHECK(applied->events_applied == 3);
  CHECK(applied->entries_written == 1);
  CHECK(balance_of(*store, alice) == 5);
}
