// The HQ ledger: overdrafts of offline double redemptions, expiry, and the projection's
// independence of the order in which batches arrive; on SQLite and PostgreSQL.

#include <algorithm>
#include <catch2/catch.hpp>

#include "hq_dump.h"
#include "journal_builder.h"
#include "loyalty/core/limits.h"
#include "loyalty/sync/hq_store.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
const std::string alice = "ps1_0123456789abcdef0123456789abcdef";
const std::string bob = "ps1_11111111111111111111111111111111";
const std::string carol = "ps1_22222222222222222222222222222222";

CustomerReport report_of(HqStore& store, const std::string& pseudonym) {
  Result<std::optional<CustomerReport>> report = store.customer(pseudonym, 100);
  REQUIRE(report.ok());
  REQUIRE(report->has_value());
  return **report;
}

void ingest(HqStore& store, const JournalBuilder& journal, std::int64_t from, std::int64_t to) {
  Result<IngestOutcome> outcome =
      store.ingest(journal.identity(), journal.batch(from, to), at_seconds(t0 + 100000));
  REQUIRE(outcome.ok());
  REQUIRE(outcome->ack.status == AckStatus::accepted);
}

std::int64_t count_code(const CustomerReport& report, const std::string& code) {
  return std::count_if(report.history.begin(), report.history.end(),
                       [&](const HqEntry& entry) { return entry.code == code; });
}

}  // namespace

TEST_CASE("hq turns an offline double redemption into an overdraft recovered from earning") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder a("A", "a1", 1);
  JournalBuilder b("B", "b1", 1);
  JournalBuilder c("C", "c1", 1);
  a.checkout(at_seconds(t0), alice, 10000, {earn(alice, 100)}, "silver");
  ingest(*store, a, 1, 1);
  REQUIRE(store->apply(at_seconds(t0 + 10), 100).ok());
  CHECK(report_of(*store, alice).balance_points == 100);

  b.checkout(at_seconds(t0 + 100), alice, 2000, {burn(alice, 100)});
  c.checkout(at_seconds(t0 + 200), alice, 3000, {burn(alice, 100)});
  ingest(*store, b, 1, 1);
  ingest(*store, c, 1, 1);
  REQUIRE(store->apply(at_seconds(t0 + 300), 100).ok());
  CustomerReport after_burns = report_of(*store, alice);
  CHECK(after_burns.balance_points == 0);
  CHECK(after_burns.overdraft_points == 100);
  CHECK(after_burns.flagged);
  REQUIRE(after_burns.history.size() == 4);
  const HqEntry& overdraft = after_burns.history[2];
  CHECK(overdraft.code == "overdraft");
  CHECK(overdraft.debit == "overdraft_receivable:" + alice);
  CHECK(overdraft.credit == "customer_points:" + alice);
  CHECK(overdraft.points == 100);
  CHECK(overdraft.terminal == TerminalIdentity{"C", "c1"});
  CHECK(overdraft.seq == 1);
  CHECK(after_burns.history[3].code == "burn");

  a.checkout(at_seconds(t0 + 400), alice, 1000, {earn(alice, 30)}, "silver");
  ingest(*store, a, 2, 2);
  REQUIRE(store->apply(at_seconds(t0 + 500), 100).ok());
  CustomerReport partly = report_of(*store, alice);
  CHECK(partly.balance_points == 0);
  CHECK(partly.overdraft_points == 70);
  CHECK(partly.flagged);
  CHECK(partly.history.back().code == "overdraft_recovery");
  CHECK(partly.history.back().points == 30);
  CHECK(partly.history.back().debit == "customer_points:" + alice);
  CHECK(partly.history.back().credit == "overdraft_receivable:" + alice);

  a.checkout(at_seconds(t0 + 600), alice, 1000, {earn(alice, 100)}, "gold");
  ingest(*store, a, 3, 3);
  REQUIRE(store->apply(at_seconds(t0 + 700), 100).ok());
  CustomerReport repaid = report_of(*store, alice);
  CHECK(repaid.balance_points == 30);
  CHECK(repaid.overdraft_points == 0);
  CHECK(!repaid.flagged);
  CHECK(repaid.tier == std::optional<std::string>("gold"));
  CHECK(repaid.receipts == 5);
  CHECK(repaid.spend_minor == 17000);
  CHECK(count_code(repaid, "overdraft") == 1);
  CHECK(count_code(repaid, "overdraft_recovery") == 2);
  CHECK(repaid.history.back().points == 70);
  Result<HqTotals> totals = store->totals();
  REQUIRE(totals.ok());
  CHECK(totals->points_issued == 230);
  CHECK(totals->points_redeemed == 200);
  CHECK(totals->liability_points == 30);
  CHECK(totals->overdraft_points == 0);
  CHECK(totals->receipts == 5);
  const auto balances = entry_balances(where);
  CHECK(balances.at("customer_points:" + alice) == 30);
  CHECK(balances.at("overdraft_receivable:" + alice) == 0);
  CHECK(balances.at("issuance") == -230);
  CHECK(balances.at("redemption") == 200);
}

