// Burning: points as tender, cap, minimum balance, exclusions, activation, rewards, donations.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
std::string customer_with(std::int64_t points, const char* active_from = "2026-01-01T00:00:00Z") {
  return R"({"customer_id": "C-1", "purchase_count": 2, "lots": [{"lot_id": "L1", "points": )" +
         std::to_string(points) + R"(, "active_from": ")" + active_from + R"("}]})";
}
const char* capped = R"("burn": {"rate": {"points": 1, "value_minor": 1}, "cap_bp": 2000})";
}  // namespace

TEST_CASE("points as tender, capped at 20 % of the receipt", "[burn]") {
  Program program = make_program(capped);
  CustomerState customer = make_customer(customer_with(5000));
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": "max")");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.available_before == Points(5000));
  CHECK(quote.redeem_max == Points(2000));
  CHECK(quote.burned_total == Points(2000));
  CHECK(quote.points_tender_total == Minor(2000));
  CHECK(quote.due_total == Minor(8000));
  CHECK(quote.earned_total == Points(80));

  Receipt asked =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": {"points": 2500})");
  Quote capped_quote = quote_ok(program, &customer, asked);
  CHECK(capped_quote.burned_total == Points(2000));
  CHECK(has_note(capped_quote, NoteCode::redemption_capped));

  Receipt some =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": {"points": 700})");
  CHECK(quote_ok(program, &customer, some).points_tender_total == Minor(700));
}

TEST_CASE("tender is split over lines by their nets, points following the money", "[burn]") {
  Program program = make_program(R"("burn": {"rate": {"points": 1, "value_minor": 1}})");
  CustomerState customer = make_customer(customer_with(5000));
  Receipt receipt = make_receipt(R"([{"sku": "A", "unit_price_minor": 3000},
      {"sku": "B", "unit_price_minor": 7000}])",
                                 R"("redeem": {"points": 1001})");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.lines[0].points_tender == Minor(300));
  CHECK(quote.lines[1].points_tender == Minor(701));
  CHECK(quote.lines[0].burned == Points(300));
  CHECK(quote.lines[1].burned == Points(701));
  CHECK(quote.lines[0].due == Minor(2700));
  CHECK(quote.lines[1].due == Minor(6299));
}

TEST_CASE("a minimum balance gates redemption", "[burn]") {
  Program program = make_program(R"("burn": {"min_balance": 1000})");
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": "max")");
  CustomerState poor = make_customer(customer_with(800));
  Quote quote = quote_ok(program, &poor, receipt);
  CHECK(quote.burned_total == Points(0));
  CHECK(quote.redeem_max == Points(0));
  CHECK(has_note(quote, NoteCode::redemption_below_min_balance));
  CustomerState rich = make_customer(customer_with(1000));
  CHECK(quote_ok(program, &rich, receipt).burned_total == Points(1000));
}

TEST_CASE("points may not pay for excluded items", "[burn]") {
  Program program = make_program(R"("burn": {"excluded": {"categories": ["tobacco"]}})");
  CustomerState customer = make_customer(customer_with(100000));
  Receipt receipt =
      make_receipt(R"([{"sku": "CIG", "category": "tobacco", "unit_price_minor": 5000},
      {"sku": "BREAD", "category": "bakery", "unit_price_minor": 2000}])",
                   R"("redeem": "max")");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.lines[0].burn_excluded);
  CHECK(quote.lines[0].points_tender == Minor(0));
  CHECK(quote.lines[1].points_tender == Minor(2000));
  CHECK(quote.burned_total == Points(2000));
}

TEST_CASE("points not yet active or already expired cannot be spent", "[burn]") {
  Program program = make_program("");
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "lots": [
      {"lot_id": "L1", "points": 300, "active_from": "2026-01-01T00:00:00Z"},
      {"lot_id": "L2", "points": 500, "active_from": "2026-11-25T00:00:00Z"},
      {"lot_id": "L3", "points": 700, "active_from": "2025-01-01T00:00:00Z",
       "expires_at": "2026-11-01T00:00:00Z"}]})");
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": "max")");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.available_before == Points(300));
  CHECK(quote.burned_total == Points(300));
  CHECK(quote_ok(program, &customer, receipt, at("2026-11-25T00:00:00Z")).available_before ==
        Points(800));
}

TEST_CASE("activation delay: earned points usable from a later local midnight", "[burn]") {
  Program program = make_program(R"("utc_offset_minutes": 120,
      "earn": {"activation": "after_days", "activation_days": 14, "expiry_days": 365})");
  CustomerState customer = make_customer(known_customer());
  Quote quote =
      quote_ok(program, &customer, make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])"));
  // 2026-11-24T12:00Z is 14:00 local; 14 days later local midnight is 2026-12-08T00:00+02:00.
  CHECK(format_timestamp(quote.earned_active_from) == "2026-12-07T22:00:00Z");
  REQUIRE(quote.earned_expires_at);
  CHECK(format_timestamp(*quote.earned_expires_at) == "2027-12-07T22:00:00Z");

  Program immediate = make_program("");
  Quote now =
      quote_ok(immediate, &customer, make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])"));
  CHECK(now.earned_active_from == tuesday_noon());
}

TEST_CASE("burn steps: 100 points are worth 10.00", "[burn]") {
  Program program = make_program(R"("burn": {"rate": {"points": 100, "value_minor": 1000}})");
  CustomerState customer = make_customer(customer_with(1000));
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 5000}])", R"("redeem": {"points": 250})");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.burned_total == Points(200));
  CHECK(quote.points_tender_total == Minor(2000));
  CHECK(has_note(quote, NoteCode::redemption_rounded_to_step));
  // The receipt holds 5 steps at most (50.00), the balance 10.
  CHECK(quote.redeem_max == Points(500));
}

