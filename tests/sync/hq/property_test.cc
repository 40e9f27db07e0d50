// A property of the HQ ledger over random multi-store histories: whatever the order batches
// arrive in and however apply() is chunked, every pseudonym's net position at HQ (balance - owed)
// is the sum of the points movements every terminal's journal wrote on its account, balances and
// receivables never go below zero nor are both positive, and the entries balance.

#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "hq_dump.h"
#include "hq_temp_dir.h"
#include "journal_builder.h"
#include "loyalty/sync/hq_store.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int stores = 4;
constexpr int terminals_per_store = 2;
constexpr int customers = 30;
constexpr int events = 300;

// What the test derives from the journals on its own.
struct Expected {
  std::map<std::string, std::int64_t> net;  // Σ movements on customer_points:<p>
  std::int64_t issued = 0;
  std::int64_t redeemed = 0;
};

void count(Expected& expected, const Move& move) {
  if (move.points <= 0 || move.minor > 0) return;
  const std::string prefix = "customer_points:";
  if (move.credit.starts_with(prefix))
    expected.net[move.credit.substr(prefix.size())] += move.points;
  if (move.debit.starts_with(prefix)) expected.net[move.debit.substr(prefix.size())] -= move.points;
  if (move.code == "earn") expected.issued += move.points;
  if (move.code == "reverse_earn") expected.issued -= move.points;
  if (move.code == "burn" || move.code == "reward") expected.redeemed += move.points;
  if (move.code == "restore_burn") expected.redeemed -= move.points;
}

std::vector<JournalBuilder> random_history(std::mt19937_64& rng, Expected& expected) {
  std::vector<JournalBuilder> journals;
  for (int s = 0; s < stores; ++s) {
    for (int t = 0; t < terminals_per_store; ++t) {
      journals.emplace_back("store" + std::to_string(s), "till" + std::to_string(t),
                            static_cast<std::uint64_t>(s * 10 + t + 1));
    }
  }
  std::uniform_int_distribution<std::size_t> pick_terminal(0, journals.size() - 1);
  std::uniform_int_distribution<int> pick_customer(0, customers - 1);
  std::uniform_int_distribution<int> pick_kind(0, 9);
  std::uniform_int_distribution<std::int64_t> points(1, 80);
  for (int i = 0; i < events; ++i) {
    JournalBuilder& journal = journals[pick_terminal(rng)];
    const std::string p = test_pseudonym(pick_customer(rng));
    const Timestamp at = at_seconds(t0 + i * 7);  // distinct times: offline clocks agree here
    const int kind = pick_kind(rng);
    std::vector<Move> moves;
    if (kind < 5) {
      moves.push_back(earn(p, points(rng)));
    } else if (kind < 8) {
      // Offline redemptions: the till does not know what other stores burned.
      moves.push_back(burn(p, points(rng)));
      if (kind == 7) moves.push_back(earn(p, points(rng) / 4 + 1));
    } else if (kind == 8) {
      moves.push_back(move("restore_burn", "redemption", points_account(p), points(rng) / 2 + 1));
      moves.push_back(move("reverse_earn", points_account(p), "issuance", points(rng) / 3 + 1));
    } else {
      moves.push_back(settlement(points(rng)));
      moves.push_back(earn(p, 1));
      Move own = earn(p, 5);
      own.source = "hq:correction";  // HQ's own transfer coming back: not mirrored
      moves.push_back(own);
      moves.push_back(move("overdraft", "overdraft_receivable:" + p, points_account(p), 9));
    }
    for (std::size_t m = 0; m < moves.size(); ++m) {
      if (moves[m].source.starts_with("hq:") || moves[m].code == "overdraft") continue;
      count(expected, moves[m]);
    }
    if (kind == 8) {
      journal.refund(at, p, -100, moves);
    } else {
      journal.checkout(at, p, 100 * (kind + 1), moves, kind < 5 ? "gold" : "silver");
    }
  }
  return journals;
}

// Returns whether the history made HQ book an overdraft.
bool run_seed(Backend backend, std::uint64_t seed) {
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  Expected expected;
  const std::vector<JournalBuilder> journals = random_history(rng, expected);
  // Each terminal's journal in chunks (offline stretches end in one large batch), all delivered
  // in a random order with applies of random sizes in between.
  struct Piece {
    std::size_t journal;
    std::int64_t from;
    std::int64_t to;
  };
  std::vector<Piece> pieces;
  std::uniform_int_distribution<std::int64_t> chunk(1, 12);
  for (std::size_t j = 0; j < journals.size(); ++j) {
    const auto total = static_cast<std::int64_t>(journals[j].events().size());
    for (std::int64_t from = 1; from <= total;) {
      const std::int64_t to = std::min(total, from + chunk(rng) - 1);
      pieces.push_back(Piece{j, from, to});
      from = to + 1;
    }
  }
  std::shuffle(pieces.begin(), pieces.end(), rng);
  TestStore where(backend);
  std::unique_ptr<HqStore> store = where.open();
  std::uniform_int_distribution<int> apply_now(0, 3);
  std::uniform_int_distribution<std::size_t> apply_max(1, 40);
  for (const Piece& piece : pieces) {
    Result<IngestOutcome> outcome =
        store->ingest(journals[piece.journal].identity(),
                      journals[piece.journal].batch(piece.from, piece.to), at_seconds(t0 + 10000));
    REQUIRE(outcome.ok());
    REQUIRE(outcome->ack.status == AckStatus::accepted);
    if (apply_now(rng) == 0) REQUIRE(store->apply(at_seconds(t0 + 10000), apply_max(rng)).ok());
  }
  Result<ApplyReport> rest = store->apply(at_seconds(t0 + 10000), events);
  REQUIRE(rest.ok());
  Result<ApplyReport> nothing = store->apply(at_seconds(t0 + 10000), events);
  REQUIRE(nothing.ok());
  CHECK(nothing->events_applied == 0);

  const std::map<std::string, std::int64_t> balances = entry_balances(where);
  std::int64_t sum_of_accounts = 0;
  for (const auto& [account, balance] : balances) sum_of_accounts += balance;
  CHECK(sum_of_accounts == 0);
  for (int c = 0; c < customers; ++c) {
    const std::string p = test_pseudonym(c);
    if (!expected.net.contains(p)) continue;
    INFO("customer " << p);
    Result<std::optional<CustomerReport>> report = store->customer(p, 0);
    REQUIRE(report.ok());
    REQUIRE(report->has_value());
    const CustomerReport& r = **report;
    CHECK(r.balance_points - r.overdraft_points == expected.net.at(p));
    CHECK(r.balance_points >= 0);
    CHECK(r.overdraft_points >= 0);
    CHECK(!(r.balance_points > 0 && r.overdraft_points > 0));
    CHECK(r.flagged == (r.overdraft_points > 0));
    const auto at = [&](const std::string& account) {
      return balances.contains(account) ? balances.at(account) : 0;
    };
    CHECK(at(points_account(p)) == r.balance_points);
    CHECK(at("overdraft_receivable:" + p) == -r.overdraft_points);
  }
  Result<HqTotals> totals = store->totals();
  REQUIRE(totals.ok());
  CHECK(totals->points_issued == expected.issued);
  CHECK(totals->points_redeemed == expected.redeemed);
  CHECK(totals->events == events);
  store.reset();
  return canonical_dump(where).find("|overdraft|") != std::string::npos;
}

}  // namespace

TEST_CASE("hq ledger property: random multi-store histories with offline double redemptions") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  int with_overdrafts = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    with_overdrafts += run_seed(backend, seed) ? 1 : 0;
  }
  CHECK(with_overdrafts == 20);
}
