// Rendering of quotes and reversals: exact JSON and table text for a hand-built quote (no engine),
// format_minor, source labels and Quote::clear.
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "loyalty/core/program.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/reversal.h"

namespace loyalty {
namespace {

constexpr std::int64_t at_seconds = 1773135000;      // 2026-03-10T09:30:00Z
constexpr std::int64_t expiry_seconds = 1804671000;  // 2027-03-10T09:30:00Z
constexpr std::int64_t review_seconds = 1798761600;  // 2027-01-01T00:00:00Z

Rule make_rule(std::string id, RuleKind kind, RuleParams params) {
  Rule rule;
  rule.id = std::move(id);
  rule.kind = kind;
  rule.params = std::move(params);
  return rule;
}

Program make_program() {
  Program program;
  program.program_id = "cafe";
  program.version = 3;
  program.currency = "EUR";
  program.currency_exponent = 2;
  program.rules.push_back(
      make_rule("happy-hour", RuleKind::percent_off, PercentOffRule{BasisPoints{1000}}));
  StampCardRule card;
  card.card_id = "coffee";
  program.rules.push_back(make_rule("coffee-card", RuleKind::stamp_card, card));
  CouponRule coupon;
  coupon.code = "SPRING10";
  program.rules.push_back(make_rule("spring10", RuleKind::coupon, coupon));
  program.rules.push_back(make_rule("welcome", RuleKind::bonus, BonusRule{}));
  program.rules.push_back(make_rule("lucky", RuleKind::instant_win, InstantWinRule{}));
  program.tiers.tiers.push_back(Tier{"base", "Base", 0, 100, false});
  program.tiers.tiers.push_back(Tier{"gold", "Gold", 50000, 150, false});
  program.charities.push_back(Charity{"red-cross", "Red Cross"});
  program.rewards.push_back(RewardItem{"free-coffee", "LATTE", Points{300}});
  program.budgets.push_back(Budget{"spring-money", BudgetUnit::money, 100000, BudgetPeriod::month});
  return program;
}

Receipt make_receipt() {
  Receipt receipt;
  receipt.receipt_id = "R-1";
  receipt.currency = "EUR";
  receipt.lines.push_back(ReceiptLine{"LATTE", "coffee", Minor{350}, 2, false, ""});
  receipt.lines.push_back(ReceiptLine{"MUFFIN", "bakery", Minor{250}, 1, false, ""});
  receipt.coupons = {"spring10", "NOPE"};
  return receipt;
}

Source rule_source(std::uint32_t index) { return Source{SourceKind::rule, index}; }

void fill_lines(Quote& quote) {
  QuoteLine latte;
  latte.gross = Minor{700};
  latte.discount = Minor{70};
  latte.net = Minor{630};
  latte.points_tender = Minor{130};
  latte.due = Minor{500};
  latte.earned = Points{5};
  latte.burned = Points{130};
  QuoteLine muffin;
  muffin.earn_excluded = true;
  muffin.gross = Minor{250};
  muffin.discount = Minor{25};
  muffin.net = Minor{225};
  muffin.due = Minor{225};
  quote.lines = {latte, muffin};
  quote.discounts = {Discount{0, rule_source(0), Minor{70}},
                     Discount{1, rule_source(2), Minor{25}}};
  quote.earns = {EarnEntry{0, Source{SourceKind::earn_base, 0}, EarnAccount::customer, Points{5}},
                 EarnEntry{no_line, rule_source(3), EarnAccount::customer, Points{100}}};
  quote.burns = {BurnEntry{0, Source{SourceKind::burn, 0}, Points{130}, Minor{130}}};
}

// A quote for make_receipt() that uses every section of the output.
Quote make_quote(const Program& program) {
  Quote quote;
  quote.program = &program;
  quote.receipt_id = "R-1";
  quote.at = Timestamp{at_seconds};
  quote.identified = true;
  fill_lines(quote);
  quote.stamps = {StampMovement{1, 0, 2, 0}};
  quote.coupons = {CouponOutcome{0, 2, CouponStatus::applied, Minor{25}},
                   CouponOutcome{1, std::nullopt, CouponStatus::unknown_code, Minor{0}}};
  quote.draws = {DrawOutcome{4, UINT64_MAX, false}};
  quote.donations = {DonationOutcome{0, Points{10}, Minor{10}}};
  quote.budgets = {BudgetUse{0, "2026-03", 99980, 20}};
  quote.notes = {Note{NoteCode::redemption_capped, Source{SourceKind::burn, 0}, 130},
                 Note{NoteCode::budget_capped, rule_source(2), 5}};
  quote.gross_total = Minor{950};
  quote.discount_total = Minor{95};
  quote.net_total = Minor{855};
  quote.points_tender_total = Minor{130};
  quote.due_total = Minor{725};
  quote.available_before = Points{500};
  quote.redeem_max = Points{130};
  quote.earned_total = Points{105};
  quote.burned_total = Points{130};
  quote.donated_total = Points{10};
  quote.earned_active_from = Timestamp{at_seconds};
  quote.earned_expires_at = Timestamp{expiry_seconds};
  quote.tier_before = 0;
  quote.tier_after = 1;
  quote.tier_review_at = Timestamp{review_seconds};
  quote.company_band = 1;
  return quote;
}

}  // namespace

TEST_CASE("format_minor places the decimal point by the currency exponent", "[quote_render]") {
  CHECK(format_minor(Minor{129}, 2) == "1.29");
  CHECK(format_minor(Minor{-5}, 2) == "-0.05");
  CHECK(format_minor(Minor{7}, 0) == "7");
  CHECK(format_minor(Minor{100000}, 2) == "1000.00");
  CHECK(format_minor(Minor{0}, 2) == "0.00");
  CHECK(format_minor(Minor{-100}, 2) == "-1.00");
  CHECK(format_minor(Minor{5}, 3) == "0.005");
  CHECK(format_minor(Minor{-7}, 0) == "-7");
  CHECK(format_minor(Minor{INT64_MIN}, 2) == "-92233720368547758.08");
  CHECK(format_minor(Minor{INT64_MAX}, 0) == "9223372036854775807");
}

TEST_CASE("source_label names every kind of source", "[quote_render]") {
  const Program program = make_program();
  CHECK(source_label(program, Source{SourceKind::rule, 2}) == "rule:spring10");
  CHECK(source_label(program, Source{SourceKind::earn_base, 0}) == "earn.base");
  CHECK(source_label(program, Source{SourceKind::tier, 1}) == "tier:gold");
  CHECK(source_label(program, Source{SourceKind::burn, 0}) == "burn");
  CHECK(source_label(program, Source{SourceKind::reward, 0}) == "reward:free-coffee");
  CHECK(source_label(program, Source{SourceKind::company, 0}) == "company:band-1");
  CHECK(source_label(program, Source{SourceKind::charity, 0}) == "charity:red-cross");
  // An index the program does not have is shown, not read out of bounds.
  CHECK(source_label(program, Source{SourceKind::rule, 99}) == "rule:#99");
}

TEST_CASE("coupon_status_name and note_code_name use the enumerator names", "[quote_render]") {
  CHECK(std::string(coupon_status_name(CouponStatus::customer_limit_reached)) ==
        "customer_limit_reached");
  CHECK(std::string(coupon_status_name(CouponStatus::duplicate)) == "duplicate");
  CHECK(std::string(note_code_name(NoteCode::below_min_basket_for_earn)) ==
        "below_min_basket_for_earn");
  CHECK(std::string(note_code_name(NoteCode::event_limit_reached)) == "event_limit_reached");
}

TEST_CASE("quote_to_json writes every section in a fixed order", "[quote_render]") {
  const Program program = make_program();
  const Receipt receipt = make_receipt();
  const Quote quote = make_quote(program);
  const std::string expected =
      R"({"program":{"id":"cafe","version":3},"receipt_id":"R-1","at":"2026-03-10T09:30:00Z",)"
      R"("identified":true,"currency":"EUR",)"
      R"("totals":{"gross_minor":950,"discount_minor":95,"net_minor":855,)"
      R"("points_tender_minor":130,"due_minor":725},)"
      R"("points":{"available_before":500,"redeem_max":130,"earned":105,"burned":130,)"
      R"("donated":10,"company":0,"referrer":0,"earned_active_from":"2026-03-10T09:30:00Z",)"
      R"("earned_expires_at":"2027-03-10T09:30:00Z"},)"
      R"("lines":[{"index":0,"sku":"LATTE","category":"coffee","quantity":2,"status":"regular",)"
      R"("earn_excluded":false,"burn_excluded":false,"gross_minor":700,"discount_minor":70,)"
      R"("net_minor":630,"points_tender_minor":130,"due_minor":500,"earned":5,"burned":130,)"
      R"("company_points":0,"discounts":[{"source":"rule:happy-hour","amount_minor":70}],)"
      R"("earns":[{"source":"earn.base","account":"customer","points":5}],)"
      R"("burns":[{"source":"burn","points":130,"value_minor":130}]},)"
      R"({"index":1,"sku":"MUFFIN","category":"bakery","quantity":1,"status":"regular",)"
      R"("earn_excluded":true,"burn_excluded":false,"gross_minor":250,"discount_minor":25,)"
      R"("net_minor":225,"points_tender_minor":0,"due_minor":225,"earned":0,"burned":0,)"
      R"("company_points":0,"discounts":[{"source":"rule:spring10","amount_minor":25}],)"
      R"("earns":[],"burns":[]}],)"
      R"("receipt_earns":[{"source":"rule:welcome","account":"customer","points":100}],)"
      R"("stamps":[{"rule":"coffee-card","card_id":"coffee","line":0,"earned":2,"redeemed":0}],)"
      R"("coupons":[{"code":"spring10","rule":"spring10","status":"applied","discount_minor":25},)"
      R"({"code":"NOPE","rule":null,"status":"unknown_code","discount_minor":0}],)"
      R"("draws":[{"rule":"lucky","value":"18446744073709551615","won":false}],)"
      R"("donations":[{"charity":"red-cross","points":10,"value_minor":10}],)"
      R"("budgets":[{"budget":"spring-money","unit":"money","period":"2026-03",)"
      R"("spent_before":99980,"used":20}],)"
      R"("tier":{"before":"base","after":"gold","review_at":"2027-01-01T00:00:00Z"},)"
      R"("paid_membership_until":null,"company_band":"company:band-2",)"
      R"("settlement":{"partner":null,"partner_owes_minor":0,"owed_to_partner_minor":0},)"
      R"("notes":[{"code":"redemption_capped","source":"burn","value":130},)"
      R"({"code":"budget_capped","source":"rule:spring10","value":5}]})";
  CHECK(quote_to_json(receipt, quote, false) == expected);
}

TEST_CASE("quote_to_json in pretty form indents and is deterministic", "[quote_render]") {
  const Program program = make_program();
  const Receipt receipt = make_receipt();
  const Quote quote = make_quote(program);
  const std::string pretty = quote_to_json(receipt, quote, true);
  CHECK(pretty.rfind("{\n  \"program\": {\n    \"id\": \"cafe\",\n", 0) == 0);
  CHECK(pretty == quote_to_json(receipt, quote, true));
}

TEST_CASE("quote_to_table lays out lines, details, sections and totals", "[quote_render]") {
  const Program program = make_program();
  const Receipt receipt = make_receipt();
  const Quote quote = make_quote(program);
  const std::string expected = R"table(Program cafe version 3, currency EUR
Receipt R-1 at 2026-03-10T09:30:00Z, customer identified
  # SKU                  Qty      Gross   Discount        Net   Pts paid        Due  Earned  Burned
---------------------------------------------------------------------------------------------------
  0 LATTE                  2       7.00       0.70       6.30       1.30       5.00       5     130
      discount  rule:happy-hour                                                -0.70
      earn      earn.base                                                     +5 pts
      burn      burn                                                  130 pts = 1.30
  1 MUFFIN                 1       2.50       0.25       2.25       0.00       2.25       0       0
      (earn excluded)
      discount  rule:spring10                                                  -0.25
---------------------------------------------------------------------------------------------------
Receipt awards
  rule:welcome                   customer                                      +100 pts
Coupons
  spring10                       applied (rule:spring10)                          -0.25
  NOPE                           unknown_code
Stamps
  rule:coffee-card               card coffee, line 0                            +2 / -0
Draws
  rule:lucky                     value 18446744073709551615                        lost
Donations
  charity:red-cross              10 pts                                            0.10
Budgets
  budget:spring-money            2026-03, spent before 999.80                 used 0.20
Tier base -> gold, next review 2027-01-01T00:00:00Z
Company band company:band-2
Notes
  redemption_capped              burn                                               130
  budget_capped                  rule:spring10                                        5
Totals (EUR)
  Gross                                     9.50
  Discount                                  0.95
  Net                                       8.55
  Paid with points                          1.30
  Due                                       7.25
Points
  Available before                           500
  Redeemable at most                         130
  Earned                                     105
  Burned                                     130
  Donated                                     10
  Company                                      0
  Referrer                                     0
  Earned points active from 2026-03-10T09:30:00Z
  Earned points expire at   2027-03-10T09:30:00Z
)table";
  const std::string table = quote_to_table(receipt, quote);
  CHECK(table == expected);
  std::size_t begin = 0;
  while (begin < table.size()) {
    const std::size_t end = table.find('\n', begin);
    REQUIRE(end != std::string::npos);
    CHECK(end - begin <= 100);
    begin = end + 1;
  }
}

