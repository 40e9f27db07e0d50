// Earning: base and category rates, exclusions, minimum basket, tier and time-limited
// multipliers, rounding, and earning on the net the customer pays.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

TEST_CASE("base earn: 1 point per 1.00, rounded once per receipt and split over lines", "[earn]") {
  Program program = make_program(R"("earn": {"base": {"points": 1, "per_minor": 100}})");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([
    {"sku": "BREAD", "category": "bakery", "unit_price_minor": 1299, "quantity": 2},
    {"sku": "MILK", "category": "dairy", "unit_price_minor": 550}])");
  Quote quote = quote_ok(program, &customer, receipt);
  // 25.98 + 5.50 = 31.48 -> 31 points; shares 25.58 and 5.41 -> 25 + 5, the spare point to the
  // larger remainder.
  CHECK(quote.earned_total == Points(31));
  CHECK(quote.lines[0].earned == Points(26));
  CHECK(quote.lines[1].earned == Points(5));
  CHECK(earned_from(quote, 0, "earn.base") == 26);
  CHECK(quote.net_total == Minor(3148));
  CHECK(quote.due_total == Minor(3148));
}

TEST_CASE("per-category rates: fuel 1 pt per 10 RUB, shop 3 pts per 10 RUB", "[earn]") {
  Program program = make_program(R"("currency": "RUB",
    "earn": {"base": {"points": 3, "per_minor": 1000}},
    "rules": [{"id": "fuel-rate", "kind": "earn_rate", "items": {"categories": ["fuel"]},
               "points": 1, "per_minor": 1000, "rounding": "floor"}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = loyalty::load_receipt(R"({"receipt_id": "F-1", "currency": "RUB", "lines": [
    {"sku": "AI-95", "category": "fuel", "unit_price_minor": 200000},
    {"sku": "COFFEE", "category": "shop", "unit_price_minor": 35000}]})")
                        .value();
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(earned_from(quote, 0, "rule:fuel-rate") == 200);
  CHECK(earned_from(quote, 0, "earn.base") == 0);
  CHECK(earned_from(quote, 1, "earn.base") == 105);
  CHECK(quote.earned_total == Points(305));
}

TEST_CASE("exclusions: tobacco and gift cards never earn", "[earn]") {
  Program program =
      make_program(R"("earn": {"excluded": {"categories": ["tobacco"], "skus": ["GIFT-50"]}})");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([
    {"sku": "CIG", "category": "tobacco", "unit_price_minor": 1000},
    {"sku": "GIFT-50", "category": "gifts", "unit_price_minor": 5000},
    {"sku": "MILK", "category": "dairy", "unit_price_minor": 500}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.lines[0].earn_excluded);
  CHECK(quote.lines[1].earn_excluded);
  CHECK_FALSE(quote.lines[2].earn_excluded);
  CHECK(quote.lines[0].earned == Points(0));
  CHECK(quote.lines[1].earned == Points(0));
  CHECK(quote.earned_total == Points(5));
}

TEST_CASE("minimum basket: a smaller receipt earns no purchase points", "[earn]") {
  Program program = make_program(R"("earn": {"min_basket_minor": 1000})");
  CustomerState customer = make_customer(known_customer());
  Quote below =
      quote_ok(program, &customer, make_receipt(R"([{"sku": "A", "unit_price_minor": 999}])"));
  CHECK(below.earned_total == Points(0));
  CHECK(has_note(below, NoteCode::below_min_basket_for_earn));
  Quote at_min =
      quote_ok(program, &customer, make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])"));
  CHECK(at_min.earned_total == Points(10));
  CHECK_FALSE(has_note(at_min, NoteCode::below_min_basket_for_earn));
}

namespace {
const char* tiered = R"("tiers": {"levels": [
      {"id": "base", "threshold": 0},
      {"id": "silver", "threshold": 50000, "earn_multiplier_percent": 150},
      {"id": "gold", "threshold": 200000, "earn_multiplier_percent": 200}]},
    "rules": [{"id": "double-tuesday", "kind": "earn_multiplier", "multiplier_percent": 200,
               "schedule": {"weekdays": ["tue"]}}])";
}

TEST_CASE("tier and time-limited multipliers add their extra share", "[earn][tiers]") {
  Program program = make_program(tiered);
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 2000}])");
  CustomerState silver = make_customer(R"({"customer_id": "C-2", "tier": "silver"})");
  CustomerState gold = make_customer(R"({"customer_id": "C-3", "tier": "gold"})");
  Timestamp wednesday = at("2026-11-25T12:00:00Z");

  Quote silver_wed = quote_ok(program, &silver, receipt, wednesday);
  CHECK(earned_from(silver_wed, 0, "earn.base") == 20);
  CHECK(earned_from(silver_wed, 0, "tier:silver") == 10);
  CHECK(silver_wed.earned_total == Points(30));

  Quote gold_wed = quote_ok(program, &gold, receipt, wednesday);
  CHECK(gold_wed.earned_total == Points(40));

  // Silver on a double-points Tuesday: 20 base + 10 tier + 20 promotion = x2.5.
  Quote silver_tue = quote_ok(program, &silver, receipt, tuesday_noon());
  CHECK(earned_from(silver_tue, 0, "rule:double-tuesday") == 20);
  CHECK(silver_tue.earned_total == Points(50));
}

