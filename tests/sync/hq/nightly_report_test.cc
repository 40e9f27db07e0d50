// The nightly report's figures (nightly_report.h) from a journal and HQ's ledger, on SQLite and
// PostgreSQL: exact values per store, for the chain and per day, and bad requests refused.

#include "loyalty/sync/nightly_report.h"

#include <catch2/catch.hpp>

#include "journal_builder.h"
#include "loyalty/core/json.h"
#include "store_backends.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

constexpr std::int64_t t0 = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t day = 86400;
const std::string alice = "ps1_0123456789abcdef0123456789abcdef";
const std::string bob = "ps1_11111111111111111111111111111111";

// The members of a quote the report reads.
std::string quote(bool identified, std::int64_t net, const std::string& line_parts,
                  const std::string& receipt_earns = "", const std::string& budgets = "") {
  return std::string("{\"identified\":") + (identified ? "true" : "false") +
         ",\"currency\":\"EUR\",\"totals\":{\"net_minor\":" + std::to_string(net) +
         "},\"lines\":[{" + line_parts + "}],\"receipt_earns\":[" + receipt_earns +
         "],\"budgets\":[" + budgets + "]}";
}

void fill(HqStore& hq) {
  JournalBuilder a("A", "a1", 1);
  a.quoted_checkout(at_seconds(t0 + 3600), alice,
                    quote(true, 10000,
                          R"("discounts":[{"source":"rule:promo","amount_minor":500}],)"
                          R"("earns":[{"source":"earn.base","account":"customer","points":100}])",
                          "", R"({"budget":"b1","unit":"money","period":"campaign","used":500})"),
                    10000, {earn_lot(alice, 100, at_seconds(t0 + day + 3600))});
  a.quoted_checkout(at_seconds(t0 + 7200), std::nullopt,
                    quote(false, 3000, R"("discounts":[],"earns":[])"), 3000, {});
  JournalBuilder b("B", "b1", 1);
  b.quoted_checkout(at_seconds(t0 + day + 600), alice,
                    quote(true, 5000, R"("discounts":[],"earns":[])",
                          R"({"source":"rule:welcome","account":"customer","points":50})"),
                    5000, {burn(alice, 30), earn(alice, 50)});
  b.quoted_checkout(
      at_seconds(t0 + day + 7200), bob,
      quote(true, 2000,
            R"("discounts":[],"earns":[{"source":"earn.base","account":"customer","points":20}])"),
      2000, {earn(bob, 20)});
  // The day after the report's range.
  b.quoted_checkout(
      at_seconds(t0 + 2 * day + 100), bob,
      quote(true, 999,
            R"("discounts":[],"earns":[{"source":"earn.base","account":"customer","points":9}])"),
      999, {earn(bob, 9)});
  for (const JournalBuilder* journal : {&a, &b}) {
    REQUIRE(hq.ingest(journal->identity(), journal->all(), at_seconds(t0 + 3 * day)).ok());
  }
  REQUIRE(hq.apply(at_seconds(t0 + 2 * day + 200), 1000).ok());
}

json::Value report(HqStore& hq, std::vector<std::string> stores = {}) {
  ReportOptions options;
  options.from_date = "2026-01-01";
  options.to_date = "2026-01-02";
  options.generated_at = at_seconds(t0 + 3 * day);
  options.stores = std::move(stores);
  Result<std::string> text = nightly_report_json(hq, options);
  if (!text.ok()) FAIL(text.error().message);
  Result<json::Value> parsed = json::parse(*text);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

std::string compact(const json::Value& value) {
  json::Writer out;
  out.value(value);
  return out.take();
}

}  // namespace

