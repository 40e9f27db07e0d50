// Receipt-level awards: welcome, birthday, referral and HQ-delivered events.
#include "engine/engine_support.h"

using namespace loyalty;
using namespace loyalty::testing;

namespace {
const char* bonuses = R"("rules": [
  {"id": "welcome", "kind": "bonus", "trigger": "welcome", "points": 100},
  {"id": "birthday", "kind": "bonus", "trigger": "birthday", "points": 1000,
   "window_days_before": 3, "window_days_after": 3},
  {"id": "referral", "kind": "bonus", "trigger": "referral", "points": 50, "referrer_points": 200},
  {"id": "review", "kind": "event_award", "event_type": "review", "points": 25,
   "per_customer_max": 2}])";

Receipt small_receipt(const std::string& extra = "") {
  return make_receipt(R"([{"sku": "A", "unit_price_minor": 1000}])", extra);
}
}  // namespace

TEST_CASE("welcome bonus on the first purchase only", "[awards]") {
  Program program = make_program(bonuses);
  CustomerState first = make_customer(R"({"customer_id": "C-1", "purchase_count": 0})");
  Quote quote = quote_ok(program, &first, small_receipt());
  CHECK(earned_from(quote, no_line, "rule:welcome") == 100);
  CHECK(quote.earned_total == Points(110));
  CustomerState second = make_customer(R"({"customer_id": "C-1", "purchase_count": 1})");
  CHECK(earned_from(quote_ok(program, &second, small_receipt()), no_line, "rule:welcome") == 0);
}

TEST_CASE("birthday bonus inside its window, once a year", "[awards]") {
  Program program = make_program(bonuses);
  CustomerState customer =
      make_customer(R"({"customer_id": "C-1", "purchase_count": 3, "birthday": "1990-11-26"})");
  // Tuesday 2026-11-24 is two days before the birthday.
  CHECK(earned_from(quote_ok(program, &customer, small_receipt()), no_line, "rule:birthday") ==
        1000);
  CHECK(earned_from(quote_ok(program, &customer, small_receipt(), at("2026-11-29T23:59:59Z")),
                    no_line, "rule:birthday") == 1000);
  CHECK(earned_from(quote_ok(program, &customer, small_receipt(), at("2026-11-30T00:00:00Z")),
                    no_line, "rule:birthday") == 0);
  CustomerState already = make_customer(R"({"customer_id": "C-1", "purchase_count": 3,
      "birthday": "1990-11-26", "last_birthday_bonus_year": 2026})");
  CHECK(earned_from(quote_ok(program, &already, small_receipt()), no_line, "rule:birthday") == 0);
}

TEST_CASE("birthday window across New Year counts for the birthday's year", "[awards]") {
  Program program = make_program(bonuses);
  CustomerState customer = make_customer(R"({"customer_id": "C-1", "purchase_count": 3,
      "birthday": "2001-01-02", "last_birthday_bonus_year": 2026})");
  // 2026-12-30 is three days before 2027-01-02: the 2027 bonus, not yet given.
  CHECK(earned_from(quote_ok(program, &customer, small_receipt(), at("2026-12-30T10:00:00Z")),
                    no_line, "rule:birthday") == 1000);
}

TEST_CASE("a 29 February birthday is celebrated on 28 February in other years", "[awards]") {
  Program program = make_program(R"("rules": [{"id": "bd", "kind": "bonus",
      "trigger": "birthday", "points": 10}])");
  CustomerState customer =
      make_customer(R"({"customer_id": "C-1", "purchase_count": 3, "birthday": "2004-02-29"})");
  CHECK(earned_from(quote_ok(program, &customer, small_receipt(), at("2027-02-28T10:00:00Z")),
                    no_line, "rule:bd") == 10);
  CHECK(earned_from(quote_ok(program, &customer, small_receipt(), at("2027-03-01T10:00:00Z")),
                    no_line, "rule:bd") == 0);
}

TEST_CASE("referral bonus to both when the referred customer first buys", "[awards]") {
  Program program = make_program(bonuses);
  CustomerState referred =
      make_customer(R"({"customer_id": "C-9", "purchase_count": 0, "referred_by": "C-1"})");
  Quote quote = quote_ok(program, &referred, small_receipt());
  CHECK(earned_from(quote, no_line, "rule:referral") == 50);
  CHECK(earned_from(quote, no_line, "rule:referral", EarnAccount::referrer) == 200);
  CHECK(quote.referrer_points_total == Points(200));
  CHECK(quote.earned_total == Points(10 + 100 + 50));
  CustomerState later =
      make_customer(R"({"customer_id": "C-9", "purchase_count": 1, "referred_by": "C-1"})");
  CHECK(quote_ok(program, &later, small_receipt()).referrer_points_total == Points(0));
}

TEST_CASE("non-purchase events delivered by HQ earn points up to a limit", "[awards]") {
  Program program = make_program(bonuses);
  CustomerState customer = make_customer(
      R"({"customer_id": "C-1", "purchase_count": 4, "event_awards": {"review": 1}})");
  Receipt receipt = make_receipt("[]", R"("events": [
      {"event_id": "EV-1", "event_type": "review"}, {"event_id": "EV-2", "event_type": "review"}])");
  Quote quote = quote_ok(program, &customer, receipt);
  CHECK(earned_from(quote, no_line, "rule:review") == 25);
  CHECK(quote.earned_total == Points(25));
  CHECK(has_note(quote, NoteCode::event_limit_reached));

  Receipt unknown =
      make_receipt("[]", R"("events": [{"event_id": "EV-3", "event_type": "survey"}])");
  CHECK(quote_error(program, &customer, unknown) ==
        "events[0].event_type: no active event_award rule for \"survey\" in program test");
  CHECK(quote_error(program, nullptr, receipt) == "events: crediting events needs a customer");
}