TEST_CASE("hq expires lots at their expiry and re-projects a customer for a late event") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder a("A", "a1", 1);
  JournalBuilder b("B", "b1", 1);
  a.checkout(at_seconds(t0), alice, 100, {earn_lot(alice, 100, at_seconds(t0 + 1000))});
  a.checkout(at_seconds(t0 + 10), alice, 100, {earn(alice, 50)});
  a.checkout(at_seconds(t0 + 20), alice, 100, {burn(alice, 30)});
  ingest(*store, a, 1, 3);
  Result<ApplyReport> first = store->apply(at_seconds(t0 + 2000), 100);
  REQUIRE(first.ok());
  CHECK(first->events_applied == 3);
  CHECK(first->entries_written == 4);
  CHECK(first->customers_reprojected == 0);
  CustomerReport expired = report_of(*store, alice);
  CHECK(expired.balance_points == 50);
  REQUIRE(expired.history.size() == 4);
  CHECK(expired.history.back().code == "expire");
  CHECK(expired.history.back().points == 70);
  CHECK(expired.history.back().at == at_seconds(t0 + 1000));
  CHECK(expired.history.back().credit == "breakage");
  CHECK(expired.history.back().seq == 0);

  // A burn made at t0 + 500 at an offline store arrives after HQ expired the lot.
  b.checkout(at_seconds(t0 + 500), alice, 100, {burn(alice, 20)});
  ingest(*store, b, 1, 1);
  Result<ApplyReport> late = store->apply(at_seconds(t0 + 3000), 100);
  REQUIRE(late.ok());
  CHECK(late->events_applied == 1);
  CHECK(late->customers_reprojected == 1);
  CustomerReport replayed = report_of(*store, alice);
  CHECK(replayed.balance_points == 50);
  CHECK(replayed.overdraft_points == 0);
  REQUIRE(replayed.history.size() == 5);
  CHECK(replayed.history.back().code == "expire");
  CHECK(replayed.history.back().points == 50);
  Result<HqTotals> totals = store->totals();
  REQUIRE(totals.ok());
  CHECK(totals->points_expired == 50);
  CHECK(totals->points_redeemed == 50);
}

