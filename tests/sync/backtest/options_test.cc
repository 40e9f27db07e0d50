// The backtest's options and its document: stores and dates filtered, the same result with any
// number of threads, progress on the caller's thread, the loyalty-hq-backtest-v1 document, and
// options refused.

#include <thread>

#include "backtest/backtest_support.h"

namespace loyalty::sync::test {
namespace {

// Two stores' receipts over three days under the grocery program, for 12 cards, some near a
// tier threshold; compared with the program whose silver needs 60000 and whose base rate doubles.
struct TwoStores {
  std::string grocery = example_program_json("grocery");
  StoreTill north{"FM014", grocery};
  StoreTill south{"FM015", grocery};
  std::vector<JournalEvent> events;
  Program next = make_next();

  TwoStores() {
    const Timestamp before = at_utc("2026-11-24T08:00:00Z");
    for (int c = 0; c < 12; ++c) {
      const CustomerState state = member("card-" + std::to_string(c), "base", 40000 + 1000 * c);
      north.refresh(state, before);
      south.refresh(state, before);
    }
    for (int i = 0; i < 90; ++i) {
      StoreTill& till = i % 3 == 0 ? south : north;
      const std::string card = i % 5 == 4 ? "" : "card-" + std::to_string(i % 12);
      const Timestamp at{at_utc("2026-11-25T08:00:00Z").unix_seconds + (i / 30) * 86400 + i * 60};
      till.sell(
          card,
          receipt("R-" + std::to_string(i), {item("CHICKEN-1KG", "meat", 749, 1 + i % 4),
                                             item("MILK-1L", "dairy", 129, 1 + i % 2),
                                             item("YOGURT-STRAWBERRY", "yogurt", 69, 1 + i % 7)}),
          at);
    }
    events = in_projection_order({north.events(), south.events()});
  }

