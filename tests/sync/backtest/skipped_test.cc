// What the backtest does not compare, and why: unreadable payloads and annexes, receipts the new
// program refuses (core's message, grouped), identified receipts without an annex; and events of
// other kinds, which are passed over silently.

#include "backtest/backtest_support.h"

namespace loyalty::sync::test {
namespace {

JournalEvent event_of(std::string kind, std::string payload, std::string annex = "") {
  JournalEvent event;
  event.store_id = "FM014";
  event.kind = std::move(kind);
  event.payload = std::move(payload);
  event.annex = std::move(annex);
  event.created_at = at_utc("2026-11-25T10:00:00Z");
  event.business_date = "2026-11-25";
  return event;
}

TEST_CASE("Unreadable payloads are skipped with the reason, grouped", "[backtest]") {
  const Program grocery = load_program_ok(example_program_json("grocery"));
  const std::vector<JournalEvent> events = {
      event_of("checkout", R"({"program":)"),
      event_of("checkout", R"({"program":)"),
      event_of("checkout", "{}"),
      event_of("checkout", R"({"program":{"id":"fresh-market","version":"7"}})"),
      event_of("checkout", R"({"program":{"id":"fresh-market","version":7.5}})"),
      event_of("refund", "[]"),
      event_of("hq_update", "not even JSON"),  // another kind: passed over
      event_of("note", "{}"),
  };
  const BacktestResult result = run_backtest(grocery, events);
  CHECK(result.receipts == 5);
  CHECK(result.identified == 0);
  CHECK(result.total.receipts == 0);
  CHECK(result.skipped ==
        std::vector<BacktestSkip>{
            {"checkout payload is not a stored quote: line 1, column 12: unexpected end of input "
             "(expected a value)",
             2},
            {"checkout payload is not a stored quote: line 1, column 43: expected an integer", 1},
            {"checkout payload is not a stored quote: line 1, column 44: numbers must be "
             "integers (no fraction or exponent)",
             1},
            {"checkout payload is not a stored quote: program: missing", 1},
            {"refund payload is not a stored reversal: line 1, column 1: expected an object", 1}});
}

TEST_CASE("Receipts the new program refuses are skipped with core's message", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  till.refresh(member("card-a", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 1000, 10)}),
            at_utc("2026-11-25T10:00:00Z"));
  for (const char* id : {"R-2", "R-3"}) {
    Receipt gives = receipt(id, {item("TOMATOES-1KG", "vegetables", 300)});
    gives.donations = {Donation{"food-bank", Points(5)}};
    till.sell("card-a", gives, at_utc("2026-11-26T10:00:00Z"));
  }
  till.sell("", receipt("R-4", {item("TOMATOES-1KG", "vegetables", 300)}),
            at_utc("2026-11-26T10:05:00Z"));
  const Program no_charity =
      load_program_ok(replaced(grocery, R"({"id": "food-bank", "name": "City Food Bank"})", ""));
  const BacktestResult result = run_backtest(no_charity, till.events());
  CHECK(result.receipts == 4);
  CHECK(result.identified == 3);
  CHECK(result.total.receipts == 2);
  CHECK(result.skipped ==
        std::vector<BacktestSkip>{{"donations[0].charity_id: unknown charity \"food-bank\"", 2}});
  // Another currency refuses them all.
  const Program dollars =
      load_program_ok(replaced(grocery, R"("currency": "EUR")", R"("currency": "USD")"));
  const BacktestResult refused = run_backtest(dollars, till.events());
  CHECK(refused.total.receipts == 0);
  CHECK(refused.skipped ==
        std::vector<BacktestSkip>{
            {"currency: the receipt is in EUR but program fresh-market counts in USD", 4}});
}

TEST_CASE("An identified receipt without a customer's annex is skipped", "[backtest]") {
  const std::string grocery = example_program_json("grocery");
  StoreTill till("FM014", grocery);
  till.refresh(member("card-a", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 1000, 10)}),
            at_utc("2026-11-25T10:00:00Z"));
  till.sell("card-a", receipt("R-2", {item("CHICKEN-1KG", "meat", 1000, 10)}),
            at_utc("2026-11-25T10:01:00Z"));
  std::vector<JournalEvent> events = till.events();
  REQUIRE(events.size() == 3);  // the key's hq_update, R-1, R-2
  events[1].annex.clear();      // as written before schema v5
  events[2].annex = R"({"key_id":"k1","customer":null})";
  const BacktestResult result = run_backtest(till.program(), events);
  CHECK(result.receipts == 2);
  CHECK(result.identified == 2);
  CHECK(result.total.receipts == 0);
  CHECK(result.skipped ==
        std::vector<BacktestSkip>{
            {"checkout annex is not a customer's ledger annex: it names no customer or no tier", 1},
            {"identified receipt without a ledger annex (written before schema v5): the "
             "customer's tier period is unknown",
             1}});
}

TEST_CASE("A damaged stored quote is skipped before it reaches the engine", "[backtest]") {
  StoreTill till("FM014", example_program_json("grocery"));
  till.refresh(member("card-a", "base", 0), at_utc("2026-11-24T08:00:00Z"));
  till.sell("card-a", receipt("R-1", {item("CHICKEN-1KG", "meat", 1000, 10)}),
            at_utc("2026-11-25T10:00:00Z"));
  till.sell("card-a", receipt("R-2", {item("CHICKEN-1KG", "meat", 1000, 10)}),
            at_utc("2026-11-25T10:01:00Z"));
  std::vector<JournalEvent> events = till.events();
  REQUIRE(events.size() == 3);
  events[1].payload =
      replaced(events[1].payload, R"("redeem_max":0,"earned":95)", R"("redeem_max":0,"earned":-1)");
  events[2].payload = replaced(events[2].payload, R"("burn_excluded":false,"gross_minor":10000)",
                               R"("burn_excluded":false,"gross_minor":10001)");
  const BacktestResult result = run_backtest(till.program(), events);
  CHECK(result.total.receipts == 0);
  CHECK(result.skipped ==
        std::vector<BacktestSkip>{
            {"a line's gross does not divide by its quantity: its unit price cannot be rebuilt", 1},
            {"the stored quote is outside the limits of a receipt: the points", 1}});
}

}  // namespace
}  // namespace loyalty::sync::test