namespace {

struct Scenario {
  std::vector<JournalBuilder> journals;
};

Scenario three_terminals() {
  Scenario scenario;
  scenario.journals = {JournalBuilder("A", "a1", 1), JournalBuilder("B", "b1", 1),
                       JournalBuilder("C", "c1", 1)};
  JournalBuilder& a = scenario.journals[0];
  JournalBuilder& b = scenario.journals[1];
  JournalBuilder& c = scenario.journals[2];
  a.checkout(at_seconds(t0), alice, 1000, {earn_lot(alice, 100, at_seconds(t0 + 5000))}, "gold");
  b.checkout(at_seconds(t0 + 5), bob, 500, {earn(bob, 40)});
  c.checkout(at_seconds(t0 + 7), alice, 800, {burn(alice, 60), earn(alice, 8)}, "silver");
  a.checkout(at_seconds(t0 + 9), alice, 900, {burn(alice, 70)});
  b.checkout(at_seconds(t0 + 11), alice, 900, {burn(alice, 50)});
  c.checkout(at_seconds(t0 + 13), bob, 100, {burn(bob, 40), earn(bob, 4)});
  a.checkout(at_seconds(t0 + 15), carol, 100, {earn(carol, 12)});
  b.checkout(at_seconds(t0 + 17), alice, 100, {earn(alice, 30)});
  c.refund(at_seconds(t0 + 19), bob, -100,
           {move("restore_burn", "redemption", points_account(bob), 40)});
  a.checkout(at_seconds(t0 + 21), carol, 100, {burn(carol, 20)});
  b.checkout(at_seconds(t0 + 23), alice, 100, {earn(alice, 90)});
  c.checkout(at_seconds(t0 + 25), alice, 100,
             {settlement(500), earn_lot(alice, 25, at_seconds(t0 + 100))});
  return scenario;
}

// Batches of one or two events per terminal, delivered in the order a permutation gives, with an
// apply after every `apply_every` batches.
std::string run_order(Backend backend, const Scenario& scenario, unsigned seed,
                      std::size_t apply_every) {
  TestStore where(backend);
  auto store = where.open();
  struct Piece {
    std::size_t journal;
    std::int64_t from;
    std::int64_t to;
  };
  std::vector<Piece> pieces;
  for (std::size_t j = 0; j < scenario.journals.size(); ++j) {
    const auto count = static_cast<std::int64_t>(scenario.journals[j].events().size());
    for (std::int64_t from = 1; from <= count; from += 2) {
      pieces.push_back(Piece{j, from, std::min(count, from + 1)});
    }
  }
  std::uint64_t state = seed * 2654435761u + 1;
  for (std::size_t i = pieces.size(); i > 1; --i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    std::swap(pieces[i - 1], pieces[(state >> 33) % i]);
  }
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    ingest(*store, scenario.journals[pieces[i].journal], pieces[i].from, pieces[i].to);
    if ((i + 1) % apply_every == 0) {
      REQUIRE(store->apply(at_seconds(t0 + 30 + static_cast<std::int64_t>(i)), 1 + i % 3).ok());
    }
  }
  for (int round = 0; round < 20; ++round) {
    Result<ApplyReport> report = store->apply(at_seconds(t0 + 6000), 1000);
    REQUIRE(report.ok());
    if (report->events_applied == 0) break;
  }
  store.reset();
  return canonical_dump(where);
}

}  // namespace

TEST_CASE("hq ledger does not depend on the order batches arrive in") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  const Scenario scenario = three_terminals();
  const std::string reference = run_order(backend, scenario, 0, 100);
  CHECK(reference.find("overdraft|") != std::string::npos);
  CHECK(reference.find("expire|") != std::string::npos);
  for (unsigned seed = 1; seed <= 6; ++seed) {
    for (std::size_t apply_every : {std::size_t{1}, std::size_t{2}, std::size_t{5}}) {
      INFO("seed " << seed << ", apply every " << apply_every << " batches");
      CHECK(run_order(backend, scenario, seed, apply_every) == reference);
    }
  }
}

TEST_CASE("hq adds up every store's tier-period counters and keeps the latest event's tier") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder a("A", "a1", 1);
  JournalBuilder b("B", "b1", 1);
  const Timestamp review = at_seconds(t0 + 365 * 86400);
  const Timestamp next_review = at_seconds(t0 + 2 * 365 * 86400);
  a.with_tier("checkout", at_seconds(t0 + 10), alice, 30000, {earn(alice, 300)},
              TierLine{"silver", review, false, 30000, 300});
  b.with_tier("checkout", at_seconds(t0 + 20), alice, 20000, {earn(alice, 200)},
              TierLine{std::nullopt, review, false, 20000, 200});
  // A return at A gives back 5000 of spend and 50 points; A's view of the tier stays silver.
  a.with_tier("refund", at_seconds(t0 + 30), alice, -5000, {burn(alice, 50)},
              TierLine{"silver", review, false, -5000, -50});
  ingest(*store, a, 1, 2);
  ingest(*store, b, 1, 1);
  REQUIRE(store->apply(at_seconds(t0 + 100), 100).ok());
  CustomerReport joined = report_of(*store, alice);
  CHECK(joined.period_spend == 45000);
  CHECK(joined.period_points == 450);
  CHECK(joined.review_at == review);
  CHECK(joined.tier == std::optional<std::string>("silver"));  // A's return is the latest event

  // After the review, B starts the new period first; A, offline until later, starts it too: the
  // period restarts once, and both stores' receipts of the new period count.
  b.with_tier("checkout", at_seconds(review.unix_seconds + 10), alice, 1000, {earn(alice, 10)},
              TierLine{"base", next_review, true, 1000, 10});
  a.with_tier("checkout", at_seconds(review.unix_seconds + 20), alice, 2000, {earn(alice, 20)},
              TierLine{"base", next_review, true, 2000, 20});
  ingest(*store, b, 2, 2);
  ingest(*store, a, 3, 3);
  REQUIRE(store->apply(at_seconds(review.unix_seconds + 100), 100).ok());
  CustomerReport reviewed = report_of(*store, alice);
  CHECK(reviewed.period_spend == 3000);
  CHECK(reviewed.period_points == 30);
  CHECK(reviewed.review_at == next_review);
  CHECK(reviewed.tier == std::optional<std::string>("base"));

  // A report HQ cannot use (a delta far out of range) changes no counter.
  b.with_tier(
      "checkout", at_seconds(review.unix_seconds + 30), alice, 0, {},
      TierLine{"base", next_review, false, std::int64_t{1} << 62, -(std::int64_t{1} << 62)});
  ingest(*store, b, 3, 3);
  REQUIRE(store->apply(at_seconds(review.unix_seconds + 200), 100).ok());
  CHECK(report_of(*store, alice).period_spend == 3000);
  CHECK(report_of(*store, alice).period_points == 30);
}