TEST_CASE("the nightly report adds up receipts and the ledger per store, for the chain and by day",
          "[hq][report]") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  TestStore where(backend);
  auto hq = where.open();
  fill(*hq);
  const json::Value document = report(*hq);
  CHECK(document.find("format")->as_string() == "loyalty-hq-report-v1");
  CHECK(document.find("time_zone")->as_string() == "UTC");
  CHECK(document.find("currency")->as_string() == "EUR");
  CHECK(compact(*document.find("chain")) ==
        R"({"receipts":4,"member_receipts":3,"loyalty_share_bp":7500,)"
        R"("average_check_minor":{"members":5667,"non_members":3000},"members":2,)"
        R"("visits_per_member_milli":1500,)"
        R"("points":{"issued":170,"redeemed":30,"expired":70,"donated":0},)"
        R"("liability":{"change_points":70,"end_points":70},)"
        R"("overdrafts":{"opened_points":0,"end_points":0},)"
        R"("top_rules":[{"source":"rule:promo","discount_minor":500,"points":0,"cost_minor":500,)"
        R"("receipts":1},{"source":"earn.base","discount_minor":0,"points":120,"cost_minor":120,)"
        R"("receipts":2},{"source":"rule:welcome","discount_minor":0,"points":50,)"
        R"("cost_minor":50,"receipts":1}],)"
        R"("budgets":[{"budget":"b1","unit":"money","period":"campaign","used":500}]})");
  const auto& stores = document.find("stores")->as_array();
  REQUIRE(stores.size() == 2);
  CHECK(compact(stores[0]) ==
        R"({"store_id":"A","receipts":2,"member_receipts":1,"loyalty_share_bp":5000,)"
        R"("average_check_minor":{"members":10000,"non_members":3000},"members":1,)"
        R"("visits_per_member_milli":1000,)"
        R"("points":{"issued":100,"redeemed":0,"expired":0,"donated":0},)"
        R"("liability":{"change_points":100,"end_points":null},)"
        R"("overdrafts":{"opened_points":0,"end_points":null},)"
        R"("top_rules":[{"source":"rule:promo","discount_minor":500,"points":0,"cost_minor":500,)"
        R"("receipts":1},{"source":"earn.base","discount_minor":0,"points":100,"cost_minor":100,)"
        R"("receipts":1}],)"
        R"("budgets":[{"budget":"b1","unit":"money","period":"campaign","used":500}]})");
  CHECK(stores[1].find("store_id")->as_string() == "B");
  CHECK(compact(*stores[1].find("points")) ==
        R"({"issued":70,"redeemed":30,"expired":0,"donated":0})");
  CHECK(compact(*stores[1].find("average_check_minor")) == R"({"members":3500,"non_members":0})");
  CHECK(compact(*document.find("days")) ==
        R"([{"date":"2026-01-01","receipts":2,"member_receipts":1,"points_issued":100,)"
        R"("points_redeemed":0},{"date":"2026-01-02","receipts":2,"member_receipts":2,)"
        R"("points_issued":70,"points_redeemed":30}])");

  // Store B only: the chain's figures are B's; the stock stays the whole chain's.
  const json::Value only_b = report(*hq, {"B"});
  REQUIRE(only_b.find("stores")->as_array().size() == 1);
  CHECK(only_b.find("chain")->find("receipts")->as_int() == 2);
  CHECK(only_b.find("chain")->find("points")->find("expired")->as_int() == 0);
  CHECK(compact(*only_b.find("chain")->find("liability")) ==
        R"({"change_points":40,"end_points":70})");
}

TEST_CASE(
    "the nightly report refuses dates that are not dates, backwards ranges and more than a "
    "year",
    "[hq][report]") {
  TestStore where(Backend::sqlite);
  auto hq = where.open();
  ReportOptions options;
  options.generated_at = at_seconds(t0);
  const auto refused = [&](std::string from, std::string to) {
    options.from_date = std::move(from);
    options.to_date = std::move(to);
    Result<std::string> text = nightly_report_json(*hq, options);
    REQUIRE(!text.ok());
    CHECK(text.error().code == ErrorCode::invalid_argument);
    return text.error().message;
  };
  CHECK(refused("2026-02-30", "2026-03-01") ==
        "from: \"2026-02-30\" is not a valid date: day 30 is out of range: February 2026 has 28 "
        "days (expected YYYY-MM-DD)");
  CHECK(refused("2026-03-02", "2026-03-01") ==
        "the report's first day 2026-03-02 is after its last day 2026-03-01");
  CHECK(refused("2025-01-01", "2026-01-02") == "a report covers at most 366 days, not 367");
  CHECK(parse_point_value("3/2")->minor == 3);
  CHECK(parse_point_value("3/2")->points == 2);
  for (const char* bad : {"", "1", "0/1", "1/0", "-1/1", "1/1/1", "a/b", "10000000000/1"}) {
    INFO(bad);
    CHECK(parse_point_value(bad).error().message ==
          "point value \"" + std::string(bad) +
              "\" is not MINOR/POINTS with two whole numbers from 1 to 1000000000 (1/1: one minor "
              "unit a point)");
  }
}