TEST_CASE("reward catalogue items are paid in points", "[burn]") {
  Program program =
      make_program(R"("rewards": [{"id": "free-coffee", "sku": "COFFEE", "points": 350}])");
  CustomerState customer = make_customer(customer_with(1000));
  Receipt receipt = make_receipt(R"([{"sku": "COFFEE", "unit_price_minor": 320, "quantity": 2,
      "reward_id": "free-coffee"}, {"sku": "CAKE", "unit_price_minor": 400}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.lines[0].burned == Points(700));
  CHECK(quote.lines[0].due == Minor(0));
  CHECK(discount_from(quote, 0, "reward:free-coffee") == 640);
  CHECK(quote.burned_total == Points(700));
  CHECK(quote.due_total == Minor(400));
  CHECK(quote.earned_total == Points(4));

  CustomerState poor = make_customer(customer_with(500));
  CHECK(quote_error(program, &poor, receipt) ==
        "lines: the catalogue rewards on this receipt need 700 points, the customer has 500 "
        "available");
  Receipt wrong =
      make_receipt(R"([{"sku": "TEA", "unit_price_minor": 320, "reward_id": "free-coffee"}])");
  CHECK(quote_error(program, &customer, wrong) ==
        "lines[0].reward_id: reward \"free-coffee\" is for SKU COFFEE, not TEA");
  CHECK(quote_error(program, nullptr, receipt) ==
        "lines[0].reward_id: a catalogue reward needs an identified customer");
}

TEST_CASE("charity: points donated at their money value", "[burn]") {
  Program program = make_program(R"("charities": [{"id": "red-cross", "name": "Red Cross"}])");
  CustomerState customer = make_customer(customer_with(1000));
  Receipt receipt =
      make_receipt("[]", R"("donations": [{"charity_id": "red-cross", "points": 600}])");
  Quote quote = quote_ok(program, &customer, receipt);
  REQUIRE(quote.donations.size() == 1);
  CHECK(quote.donations[0].points == Points(600));
  CHECK(quote.donations[0].value == Minor(600));
  CHECK(quote.donated_total == Points(600));

  Receipt too_much =
      make_receipt("[]", R"("donations": [{"charity_id": "red-cross", "points": 1001}])");
  CHECK(quote_error(program, &customer, too_much) ==
        "donations[0].points: 1001 points asked, the customer has 1000 left to give");
  Receipt unknown = make_receipt("[]", R"("donations": [{"charity_id": "unicef", "points": 1}])");
  CHECK(quote_error(program, &customer, unknown) ==
        "donations[0].charity_id: unknown charity \"unicef\"");
}

TEST_CASE("redemption needs a customer", "[burn]") {
  Program program = make_program("");
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])", R"("redeem": "max")");
  CHECK(quote_error(program, nullptr, receipt) ==
        "redeem: paying with points needs an identified customer");
}

TEST_CASE("a receipt in another currency is refused", "[burn]") {
  Program program = make_program("");
  Receipt receipt =
      loyalty::load_receipt(R"({"receipt_id": "R", "currency": "USD", "lines": []})").value();
  CHECK(quote_error(program, nullptr, receipt) ==
        "currency: the receipt is in USD but program test counts in EUR");
}

TEST_CASE("catalogue rewards follow the burn policy's switch and minimum balance", "[burn]") {
  Receipt receipt =
      make_receipt(R"([{"sku": "COFFEE", "unit_price_minor": 320, "reward_id": "free-coffee"}])");
  CustomerState customer = make_customer(customer_with(420));
  Program min_balance = make_program(R"("burn": {"min_balance": 500},
      "rewards": [{"id": "free-coffee", "sku": "COFFEE", "points": 250}])");
  CHECK(quote_error(min_balance, &customer, receipt) ==
        "lines: catalogue rewards need a balance of at least 500 points, the customer has 420");
  Program disabled = make_program(R"("burn": {"enabled": false},
      "rewards": [{"id": "free-coffee", "sku": "COFFEE", "points": 250}])");
  CHECK(quote_error(disabled, &customer, receipt) ==
        "lines: program test does not let customers pay with points (burn.enabled is false)");
}

TEST_CASE("reward totals too large for any balance are refused, not wrapped", "[burn]") {
  Program program =
      make_program(R"("rewards": [{"id": "yacht", "sku": "YACHT", "points": 1000000000000}])");
  CustomerState customer = make_customer(customer_with(1));
  std::string lines = "[";
  for (int i = 0; i < 93; ++i) {
    if (i > 0) lines += ",";
    lines += R"({"sku": "YACHT", "unit_price_minor": 0, "quantity": 100000, "reward_id": "yacht"})";
  }
  lines += "]";
  Receipt receipt = make_receipt(lines, R"("redeem": "max")");
  CHECK(quote_error(program, &customer, receipt) ==
        "lines[92].reward_id: the rewards on this receipt need more points than any balance can "
        "hold");  // 92 lines of 10^17 points still fit in 63 bits, the 93rd does not
}

TEST_CASE("a redemption limited by the balance says so", "[burn]") {
  Program program = make_program(capped);
  CustomerState customer = make_customer(customer_with(600));
  Receipt receipt =
      make_receipt(R"([{"sku": "A", "unit_price_minor": 10000}])", R"("redeem": {"points": 3000})");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(quote.burned_total == Points(600));
  CHECK(has_note(quote, NoteCode::redemption_limited_by_balance));
  CHECK_FALSE(has_note(quote, NoteCode::redemption_capped));
}