  Program make_next() const {
    std::string text = replaced(grocery, R"("threshold": 50000)", R"("threshold": 60000)");
    text = replaced(text, R"("base": {"points": 1, "per_minor": 100})",
                    R"("base": {"points": 2, "per_minor": 100})");
    return load_program_ok(text);
  }
};

TEST_CASE("Receipts of the stores and days asked for are the only ones compared", "[backtest]") {
  TwoStores stores;
  const BacktestResult all = run_backtest(stores.next, stores.events);
  CHECK(all.receipts == 90);
  CHECK(all.identified == 72);
  REQUIRE(all.stores.size() == 2);
  CHECK(all.stores[0].store_id == "FM014");
  CHECK(all.stores[1].store_id == "FM015");
  CHECK(all.stores[0].diff.receipts == 60);
  CHECK(all.stores[1].diff.receipts == 30);
  CHECK(all.total.points_issued.difference() > 0);
  CHECK(all.tier_changes.count > 0);
  CHECK(all.stores[0].diff.tier_changes + all.stores[1].diff.tier_changes ==
        all.tier_changes.count);

  BacktestOptions south_only;
  south_only.stores_filter = {"FM015"};
  const BacktestResult south = run_backtest(stores.next, stores.events, south_only);
  CHECK(south.receipts == 30);
  REQUIRE(south.stores.size() == 1);
  CHECK(south.stores[0].store_id == "FM015");
  CHECK(south.stores[0].diff.discount_minor == all.stores[1].diff.discount_minor);
  CHECK(south.stores[0].diff.points_issued == all.stores[1].diff.points_issued);
  CHECK(south.stores_filter == std::vector<std::string>{"FM015"});

  BacktestOptions second_day;
  second_day.from_date = "2026-11-26";
  second_day.to_date = "2026-11-26";
  const BacktestResult day = run_backtest(stores.next, stores.events, second_day);
  CHECK(day.receipts == 30);
  CHECK(day.from_date == "2026-11-26");
}

TEST_CASE("The result is the same with 1, 2 and 3 threads", "[backtest]") {
  TwoStores stores;
  std::vector<std::string> documents;
  for (unsigned threads : {1u, 2u, 3u}) {
    BacktestOptions options;
    options.threads = threads;
    BacktestResult result = run_backtest(stores.next, stores.events, options);
    CHECK(result.threads == threads);
    result.threads = 0;
    documents.push_back(backtest_to_json(result));
  }
  CHECK(documents[0] == documents[1]);
  CHECK(documents[0] == documents[2]);
}

TEST_CASE("Progress is reported on the caller's thread, last with every receipt done",
          "[backtest]") {
  TwoStores stores;
  std::vector<BacktestProgress> reports;
  std::vector<std::thread::id> threads;
  BacktestOptions options;
  options.progress = [&](const BacktestProgress& progress) {
    reports.push_back(progress);
    threads.push_back(std::this_thread::get_id());
  };
  const BacktestResult result = run_backtest(stores.next, stores.events, options);
  REQUIRE_FALSE(reports.empty());
  CHECK(reports.back().receipts_done == result.receipts);
  CHECK(reports.back().events_seen == static_cast<std::int64_t>(stores.events.size()));
  for (std::thread::id id : threads) CHECK(id == std::this_thread::get_id());
}

TEST_CASE("The backtest document is loyalty-hq-backtest-v1, integers only", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  // 80.00, 5.00 off a basket of 50.00 or more: 75 points, and 53000 in the period is silver,
  // which needs 60000 in the new version; one unit back is 9.38 and 10 points.
  till.refresh(member("card-a", "base", 45000), at_utc("2026-11-24T08:00:00Z"));
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 1000, 8)}),
            at_utc("2026-11-25T10:00:00Z"));
  till.refund("F-1", "R-1", {ReturnRequest{0, 1}}, at_utc("2026-11-25T12:00:00Z"));
  JournalEvent broken = till.events().back();
  broken.kind = "checkout";
  broken.payload = "{}";
  std::vector<JournalEvent> events = till.events();
  events.push_back(broken);
  std::string text = replaced(grocery, R"("threshold": 50000)", R"("threshold": 60000)");
  text = replaced(text, R"("version": 7)", R"("version": 8)");
  BacktestOptions options;
  options.from_date = "2026-11-25";
  options.to_date = "2026-11-25";
  const BacktestResult result = run_backtest(load_program_ok(text), events, options);
  const std::string store =
      R"("receipts":1,"discount_minor":{"actual":500,"simulated":500,"difference":0},)"
      R"("points_issued":{"actual":75,"simulated":75,"difference":0},)"
      R"("points_redeemed":{"actual":0,"simulated":0,"difference":0},)"
      R"("liability_points":{"actual":75,"simulated":75,"difference":0},"tier_changes":1,)"
      R"("refunds":{"count":1,"points_reversed":10,"points_restored":0,"money_refund_minor":938})";
  CHECK(backtest_to_json(result) ==
        R"({"format":"loyalty-hq-backtest-v1","program":{"id":"fresh-market","version":8},)"
        R"("from":"2026-11-25","to":"2026-11-25","time_zone":"UTC+01:00","stores_filter":[],)"
        R"("receipts":2,"identified":1,)"
        R"("skipped":[{"reason":"checkout payload is not a stored quote: program: missing",)"
        R"("count":1}],"total":{)" +
            store + R"(},"stores":[{"store_id":"FM014",)" + store +
            R"(}],"tier_changes":{"count":1,"up":0,"down":1,"customers":[{"pseudonym":")" +
            pseudonym("card-a") +
            R"(","actual":"silver","simulated":""}]},"elapsed_ms":0,"threads":2})");
}

TEST_CASE("Options out of bounds are refused, and a finished backtest takes nothing more",
          "[backtest]") {
  const Program grocery = load_program_ok(example_program_json("grocery"));
  BacktestOptions none;
  none.threads = 0;
  CHECK(Backtest::start(grocery, none).error().message ==
        "threads: must be between 1 and 64, got 0");
  BacktestOptions listed;
  listed.tier_changes_listed_max = backtest_tier_changes_listed_max + 1;
  CHECK(Backtest::start(grocery, listed).error().message ==
        "tier_changes_listed_max: at most 100000");
  BacktestOptions bad_date;
  bad_date.from_date = "2026-13-01";
  CHECK(Backtest::start(grocery, bad_date).error().code == ErrorCode::invalid_argument);
  BacktestOptions reversed;
  reversed.from_date = "2026-12-07";
  reversed.to_date = "2026-12-05";
  CHECK(Backtest::start(grocery, reversed).error().message ==
        "to: 2026-12-05 is before from: 2026-12-07");
  Result<Backtest> backtest = Backtest::start(grocery, {});
  REQUIRE(backtest.ok());
  REQUIRE(backtest->finish().ok());
  CHECK(backtest->add(JournalEvent{}).error().message ==
        "the backtest is finished: start a new one");
  CHECK(backtest->finish().error().message == "the backtest is finished already");
  // Destroying a backtest that was never finished stops its workers.
  Result<Backtest> abandoned = Backtest::start(grocery, {});
  REQUIRE(abandoned.ok());
  REQUIRE(abandoned->add(JournalEvent{}).ok());
}

}  // namespace
}  // namespace loyalty::sync::test
