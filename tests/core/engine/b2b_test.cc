// B2B company accounts with dual accrual, and coalition partners with settlement.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* company_bands = R"("company": {"rounding": "floor", "bands": [
    {"up_to_minor": 300000000, "rate_bp": 500},
    {"up_to_minor": 500000000, "rate_bp": 600},
    {"rate_bp": 700}]})";
CustomerState employee(std::int64_t company_spend) {
  return make_customer(R"({"customer_id": "E-1", "company": {"company_id": "ACME",
      "year_spend_minor": )" +
                       std::to_string(company_spend) + "}}");
}
}  // namespace

TEST_CASE("company earns by its yearly spend band and the employee earns too", "[b2b]") {
  Program program = make_program(company_bands);
  Receipt receipt = make_receipt(R"([{"sku": "PAPER", "unit_price_minor": 123456}])");
  CustomerState small_company = employee(250000000);
  CustomerState mid_company = employee(300000000);
  CustomerState big_company = employee(600000000);
  Quote low = quote_ok(program, &small_company, receipt);
  CHECK(low.company_points_total == Points(6172));  // 5 % of 1234.56, floor
  CHECK(low.earned_total == Points(1234));          // the employee's own points
  CHECK(earned_from(low, 0, "company:band-1", EarnAccount::company) == 6172);
  Quote mid = quote_ok(program, &mid_company, receipt);
  CHECK(mid.company_points_total == Points(7407));  // 6 %: the band starts at 3 M
  Quote high = quote_ok(program, &big_company, receipt);
  CHECK(high.company_points_total == Points(8641));  // 7 %
  REQUIRE(high.company_band);
  CHECK(*high.company_band == 2);
  CustomerState private_customer = make_customer(known_customer());
  CHECK(quote_ok(program, &private_customer, receipt).company_points_total == Points(0));
}

TEST_CASE("coalition: earning and burning at a partner brand, with settlement", "[coalition]") {
  Program program = make_program(R"("partners": [{"id": "fuelco", "name": "FuelCo",
      "settlement_per_point_earned_minor": 1, "settlement_per_point_burned_minor": 2}],
    "rules": [{"id": "partner-rate", "kind": "earn_rate", "points": 1, "per_minor": 200,
               "audience": {"partners": ["fuelco"]}}])");
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "lots": [
      {"lot_id": "L1", "points": 1000, "active_from": "2026-01-01T00:00:00Z"}]})");
  Receipt at_partner = loyalty::load_receipt(R"({"receipt_id": "P-1", "currency": "EUR",
      "partner_id": "fuelco", "redeem": {"points": 300},
      "lines": [{"sku": "FUEL", "unit_price_minor": 6300}]})")
                           .value();
  Quote quote = quote_ok(program, &customer, at_partner);
  // Burn 300 (3.00), earn 1 pt per 2.00 on the 60.00 paid = 30.
  CHECK(quote.burned_total == Points(300));
  CHECK(quote.earned_total == Points(30));
  CHECK(quote.settlement_partner_owes == Minor(30));
  CHECK(quote.settlement_owed_to_partner == Minor(600));
  // At the program's own store the partner rate does not apply.
  Receipt own = make_receipt(R"([{"sku": "FUEL", "unit_price_minor": 6300}])");
  Quote own_quote = quote_ok(program, &customer, own);
  CHECK(own_quote.earned_total == Points(63));
  CHECK_FALSE(own_quote.partner);
  Receipt unknown = loyalty::load_receipt(R"({"receipt_id": "P-2", "currency": "EUR",
      "partner_id": "nobody", "lines": []})")
                        .value();
  CHECK(quote_error(program, &customer, unknown) ==
        "partner_id: unknown partner \"nobody\" in program test");
}