TEST_CASE("quote_to_table cuts long text to its column", "[quote_render]") {
  const Program program = make_program();
  Receipt receipt = make_receipt();
  receipt.lines[0].sku = "A-VERY-LONG-SKU-THAT-DOES-NOT-FIT";
  receipt.lines[1].sku = "TAB\tSKU";
  Quote quote = make_quote(program);
  const std::string table = quote_to_table(receipt, quote);
  CHECK(table.find("\n  0 A-VERY-LONG-SKU~       2 ") != std::string::npos);
  CHECK(table.find("\n  1 TAB?SKU                1 ") != std::string::npos);
}

TEST_CASE("reversal_to_json writes every section in a fixed order", "[quote_render]") {
  const Program program = make_program();
  const Quote quote = make_quote(program);
  Reversal reversal;
  reversal.lines = {ReversalLine{0, 1, Minor{250}, Minor{65}}};
  reversal.earns = {
      ReversedEarn{0, Source{SourceKind::earn_base, 0}, EarnAccount::customer, Points{3}},
      ReversedEarn{no_line, rule_source(3), EarnAccount::customer, Points{100}}};
  reversal.burns = {RestoredBurn{0, Source{SourceKind::burn, 0}, Points{65}}};
  reversal.stamps = {CounterAdjustment{1, -1}};
  reversal.coupon_uses = {CounterAdjustment{2, 1}};
  reversal.budgets = {BudgetReturn{0, "2026-03", 20}};
  reversal.money_refund = Minor{250};
  reversal.earned_reversed = Points{103};
  reversal.burned_restored = Points{65};
  const std::string expected =
      R"({"completes_receipt":false,"cancels_paid_membership":false,"money_refund_minor":250,"earned_reversed":103,)"
      R"("company_points_reversed":0,"referrer_points_reversed":0,"burned_restored":65,)"
      R"("settlement":{"partner":null,"partner_owes_minor":0,"owed_to_partner_minor":0},)"
      R"("lines":[{"line":0,"quantity":1,"money_refund_minor":250,"tender_refund_minor":65}],)"
      R"("earns":[{"line":0,"source":"earn.base","account":"customer","points":3},)"
      R"({"line":null,"source":"rule:welcome","account":"customer","points":100}],)"
      R"("burns":[{"line":0,"source":"burn","points":65}],)"
      R"("stamps":[{"rule":"coffee-card","delta":-1}],)"
      R"("coupon_uses":[{"rule":"spring10","delta":1}],)"
      R"("budgets":[{"budget":"spring-money","unit":"money","period":"2026-03","amount":20}]})";
  CHECK(reversal_to_json(quote, reversal, false) == expected);
}

