// A refund takes back what the returned units moved in the customer's cached state: period and
// cumulative spend, points earned in the period, the tier an "upgrade at once" gave, the company's
// spend for its bands, the purchase count, the birthday bonus year. Otherwise a bought-and-
// returned basket would keep a tier or a progressive-discount step.

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"
#include "loyalty/core/documents.h"
#include "loyalty/storage/customers.h"

namespace loyalty::storage::test {
namespace {

constexpr std::string_view tier_program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "tier-test",
  "version": 1,
  "currency": "EUR",
  "earn": {"base": {"points": 1, "per_minor": 100}, "rounding": "floor"},
  "tiers": {
    "basis": "spend", "period_days": 365, "upgrade": "immediate", "downgrade": "yearly",
    "levels": [{"id": "bronze", "name": "Bronze", "threshold": 0},
               {"id": "silver", "name": "Silver", "threshold": 100000}]
  },
  "company": {"rounding": "floor",
              "bands": [{"up_to_minor": 200000, "rate_bp": 100}, {"rate_bp": 200}]},
  "rules": [
    {"id": "progressive", "kind": "progressive_discount",
     "thresholds": [{"from_spend_minor": 50000, "percent_bp": 500}]}
  ]
})json";

struct TierFixture {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  Program program = load_program(tier_program_json).value();
  Till till{ledger};
  TierFixture() { REQUIRE(till.store_program(tier_program_json, test_now).ok()); }

  CustomerState cached(const std::string& id) {
    CustomerCache cache(ledger);
    Result<std::optional<CachedCustomer>> row = cache.find(id);
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    return (*row)->state;
  }
};

RefundResult refund_ok(Till& till, const std::string& refund_id, const std::string& receipt_id,
                       std::vector<ReturnRequest> returns, Timestamp at = test_now) {
  Result<RefundResult> result = till.refund(refund_id, receipt_id, returns, at);
  if (!result.ok()) FAIL("refund failed: " << result.error().message);
  return std::move(result).value();
}

CustomerState near_silver() {
  CustomerState state = customer("anna");
  state.tier = "bronze";
  state.tier_review_at = day(200);
  state.period_spend = 95000;
  state.cumulative_spend = Minor(45000);
  state.purchase_count = 7;
  state.company = CompanyLink{"acme", Minor(190000)};
  return state;
}

TEST_CASE("returning a whole receipt gives back its tier, spend, company spend and purchase",
          "[storage][refund][customers]") {
  TierFixture f;
  const CustomerState anna = near_silver();
  // 100.00: the period reaches 1,050.00, so silver at once; cumulative spend 550.00 reaches the
  // progressive step for the next receipt; the company passes its first band.
  const Receipt big = receipt("R-1", {line("COAT", 6000), line("HAT", 4000)});
  Result<CheckoutResult> done = f.till.checkout(f.program, &anna, big, test_now);
  REQUIRE(done.ok());
  CustomerState after = f.cached("anna");
  CHECK(after.tier == "silver");
  CHECK(after.period_spend == 105000);
  CHECK(after.period_points_earned == 100);
  CHECK(after.cumulative_spend == Minor(55000));
  CHECK(after.purchase_count == 8);
  REQUIRE(after.company.has_value());
  CHECK(after.company->year_spend == Minor(200000));

  // Back in two refunds: after the first the period is still 1,010.00 (silver stays), after the
  // second everything the receipt added is gone.
  refund_ok(f.till, "F-1", "R-1", {{1, 1}});
  after = f.cached("anna");
  CHECK(after.tier == "silver");
  CHECK(after.period_spend == 101000);
  CHECK(after.cumulative_spend == Minor(51000));
  CHECK(after.purchase_count == 8);
  refund_ok(f.till, "F-2", "R-1", {{0, 1}});
  after = f.cached("anna");
  CHECK(after.tier == "bronze");
  CHECK(after.period_spend == 95000);
  CHECK(after.period_points_earned == 0);
  CHECK(after.cumulative_spend == Minor(45000));
  CHECK(after.purchase_count == 7);
  CHECK(after.company->year_spend == Minor(190000));

  // So the next receipt gets no progressive discount and earns at the entry tier.
  CustomerState next = f.cached("anna");
  Result<CheckoutResult> again =
      f.till.checkout(f.program, &next, receipt("R-2", {line("HAT", 4000)}), test_now);
  REQUIRE(again.ok());
  CHECK(again->quote_json.find("\"totals\":{\"gross_minor\":4000,\"discount_minor\":0,") !=
        std::string::npos);
}

TEST_CASE("a refund after the tier review leaves the new period alone",
          "[storage][refund][customers]") {
  TierFixture f;
  const CustomerState anna = near_silver();
  REQUIRE(f.till.checkout(f.program, &anna, receipt("R-1", {line("COAT", 6000)}), test_now).ok());
  CHECK(f.cached("anna").period_spend == 101000);
  // The review falls due at day 200: the next receipt starts a new period (9.50: the progressive
  // step's 5 % off, since the lifetime spend is 510.00 now).
  CustomerState later = f.cached("anna");
  REQUIRE(f.till.checkout(f.program, &later, receipt("R-2", {line("HAT", 1000)}), day(201)).ok());
  CHECK(f.cached("anna").period_spend == 950);
  refund_ok(f.till, "F-1", "R-1", {{0, 1}}, day(202));
  const CustomerState after = f.cached("anna");
  CHECK(after.period_spend == 950);  // R-1 belonged to the period that ended
  CHECK(after.cumulative_spend == Minor(45950));
  CHECK(after.tier == "silver");  // the review itself kept silver on 1,010.00
}

}  // namespace
}  // namespace loyalty::storage::test
