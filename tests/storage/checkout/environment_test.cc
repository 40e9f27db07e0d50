// The store's environment in the ledger: every quote and every re-quote of a stored receipt
// (commit, refund) uses the store's time zone and the program's draw key, and the ledger counts
// campaign budgets itself: what each budget gave, per period, reserved by open receipts, given back
// by cancels and refunds.

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"
#include "loyalty/core/draw.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/time_zone.h"

namespace loyalty::storage::test {
namespace {

constexpr std::string_view env_program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "env-test",
  "version": 1,
  "currency": "EUR",
  "earn": {"base": {"points": 1, "per_minor": 100}, "rounding": "floor",
           "activation": "after_days", "activation_days": 1},
  "budgets": [{"id": "wine-money", "limit_minor": 250, "period": "month"}],
  "rules": [
    {"id": "wine-10", "kind": "percent_off", "items": {"skus": ["WINE"]}, "percent_bp": 1000,
     "scope": "line", "budget": "wine-money"},
    {"id": "scratch", "kind": "instant_win", "odds": {"numerator": 1, "denominator": 2},
     "prize_points": 5}
  ]
})json";

// A keyer whose value is fixed: even values win at 1 in 2.
class FixedKeyer final : public DrawKeyer {
 public:
  explicit FixedKeyer(std::uint64_t value) : value_(value) {}
  std::uint64_t draw_value(std::string_view) const override { return value_; }

 private:
  std::uint64_t value_;
};

struct EnvFixture {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  Program program = load_program(env_program_json).value();
  FixedOffsetZone zone{180};  // UTC+03:00
  FixedKeyer keyer{4};
  Till till{ledger, TillEnvironment{&zone, [this](std::string_view id) -> const DrawKeyer* {
                                      return id == "env-test" ? &keyer : nullptr;
                                    }}};
  EnvFixture() { REQUIRE(till.store_program(env_program_json, test_now).ok()); }

  CheckoutResult checkout(const std::string& id, std::int64_t wine_minor, Timestamp at) {
    const CustomerState anna = customer("anna");
    Result<CheckoutResult> result =
        till.checkout(program, &anna, receipt(id, {line("WINE", wine_minor)}), at);
    if (!result.ok()) FAIL("checkout failed: " << result.error().message);
    return std::move(result).value();
  }
};

bool has(const std::string& json, const std::string& part) {
  return json.find(part) != std::string::npos;
}

TEST_CASE("the ledger quotes in the store's zone and records it with the receipt",
          "[storage][environment]") {
  EnvFixture f;
  // 2026-11-18T11:06:40Z is 14:06 in UTC+03:00: the points wake at the next local midnight,
  // 2026-11-18T21:00:00Z.
  const CheckoutResult done = f.checkout("R-1", 1000, test_now);
  CHECK(has(done.quote_json, "\"earned_active_from\":\"2026-11-18T21:00:00Z\""));
  CHECK(scalar(f.ledger, "SELECT COUNT(*) FROM receipts WHERE time_zone = 'UTC+03:00'") == 1);
  // A till set to another zone cannot quote the receipt again as it was: it says why.
  FixedOffsetZone other(60);
  Till elsewhere(f.ledger, TillEnvironment{&other, {}});
  Result<RefundResult> refused =
      elsewhere.refund("F-1", "R-1", std::vector<ReturnRequest>{{0, 1}}, test_now);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message ==
        "receipt R-1 was quoted in the time zone UTC+03:00, but this till is set to UTC+01:00: set "
        "the store's zone back to UTC+03:00 to refund it");
  // The till it was quoted in refunds it.
  REQUIRE(f.till.refund("F-1", "R-1", std::vector<ReturnRequest>{{0, 1}}, test_now).ok());
  require_check_ok(f.ledger);
}

TEST_CASE("the ledger holds draws with the program's key, and none without it",
          "[storage][environment]") {
  EnvFixture f;
  CHECK(has(f.checkout("R-1", 1000, test_now).quote_json, "\"won\":true"));
  Till keyless(f.ledger);
  const CustomerState anna = customer("anna");
  Result<CheckoutResult> done =
      keyless.checkout(f.program, &anna, receipt("R-2", {line("WINE", 1000)}), test_now);
  REQUIRE(done.ok());
  CHECK(has(done->quote_json, "draw_not_held"));
  CHECK_FALSE(has(done->quote_json, "\"won\":true"));
  // The keyed receipt re-quotes with the key: its refund reverses the prize too.
  REQUIRE(f.till.refund("F-1", "R-1", std::vector<ReturnRequest>{{0, 1}}, test_now).ok());
  require_check_ok(f.ledger);
}

TEST_CASE("the ledger counts a campaign budget per period and the quote stops at its limit",
          "[storage][environment][budgets]") {
  EnvFixture f;
  // 10 % off 10.00 of wine: 1.00 of the 2.50 budget each time, the third gets the last 0.50.
  CHECK(has(f.checkout("R-1", 1000, test_now).quote_json, "\"discount_minor\":100"));
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 100);
  f.checkout("R-2", 1000, test_now);
  const CheckoutResult third = f.checkout("R-3", 1000, test_now);
  CHECK(has(third.quote_json, "\"totals\":{\"gross_minor\":1000,\"discount_minor\":50,"));
  CHECK(has(third.quote_json, "budget_capped"));
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 250);
  const CheckoutResult fourth = f.checkout("R-4", 1000, test_now);
  CHECK(has(fourth.quote_json, "\"totals\":{\"gross_minor\":1000,\"discount_minor\":0,"));
  // December is a new period, in the store's zone: 2026-11-30T21:00:00Z is already December 1st.
  const CheckoutResult december = f.checkout("R-5", 1000, Timestamp{1'796'072'400});
  CHECK(has(december.quote_json, "\"totals\":{\"gross_minor\":1000,\"discount_minor\":100,"));
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-12") == 100);
  // A refund gives the budget back in the period the receipt counted in.
  REQUIRE(f.till.refund("F-1", "R-1", std::vector<ReturnRequest>{{0, 1}}, test_now).ok());
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 150);
  CHECK(has(f.checkout("R-6", 1000, test_now).quote_json, "\"discount_minor\":100"));
  require_check_ok(f.ledger);
}

TEST_CASE("an open receipt reserves what its budget gives, and a cancel gives it back",
          "[storage][environment][budgets][holds]") {
  EnvFixture f;
  const CustomerState anna = customer("anna");
  REQUIRE(
      f.till.open_receipt(f.program, &anna, receipt("H-1", {line("WINE", 2000)}), test_now).ok());
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 200);
  // Meanwhile another receipt gets only the 0.50 left.
  CHECK(has(f.checkout("R-1", 1000, test_now).quote_json, "\"discount_minor\":50"));
  REQUIRE(f.till.cancel_receipt("H-1", test_now).ok());
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 50);
  // Committed, the reserved spend counts once.
  REQUIRE(
      f.till.open_receipt(f.program, &anna, receipt("H-2", {line("WINE", 1000)}), test_now).ok());
  REQUIRE(f.till.commit_receipt("H-2", test_now).ok());
  CHECK(counter(f.ledger, "", "budget_spent", "wine-money/2026-11") == 150);
  require_check_ok(f.ledger);
}

}  // namespace
}  // namespace loyalty::storage::test