TEST_CASE("Quote::clear empties vectors, keeps their capacity and zeroes totals",
          "[quote_render]") {
  const Program program = make_program();
  Quote quote = make_quote(program);
  quote.partner = 0;
  quote.settlement_partner_owes = Minor{5};
  quote.paid_membership_until = Timestamp{expiry_seconds};
  quote.company_points_total = Points{7};
  const auto lines_capacity = quote.lines.capacity();
  const auto discounts_capacity = quote.discounts.capacity();
  const auto earns_capacity = quote.earns.capacity();
  const auto notes_capacity = quote.notes.capacity();

  quote.clear();

  CHECK(quote.program == nullptr);
  CHECK(quote.receipt_id.empty());
  CHECK_FALSE(quote.identified);
  CHECK(quote.lines.empty());
  CHECK(quote.discounts.empty());
  CHECK(quote.earns.empty());
  CHECK(quote.burns.empty());
  CHECK(quote.stamps.empty());
  CHECK(quote.coupons.empty());
  CHECK(quote.draws.empty());
  CHECK(quote.donations.empty());
  CHECK(quote.notes.empty());
  CHECK(quote.lines.capacity() == lines_capacity);
  CHECK(quote.discounts.capacity() == discounts_capacity);
  CHECK(quote.earns.capacity() == earns_capacity);
  CHECK(quote.notes.capacity() == notes_capacity);
  CHECK(quote.gross_total == Minor{});
  CHECK(quote.due_total == Minor{});
  CHECK(quote.earned_total == Points{});
  CHECK(quote.company_points_total == Points{});
  CHECK(quote.earned_active_from == Timestamp{});
  CHECK_FALSE(quote.earned_expires_at);
  CHECK_FALSE(quote.tier_before);
  CHECK_FALSE(quote.tier_after);
  CHECK_FALSE(quote.tier_review_at);
  CHECK_FALSE(quote.paid_membership_until);
  CHECK_FALSE(quote.company_band);
  CHECK_FALSE(quote.partner);
  CHECK(quote.settlement_partner_owes == Minor{});
}

}  // namespace loyalty