TEST_CASE("hq takes one terminal's tier reports in seq order, even a back-dated receipt's") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder a("A", "a1", 1);
  JournalBuilder b("B", "b1", 1);
  const Timestamp review = at_seconds(t0 + 365 * 86400);
  a.with_tier("checkout", at_seconds(t0 + 100), alice, 1000, {earn(alice, 10)},
              TierLine{"base", review, false, 1000, 10});
  // Written after it but dated earlier (yesterday's receipt keyed in late), it made the card
  // gold at the till: gold is the till's tier, although this receipt comes first in time.
  a.with_tier("checkout", at_seconds(t0 + 50), alice, 60000, {earn(alice, 600)},
              TierLine{"gold", review, false, 60000, 600});
  ingest(*store, a, 1, 2);
  REQUIRE(store->apply(at_seconds(t0 + 200), 100).ok());
  CHECK(report_of(*store, alice).tier == std::optional<std::string>("gold"));
  CHECK(report_of(*store, alice).period_spend == 61000);

  // Another terminal's later report is the latest across terminals.
  b.with_tier("checkout", at_seconds(t0 + 300), alice, 500, {earn(alice, 5)},
              TierLine{"silver", review, false, 500, 5});
  ingest(*store, b, 1, 1);
  REQUIRE(store->apply(at_seconds(t0 + 400), 100).ok());
  CHECK(report_of(*store, alice).tier == std::optional<std::string>("silver"));
}

TEST_CASE("hq starts a card's tier period from its first report's totals, then adds deltas") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto store = where.open();
  JournalBuilder a("A", "a1", 1);
  JournalBuilder b("B", "b1", 1);
  const Timestamp review = at_seconds(t0 + 365 * 86400);
  // A till updated from a build without tier reports: its row held 40000 before this receipt.
  a.with_tier("checkout", at_seconds(t0 + 10), alice, 1000, {earn(alice, 10)},
              TierLine{"base", review, false, 1000, 10, 41000, 410});
  b.with_tier("checkout", at_seconds(t0 + 20), alice, 2000, {earn(alice, 20)},
              TierLine{"base", review, false, 2000, 20, 2000, 20});
  a.with_tier("checkout", at_seconds(t0 + 30), alice, 500, {earn(alice, 5)},
              TierLine{"base", review, false, 500, 5, 41500, 415});
  ingest(*store, a, 1, 2);
  ingest(*store, b, 1, 1);
  REQUIRE(store->apply(at_seconds(t0 + 100), 100).ok());
  CHECK(report_of(*store, alice).period_spend == 43500);
  CHECK(report_of(*store, alice).period_points == 435);
  // A report past what a cache row may hold is kept within it.
  b.with_tier("checkout", at_seconds(t0 + 40), alice, 0, {},
              TierLine{"base", review, false, 999'999'999'999'999, 0, std::nullopt, std::nullopt});
  ingest(*store, b, 2, 2);
  REQUIRE(store->apply(at_seconds(t0 + 200), 100).ok());
  CHECK(report_of(*store, alice).period_spend == loyalty::limits::amount_minor_max);
}