TEST_CASE("double-points hours follow the store's local time", "[earn]") {
  Program program = make_program(R"("utc_offset_minutes": 180,
    "rules": [{"id": "happy-hour", "kind": "earn_multiplier", "multiplier_percent": 300,
               "schedule": {"from": "17:00", "to": "19:00"}}])");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])");
  // 14:30 UTC is 17:30 at UTC+3: inside the window.
  CHECK(quote_ok(program, &customer, receipt, at("2026-11-24T14:30:00Z")).earned_total ==
        Points(30));
  // 16:00 UTC is 19:00 local: the window is half-open, so it is over.
  CHECK(quote_ok(program, &customer, receipt, at("2026-11-24T16:00:00Z")).earned_total ==
        Points(10));
}

TEST_CASE("named rounding: floor, half_up and half_even", "[earn][rounding]") {
  auto earn_with = [](const char* rounding, std::int64_t price) {
    Program program = make_program(std::string(R"("earn": {"rounding": ")") + rounding + "\"}");
    CustomerState customer = make_customer(known_customer());
    std::string lines = R"([{"sku": "A", "unit_price_minor": )" + std::to_string(price) + "}]";
    return quote_ok(program, &customer, make_receipt(lines)).earned_total.value();
  };
  CHECK(earn_with("floor", 250) == 2);
  CHECK(earn_with("half_up", 250) == 3);
  CHECK(earn_with("half_even", 250) == 2);
  CHECK(earn_with("half_even", 350) == 4);
  CHECK(earn_with("half_up", 249) == 2);
  CHECK(earn_with("floor", 99) == 0);
}

TEST_CASE("earning uses the net after discounts and after points tender", "[earn][burn]") {
  const char* members = R"("burn": {"rate": {"points": 1, "value_minor": 1}},
    "rules": [{"id": "ten-off", "kind": "percent_off", "percent_bp": 1000}])";
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "lots": [
    {"lot_id": "L1", "points": 5000, "active_from": "2026-01-01T00:00:00Z"}]})");
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 5000}])", R"("redeem": {"points": 500})");
  Program after_points = make_program(members);
  Quote quote = quote_ok(after_points, &customer, receipt);
  CHECK(quote.discount_total == Minor(500));
  CHECK(quote.points_tender_total == Minor(500));
  CHECK(quote.burned_total == Points(500));
  CHECK(quote.due_total == Minor(4000));
  CHECK(quote.earned_total == Points(40));  // earn and burn in the same receipt

  Program before_points =
      make_program(std::string(members) + R"(, "earn": {"base_on": "net_before_points"})");
  CHECK(quote_ok(before_points, &customer, receipt).earned_total == Points(45));
}

TEST_CASE("voided and reward lines earn nothing", "[earn]") {
  Program program =
      make_program(R"("rewards": [{"id": "free-coffee", "sku": "COFFEE", "points": 350}])");
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "lots": [
    {"lot_id": "L1", "points": 1000, "active_from": "2026-01-01T00:00:00Z"}]})");
  Receipt receipt = make_receipt(R"([
    {"sku": "A", "unit_price_minor": 1000},
    {"sku": "B", "unit_price_minor": 3000, "voided": true},
    {"sku": "COFFEE", "unit_price_minor": 350, "reward_id": "free-coffee"}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.lines[1].status == LineStatus::voided);
  CHECK(quote.lines[1].earned == Points(0));
  CHECK(quote.lines[1].net == Minor(0));
  CHECK(quote.lines[2].status == LineStatus::reward);
  CHECK(quote.lines[2].earned == Points(0));
  CHECK(quote.earned_total == Points(10));
  CHECK(quote.gross_total == Minor(1350));
}

TEST_CASE("anonymous receipts earn nothing", "[earn]") {
  Program program = make_program("");
  Quote quote =
      quote_ok(program, nullptr, make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])"));
  CHECK(quote.earned_total == Points(0));
  CHECK(quote.earns.empty());
  CHECK_FALSE(quote.identified);
}

TEST_CASE("the store's zone wins over the program's fixed offset, which is the fallback",
          "[earn][time_zone]") {
  Program program = make_program(R"("utc_offset_minutes": 60,
      "earn": {"activation": "after_days", "activation_days": 1, "expiry_days": 10})");
  CustomerState customer = make_customer(known_customer());
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])");
  // 12:00Z: local 13:00 at the program's +01:00; the next midnight is 23:00Z.
  Quote fallback = quote_ok(program, &customer, receipt, at("2026-11-24T12:00:00Z"));
  CHECK(format_timestamp(fallback.earned_active_from) == "2026-11-24T23:00:00Z");
  CHECK(format_timestamp(*fallback.earned_expires_at) == "2026-12-04T23:00:00Z");
  FixedOffsetZone tokyo(9 * 60);
  QuoteEnvironment env;
  env.zone = &tokyo;
  Quote zoned = quote_in(program, &customer, receipt, at("2026-11-24T12:00:00Z"), env);
  CHECK(format_timestamp(zoned.earned_active_from) == "2026-11-24T15:00:00Z");
  // Without any offset the program falls back to UTC.
  Program utc = make_program(R"("earn": {"activation": "after_days", "activation_days": 1})");
  CHECK(format_timestamp(
            quote_ok(utc, &customer, receipt, at("2026-11-24T12:00:00Z")).earned_active_from) ==
        "2026-11-25T00:00:00Z");
}
